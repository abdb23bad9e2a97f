// MQTT 5 properties (spec 2.2.2): a table of every property's type and the packets it may
// appear in, one validating scan used for incoming packets and for properties the host
// builds, a writer for the host, and a cursor the host uses to read validated properties.
import { PROPS_BYTES } from "../budget";
import { Status } from "../reason";
import { hasWildcard } from "./topic";
import { PROP_VALUES } from "../regions";
import { Reason } from "../reason";
import { rdPos, rdEnd, rdFail, rdU8, rdU16, rdU32, rdVarint, rdBinary, rdString, rdBegin, rdLen } from "./reader";
import { Prop } from "../prop";

export const T_BYTE: u32 = 1;
export const T_U16: u32 = 2;
export const T_U32: u32 = 3;
export const T_VARINT: u32 = 4;
export const T_STRING: u32 = 5;
export const T_BINARY: u32 = 6;
export const T_PAIR: u32 = 7;

/** Packet kinds for the allowed-in mask: the MQTT packet type, and 0 for will properties. */
export const KIND_WILL: u32 = 0;

// Bit per packet kind: will 0, CONNECT 1, CONNACK 2, PUBLISH 3, PUBACK 4, PUBREC 5, PUBREL 6,
// PUBCOMP 7, SUBSCRIBE 8, SUBACK 9, UNSUBSCRIBE 10, UNSUBACK 11, DISCONNECT 14, AUTH 15.
const W: u32 = 1 << 8, CO: u32 = 1 << 9, CA: u32 = 1 << 10, PU: u32 = 1 << 11;
const ACKS: u32 = (1 << 12) | (1 << 13) | (1 << 14) | (1 << 15);
const SU: u32 = 1 << 16, SA: u32 = 1 << 17, UN: u32 = 1 << 18, UA: u32 = 1 << 19, DI: u32 = 1 << 22, AU: u32 = 1 << 23;

// Entry = type | allowed-kinds mask << 8; 0 = no such property. Indexed by identifier (Prop, in prop.ts).
// @ts-ignore: decorator
@lazy const TABLE: usize = memory.data<u32>([
  0,                                   // 0x00
  T_BYTE | W | PU,                     // 0x01 Payload Format Indicator
  T_U32 | W | PU,                      // 0x02 Message Expiry Interval
  T_STRING | W | PU,                   // 0x03 Content Type
  0, 0, 0, 0,                          // 0x04-0x07
  T_STRING | W | PU,                   // 0x08 Response Topic
  T_BINARY | W | PU,                   // 0x09 Correlation Data
  0,                                   // 0x0A
  T_VARINT | PU | SU,                  // 0x0B Subscription Identifier
  0, 0, 0, 0, 0,                       // 0x0C-0x10
  T_U32 | CO | CA | DI,                // 0x11 Session Expiry Interval
  T_STRING | CA,                       // 0x12 Assigned Client Identifier
  T_U16 | CA,                          // 0x13 Server Keep Alive
  0,                                   // 0x14
  T_STRING | CO | CA | AU,             // 0x15 Authentication Method
  T_BINARY | CO | CA | AU,             // 0x16 Authentication Data
  T_BYTE | CO,                         // 0x17 Request Problem Information
  T_U32 | W,                           // 0x18 Will Delay Interval
  T_BYTE | CO,                         // 0x19 Request Response Information
  T_STRING | CA,                       // 0x1A Response Information
  0,                                   // 0x1B
  T_STRING | CA | DI,                  // 0x1C Server Reference
  0, 0,                                // 0x1D-0x1E
  T_STRING | CA | ACKS | SA | UA | DI | AU, // 0x1F Reason String
  0,                                   // 0x20
  T_U16 | CO | CA,                     // 0x21 Receive Maximum
  T_U16 | CO | CA,                     // 0x22 Topic Alias Maximum
  T_U16 | PU,                          // 0x23 Topic Alias
  T_BYTE | CA,                         // 0x24 Maximum QoS
  T_BYTE | CA,                         // 0x25 Retain Available
  T_PAIR | W | CO | CA | PU | ACKS | SU | SA | UN | UA | DI | AU, // 0x26 User Property
  T_U32 | CO | CA,                     // 0x27 Maximum Packet Size
  T_BYTE | CA,                         // 0x28 Wildcard Subscription Available
  T_BYTE | CA,                         // 0x29 Subscription Identifier Available
  T_BYTE | CA,                         // 0x2A Shared Subscription Available
]);
const TABLE_LEN: u32 = Prop.Limit;

// Values captured by the last scan, for the session to act on: one u32 per identifier.
/** Identifiers seen by the last scan (bit per identifier below 64). */
let pSeen: u64 = 0;
export let pAssignedIdPtr: usize = 0;
export let pAssignedIdLen: i32 = 0;
/** Where the last scan found an Authentication Method. */
export let pAuthMethodPtr: usize = 0;
export let pAuthMethodLen: i32 = 0;

/** The integer value of property id from the last scan (valid when propSeen(id)). */
export function propValue(id: u32): u32 {
  return load<u32>(PROP_VALUES + (<usize>id << 2));
}

/** The integer value of property id from the last scan, or dflt when it was absent. */
export function propOr(id: u32, dflt: u32): u32 {
  return propSeen(id) ? propValue(id) : dflt;
}

export function propSeen(id: u32): bool {
  return (pSeen & (<u64>1 << <u64>id)) != 0;
}

/**
 * Validates the properties in [rdPos, end) for packet `kind` (0 = will) and captures the
 * values the session needs. Returns 0, MalformedPacket (truncated value, unknown identifier
 * or one not valid for the packet, bad UTF-8) or ProtocolError (repeated, or out of range).
 */
function propsScan(end: usize, kind: u32): i32 {
  pSeen = 0;
  let savedEnd = rdEnd;
  rdEnd = end;
  let reason: i32 = 0;
  while (rdPos < end) {
    let id = rdVarint();
    if (rdFail) { reason = Reason.MalformedPacket; break; }
    let entry = id < TABLE_LEN ? load<u32>(TABLE + (<usize>id << 2)) : 0;
    if (entry == 0) { reason = Reason.MalformedPacket; break; }
    let type = entry & 0xff;
    let allowed = (entry >> (8 + kind)) & 1;
    // User Property may repeat anywhere; Subscription Identifier may repeat in PUBLISH.
    let multi = id == Prop.UserProperty || (id == Prop.SubscriptionIdentifier && kind == 3);
    let bit = <u64>1 << <u64>id;
    if (!multi && (pSeen & bit) != 0) { if (reason == 0) reason = Reason.ProtocolError; }
    pSeen |= bit;
    // An identifier not valid for the packet type makes the packet malformed (2.2.2.2).
    if (allowed == 0) { reason = Reason.MalformedPacket; break; }
    let v: u32 = 0;
    if (type == T_BYTE) v = rdU8();
    else if (type == T_U16) v = rdU16();
    else if (type == T_U32) v = rdU32();
    else if (type == T_VARINT) v = rdVarint();
    else if (type == T_STRING) {
      let p = rdString();
      if (id == Prop.AssignedClientIdentifier) { pAssignedIdPtr = p; pAssignedIdLen = rdLen; }
      if (id == Prop.AuthenticationMethod) { pAuthMethodPtr = p; pAuthMethodLen = rdLen; }
      if (id == Prop.ResponseTopic && hasWildcard(p, rdLen) && reason == 0) reason = Reason.ProtocolError; // Response Topic [MQTT-3.3.2-14]
    } else if (type == T_BINARY) rdBinary();
    else { rdString(); rdString(); }
    if (rdFail) { reason = Reason.MalformedPacket; break; }
    if (reason != 0) continue; // keep scanning: a malformed packet outranks a protocol error
    if (type == T_BYTE) {
      // Every byte property is a 0/1 flag except Maximum QoS, which is also 0/1 (2 is expressed by absence).
      if (v > 1) reason = Reason.ProtocolError;
    }
    if (id == Prop.ReceiveMaximum || id == Prop.MaximumPacketSize || id == Prop.SubscriptionIdentifier) {
      if (v == 0) reason = Reason.ProtocolError; // Receive Maximum, Maximum Packet Size, Subscription Identifier
    }
    store<u32>(PROP_VALUES + (<usize>id << 2), v);
  }
  rdEnd = savedEnd;
  return reason;
}

/** Where the last rdProps found its properties (0/0 after propsNone). */
export let propsPtr: usize = 0;
export let propsLen: i32 = 0;

/** Forgets the last scan, so a packet without properties never shows stale values. */
export function propsNone(): void {
  propsPtr = 0;
  propsLen = 0;
  pSeen = 0;
}

/** Reads a Property Length and the properties after it. Sets propsPtr/propsLen. */
export function rdProps(kind: u32): i32 {
  let n = <i32>rdVarint();
  if (rdFail || rdPos + <usize>n > rdEnd) { rdFail = true; return Reason.MalformedPacket; }
  propsPtr = rdPos;
  propsLen = n;
  return propsScan(rdPos + <usize>n, kind);
}

/** Checks properties the host built for packet `kind`; returns 0 or a reason code. */
export function propsCheck(ptr: usize, len: i32, kind: u32): i32 {
  let savedPos = rdPos, savedEnd = rdEnd, savedFail = rdFail;
  rdBegin(ptr, ptr + <usize>len);
  let r = propsScan(ptr + <usize>len, kind);
  rdPos = savedPos; rdEnd = savedEnd; rdFail = savedFail;
  return r;
}

// ---- The host writes serialised properties for its next command into PROPS. ----

/** Bytes of properties the host put in PROPS for the next command. */
export let propsBuilt: i32 = 0;

export function propsReset(): void {
  propsBuilt = 0;
}

/** Declares that PROPS holds len bytes of properties; they are validated by the command that uses them. */
export function propsSet(len: i32): i32 {
  if (len < 0 || len > PROPS_BYTES) return -Status.TooLarge;
  propsBuilt = len;
  return 0;
}
