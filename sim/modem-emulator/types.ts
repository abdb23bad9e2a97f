// The emulator's public types: options, injections, transcript entries and statistics.

import type { ModemLineEnd } from "../../host/modem/serial/in-process-line.ts";

export type DialectName = "esp-at" | "bg96";

/** Things that can go wrong on purpose, by `inject()`, by a script or on a seeded schedule. */
export type InjectionKind =
  | "remote-close"   // the peer closes the TCP connection (CLOSED / +QIURC: "closed")
  | "bearer-loss"    // BG96: +QIURC: "pdpdeact",1 and every socket gone; ESP-AT: Wi-Fi lost
  | "reboot"         // the modem resets: sockets gone, echo on, banner after bootMs
  | "noise"          // random bytes on the line towards the host, now
  | "drop"           // the next output bytes towards the host are lost
  | "urc"            // a URC at the worst moment (see `at`)
  | "stall"          // the network stops acknowledging: sends pile up until SEND FAIL
  | "resume";        // the network acknowledges again (sends held by a stall go out)

export interface Injection {
  kind: InjectionKind;
  /** Socket (connect id / link id) for remote-close; default: every open socket. */
  socket?: number;
  /** How many bytes for noise and drop (default 8 and 1). */
  bytes?: number;
  /**
   * Where a URC goes: "prompt" right after the next `>` (before the data), "read" inside the next
   * read reply (after the data, before OK), "now" at once (default "prompt").
   */
  at?: "prompt" | "read" | "now";
}

export interface Impairments {
  /** Probability that a byte towards the host is lost. */
  dropRate?: number;
  /** Probability that a random byte is inserted before a byte towards the host. */
  noiseRate?: number;
  /** Probability that a byte from the host is lost (a UART overrun in the modem). */
  inputDropRate?: number;
  /** Output goes out in writes of 1..maxBytes bytes with gapMs between them. */
  fragment?: boolean | { maxBytes?: number; gapMs?: number };
  /** Probability that a prompt or a read reply carries a URC at its worst moment. */
  urcRate?: number;
  /** Random injections: exponential intervals with this mean, kinds drawn uniformly. */
  schedule?: { meanIntervalMs: number; kinds: (InjectionKind | Injection)[] };
  /** Injections at fixed times after start. */
  script?: { atMs: number; inject: InjectionKind | Injection }[];
}

export interface TranscriptEntry {
  /** Milliseconds since the emulator started. */
  t: number;
  /**
   * in: host → modem on the serial line (a command line, a data block, a transparent packet,
   * bytes thrown away while busy); out: modem → host as the modem said it (before drops and
   * noise); net-out / net-in: bytes on a TCP socket; event: what happened (socket opened or
   * closed, injections, reboots, drops, noise).
   */
  dir: "in" | "out" | "net-out" | "net-in" | "event";
  /** Bytes of this exchange (0 for most events). */
  bytes: number;
  /** The bytes as text, CR, LF, tab and backslash escaped, other non-printables as \xHH. */
  text: string;
  /** Socket id for net-in / net-out. */
  socket?: number;
}

export interface EmulatorOptions {
  dialect: DialectName;
  /** Create a pty pair with socat; the user's program opens this path. */
  link?: string;
  /** Serve an existing serial device (a USB-UART to a real board) instead. */
  port?: string;
  /** Or the modem end of an in-process line (host/modem/serial/in-process-line.ts): no pty, no socat. */
  line?: ModemLineEnd;
  /** Default 115200. Both directions carry baudRate/10 bytes per second (8N1). */
  baudRate?: number;
  /** Time from a command's CR to its reply (default 2 ms ESP-AT, 10 ms BG96). */
  latencyMs?: number;
  /** Seed of every random choice (drops, noise, fragments, schedule). Default 1. */
  seed?: number;
  impairments?: Impairments;
  transcript?: (entry: TranscriptEntry) => void;
  /** Reset to banner (default 500 ms ESP-AT, 5000 ms BG96). */
  bootMs?: number;
  /** BG96 AT+QIACT duration (default 1000 ms; real networks take up to 150 s). */
  bearerDelayMs?: number;
  /**
   * Network round trip added to every acknowledgement (default 0: loopback): ESP-AT says SEND OK
   * when the peer has acknowledged, BG96 counts acked bytes in AT+QISEND=<id>,0.
   */
  rttMs?: number;
  /** TCP connect timeout (default 10 s). */
  connectTimeoutMs?: number;
  /** Modem receive buffer per socket (default 5744 ESP-AT, 10240 BG96). */
  recvBufferBytes?: number;
  /** Unacknowledged bytes a socket may hold before SEND FAIL (default 2920 ESP-AT, 4096 BG96). */
  sendBufferBytes?: number;
  /** Silence around `+++` (default 20 ms ESP-AT packet gap, 1000 ms BG96); 90% of it is enough. */
  guardTimeMs?: number;
}

export interface SocketStats {
  id: number;
  host: string;
  port: number;
  state: "connecting" | "open" | "closed";
  sent: number;
  acked: number;
  received: number;
  buffered: number;
}

export interface EmulatorStats {
  seed: number;
  serialIn: number;
  serialOut: number;
  /** Writes to the serial port (small ones when the output is fragmented). */
  serialWrites: number;
  commands: number;
  errors: number;
  netIn: number;
  netOut: number;
  dropped: number;
  noise: number;
  sendFails: number;
  reboots: number;
  injections: number;
  sockets: SocketStats[];
}

export interface Emulator {
  /** The path the user's program opens (the link, or the port). */
  readonly path: string;
  readonly dialect: DialectName;
  inject(what: InjectionKind | Injection): void;
  stats(): EmulatorStats;
  /** Close every socket, the serial port and socat. */
  stop(): Promise<void>;
}
