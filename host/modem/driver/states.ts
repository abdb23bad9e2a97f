// The modem driver's state machine as data and pure functions: what to do next in each state,
// where each piece of work leaves the driver, what a URC or a fault does. No I/O, no clock, no
// exceptions: given the state and an input, these return the next state and the work to run, so
// the whole machine is unit-tested without a port (test/modem/driver/states.test.ts).
//
//   PORT_CLOSED -> SYNC (AT until OK, then the dialect's sync steps: ATE0, AT+CMEE=2)
//     -> CONFIG -> BEARER_UP -> READY (bearer up, no socket)
//     -> SOCK_OPENING -> ONLINE (IDLE <-> TX: cmd, prompt, n bytes, ack;
//                                IDLE <-> RX: read cmd, header with n, n bytes, OK)
//     -> SOCK_CLOSING -> READY
//   any state -> SYNC on garbage, a command timeout or a reboot banner;
//             -> BEARER_UP on bearer loss; -> PORT_CLOSED when a write fails or the port closes.
//
// The driver only moves forward when a socket is wanted: an idle transport costs no serial traffic.
import type { UrcKind } from "../dialect.ts";

export type DriverState = "PORT_CLOSED" | "SYNC" | "CONFIG" | "BEARER_UP" | "READY" | "SOCK_OPENING" | "ONLINE" | "SOCK_CLOSING";

/** How far up the ladder a state is: a fault only ever moves the driver down. */
export const RANK: Readonly<Record<DriverState, number>> = {
  PORT_CLOSED: 0, SYNC: 1, CONFIG: 2, BEARER_UP: 3, READY: 4, SOCK_OPENING: 5, ONLINE: 6, SOCK_CLOSING: 7,
};

/** A failure as a value: the one line the caller gets, and the state it sends the driver back to. */
export interface Fault {
  readonly message: string;
  readonly next: DriverState;
  /** A socket that has not opened yet may start over after it (a reboot, a bearer loss). */
  readonly retryable: boolean;
}

export const fault = (message: string, next: DriverState, retryable = false): Fault => ({ message, next, retryable });

/** What the decisions see of the socket being served (the first one asked for). */
export interface SocketView {
  readonly phase: "waiting" | "opening" | "online" | "done";
  readonly aborted: boolean;
  /** end() was called: close once the queue is sent. */
  readonly ending: boolean;
  /** Writes waiting to be sent. */
  readonly queued: number;
  /** The modem holds data for us (a notice came, no short read since). */
  readonly rxPending: boolean;
  readonly remoteClosed: boolean;
  /** Faults survived before the socket opened. */
  readonly retries: number;
}

export interface DriverView {
  readonly state: DriverState;
  readonly socket: SocketView | undefined;
  /** The bearer went down below us: reset it before bringing it up. */
  readonly bearerLost: boolean;
  /** The modem may still hold a socket (after a fault): close it before the next open. */
  readonly modemSocket: boolean;
  /** The socket is in transparent mode: every byte is data. */
  readonly passthrough: boolean;
  /** The last thing done online was a send: a read goes first now, so neither side starves. */
  readonly preferRead: boolean;
  /** The idle timer asks for an AT probe. */
  readonly probeDue: boolean;
  /** Bytes a read may ask for now: the caller's room, the dialect's and the user's limit. */
  readonly readRoom: number;
}

export type Work =
  | { readonly do: "idle" }
  /** A socket aborted before it started: tell its owner, nothing to say to the modem. */
  | { readonly do: "drop-waiting" }
  | { readonly do: "open-port" }
  | { readonly do: "sync" }
  | { readonly do: "configure" }
  | { readonly do: "bring-bearer-up"; readonly reset: boolean }
  /** A socket left in the modem by a fault. */
  | { readonly do: "close-stale" }
  | { readonly do: "open-socket" }
  | { readonly do: "close-socket"; readonly byServer: boolean }
  | { readonly do: "read"; readonly bytes: number }
  | { readonly do: "send" }
  | { readonly do: "send-transparent" }
  | { readonly do: "probe" };

const IDLE: Work = { do: "idle" };

/** The one piece of work to run next; "idle" when there is none until an input arrives. */
export function nextWork(v: DriverView): Work {
  const s = v.socket;
  if (!s) return IDLE;
  if (s.aborted && s.phase === "waiting") return { do: "drop-waiting" };
  switch (v.state) {
    case "PORT_CLOSED": return { do: "open-port" };
    case "SYNC": return { do: "sync" };
    case "CONFIG": return { do: "configure" };
    case "BEARER_UP": return { do: "bring-bearer-up", reset: v.bearerLost };
    case "READY": return v.modemSocket ? { do: "close-stale" } : { do: "open-socket" };
    case "ONLINE": return onlineWork(v, s);
    default: return IDLE; // SOCK_OPENING and SOCK_CLOSING last only as long as their work
  }
}

function onlineWork(v: DriverView, s: SocketView): Work {
  if (s.aborted || (s.ending && s.queued === 0)) return { do: "close-socket", byServer: false };
  const canRead = s.rxPending && v.readRoom > 0;
  // Data the server sent before closing is delivered first; while it waits for room, wait too.
  if (s.remoteClosed && !canRead) return s.rxPending ? IDLE : { do: "close-socket", byServer: true };
  if (canRead && (v.preferRead || s.queued === 0)) return { do: "read", bytes: v.readRoom };
  if (s.queued > 0) return v.passthrough ? { do: "send-transparent" } : { do: "send" };
  if (v.probeDue) return { do: "probe" };
  return IDLE;
}

/** The state a piece of work runs in, where it has one of its own. */
export const STATE_DURING: Partial<Record<Work["do"], DriverState>> = {
  "close-stale": "SOCK_CLOSING",
  "open-socket": "SOCK_OPENING",
  "close-socket": "SOCK_CLOSING",
};

/** Where a piece of work leaves the driver when it succeeds. */
export const STATE_AFTER: Partial<Record<Work["do"], DriverState>> = {
  "open-port": "SYNC",
  sync: "CONFIG",
  configure: "BEARER_UP",
  "bring-bearer-up": "READY",
  "close-stale": "READY",
  "open-socket": "ONLINE",
  "close-socket": "READY",
};

/** A reboot or a bearer loss before the socket opened is survived this many times. */
export const RETRIES_BEFORE_OPEN = 3;

export interface Recovery {
  readonly state: DriverState;
  /** What the socket's owner is told (when it fails). */
  readonly message: string;
  /** Reset the bearer before bringing it up again. */
  readonly bearerLost: boolean;
  readonly closePort: boolean;
  /** The socket being served: none, started over, or failed with `message`. */
  readonly socket: "none" | "retry" | "fail";
}

/** Where a fault leaves the driver and the socket being served. */
export function recover(state: DriverState, f: Fault, s: SocketView | undefined): Recovery {
  // A send that fails because the server has just closed: say what happened.
  const message = s?.remoteClosed && f.next === "READY" ? "modem: socket closed by the server" : f.message;
  let next = RANK[f.next] < RANK[state] ? f.next : state;
  const socket = !s ? "none" : f.retryable && s.phase === "waiting" && s.retries < RETRIES_BEFORE_OPEN ? "retry" : "fail";
  // A failed socket may still be held by the modem: READY closes it before the next open.
  if (socket === "fail" && RANK[next] >= RANK.SOCK_OPENING) next = "READY";
  return { state: next, message, bearerLost: f.next === "BEARER_UP", closePort: f.next === "PORT_CLOSED", socket };
}

export type UrcEffect =
  | { readonly then: "nothing" }
  /** Data waits in the modem: mark it and look again. */
  | { readonly then: "data-waiting" }
  | { readonly then: "remote-closed" }
  /** Remember the bearer is down (no socket to fail yet). */
  | { readonly then: "bearer-down" }
  | { readonly then: "fault"; readonly fault: Fault };

const NOTHING: UrcEffect = { then: "nothing" };

/** What each kind of URC does, given the driver's state and the socket's phase. */
export const URC_EFFECTS: Readonly<Record<UrcKind, (state: DriverState, phase: SocketView["phase"] | undefined, line: string) => UrcEffect>> = {
  data: (_, phase) => (phase !== undefined && phase !== "waiting" ? { then: "data-waiting" } : NOTHING),
  closed: (state, phase) => (phase === "online" && state === "ONLINE" ? { then: "remote-closed" } : NOTHING),
  "bearer-lost": (state, _, line) =>
    RANK[state] > RANK.BEARER_UP ? { then: "fault", fault: fault(`modem: bearer lost (${line})`, "BEARER_UP", true) } : { then: "bearer-down" },
  reboot: (state, _, line) => (RANK[state] > RANK.SYNC ? { then: "fault", fault: fault(`modem: the modem restarted (${line})`, "SYNC", true) } : NOTHING),
  info: () => NOTHING,
};

/** Bytes no modem prints: a fault once synced (noise while syncing is what sync is for). */
export function garbageFault(state: DriverState, line: string): Fault | undefined {
  if (RANK[state] <= RANK.SYNC) return undefined;
  const shown = JSON.stringify(line.length > 24 ? `${line.slice(0, 24)}...` : line);
  return fault(`modem: unreadable reply from the modem ${shown}; resynchronising`, "SYNC", true);
}
