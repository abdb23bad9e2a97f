// Operating counters the host can read at any time (counter(id)). They only ever grow. The ids
// are in abi-numbers.ts (the host shares them), the words in the COUNTERS region.
import { Counter } from "./abi-numbers";
import { COUNTERS } from "./regions";

export { Counter } from "./abi-numbers";

export function count(id: Counter, n: u32 = 1): void {
  let p = COUNTERS + (<usize>id << 2);
  store<u32>(p, load<u32>(p) + n);
}

export function counterGet(id: i32): u32 {
  return id >= 0 && id < Counter.Count ? load<u32>(COUNTERS + (<usize>id << 2)) : 0;
}
