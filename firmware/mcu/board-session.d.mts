// Types of board-session.mjs (a build script, plain JavaScript like build.mjs).
import type { IConnectPacket, IPubackPacket, IPublishPacket, ISubscribePacket, Packet } from "mqtt-packet";
import type { Board } from "./qemu-board.mjs";

/** Parses one whole packet as a server would (a CONNECT names its own protocol version). */
export function parsePacket(bytes: Buffer, protocolVersion: number): Packet;

export interface SessionTranscript {
  connect: IConnectPacket;
  subscribe: ISubscribePacket;
  /** The readings acknowledged, in arrival order. */
  readings: IPublishPacket[];
  /** The board's PUBACK of our command. */
  commandPuback: IPubackPacket;
  /** The board's answer on board/<id>/ack. */
  ack: IPublishPacket;
}

export interface SessionOptions {
  clientId: string;
  command?: string;
  readings?: number;
  waitMs?: number;
}

export function playSession(board: Board, options: SessionOptions): Promise<SessionTranscript>;
/** Runs the session on the ELF and returns the deepest stack it reached (bytes). */
export function measureStack(elf: string): Promise<number | null>;
