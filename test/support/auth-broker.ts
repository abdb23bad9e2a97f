// A scripted MQTT 5 broker on 127.0.0.1 that does enhanced authentication (4.12), for the tests
// of the Device's AUTH exchange: SCRAM-SHA-256 server-side (test/support/scram-server.ts) and a
// bearer-token method that refuses expired tokens. mosquitto 2.0 does no enhanced auth without
// a plugin, so this is the peer. It acknowledges QoS 1 PUBLISH and SUBSCRIBE, answers PINGREQ,
// and can misbehave at the AUTH moments: close mid-exchange, challenge forever, send AUTH nobody
// asked for, tamper its SCRAM signature. Packets are parsed and built with mqtt-packet, an
// implementation independent of ours. Every socket is destroyed at close().
import net from "node:net";
import mqttPacket, { type Packet } from "mqtt-packet";
import { ScramServer } from "./scram-server.ts";
import { topicMatches } from "../../host/cli/topic-match.ts";

export type AuthFault = "none" | "closeMidExchange" | "endlessChallenge" | "unaskedAuth" | "tamperSignature";

export interface AuthBrokerOptions {
  /** SCRAM users: name → password. */
  users?: Record<string, string>;
  /** The reason code of a failed SCRAM proof (brokers differ: 0x86 Bad user name or password, or 0x87 Not authorized). */
  refuseWith?: 0x86 | 0x87;
  fault?: AuthFault;
  /** Bearer tokens: accepts a token when this says so at the moment it is presented. */
  tokenValid?: (token: string) => boolean;
}

export interface AuthConnection {
  method?: string;
  /** AUTH packets the client sent, by reason code. */
  auths: number[];
  /** Authentication data the client presented (CONNECT, then each AUTH). */
  data: Buffer[];
  connack?: number;
  closed: boolean;
}

const SCRAM = "SCRAM-SHA-256";
const BEARER = "bearer";
const CONTINUE = 0x18;
const REAUTH = 0x19;

export class AuthBroker {
  readonly connections: AuthConnection[] = [];
  /** Each bearer token presented (CONNECT or re-authentication): whether it was valid then. */
  readonly tokenChecks: boolean[] = [];
  /** QoS 1 payloads received, in order. */
  readonly published: string[] = [];
  private readonly server = net.createServer((s) => this.accept(s));
  private readonly sockets = new Set<net.Socket>();
  /** Live subscribers: their filters and how to send them a packet. */
  private readonly subscribers = new Set<{ filters: string[]; send: (p: Record<string, unknown>) => void; nextId: number }>();
  port = 0;

  constructor(private readonly o: AuthBrokerOptions = {}) {}

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Closes every connection (a broker restart, as the client sees it). */
  dropAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Delivers a message to every subscriber with a matching filter, at QoS 0 or 1 (their PUBACKs are not tracked). */
  private route(topic: string, payload: Buffer, qos: number): void {
    for (const s of this.subscribers) {
      if (!s.filters.some((f) => topicMatches(f, topic))) continue;
      const messageId = qos > 0 ? (s.nextId = (s.nextId % 65535) + 1) : undefined;
      s.send({ cmd: "publish", topic, payload, qos: Math.min(qos, 1), messageId, retain: false, dup: false });
    }
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    const log: AuthConnection = { auths: [], data: [], closed: false };
    this.connections.push(log);
    const parser = mqttPacket.parser({ protocolVersion: 5 });
    const send = (p: Record<string, unknown>) => {
      if (!socket.destroyed) socket.write(mqttPacket.generate(p as unknown as Packet, { protocolVersion: 5 }));
    };
    const subscriber = { filters: [] as string[], send, nextId: 1 };
    let scram: ScramServer | undefined;
    let connected = false;
    const fault = this.o.fault ?? "none";
    const authProps = (data?: Buffer) => ({ authenticationMethod: log.method, ...(data && { authenticationData: data }) });
    /** One SCRAM step; returns what to send, or the refusal. */
    const scramStep = (data: Buffer | undefined, first: boolean): { data: Buffer; done: boolean } | { refuse: number } => {
      if (first) {
        scram = new ScramServer(Object.fromEntries(Object.entries(this.o.users ?? {}).map(([u, password]) => [u, { password }])),
          { tamperSignature: fault === "tamperSignature" });
        const r = scram.first(data ?? Buffer.alloc(0));
        return "error" in r ? { refuse: this.o.refuseWith ?? 0x86 } : { data: r.serverFirst, done: false };
      }
      const r = scram!.final(data ?? Buffer.alloc(0));
      return "error" in r ? { refuse: this.o.refuseWith ?? 0x86 } : { data: r.serverFinal, done: true };
    };
    parser.on("packet", (p: Packet) => {
      const props = (p as { properties?: { authenticationMethod?: string; authenticationData?: Buffer } }).properties;
      if (props?.authenticationData) log.data.push(props.authenticationData);
      if (p.cmd === "connect") {
        log.method = props?.authenticationMethod;
        if (log.method === BEARER) {
          const ok = this.o.tokenValid?.(props?.authenticationData?.toString() ?? "") ?? false;
          this.tokenChecks.push(ok);
          log.connack = ok ? 0 : 0x87;
          connected = ok;
          return send({ cmd: "connack", sessionPresent: false, reasonCode: log.connack, properties: authProps() });
        }
        if (log.method !== SCRAM) {
          log.connack = 0;
          connected = true;
          return send({ cmd: "connack", sessionPresent: false, reasonCode: 0 });
        }
        const step = scramStep(props?.authenticationData, true);
        if ("refuse" in step) return send({ cmd: "connack", reasonCode: (log.connack = step.refuse), sessionPresent: false });
        send({ cmd: "auth", reasonCode: CONTINUE, properties: authProps(step.data) });
        if (fault === "closeMidExchange") socket.destroy();
      } else if (p.cmd === "auth") {
        const reason = (p as { reasonCode?: number }).reasonCode ?? 0;
        log.auths.push(reason);
        // Every AUTH keeps the CONNECT's method [MQTT-4.12.1-1]: 0x8C Bad authentication method otherwise.
        if (props?.authenticationMethod !== log.method) return send({ cmd: "disconnect", reasonCode: 0x8c });
        if (fault === "endlessChallenge") return send({ cmd: "auth", reasonCode: CONTINUE, properties: authProps(Buffer.from("again")) });
        if (log.method === BEARER && reason === REAUTH) {
          const ok = this.o.tokenValid?.(props?.authenticationData?.toString() ?? "") ?? false;
          this.tokenChecks.push(ok);
          return send(ok ? { cmd: "auth", reasonCode: 0, properties: authProps() } : { cmd: "disconnect", reasonCode: 0x87 });
        }
        const step = scramStep(props?.authenticationData, reason === REAUTH);
        if ("refuse" in step) {
          // 0x86 is no DISCONNECT reason code (3.14.2.1): a failed re-authentication is Not authorized.
          if (connected) return send({ cmd: "disconnect", reasonCode: 0x87 });
          return send({ cmd: "connack", reasonCode: (log.connack = step.refuse), sessionPresent: false });
        }
        if (!step.done) return send({ cmd: "auth", reasonCode: CONTINUE, properties: authProps(step.data) });
        if (connected) return send({ cmd: "auth", reasonCode: 0, properties: authProps(step.data) });
        connected = true;
        send({ cmd: "connack", reasonCode: (log.connack = 0), sessionPresent: false, properties: authProps(step.data) });
        if (fault === "unaskedAuth") send({ cmd: "auth", reasonCode: CONTINUE, properties: authProps(Buffer.from("surprise")) });
      } else if (p.cmd === "publish") {
        this.published.push(p.payload.toString());
        if (p.qos === 1) send({ cmd: "puback", messageId: p.messageId, reasonCode: 0 });
        this.route(p.topic, p.payload as Buffer, p.qos);
      } else if (p.cmd === "subscribe") {
        subscriber.filters.push(...p.subscriptions.map((s) => s.topic));
        this.subscribers.add(subscriber);
        send({ cmd: "suback", messageId: p.messageId, granted: p.subscriptions.map((s) => s.qos) });
      } else if (p.cmd === "pingreq") send({ cmd: "pingresp" });
      else if (p.cmd === "disconnect") socket.end();
    });
    socket.on("data", (d) => parser.parse(d));
    socket.on("error", () => {});
    socket.on("close", () => {
      this.subscribers.delete(subscriber);
      log.closed = true;
      this.sockets.delete(socket);
    });
  }
}
