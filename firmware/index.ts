// The firmware's ABI: everything the host may call. Numbers only cross this line: offsets,
// lengths, codes and u32 milliseconds. Strings and payloads are bytes the host writes into
// SCRATCH (commands) or reads from RX/TX (events, transmit) via the region table.
//
// Host loop (written down once, here): after bytes arrive, rxReserve() -> copy them to
// rxWritePtr() -> receive(n); then repeat { pollEvent(now) until None; pollTransmit(now) and
// send what it returns } until both are empty; then sleep pollDelayMs(now) and call
// control(HandleTimeout, now). Event pointers stay valid until the next rxReserve/receive/pollEvent.
import { Region, regionOffset as _regionOffset, regionSize as _regionSize } from "./regions";
import * as S from "./session/session";
import { state, Input, accepts } from "./session/state";
import { onConfigured } from "./session/connection";
import * as C from "./session/connect-config";
import * as K from "./session/commands";
import { setOption as _setOption } from "./session/options";
import { propsSet as _propsSet } from "./codec/properties";
import { frameHeader, frameTotal, decodePacket as _decodePacket, receivable } from "./codec/decode";
import { counterGet } from "./counters";
import { RX } from "./regions";
import * as B from "./budget";
import { Status } from "./reason";
import { ABI_VERSION, Info, Control, Budget, CONFIGURE_KEEP_SESSION } from "./abi-numbers";

// Few exports on purpose: V8 spends ~270 bytes of host memory per exported function per
// instance, and a fleet holds one instance per sensor. Queries share info(); rare commands share
// control(); the host's facade (host/firmware.ts) gives each its own name again.


/** Budget constants by id (in Budget order, abi-numbers.ts), kept as data, not code. */
const BUDGETS: usize = memory.data<i32>([
  B.MQTT5_ENABLED ? 1 : 0, B.RX_BUFFER_BYTES, B.TX_BUFFER_BYTES, B.SCRATCH_BYTES, B.PROPS_BYTES, B.CONNECT_BYTES,
  B.OUTBOX_BYTES, B.INFLIGHT_COUNT_MAX, B.REQUEST_SLOTS, B.INBOUND_QOS2_SLOTS, B.TOPIC_ALIAS_OUT_SLOTS,
  B.TOPIC_ALIAS_IN_SLOTS, B.TOPIC_ALIAS_TOPIC_BYTES, B.MAX_INBOUND_PACKET_BYTES, <i32>B.CONNACK_TIMEOUT_MS,
  <i32>B.PINGRESP_TIMEOUT_MS, <i32>B.RECONNECT_BASE_MS, <i32>B.RECONNECT_MAX_MS,
]);
if (Budget.Count != 18) ERROR("BUDGETS lists every Budget, in id order");

/** ABI version, regions (count, offset, size), budgets, counters (u32 bits) and the session state; -1 for an unknown kind or id. */
export function info(kind: i32, id: i32): i32 {
  if (kind == Info.AbiVersion) return ABI_VERSION;
  if (kind == Info.RegionCount) return Region.Count;
  if (kind == Info.RegionOffset) return <i32>_regionOffset(id);
  if (kind == Info.RegionSize) return _regionSize(id);
  if (kind == Info.Budget) return <u32>id < <u32>Budget.Count ? load<i32>(BUDGETS + (<usize>id << 2)) : -1;
  if (kind == Info.Counter) return <i32>counterGet(id);
  if (kind == Info.SessionState) return state;
  return -1;
}

/**
 * setOption(a = id, b = value); propsSet(a = len): the host wrote len bytes of serialised
 * properties into PROPS for the next command; transportOpened/Closed(a = now);
 * handleTimeout(a = now); request(a = type: SUBSCRIBE 8 or UNSUBSCRIBE 10, b = off, c = len,
 * laid out in SCRATCH as on the wire); disconnect(a = reason); auth(a = reason);
 * decodeRx(a = len, b = v5). Returns what the command returns (0 for the void ones).
 */
export function control(op: i32, a: u32, b: i32, c: i32): i32 {
  if (op == Control.SetOption) return _setOption(<i32>a, <u32>b);
  if (op == Control.PropsSet) return B.MQTT5_ENABLED ? _propsSet(<i32>a) : -Status.Unsupported;
  if (op == Control.TransportOpened) return S.transportOpened(a);
  if (op == Control.TransportClosed) { S.transportClosed(a); return 0; }
  if (op == Control.HandleTimeout) { S.handleTimeout(a); return 0; }
  if (op == Control.Request) return K.request(a, b, c);
  if (op == Control.Disconnect) return K.disconnect(a);
  if (op == Control.Auth) return K.auth(a);
  if (op == Control.DecodeRx) return decodeRx(<i32>a, b);
  return -Status.BadArgument;
}

// ---- Configuration ----
export function configure(version: u32, cleanStart: u32, keepAlive: u32, idOff: i32, idLen: i32, userOff: i32, userLen: i32,
  passOff: i32, passLen: i32, willTopicOff: i32, willTopicLen: i32, willPayloadOff: i32, willPayloadLen: i32,
  willQos: u32, willRetain: u32, connectPropsLen: i32): i32 {
  // CONFIGURE_KEEP_SESSION asks for a fresh CONNECT (credentials that expire) for the configured
  // session, between connections, keeping what is queued; without it, a new session, from Idle.
  let refresh = (cleanStart & CONFIGURE_KEEP_SESSION) != 0 && C.configured;
  if (refresh ? !accepts(Input.RefreshConnect) : !accepts(Input.Configure)) return -Status.InvalidState;
  let rc = C.configure(version, cleanStart & ~CONFIGURE_KEEP_SESSION, keepAlive, idOff, idLen, userOff, userLen, passOff, passLen, willTopicOff,
    willTopicLen, willPayloadOff, willPayloadLen, willQos, willRetain, connectPropsLen);
  if (rc == 0 && !refresh) onConfigured();
  return rc;
}

// ---- Transport and time ----
export function rxReserve(): i32 { return S.rxReserve(); }
export function rxWritePtr(): usize { return S.rxWritePtr(); }
export function receive(len: i32): i32 { return S.receive(len); }
export function pollEvent(now: u32): i32 { return S.pollEvent(now); }
export function pollTransmit(now: u32): i32 { return S.pollTransmit(now); }
export function pollDelayMs(now: u32): i32 { return S.pollDelayMs(now); }

// ---- Commands ----
export function publishBegin(topicOff: i32, topicLen: i32, totalLen: i32, qos: u32, retain: u32): i32 {
  return K.publishBegin(topicOff, topicLen, totalLen, qos, retain);
}
export function publishWrite(off: i32, len: i32): i32 { return K.publishWrite(off, len); }

// ---- Codec, without a session (tests and tools) ----
/**
 * Decodes one complete packet of `len` bytes at RX as a client would receive it, into the event
 * record, without touching the session. Returns 0, a reason code, or -1 when len does not hold
 * exactly one packet.
 */
function decodeRx(len: i32, v5: i32): i32 {
  let f = frameHeader(RX, RX + <usize>len);
  if (f < 0) return -f;
  let bad = receivable(<u32>load<u8>(RX) >> 4, v5 != 0);
  if (bad != 0) return bad;
  if (f == 0 || frameTotal(f) != len) return -1;
  return _decodePacket(RX, f, v5 != 0);
}
