// A small MQTT broker on virtual time for one client, with one fault injected at one moment of
// the first connection: the peer of the fault matrix (test/host/fault-matrix.test.ts). It keeps
// the client's session when asked to (3.1.1 Clean Session 0, 5.0 Clean Start 0), delivers one
// QoS 1 message after a SUBACK until it is acknowledged, and counts the application messages it
// got from the client (a QoS 2 message exactly once). Packets are parsed and built with
// mqtt-packet, a reference implementation independent of ours.
import mqttPacket, { type Packet } from "mqtt-packet";
import type { VirtualClock } from "../../host/virtual-clock.ts";
import { VirtualConnection, type BrokerEnd, type ConnectionLog } from "./virtual-pair.ts";

/** How the broker (or the path to it) fails. */
export const FAULTS = ["close", "closeMidPacket", "holdOpen", "trickle", "blackhole", "answerTwice", "delay", "disconnect"] as const;
export type Fault = (typeof FAULTS)[number];
/** The answer the fault hits: CONNACK; the PUBLISH sent after SUBACK; the PUBACK of a QoS 1 publish; the PUBCOMP of a QoS 2 one. */
export const MOMENTS = ["beforeConnack", "afterSuback", "midPublish", "midPubrel"] as const;
export type Moment = (typeof MOMENTS)[number];

/** A delayed answer comes this late (virtual ms): inside the CONNACK timeout, so it is waited for. */
export const DELAY_MS = 5000;
/** A trickled answer comes one byte per this many virtual ms. */
export const TRICKLE_BYTE_MS = 1000;
/** What the broker delivers after SUBACK. */
export const HELLO = { topic: "t/hello", payload: "hello", messageId: 7 };

export interface BrokerPlan {
  version: 4 | 5;
  fault: Fault;
  moment: Moment;
}

interface Session { qos2In: Set<number> }

export class VirtualBroker {
  readonly connections: ConnectionLog[] = [];
  /** Application messages from the client by payload, each counted once per delivery to subscribers. */
  readonly delivered = new Map<string, number>();
  helloAcked = false;
  /** The QoS 1 message went out at least once (a kept session sends it again until acknowledged). */
  helloSent = false;
  private session: Session | undefined;

  constructor(private readonly clock: VirtualClock, private readonly plan: BrokerPlan) {}

  /** Opens the next connection (the Device's transport calls it). */
  open(): VirtualConnection {
    const c = new VirtualConnection(this.clock, this.connections.length, false);
    this.connections.push(c.broker.log);
    new BrokerConnection(this, c.broker, this.clock, this.plan, c, c.broker.log.index === 0);
    return c;
  }

  /** The session a CONNECT finds: the kept one (session present), or a new one. */
  sessionFor(clean: boolean): { session: Session; present: boolean } {
    const present = !clean && this.session !== undefined;
    if (!present) this.session = { qos2In: new Set() };
    return { session: this.session!, present };
  }

  count(payload: Buffer): void {
    const k = payload.toString();
    this.delivered.set(k, (this.delivered.get(k) ?? 0) + 1);
  }
}

class BrokerConnection {
  /** A hung broker process: it answers nothing more and never closes. */
  private hung = false;
  private session: Session | undefined;
  private readonly parser;

  constructor(private readonly broker: VirtualBroker, private readonly end: BrokerEnd, private readonly clock: VirtualClock,
    private readonly plan: BrokerPlan, private readonly conn: VirtualConnection, private readonly faulty: boolean) {
    this.parser = mqttPacket.parser({ protocolVersion: plan.version });
    this.parser.on("packet", (p: Packet) => this.handle(p));
    this.parser.on("error", () => this.end.close());
    end.onData = (b) => { if (!this.hung) this.parser.parse(b); };
    // A healthy broker closes when the client does; a hung one never does.
    end.onClientEnd = () => { if (!this.hung) this.end.close(); };
  }

  private out(p: Record<string, unknown>): Buffer {
    return mqttPacket.generate(p as unknown as Packet, { protocolVersion: this.plan.version });
  }

  /** Sends an answer; at the planned moment on the first connection, the fault hits it instead. */
  private answer(p: Record<string, unknown>, moment?: Moment): void {
    const bytes = this.out(p);
    if (!this.faulty || moment !== this.plan.moment) return this.end.write(bytes);
    switch (this.plan.fault) {
      case "close": return this.end.close();
      case "closeMidPacket":
        this.end.write(bytes.subarray(0, Math.ceil(bytes.length / 2)));
        return this.end.close();
      case "holdOpen":
        this.hung = true;
        return;
      case "trickle":
        this.hung = true;
        for (let i = 0; i < bytes.length; i++) this.clock.setTimer(() => this.end.write(bytes.subarray(i, i + 1)), (i + 1) * TRICKLE_BYTE_MS);
        return;
      case "blackhole":
        this.hung = true;
        this.conn.blackholeDown = true;
        this.conn.blackholeUp = true;
        return;
      case "answerTwice":
        this.end.write(bytes);
        return this.end.write(bytes);
      case "delay":
        this.clock.setTimer(() => this.end.write(bytes), DELAY_MS);
        return;
      case "disconnect":
        // Server shutting down, and then the process hangs with its socket open.
        this.end.write(this.out({ cmd: "disconnect", reasonCode: 0x8b }));
        this.hung = true;
        return;
    }
  }

  private handle(p: Packet): void {
    if (this.hung) return;
    switch (p.cmd) {
      case "connect": {
        const { session, present } = this.broker.sessionFor(p.clean !== false);
        this.session = session;
        this.answer({ cmd: "connack", returnCode: 0, reasonCode: 0, sessionPresent: present }, "beforeConnack");
        // A kept session resends the unacknowledged QoS 1 message [MQTT-4.4.0-1].
        if (present && !this.hung && !this.broker.helloAcked && this.broker.helloSent) this.sendHello(true);
        return;
      }
      case "subscribe":
        this.end.write(this.out({ cmd: "suback", messageId: p.messageId, granted: p.subscriptions.map((s) => s.qos) }));
        if (!this.broker.helloAcked) this.sendHello(false);
        return;
      case "puback":
        if (p.messageId === HELLO.messageId) this.broker.helloAcked = true;
        return;
      case "publish":
        if (p.qos === 0) this.broker.count(p.payload as Buffer);
        if (p.qos === 1) {
          this.broker.count(p.payload as Buffer);
          this.answer({ cmd: "puback", messageId: p.messageId }, "midPublish");
        }
        if (p.qos === 2) {
          const q = this.session!.qos2In;
          if (!q.has(p.messageId!)) {
            q.add(p.messageId!);
            this.broker.count(p.payload as Buffer);
          }
          this.end.write(this.out({ cmd: "pubrec", messageId: p.messageId }));
        }
        return;
      case "pubrel":
        this.session!.qos2In.delete(p.messageId!);
        this.answer({ cmd: "pubcomp", messageId: p.messageId }, "midPubrel");
        return;
      case "pingreq":
        this.end.write(this.out({ cmd: "pingresp" }));
        return;
      case "disconnect":
        this.end.close();
        return;
    }
  }

  private sendHello(dup: boolean): void {
    this.broker.helloSent = true;
    this.answer({ cmd: "publish", topic: HELLO.topic, payload: Buffer.from(HELLO.payload), qos: 1, messageId: HELLO.messageId, dup, retain: false }, "afterSuback");
  }
}
