// The host's half of the firmware ABI (the firmware's half is firmware/index.ts). Every
// number that crosses between them is named here, once.
export { Reason, Status, reasonText } from "../firmware/reason.ts";

export const ABI_VERSION = 4;

export enum Region { Rx, Tx, Scratch, Props, Connect, Outbox, Event, Requests, InboundQos2, AliasOut, AliasIn, PropValues, Counters, Timers, Options }
export const REGION_NAMES = ["rx", "tx", "scratch", "props", "connect", "outbox", "event", "requests", "inboundQos2", "aliasOut", "aliasIn", "propValues", "counters", "timers", "options"] as const;

export const BUDGET_NAMES = [
  "MQTT5_ENABLED", "RX_BUFFER_BYTES", "TX_BUFFER_BYTES", "SCRATCH_BYTES", "PROPS_BYTES", "CONNECT_BYTES", "OUTBOX_BYTES",
  "INFLIGHT_COUNT_MAX", "REQUEST_SLOTS", "INBOUND_QOS2_SLOTS", "TOPIC_ALIAS_OUT_SLOTS", "TOPIC_ALIAS_IN_SLOTS",
  "TOPIC_ALIAS_TOPIC_BYTES", "MAX_INBOUND_PACKET_BYTES", "CONNACK_TIMEOUT_MS", "PINGRESP_TIMEOUT_MS",
  "RECONNECT_BASE_MS", "RECONNECT_MAX_MS",
] as const;
export type BudgetName = (typeof BUDGET_NAMES)[number];

export enum EventType {
  None = 0, Connected = 1, ConnectRefused = 2, Message = 3, PublishDone = 4, SubscribeDone = 5, UnsubscribeDone = 6,
  ServerDisconnect = 7, ProtocolViolation = 8, Timeout = 9, ReconnectDue = 10, Auth = 11, MessageDropped = 12,
}

/** Word indexes of the event record. */
export const EV = {
  TYPE: 0, REASON: 1, PACKET_ID: 2, FLAGS: 3, TOPIC_PTR: 4, TOPIC_LEN: 5, PAYLOAD_PTR: 6, PAYLOAD_LEN: 7,
  PROPS_PTR: 8, PROPS_LEN: 9, OFFSET: 10, TOTAL: 11, PACKET_TYPE: 12, ALIAS: 13, VALUE: 14,
} as const;
export const FLAG_FIRST_CHUNK = 1 << 4;
export const FLAG_LAST_CHUNK = 1 << 5;

export enum SessionState { Idle = 0, WaitReconnect = 1, Connecting = 2, Connected = 3, Closing = 4 }

export enum Option {
  AutoReconnect = 1, Seed = 2, OverflowPolicy = 3, ReconnectBaseMs = 4, ReconnectMaxMs = 5,
  ConnackTimeoutMs = 6, PingrespTimeoutMs = 7, TopicAliasOut = 8, InflightMax = 9, StrictReceiveMaximum = 10,
}
export enum Overflow { RejectNew = 0, DropOldestQos0 = 1 }

export const COUNTER_NAMES = [
  "bytesIn", "bytesOut", "packetsIn", "messagesIn", "messagesOut", "publishesCompleted", "duplicatesSuppressed",
  "outboxRejected", "outboxDropped", "protocolViolations", "connects", "pingsSent", "inboundQos2Overflow", "unexpectedAcks",
] as const;

export enum PacketType {
  CONNECT = 1, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK,
  PINGREQ, PINGRESP, DISCONNECT, AUTH,
}

/** The raw exports of the firmware module. */
/** What the firmware's info(kind, id) answers (firmware/index.ts, same order). */
export enum Info { AbiVersion, RegionCount, RegionOffset, RegionSize, Budget, Counter, SessionState }
/** The rare commands behind the firmware's control(op, a, b, c) (firmware/index.ts, same order). */
export enum Control { SetOption, PropsSet, TransportOpened, TransportClosed, HandleTimeout, Request, Disconnect, Auth, DecodeRx }

/**
 * The module's own exports (ABI 4): few on purpose, since V8 spends ~270 bytes of host memory per
 * exported function per instance. FirmwareExports names every call again (host/firmware.ts).
 */
export interface RawExports {
  memory: WebAssembly.Memory;
  info(kind: Info, id: number): number;
  control(op: Control, a: number, b: number, c: number): number;
  configure: FirmwareExports["configure"];
  rxReserve(): number;
  rxWritePtr(): number;
  receive(len: number): number;
  pollEvent(now: number): number;
  pollTransmit(now: number): number;
  pollDelayMs(now: number): number;
  publishBegin(topicOff: number, topicLen: number, totalLen: number, qos: number, retain: number): number;
  publishWrite(off: number, len: number): number;
}

/** Every firmware call by name: the facade over RawExports that the host and the tests use. */
export interface FirmwareExports {
  memory: WebAssembly.Memory;
  abiVersion(): number;
  regionCount(): number;
  regionOffset(id: number): number;
  regionSize(id: number): number;
  budget(id: number): number;
  counter(id: number): number;
  sessionState(): number;
  setOption(id: number, value: number): number;
  configure(version: number, cleanStart: number, keepAlive: number, idOff: number, idLen: number, userOff: number,
    userLen: number, passOff: number, passLen: number, willTopicOff: number, willTopicLen: number, willPayloadOff: number,
    willPayloadLen: number, willQos: number, willRetain: number, connectPropsLen: number): number;
  propsSet(len: number): number;
  transportOpened(now: number): number;
  transportClosed(now: number): void;
  rxReserve(): number;
  rxWritePtr(): number;
  receive(len: number): number;
  pollEvent(now: number): number;
  pollTransmit(now: number): number;
  handleTimeout(now: number): void;
  pollDelayMs(now: number): number;
  publishBegin(topicOff: number, topicLen: number, totalLen: number, qos: number, retain: number): number;
  publishWrite(off: number, len: number): number;
  request(type: number, off: number, len: number): number;
  disconnect(reason: number): number;
  auth(reason: number): number;
  decodeRx(len: number, v5: number): number;
}
