// The host's half of the firmware ABI (the firmware's half is firmware/index.ts): the calls, and
// every number that crosses between them.
export { Reason, Status, reasonText } from "../firmware/reason.ts";

// The numbers themselves are the firmware's own definitions, imported (plain TypeScript files
// that both AssemblyScript and TypeScript compile): nothing here restates a firmware value.
export {
  ABI_VERSION, Info, Control, Region, PacketType, Counter, Option, Overflow, EventType, FLAG_FIRST_CHUNK, FLAG_LAST_CHUNK, CONFIGURE_KEEP_SESSION,
} from "../firmware/abi-numbers.ts";
export { State as SessionState } from "../firmware/session/state-table.ts";
import {
  Budget, Region, Counter, EV_TYPE, EV_REASON, EV_PACKET_ID, EV_FLAGS, EV_TOPIC_PTR, EV_TOPIC_LEN, EV_PAYLOAD_PTR, EV_PAYLOAD_LEN,
  EV_PROPS_PTR, EV_PROPS_LEN, EV_OFFSET, EV_TOTAL, EV_PACKET_TYPE, EV_ALIAS, EV_VALUE, type Control, type Info,
} from "../firmware/abi-numbers.ts";

/** The member names of a numeric enum in value order, first letter lower-cased, without its Count. */
function enumNames(e: Record<string, string | number>, count: number): string[] {
  return Array.from({ length: count }, (_, id) => {
    const name = e[id] as string;
    return name[0].toLowerCase() + name.slice(1);
  });
}

/** Region names by Region id ("rx", "inboundQos2", ...), for reports. */
export const REGION_NAMES: readonly string[] = enumNames(Region, Region.Count);
/** Counter names by Counter id ("bytesIn", ...), the keys of Firmware.counters(). */
export const COUNTER_NAMES: readonly string[] = enumNames(Counter, Counter.Count);

/** Budget constant names by Budget id: the profiles' constant names. */
export const BUDGET_NAMES = Array.from({ length: Budget.Count }, (_, id) => Budget[id]) as readonly BudgetName[];
export type BudgetName = Exclude<keyof typeof Budget, "Count">;

/** Word indexes of the event record (the firmware's EV_* constants under shorter names). */
export const EV = {
  TYPE: EV_TYPE, REASON: EV_REASON, PACKET_ID: EV_PACKET_ID, FLAGS: EV_FLAGS, TOPIC_PTR: EV_TOPIC_PTR, TOPIC_LEN: EV_TOPIC_LEN,
  PAYLOAD_PTR: EV_PAYLOAD_PTR, PAYLOAD_LEN: EV_PAYLOAD_LEN, PROPS_PTR: EV_PROPS_PTR, PROPS_LEN: EV_PROPS_LEN, OFFSET: EV_OFFSET,
  TOTAL: EV_TOTAL, PACKET_TYPE: EV_PACKET_TYPE, ALIAS: EV_ALIAS, VALUE: EV_VALUE,
} as const;

/**
 * The module's own exports (ABI 5): few on purpose, since V8 spends ~270 bytes of host memory per
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
