// Emulated boards in a fleet (issue 14): `--board N`, or `"board": {"profile": "tiny", "count": 2}`
// in the config file, runs that many QEMU Cortex-M4 boards (sim/board/qemu-board.ts: the firmware
// translated to C) next to the Wasm sensors, each carried to the fleet's broker by the raw bridge
// (host/bridge), as a real board on a USB serial adapter would be. A client of the fleet watches
// board/+/temperature and counts each board's readings by the sequence number in them; the
// board's debug UART says how many it took ("reading N"), so losses are counted exactly.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { usageError } from "../host/errors.ts";
import { startBridge, type Bridge } from "../host/bridge/index.ts";
import { type Device } from "../host/device.ts";
import { connectAsync } from "../host/device-connect.ts";
import type { TlsOptions } from "../host/transports/tls.ts";
import type { FleetBroker } from "./broker.ts";
import { SUBSCRIBE_TIMEOUT_MS, subscribeWithin } from "./observer.ts";
import { BOARD_PROFILES, startBoard, type BoardProfile, type RunningBoard } from "./board/qemu-board.ts";

/** Boards per fleet: each is a QEMU process and a socat (a few hundred MB of RAM between them at most). */
export const BOARDS_MAX = 16;
const READING = /^reading (\d+)$/;

export interface BoardGroupConfig {
  profile: BoardProfile;
  count: number;
  intervalS: number;
}

export interface BoardReport {
  clientId: string;
  profile: BoardProfile;
  /** Readings the board's outbox took by the end of publishing (its "reading N" lines). */
  published: number;
  delivered: number;
  lost: number;
  duplicates: number;
}

/** The `board` key or `--board N`: a count, or {profile, count, interval}; the profile follows -V unless given. */
export function parseBoardGroup(value: unknown, where: string, version: 4 | 5, intervalMs: number): BoardGroupConfig | undefined {
  if (value === undefined) return undefined;
  const spec = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : { count: value };
  for (const k of Object.keys(spec)) if (!["profile", "count", "interval"].includes(k)) throw usageError(`${where}: unknown key '${k}'`);
  const count = Number(spec.count);
  if (!Number.isInteger(count) || count < 1 || count > BOARDS_MAX) throw usageError(`${where}: count must be 1 to ${BOARDS_MAX}, got '${String(spec.count)}'`);
  const profile = spec.profile ?? (version === 5 ? "default" : "tiny");
  if (!(BOARD_PROFILES as readonly unknown[]).includes(profile)) throw usageError(`${where}: profile must be ${BOARD_PROFILES.join(" or ")}`);
  if ((profile === "default") !== (version === 5)) {
    throw usageError(`${where}: the ${String(profile)} board speaks MQTT ${profile === "default" ? "5.0 (give -V 5)" : "3.1.1 (drop -V 5)"}`);
  }
  const intervalS = spec.interval === undefined ? Math.max(1, Math.ceil(intervalMs / 1000)) : Number(spec.interval);
  if (!Number.isInteger(intervalS) || intervalS < 1 || intervalS > 65535) throw usageError(`${where}: interval must be whole seconds from 1 to 65535`);
  return { profile: profile as BoardProfile, count, intervalS };
}

interface RunningGroupBoard {
  clientId: string;
  board: RunningBoard;
  bridge?: Bridge;
  taken: number;
  /** `taken` when publishing ended: what must arrive. */
  owed?: number;
  seen: Set<number>;
  duplicates: number;
}

export class BoardGroup {
  private readonly boards: RunningGroupBoard[] = [];
  private watcher: Device | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), "mote-boards-"));

  private constructor(readonly cfg: BoardGroupConfig) {}

  /** Starts the boards and their bridges to `url`, and a client counting their readings. */
  static async start(cfg: BoardGroupConfig, o: { broker: FleetBroker; url: string; tls: TlsOptions; clientPrefix: string; version: 4 | 5 }):
    Promise<BoardGroup> {
    const g = new BoardGroup(cfg);
    try {
      await g.watch(o.broker, o.version, `${o.clientPrefix}boards-watch`);
      for (let i = 1; i <= cfg.count; i++) {
        const clientId = `${o.clientPrefix}board-${i}`;
        const b: Partial<RunningGroupBoard> = { clientId, taken: 0, seen: new Set(), duplicates: 0 };
        b.board = await startBoard({
          profile: cfg.profile, link: join(g.dir, `board-${i}`), clientId, intervalS: cfg.intervalS,
          debug: (line) => {
            const m = READING.exec(line.trim());
            if (m) b.taken = Math.max(b.taken!, Number(m[1]));
          },
        });
        g.boards.push(b as RunningGroupBoard);
        // The bridge's notes (connected, a lost broker connection) are the report's business, not the terminal's.
        b.bridge = await startBridge({ port: b.board.link, url: o.url, tls: o.tls, log: () => {} });
      }
    } catch (e) {
      await g.stop();
      throw e;
    }
    return g;
  }

  /** Publishing is over: what each board took so far must arrive. */
  endPublishing(): void {
    for (const b of this.boards) b.owed = b.taken;
  }

  /** Every reading owed has arrived. */
  get complete(): boolean {
    return this.boards.every((b) => [...Array(b.owed ?? b.taken).keys()].every((i) => b.seen.has(i + 1)));
  }

  report(): BoardReport[] {
    return this.boards.map((b) => {
      const owed = b.owed ?? b.taken;
      const delivered = [...b.seen].filter((s) => s <= owed).length;
      return { clientId: b.clientId, profile: this.cfg.profile, published: owed, delivered, lost: owed - delivered, duplicates: b.duplicates };
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.boards.map(async (b) => {
      await b.bridge?.stop().catch(() => {});
      await b.board.stop();
    }));
    await this.watcher?.end().catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async watch(broker: FleetBroker, version: 4 | 5, clientId: string): Promise<void> {
    const transport = { kind: "boards", open: () => broker.open(), wireBytes: () => undefined };
    this.watcher = await connectAsync("mqtt://127.0.0.1", { transport, protocolVersion: version, clientId, clean: true, connectTimeout: SUBSCRIBE_TIMEOUT_MS },
      (d) => d.on("message", (topic, payload) => this.onReading(topic, payload)));
    await subscribeWithin(this.watcher, ["board/+/temperature"], 1, "the boards' watcher");
  }

  private onReading(topic: string, payload: Buffer): void {
    const b = this.boards.find((x) => topic === `board/${x.clientId}/temperature`);
    const seq = /"seq":(\d+)/.exec(payload.toString("latin1"));
    if (!b || !seq) return;
    const n = Number(seq[1]);
    if (b.seen.has(n)) b.duplicates++;
    else b.seen.add(n);
  }
}
