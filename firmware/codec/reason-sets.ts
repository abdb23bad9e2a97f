// Which reason codes each packet a client receives may carry (spec 3.x.2.1 tables, MQTT 5,
// codes a server may send). A code outside its packet's set is a Protocol Error. Kept as bit masks, one row per packet type: codes
// 0x00-0x1F, then 0x80-0xBF in two words. 3.1.1 carries codes only in CONNACK (0-5) and SUBACK.
import * as P from "./packet-type";
import { MQTT5_ENABLED } from "../budget";

// @ts-ignore: decorator
@lazy const MASKS: usize = memory.data<u32>([
  0x00000000, 0x00000000, 0x00000000, //  0 -
  0x00000000, 0x00000000, 0x00000000, //  1 -
  0x00000001, 0xbea117ff, 0x00000000, //  2 CONNACK
  0x00000000, 0x00000000, 0x00000000, //  3 -
  0x00010001, 0x02830089, 0x00000000, //  4 PUBACK
  0x00010001, 0x02830089, 0x00000000, //  5 PUBREC
  0x00000001, 0x00040000, 0x00000000, //  6 PUBREL
  0x00000001, 0x00040000, 0x00000000, //  7 PUBCOMP
  0x00000000, 0x00000000, 0x00000000, //  8 -
  0x00000007, 0x40828089, 0x00000006, //  9 SUBACK
  0x00000000, 0x00000000, 0x00000000, // 10 -
  0x00020001, 0x00028089, 0x00000000, // 11 UNSUBACK
  0x00000000, 0x00000000, 0x00000000, // 12 -
  0x00000000, 0x00000000, 0x00000000, // 13 -
  0x00000001, 0xfff9ea8f, 0x00000007, // 14 DISCONNECT
  0x01000001, 0x00000000, 0x00000000, // 15 AUTH (from a server: Success, Continue)
]);

export function reasonAllowed(type: u32, code: u32, asV5: bool): bool {
  if (!(MQTT5_ENABLED && asV5)) {
    if (type == P.CONNACK) return code <= 5;
    return type == P.SUBACK && (code <= 2 || code == 0x80);
  }
  let row = MASKS + <usize>(type & 15) * 12;
  if (code < 32) return ((load<u32>(row) >> code) & 1) != 0;
  code -= 0x80;
  if (code >= 64) return false;
  return ((load<u32>(row + 4 + (<usize>(code >> 5) << 2)) >> (code & 31)) & 1) != 0;
}
