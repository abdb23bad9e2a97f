// Which reason codes each acknowledgement may carry (spec 3.x.2.1 tables). A code outside its
// packet's set is a Protocol Error.
import * as P from "./packet-type";

export function reasonAllowed(type: u32, code: u32, v5: bool): bool {
  if (type == P.CONNACK) {
    if (!v5) return code <= 5;
    return code == 0 || (code >= 0x80 && code <= 0x8a) || code == 0x8c || code == 0x90 || code == 0x95 || code == 0x97 || (code >= 0x99 && code <= 0x9f);
  }
  if (type == P.PUBACK || type == P.PUBREC) {
    return code == 0 || code == 0x10 || code == 0x80 || code == 0x83 || code == 0x87 || code == 0x90 || code == 0x91 || code == 0x97 || code == 0x99;
  }
  if (type == P.PUBREL || type == P.PUBCOMP) return code == 0 || code == 0x92;
  if (type == P.SUBACK) {
    if (code <= 2 || code == 0x80) return true;
    return v5 && (code == 0x83 || code == 0x87 || code == 0x8f || code == 0x91 || code == 0x97 || code == 0x9e || code == 0xa1 || code == 0xa2);
  }
  if (type == P.UNSUBACK) return code == 0 || code == 0x11 || code == 0x80 || code == 0x83 || code == 0x87 || code == 0x8f || code == 0x91;
  if (type == P.DISCONNECT) {
    // 0x04 (with will) is a client's code; the rest of the DISCONNECT table may come from a server.
    return code == 0 || (code >= 0x80 && code <= 0x83) || code == 0x87 || code == 0x89 || code == 0x8b ||
      (code >= 0x8d && code <= 0xa2 && code != 0x91 && code != 0x92);
  }
  if (type == P.AUTH) return code == 0 || code == 0x18 || code == 0x19;
  return false;
}
