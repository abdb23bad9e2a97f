// One error model for the host (h11's shape: local errors apart from the peer's). Every failure
// the host reports is a MoteError: a message fit for one line, a kind a caller can act on (a
// CLI's exit status, a retry policy, a report's tally), whether retrying can help, and for MQTT
// the broker's reason code or the firmware's local status. Errors are told apart by kind, never
// by class name.
import type { Status } from "./abi.ts";

export type ErrorKind =
  /** The network: refused, unreachable, reset, closed before CONNACK, an open that never completes. */
  | "network"
  /** TLS: a certificate that does not verify, a handshake the broker refuses. */
  | "tls"
  /** A serial line: a port that cannot open or went away. */
  | "serial"
  /** An AT modem: an error reply, no reply, a reply longer than asked. */
  | "modem"
  /** The broker refused the connection (CONNACK reason code). */
  | "refused"
  /** The broker broke the protocol (we closed, with DISCONNECT and the reason in 5.0). */
  | "protocol"
  /** The broker sent DISCONNECT. */
  | "disconnect"
  /** No CONNACK or PINGRESP in time. */
  | "timeout"
  /** The broker refused a message or a subscription (reason code >= 0x80). */
  | "rejected"
  /** One of our own budgets: too large for a buffer or the broker's maximum, outbox full. */
  | "budget"
  /** Bad input from the user: a flag, a URL, a config file, a property. */
  | "usage"
  /** A local file or stdin that cannot be read (a CA file, a message file). */
  | "io"
  /** MQTT 5 enhanced authentication failed on our side: a challenge we cannot answer, a server that does not prove itself. */
  | "auth"
  /** A user name or password function failed (threw, rejected, or a password command failed). */
  | "credentials"
  /** The device ended or stopped before the operation completed. */
  | "ended";

export interface ErrorDetails {
  /** Retrying cannot help (a certificate problem, a refused login). */
  permanent?: boolean;
  /** The MQTT reason code that caused it (>= 0x80). */
  reasonCode?: number;
  /** The firmware's local status that caused it. */
  status?: Status;
  /** The status a command line ends with, when not the kind's (mosquitto_pub/sub exit with a refused CONNACK's code). */
  exitStatus?: number;
}

export class MoteError extends Error {
  readonly permanent: boolean;
  readonly reasonCode?: number;
  readonly status?: Status;
  readonly exitStatus?: number;

  constructor(message: string, readonly kind: ErrorKind, details: ErrorDetails = {}) {
    super(message);
    this.name = "MoteError";
    this.permanent = details.permanent ?? false;
    this.reasonCode = details.reasonCode;
    this.status = details.status;
    this.exitStatus = details.exitStatus;
  }
}

/** Bad input from the user (a flag, a URL, a config file): one line, exit status 2. */
export const usageError = (message: string) => new MoteError(message, "usage");

/** The exit status of a command line that ends with this error: its own if it has one, else 2 for usage and 1 for the rest. */
export const exitStatus = (e: unknown) => (e instanceof MoteError && e.exitStatus !== undefined ? e.exitStatus : isKind(e, "usage") ? 2 : 1);

/** True when e is a MoteError of this kind. */
export const isKind = (e: unknown, kind: ErrorKind): e is MoteError => e instanceof MoteError && e.kind === kind;

/** The one line for any error: a MoteError's message, or the first line of anything else. */
export function errorLine(e: unknown): string {
  return e instanceof Error ? e.message.split("\n")[0] : String(e);
}
