// What a Device emits: every event's name and arguments, once, so `device.on("message", ...)`
// gets its listener's parameter types and a misspelt event name fails to compile. Types only:
// at run time a Device is Node's own EventEmitter.
import { EventEmitter } from "node:events";
import type { MoteError } from "./errors.ts";
import type { MessageInfo } from "./device-options.ts";
import type { ChunkInfo } from "./message-assembly.ts";

export type { ChunkInfo };
import type { AuthProperties, ConnackProperties } from "./property-types.ts";

/** The CONNACK that accepted the connection. */
export interface ConnackInfo {
  sessionPresent: boolean;
  /** MQTT 5: what the server announced (limits, assigned client id, ...). */
  properties?: ConnackProperties;
}

/** An AUTH packet from the server (MQTT 5 enhanced authentication). */
export interface AuthInfo {
  /** 0x18 Continue authentication, or 0x00 Success at the end of a re-authentication. */
  reasonCode: number;
  properties?: AuthProperties;
}

/** Each event's listener arguments. */
export interface DeviceEvents {
  /** The broker accepted the connection (every time, after each reconnect too). */
  connect: [connack: ConnackInfo];
  /** A whole incoming message (one larger than maxMessageBytes comes only as chunks). */
  message: [topic: string, payload: Buffer, info: MessageInfo];
  /** One piece of an incoming message larger than the firmware's RX buffer. */
  messageChunk: [topic: string, chunk: Buffer, info: ChunkInfo];
  /** The reconnect delay has passed: the device opens a new connection. */
  reconnect: [];
  /** A connection that had been accepted was lost. */
  offline: [];
  /** The transport closed (after every connection attempt). */
  close: [];
  /** Refusals, protocol violations, timeouts, transport and broker errors; the device reconnects unless error.permanent. */
  error: [error: MoteError];
  /** Something the broker did wrong that the device survived (a wrong acknowledgement type). */
  warning: [message: string];
  /** The connection closed and the device will not reconnect (reconnect off, or a permanent refusal). */
  stopped: [];
  /** end() has finished: DISCONNECT sent and the transport closed. */
  end: [];
  /** Queued QoS 0 messages the outbox's overflow policy evicted, since the last report. */
  dropped: [count: number];
  /** AUTH from the server. */
  auth: [auth: AuthInfo];
}

type Listener<Args extends unknown[]> = (...args: Args) => void;
type Typed = "on" | "once" | "off" | "addListener" | "removeListener" | "prependListener" | "prependOnceListener" | "emit";

/** Node's EventEmitter with each event's name and listener type taken from an events interface. */
export interface TypedEmitter<Events extends { [E in keyof Events]: unknown[] }> extends Omit<EventEmitter, Typed> {
  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this;
  once<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this;
  off<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this;
  addListener<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this;
  removeListener<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this;
  prependListener<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this;
  prependOnceListener<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this;
  emit<E extends keyof Events>(event: E, ...args: Events[E]): boolean;
}

/** The base class of Device: EventEmitter itself, typed by DeviceEvents (no wrapper at run time). */
export const DeviceEmitter = EventEmitter as new () => TypedEmitter<DeviceEvents>;
