// Loads the firmware: the WebAssembly.Module is compiled once per profile and instantiated
// per device, so a fleet pays for compiling once. Firmware wraps one instance with typed
// views over its regions; it adds no behaviour of its own.
//
// @assemblyscript/loader is not used: the ABI passes numbers only, so plain WebAssembly
// instantiation needs no runtime exports, and it is ~2x faster to instantiate at fleet scale.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "./package-root.ts";
import {
  ABI_VERSION, BUDGET_NAMES, COUNTER_NAMES, Control, EV, Info, REGION_NAMES, Region, type BudgetName, type FirmwareExports, type RawExports,
} from "./abi.ts";

const modules = new Map<string, WebAssembly.Module>();

export function wasmPath(profile: string): string {
  return join(PACKAGE_ROOT, "build", "firmware", `${profile}.wasm`);
}

/** The compiled module of a profile (compiled on first use, then shared). */
export function firmwareModule(profile = "default"): WebAssembly.Module {
  let mod = modules.get(profile);
  if (!mod) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(wasmPath(profile));
    } catch {
      throw new Error(`firmware profile '${profile}' is not built (${wasmPath(profile)}): run npm run build`);
    }
    mod = new WebAssembly.Module(new Uint8Array(bytes));
    modules.set(profile, mod);
  }
  return mod;
}

export interface RegionInfo { name: string; offset: number; size: number }

/**
 * Every firmware call by name over the module's few exports. Its methods live on the prototype,
 * so an instance costs one small object, not a function per call (a fleet has one per sensor).
 */
class AbiFacade implements FirmwareExports {
  constructor(private readonly w: RawExports) {}
  get memory(): WebAssembly.Memory { return this.w.memory; }
  abiVersion(): number { return this.w.info(Info.AbiVersion, 0); }
  regionCount(): number { return this.w.info(Info.RegionCount, 0); }
  regionOffset(id: number): number { return this.w.info(Info.RegionOffset, id); }
  regionSize(id: number): number { return this.w.info(Info.RegionSize, id); }
  budget(id: number): number { return this.w.info(Info.Budget, id); }
  counter(id: number): number { return this.w.info(Info.Counter, id) >>> 0; }
  sessionState(): number { return this.w.info(Info.SessionState, 0); }
  setOption(id: number, value: number): number { return this.w.control(Control.SetOption, id, value, 0); }
  configure(...a: Parameters<FirmwareExports["configure"]>): number { return this.w.configure(...a); }
  propsSet(len: number): number { return this.w.control(Control.PropsSet, len, 0, 0); }
  transportOpened(now: number): number { return this.w.control(Control.TransportOpened, now, 0, 0); }
  transportClosed(now: number): void { this.w.control(Control.TransportClosed, now, 0, 0); }
  rxReserve(): number { return this.w.rxReserve(); }
  rxWritePtr(): number { return this.w.rxWritePtr(); }
  receive(len: number): number { return this.w.receive(len); }
  pollEvent(now: number): number { return this.w.pollEvent(now); }
  pollTransmit(now: number): number { return this.w.pollTransmit(now); }
  handleTimeout(now: number): void { this.w.control(Control.HandleTimeout, now, 0, 0); }
  pollDelayMs(now: number): number { return this.w.pollDelayMs(now); }
  publishBegin(topicOff: number, topicLen: number, totalLen: number, qos: number, retain: number): number {
    return this.w.publishBegin(topicOff, topicLen, totalLen, qos, retain);
  }
  publishWrite(off: number, len: number): number { return this.w.publishWrite(off, len); }
  request(type: number, off: number, len: number): number { return this.w.control(Control.Request, type, off, len); }
  disconnect(reason: number): number { return this.w.control(Control.Disconnect, reason, 0, 0); }
  auth(reason: number): number { return this.w.control(Control.Auth, reason, 0, 0); }
  decodeRx(len: number, v5: number): number { return this.w.control(Control.DecodeRx, len, v5, 0); }
}

/** The named calls of one instance's exports. */
export const abiFacade = (raw: RawExports): FirmwareExports => new AbiFacade(raw);

export class Firmware {
  readonly exports: FirmwareExports;
  readonly profile: string;
  private mem: Uint8Array;
  private words: Uint32Array;
  readonly scratch: number;
  readonly scratchSize: number;
  readonly tx: number;
  readonly props: number;
  readonly propsSize: number;
  private readonly event: number;

  constructor(profile = "default") {
    this.profile = profile;
    const instance = new WebAssembly.Instance(firmwareModule(profile), {});
    const raw = instance.exports as unknown as RawExports;
    if (typeof raw.info !== "function") throw new Error(`firmware ABI 3 or older (no info export) does not match host ABI ${ABI_VERSION}: run npm run build`);
    this.exports = abiFacade(raw);
    if (this.exports.abiVersion() !== ABI_VERSION) {
      throw new Error(`firmware ABI ${this.exports.abiVersion()} does not match host ABI ${ABI_VERSION}`);
    }
    this.mem = new Uint8Array(this.exports.memory.buffer);
    this.words = new Uint32Array(this.exports.memory.buffer);
    this.scratch = this.exports.regionOffset(Region.Scratch);
    this.scratchSize = this.exports.regionSize(Region.Scratch);
    this.tx = this.exports.regionOffset(Region.Tx);
    this.props = this.exports.regionOffset(Region.Props);
    this.propsSize = this.exports.regionSize(Region.Props);
    this.event = this.exports.regionOffset(Region.Event) >>> 2;
  }

  /** The whole linear memory (the firmware never grows it, so this view stays valid). */
  get memory(): Uint8Array { return this.mem; }

  budget(name: BudgetName): number {
    return this.exports.budget(BUDGET_NAMES.indexOf(name));
  }

  budgets(): Record<BudgetName, number> {
    return Object.fromEntries(BUDGET_NAMES.map((n, i) => [n, this.exports.budget(i)])) as Record<BudgetName, number>;
  }

  regions(): RegionInfo[] {
    return REGION_NAMES.map((name, id) => ({ name, offset: this.exports.regionOffset(id), size: this.exports.regionSize(id) }));
  }

  counters(): Record<string, number> {
    return Object.fromEntries(COUNTER_NAMES.map((n, i) => [n, this.exports.counter(i)]));
  }

  /** Copies bytes into SCRATCH at off; returns the offset after them. Throws when they do not fit. */
  scratchWrite(off: number, bytes: Uint8Array): number {
    if (off + bytes.length > this.scratchSize) {
      throw new RangeError(`${off + bytes.length} bytes exceed SCRATCH_BYTES (${this.scratchSize})`);
    }
    this.mem.set(bytes, this.scratch + off);
    return off + bytes.length;
  }

  /** Copies received bytes into RX (as many as fit) and feeds them; returns how many were taken. */
  feed(bytes: Uint8Array, start = 0): number {
    const room = this.exports.rxReserve();
    const n = Math.min(room, bytes.length - start);
    if (n <= 0) return 0;
    this.mem.set(bytes.subarray(start, start + n), this.exports.rxWritePtr());
    this.exports.receive(n);
    return n;
  }

  /** Drains TX into one new Buffer (empty when nothing is pending). */
  transmit(now: number): Buffer {
    let chunks: Buffer[] | undefined;
    let first: Buffer | undefined;
    for (;;) {
      const n = this.exports.pollTransmit(now >>> 0);
      if (n === 0) break;
      const b = Buffer.from(this.mem.subarray(this.tx, this.tx + n));
      if (!first) first = b;
      else (chunks ??= [first]).push(b);
    }
    if (chunks) return Buffer.concat(chunks);
    return first ?? Buffer.alloc(0);
  }

  /** The event record as u32 words (a live view: copy what you keep). */
  ev(word: number): number {
    return this.words[this.event + word];
  }

  bytes(ptr: number, len: number): Buffer {
    return Buffer.from(this.mem.subarray(ptr, ptr + len));
  }

  string(ptr: number, len: number): string {
    return Buffer.from(this.mem.buffer, this.mem.byteOffset + ptr, len).toString("utf8");
  }

  eventTopic(): string {
    return this.string(this.ev(EV.TOPIC_PTR), this.ev(EV.TOPIC_LEN));
  }

  eventPayload(): Buffer {
    return this.bytes(this.ev(EV.PAYLOAD_PTR), this.ev(EV.PAYLOAD_LEN));
  }
}

export { EV };
