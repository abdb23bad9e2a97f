// The one fault model of the simulator: every seeded fault decision on a simulated network link
// (link-lane.ts: loss as TCP retransmission, jitter) and on the emulated modem's serial line
// (modem-emulator/serial-line.ts: lost bytes, noise, fragmented writes) is drawn here, from one
// PRNG stream per link or line (host/prng.ts), so a run with the same seed injects the same faults.
// When faults happen in time stays with their owners: outages are windows on the fleet clock
// (outage.ts), the emulator's injections a script or an exponential schedule (emulator.ts).
import type { Prng } from "../host/prng.ts";

/** The first retransmission timeout: Linux's minimum RTO (TCP_RTO_MIN), where a short-RTT link settles. */
export const RETRANSMIT_TIMEOUT_MS = 200;
/** The doubling stops here (RFC 6298 2.5 allows a maximum of at least 60 s). */
const RETRANSMIT_TIMEOUT_MAX_MS = 60_000;
/** Linux's default tcp_retries2; it also stops a degenerate PRNG from looping forever. */
const RETRANSMITS_MAX = 15;
const BYTE_VALUES = 256;

/** What became of bytes on a lossy, noisy line. */
export interface Garbled { bytes: Buffer; dropped: number; noise: number; dropBudget: number }

export class Faults {
  private readonly random: () => number;

  constructor(source: Prng | (() => number)) {
    this.random = typeof source === "function" ? source : () => source.next();
  }

  /** True with probability p; draws nothing when p is unset or 0. */
  hit(p: number | undefined): boolean {
    return p !== undefined && p > 0 && this.random() < p;
  }

  /** Uniform in [0, max); draws nothing when max is 0. */
  upTo(max: number): number {
    return max > 0 ? max * this.random() : 0;
  }

  /** Integer in [min, max]. */
  between(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  /** TCP on a lossy link: each consecutive loss of the same segment costs one timeout, and the timeout doubles. */
  retransmitDelayMs(loss: number): number {
    let delayMs = 0;
    let rtoMs = RETRANSMIT_TIMEOUT_MS;
    for (let i = 0; i < RETRANSMITS_MAX && this.hit(loss); i++) {
      delayMs += rtoMs;
      rtoMs = Math.min(2 * rtoMs, RETRANSMIT_TIMEOUT_MAX_MS);
    }
    return delayMs;
  }

  /** Random bytes (line noise). */
  noise(count: number): Buffer {
    const bytes = Buffer.alloc(count);
    for (let i = 0; i < count; i++) bytes[i] = this.between(0, BYTE_VALUES - 1);
    return bytes;
  }

  /**
   * Bytes across a serial line: before each byte a random one may be inserted (noiseRate), and
   * each may be lost (dropRate, or while `dropBudget` lasts).
   */
  garble(bytes: Uint8Array, dropRate: number | undefined, noiseRate: number | undefined, dropBudget: number): Garbled {
    const out: number[] = [];
    let dropped = 0;
    let noise = 0;
    for (const b of bytes) {
      if (this.hit(noiseRate)) {
        out.push(this.between(0, BYTE_VALUES - 1));
        noise++;
      }
      if (dropBudget > 0 || this.hit(dropRate)) {
        if (dropBudget > 0) dropBudget--;
        dropped++;
        continue;
      }
      out.push(b);
    }
    return { bytes: Buffer.from(out), dropped, noise, dropBudget };
  }

  /** The bytes that survive a line losing each with probability `rate`. */
  survivors(bytes: Buffer, rate: number): Buffer {
    return Buffer.from(bytes.filter(() => !this.hit(rate)));
  }

  /** Cuts `length` bytes into pieces of 1..maxBytes; returns their lengths. */
  pieces(length: number, maxBytes: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < length; i += out[out.length - 1]) out.push(this.between(1, maxBytes));
    return out;
  }
}
