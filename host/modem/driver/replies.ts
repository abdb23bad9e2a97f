// What a command's result means to the driver: pure decisions, one per kind of command, from the
// AT engine's result value (never an exception) and the dialect's tables. The step runners
// (steps.ts) only carry them out.
import type { AtFailure, AtResult } from "../at-engine.ts";
import type { Dialect, Step } from "../dialect.ts";
import { fault, type DriverState, type Fault } from "./states.ts";

/** How many times a refused command ("busy", SEND FAIL) is tried again. */
export const COMMAND_RETRIES_MAX = 5;

/**
 * A command that fails after a fault was raised from outside (abortAll): the loop replaces this
 * with the raised fault, which says what really happened.
 */
export const ABORTED: Fault = fault("modem: the command was aborted", "SYNC");

/** A failed command as a fault: an error reply keeps the state; no reply or too long a reply means the stream is out of step. */
export function commandFault(state: DriverState, r: AtFailure): Fault {
  switch (r.failure) {
    case "aborted": return ABORTED;
    case "error": return fault(`modem: ${r.cmd} failed (${r.reply})`, state);
    default: return fault(`modem: ${r.message}`, "SYNC");
  }
}

/** "busy p..." and the like: the modem is still at something else and nothing was taken. */
export function isBusy(d: Dialect, r: AtResult, attempt: number): boolean {
  return !("ok" in r) && r.failure === "error" && !r.payloadWritten && d.busy?.test(r.reply) === true && attempt < COMMAND_RETRIES_MAX;
}

/** The delay before the next try of a refused command: it grows linearly. */
export const retryDelayMs = (firstMs: number, attempt: number) => firstMs * (attempt + 1);

export type SyncAttempt = "synced" | "again" | "pause-then-again" | "aborted";

/** One `AT` of the sync loop: a timeout tries again at once; noise before our AT pauses first. */
export function syncAttempt(r: AtResult): SyncAttempt {
  if ("ok" in r) return "synced";
  if (r.failure === "aborted") return "aborted";
  return r.failure === "timeout" ? "again" : "pause-then-again";
}

export type StepOutcome = { readonly then: "next" } | { readonly then: "done" } | { readonly then: "fail"; readonly fault: Fault };

/** One step of a dialect's list: an optional step may be refused, `doneIf` skips the rest. */
export function stepOutcome(state: DriverState, st: Step, r: AtResult): StepOutcome {
  if (!("ok" in r)) return st.optional && r.failure === "error" ? { then: "next" } : { then: "fail", fault: commandFault(state, r) };
  return st.doneIf && r.ok.lines.some((l) => st.doneIf!.test(l)) ? { then: "done" } : { then: "next" };
}

export type OpenOutcome =
  | { readonly then: "opened" }
  /** A socket is still open from before: close it, then try once more. */
  | { readonly then: "close-and-retry" }
  | { readonly then: "refused"; readonly fault: Fault; readonly closeFirst: boolean }
  | { readonly then: "fail"; readonly fault: Fault };

/** The open command: BG96 says OK first and the verdict later (`then`, which must equal `thenOk`). */
export function openOutcome(d: Dialect, st: Step, target: string, r: AtResult, attempt: number): OpenOutcome {
  let refusal: string;
  if ("ok" in r) {
    if (st.thenOk === undefined || r.ok.then?.[1] === st.thenOk) return { then: "opened" };
    refusal = r.ok.then?.[0] ?? "";
  } else if (r.failure === "error") refusal = r.reply;
  else return { then: "fail", fault: commandFault("SOCK_OPENING", r) };
  if (attempt === 0 && d.alreadyOpen?.test(refusal)) return { then: "close-and-retry" };
  return { then: "refused", fault: fault(`modem: cannot open a TCP connection to ${target} (${refusal})`, "READY"), closeFirst: d.closeAfterFailedOpen };
}

export type SendOutcome = { readonly then: "sent" } | { readonly then: "retry"; readonly afterMs: number } | { readonly then: "fail"; readonly fault: Fault };

/** A send: refused before the data went out, or "buffer full" after it, means nothing was taken: try again. */
export function sendOutcome(d: Dialect, r: AtResult, attempt: number, firstDelayMs: number): SendOutcome {
  if ("ok" in r) return { then: "sent" };
  if (r.failure !== "error") return { then: "fail", fault: commandFault("ONLINE", r) };
  const again = !r.payloadWritten || d.send.retry.some((re) => re.test(r.reply));
  if (!again || attempt >= COMMAND_RETRIES_MAX) return { then: "fail", fault: fault(`modem: send failed (${r.reply})`, "READY") };
  return { then: "retry", afterMs: retryDelayMs(firstDelayMs, attempt) };
}

export type ReadOutcome =
  | { readonly then: "read"; readonly data: readonly Buffer[]; readonly bytes: number }
  | { readonly then: "fail"; readonly fault: Fault };

const EMPTY_READ: ReadOutcome = { then: "read", data: [], bytes: 0 };

/** A read: ESP answers ERROR when nothing waits; elsewhere an error reply is a failure. */
export function readOutcome(d: Dialect, r: AtResult): ReadOutcome {
  if ("ok" in r) return { then: "read", data: r.ok.data, bytes: r.ok.dataBytes };
  if (r.failure !== "error") return { then: "fail", fault: commandFault("ONLINE", r) };
  return d.read.errorMeansEmpty ? EMPTY_READ : { then: "fail", fault: fault(`modem: read failed (${r.reply})`, "READY") };
}

/** The idle probe: an error reply still says the modem is there; silence does not. */
export function probeFault(path: string, r: AtResult): Fault | undefined {
  if ("ok" in r || r.failure === "error") return undefined;
  if (r.failure === "timeout") return fault(`modem: no reply to AT on ${path} (idle probe)`, "SYNC");
  return commandFault("ONLINE", r);
}

/** A short read emptied the modem's buffer, unless a notice came meanwhile. */
export const stillPending = (asked: number, got: number, noticeDuringRead: boolean) => got >= asked || noticeDuringRead;
