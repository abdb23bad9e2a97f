// Operating counters the host can read at any time (counter(id)). They only ever grow.

export enum Counter {
  BytesIn, BytesOut, PacketsIn, MessagesIn, MessagesOut, PublishesCompleted,
  DuplicatesSuppressed, OutboxRejected, OutboxDropped, ProtocolViolations, Connects,
  PingsSent, InboundQos2Overflow, UnexpectedAcks, Count,
}

export const COUNTERS: usize = memory.data(Counter.Count * 4, 4);

export function count(id: Counter, n: u32 = 1): void {
  let p = COUNTERS + (<usize>id << 2);
  store<u32>(p, load<u32>(p) + n);
}

export function counterGet(id: i32): u32 {
  return id >= 0 && id < Counter.Count ? load<u32>(COUNTERS + (<usize>id << 2)) : 0;
}
