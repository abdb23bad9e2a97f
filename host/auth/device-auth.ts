// Runs MQTT 5 enhanced authentication (4.12) for a Device: the CONNECT's method and data for each
// connection, each server challenge (AUTH 0x18) answered, the server's final data checked at
// CONNACK, and re-authentication (AUTH 0x19) during a session. The firmware enforces the packet
// rules (no AUTH without the CONNECT's method [MQTT-4.12.0-7], the same method [MQTT-4.12.1-1], a
// Success only after CONNACK [MQTT-4.12.0-2]); this class enforces the exchange's: a server may
// not start a re-authentication, so an AUTH while none is in progress is a Protocol Error.
import { Reason } from "../abi.ts";
import { MoteError, errorLine } from "../errors.ts";
import type { AuthProperties } from "../property-types.ts";
import type { Authenticator } from "./authenticator.ts";

/** How long a re-authentication may take before its promise rejects (the session goes on). */
export const REAUTH_TIMEOUT_MS = 10_000;
const REAUTHENTICATE = 0x19;

export interface AuthHooks {
  /** Sends AUTH with this reason and properties; returns the firmware's status (0 or -Status). */
  send(reason: number, props: AuthProperties): number;
  /** The exchange failed on our side or the server broke it: report `e` and end the connection with DISCONNECT `reason`. */
  fail(e: MoteError, reason: number): void;
}

type Exchange = "connect" | "reauth" | undefined;

export class DeviceAuth {
  private exchange: Exchange;
  /** Bumped whenever an exchange begins or ends: an answer computed for an older one is dropped. */
  private generation = 0;
  private pending: { resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | undefined;
  /** The next re-authentication the method asked for (a token about to expire). */
  private renewal: NodeJS.Timeout | undefined;

  constructor(private readonly auth: Authenticator, private readonly hooks: AuthHooks) {}

  get method(): string {
    return this.auth.method;
  }

  /** The CONNECT's authentication properties for the next connection. */
  async connectProperties(): Promise<AuthProperties> {
    const data = await this.auth.start();
    this.exchange = "connect";
    this.generation++;
    return { authenticationMethod: this.auth.method, ...(data !== undefined && { authenticationData: data }) };
  }

  /** A server AUTH (the firmware's Auth event). */
  async onAuth(reason: number, props: AuthProperties | undefined): Promise<void> {
    const data = props?.authenticationData;
    if (this.exchange === undefined) {
      // The server may not start an exchange: only a client re-authenticates (4.12.1).
      return this.hooks.fail(new MoteError("the broker sent AUTH with no authentication in progress: Protocol Error", "protocol"), Reason.ProtocolError);
    }
    if (reason === Reason.Success) {
      this.verified(data);
      return;
    }
    const generation = this.generation;
    let answer: Buffer | undefined;
    try {
      answer = await this.auth.challenge(data);
    } catch (e) {
      return generation === this.generation ? this.failed(e) : undefined;
    }
    if (generation !== this.generation) return; // the connection it was for is gone
    const rc = this.hooks.send(Reason.ContinueAuthentication, { authenticationMethod: this.auth.method, ...(answer && { authenticationData: answer }) });
    if (rc < 0) this.failed(new Error(`the answer to the broker's challenge could not be sent (status ${-rc})`));
  }

  /** CONNACK accepted the connection: its data must prove the server (SCRAM's server signature). False when it did not. */
  onConnected(props: AuthProperties | undefined): boolean {
    return this.exchange !== "connect" || this.verified(props?.authenticationData);
  }

  /** The connection is over: an exchange in progress ends with it. */
  onClosed(why: string): void {
    this.exchange = undefined;
    this.generation++;
    clearTimeout(this.renewal);
    this.settle(new MoteError(`re-authentication did not complete: ${why}`, "auth"));
  }

  /** Starts a re-authentication (AUTH 0x19); resolves on the broker's AUTH Success, rejects on its refusal or a close. */
  async reauthenticate(): Promise<void> {
    if (this.exchange !== undefined) throw new MoteError("an authentication exchange is already in progress", "usage");
    this.exchange = "reauth";
    this.generation++;
    let data: Buffer | undefined;
    try {
      data = await (this.auth.reauthenticate ?? this.auth.start).call(this.auth);
    } catch (e) {
      this.exchange = undefined;
      throw new MoteError(`authentication: ${errorLine(e)}`, "auth");
    }
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => this.settle(new MoteError(`re-authentication: no answer within ${REAUTH_TIMEOUT_MS / 1000} s`, "timeout")),
        REAUTH_TIMEOUT_MS);
      this.pending = { resolve, reject, timer };
    });
    const rc = this.hooks.send(REAUTHENTICATE, { authenticationMethod: this.auth.method, ...(data && { authenticationData: data }) });
    if (rc < 0) this.settle(new MoteError(`re-authentication could not be sent: not connected (status ${-rc})`, "ended"));
    return done;
  }

  private verified(data: Buffer | undefined): boolean {
    try {
      this.auth.success?.(data);
    } catch (e) {
      this.failed(e);
      return false;
    }
    this.exchange = undefined;
    this.settle();
    this.scheduleRenewal();
    return true;
  }

  /** Re-authenticates when the method says its credential runs out; a failed renewal ends in the broker's DISCONNECT, then a reconnect. */
  private scheduleRenewal(): void {
    clearTimeout(this.renewal);
    const ms = this.auth.renewInMs?.();
    if (ms === undefined) return;
    this.renewal = setTimeout(() => void this.reauthenticate().catch(() => {}), ms);
    this.renewal.unref();
  }

  /** Our side gives up (a challenge we cannot answer, a server that does not prove itself): report and close. */
  private failed(e: unknown): void {
    const err = new MoteError(`authentication: ${errorLine(e)}`, "auth", { permanent: true });
    this.exchange = undefined;
    this.settle(err);
    this.hooks.fail(err, Reason.UnspecifiedError);
  }

  private settle(e?: Error): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    if (e) p.reject(e);
    else p.resolve();
  }
}
