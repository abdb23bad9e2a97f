// Options the host may change at run time: one u32 each in the OPTIONS region (its defaults,
// from the budget profile, are there too); the ids are in abi-numbers.ts, shared with the host.
import { OPTIONS } from "../regions";
import { Option } from "../abi-numbers";
import { Status } from "../reason";
import { prngSeed } from "./prng";

export { Option, Overflow } from "../abi-numbers";

// @ts-ignore: decorator
@inline export function option(id: Option): u32 {
  return load<u32>(OPTIONS + (<usize>id << 2));
}

export function setOption(id: i32, value: u32): i32 {
  if (id < 1 || id >= Option.Count || (id == Option.OverflowPolicy && value > 1)) return -Status.BadArgument;
  store<u32>(OPTIONS + (<usize>id << 2), value);
  if (id == Option.Seed) prngSeed(value);
  return 0;
}
