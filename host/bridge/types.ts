// The raw bridge's public shape: its options, its statistics and the running bridge.
import type { PacketMeter } from "../packet-meter.ts";
import type { TlsOptions } from "../transports/tls.ts";
import type { TranscriptSink } from "./transcript.ts";

export interface BridgeOptions {
  /** Serial device of the board: /dev/ttyUSB0, a socat pty, ... */
  port: string;
  /** Default 115200 (8N1). Sets the port, the line-time figures and the pace. */
  baudRate?: number;
  /** Broker: mqtt:// or mqtts:// (ws:// and wss:// work too). */
  url: string;
  /** TLS options for mqtts:// (and wss://). */
  tls?: TlsOptions;
  /** Hold both directions of the serial side to baud/10 bytes per second (ptys do not). */
  pace?: boolean;
  /** Every packet each way, dropped bytes and connection notes: as text lines, or as entries. */
  transcript?: TranscriptSink;
  /** Warnings and connection notes, one line each (default: stderr). */
  log?: (line: string) => void;
}

export type PacketTable = ReturnType<PacketMeter["table"]>;

export interface BridgeStats {
  baudRate: number;
  /** Bytes on the serial line, and their time on the wire at the baud rate (bytes * 10 / baud). */
  serial: { fromBoard: number; toBoard: number; lineSeconds: { fromBoard: number; toBoard: number } };
  /** MQTT bytes handed to broker connections (board -> broker) and to the board (broker -> board). */
  forwarded: { toBroker: number; toBoard: number };
  packets: { toBroker: PacketTable; toBoard: PacketTable; dropped: PacketTable };
  /** Board bytes never forwarded: `garbage` outside MQTT framing, the rest framed packets (see packets.dropped). */
  dropped: { bytes: number; garbage: number };
  broker: {
    /** Connections opened (one per CONNECT from the board). */
    connections: number;
    /** Connections that failed before they were established. */
    failures: number;
    /** Established connections that the broker (or the network) closed. */
    closedByBroker: number;
    connected: boolean;
    /** Bytes from connections the bridge had already left for a new one (not forwarded). */
    lateBytes: number;
    /** Bytes on the broker side's wire, TLS records included (closed connections only). */
    wire: { sent: number; received: number } | undefined;
  };
}

export interface Bridge {
  stats(): BridgeStats;
  /** Closes the broker connection and the serial port. */
  stop(): Promise<void>;
  /** Settles when the bridge ends: undefined after stop(), the error when the serial port went away. */
  readonly closed: Promise<Error | undefined>;
  /** MQTT bytes per packet type: forwarded to the broker, forwarded to the board, dropped from the board. */
  readonly meters: { toBroker: PacketMeter; toBoard: PacketMeter; dropped: PacketMeter };
}

