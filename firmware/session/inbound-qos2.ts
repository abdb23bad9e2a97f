// Packet identifiers of incoming QoS 2 messages that were delivered and await PUBREL.
// A PUBLISH whose identifier is here is a resend: it is acknowledged but not delivered
// again (exactly-once, spec 4.3.3). Slot value 0 = free.
import { INBOUND_QOS2_SLOTS } from "../budget";
import { INBOUND_QOS2 } from "../regions";

export function qos2Has(id: u32): bool {
  return qos2Find(id) >= 0;
}

function qos2Find(id: u32): i32 {
  for (let i = 0; i < INBOUND_QOS2_SLOTS; i++) {
    if (<u32>load<u16>(INBOUND_QOS2 + (<usize>i << 1)) == id) return i;
  }
  return -1;
}

/** Records id; false when every slot is taken. */
export function qos2Add(id: u32): bool {
  let i = qos2Find(0);
  if (i < 0) return false;
  store<u16>(INBOUND_QOS2 + (<usize>i << 1), <u16>id);
  return true;
}

/** Forgets id; false when it was not recorded. */
export function qos2Remove(id: u32): bool {
  let i = qos2Find(id);
  if (i < 0) return false;
  store<u16>(INBOUND_QOS2 + (<usize>i << 1), 0);
  return true;
}

export function qos2Clear(): void {
  memory.fill(INBOUND_QOS2, 0, <usize>INBOUND_QOS2_SLOTS * 2);
}
