// What a modem dialect is: data, not code (the Zephyr modem_chat idea). One AT engine and one
// driver run every dialect; a dialect is the commands of each step of the driver's state machine,
// the reply each one waits for and its timeout, the URCs it may print, the headers after which
// raw bytes follow, and its size limits. Command templates take {name} parameters (fill()).
import type { RawRule } from "./tokenizer.ts";

/** What an unsolicited line means to the driver. */
export type UrcKind =
  /** Socket data waits in the modem (pull mode): read it. */
  | "data"
  /** The server (or the network) closed the socket. */
  | "closed"
  /** The bearer (PDP context, Wi-Fi association) is gone, and the socket with it. */
  | "bearer-lost"
  /** The modem restarted (or powered down): everything configured is gone. */
  | "reboot"
  /** Worth logging, nothing to do. */
  | "info";

export interface Urc {
  readonly pattern: RegExp;
  readonly kind: UrcKind;
}

/** Parameters a command template may use. */
export interface DialectParams {
  host?: string;
  port?: number;
  apn?: string;
  ssid?: string;
  password?: string;
  /** Byte count of a send or read. */
  n?: number;
}

/** One command of a step list. */
export interface Step {
  /** The command without CR, with {param} placeholders. */
  readonly cmd: string;
  readonly timeoutMs: number;
  /** Final replies that mean success (default: the dialect's `ok`). */
  readonly ok?: readonly RegExp[];
  /** Final replies that mean failure (default: the dialect's `fail`). */
  readonly fail?: readonly RegExp[];
  /** A failure is not fatal: go on with the next step. */
  readonly optional?: boolean;
  /** Runs only when this parameter is given (an APN, a Wi-Fi SSID). */
  readonly needs?: keyof DialectParams;
  /** When a reply line matches, the rest of this step list is skipped (already done). */
  readonly doneIf?: RegExp;
  /** After the final reply, also wait for a line matching this (a URC that completes the step). */
  readonly then?: RegExp;
  /** Group 1 of `then` must equal this for success (BG96 `+QIOPEN: 0,<err>`: "0"). */
  readonly thenOk?: string;
}

export interface Dialect {
  readonly name: string;
  /** Final result codes of every command. */
  readonly ok: readonly RegExp[];
  readonly fail: readonly RegExp[];
  /** A failure that means "not now, still busy with something": the command is tried again. */
  readonly busy?: RegExp;
  /** After `AT` answers OK: echo off, verbose errors. */
  readonly sync: readonly Step[];
  /** Once per sync, before the bearer; `transparent` replaces `pull` when transparent mode is asked for. */
  readonly configure: { readonly pull: readonly Step[]; readonly transparent?: readonly Step[] };
  /** Brings the bearer up (nothing to do when it is up already). */
  readonly bearerUp: readonly Step[];
  /** Before bearerUp again after a loss (BG96 wants AT+QIDEACT after "pdpdeact"). */
  readonly bearerReset: readonly Step[];
  /** Opens the TCP socket (host, port). */
  readonly open: { readonly pull: Step; readonly transparent?: Step };
  /** Replies to open that mean a socket is still open from before: close it and try again once. */
  readonly alreadyOpen?: RegExp;
  /** Close the modem's socket after a failed open (Quectel asks for it). */
  readonly closeAfterFailedOpen: boolean;
  readonly send: {
    /** With {n}: the prompt comes, then exactly n bytes, then the ack. */
    readonly cmd: string;
    readonly maxBytes: number;
    readonly timeoutMs: number;
    /** The ack after the data (SEND OK). */
    readonly ok: readonly RegExp[];
    readonly fail: readonly RegExp[];
    /** Failures after the data that mean "not taken, try again later" (BG96 SEND FAIL: buffer full). */
    readonly retry: readonly RegExp[];
  };
  readonly read: {
    /** With {n}: a header announcing m <= n bytes, m raw bytes, OK. */
    readonly cmd: string;
    readonly maxBytes: number;
    readonly timeoutMs: number;
    /** ESP answers ERROR when nothing waits. */
    readonly errorMeansEmpty: boolean;
  };
  readonly close: Step;
  /** Close the modem's socket after the server closed it (Quectel keeps it until AT+QICLOSE). */
  readonly closeAfterRemoteClose: boolean;
  readonly rawRules: readonly RawRule[];
  readonly urcs: readonly Urc[];
  /** Transparent mode, where the dialect has it. */
  readonly transparent?: {
    /** After open: a command whose prompt starts passthrough (ESP AT+CIPSEND); none when open itself does (BG96 CONNECT). */
    readonly start?: Step;
    /** Sent alone, with guard times of silence before and after, to get back to command mode. */
    readonly escape: string;
    readonly guardMs: number;
    /** What the modem says once back in command mode (BG96 OK; ESP says nothing). */
    readonly escapeReply?: string;
    /** Ends the passthrough stream when the server closes (BG96 NO CARRIER); ESP has none. */
    readonly closedMarker?: string;
  };
}

/** Fills {name} placeholders. */
export function fill(template: string, p: DialectParams): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = p[name as keyof DialectParams];
    if (v === undefined) throw new Error(`modem: command ${template} needs ${name}`);
    return String(v);
  });
}

/** Throws when a value would break a command line (a quote ends an AT string, CR ends the command). */
export function checkParams(p: DialectParams): void {
  for (const [name, v] of Object.entries(p)) {
    if (typeof v === "string" && /["\r\n]/.test(v)) throw new Error(`modem: ${name} must not contain quotes or line breaks: ${JSON.stringify(v)}`);
    if (name === "port" && !(Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536)) throw new Error(`modem: bad port ${String(v)}`);
  }
}

/** Final result codes every 3GPP / Hayes-style modem uses. */
export const HAYES_OK: readonly RegExp[] = [/^OK$/];
export const HAYES_FAIL: readonly RegExp[] = [/^ERROR$/, /^\+CME ERROR: ?(.*)$/, /^\+CMS ERROR: ?(.*)$/];
