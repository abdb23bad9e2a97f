// Serial bytes each way, split into socket payload and AT overhead, and their time on the wire.

export interface ByteCounts {
  /** Socket payload (MQTT bytes). */
  payload: number;
  /** Everything else on the serial line: commands, replies, prompts, headers, URCs. */
  overhead: number;
  /** Bytes on the serial line. */
  serial: number;
  /** Time these bytes take on the line at the baud rate (8N1: 10 bits a byte), in ms. */
  wireMs: number;
}

export interface ModemStats {
  sent: ByteCounts;
  received: ByteCounts;
}

export class LineCounters {
  serialSent = 0;
  serialReceived = 0;
  payloadSent = 0;
  payloadReceived = 0;

  stats(baudRate: number): ModemStats {
    const dir = (payload: number, serial: number): ByteCounts => ({ payload, overhead: serial - payload, serial, wireMs: (serial * 10_000) / baudRate });
    return { sent: dir(this.payloadSent, this.serialSent), received: dir(this.payloadReceived, this.serialReceived) };
  }
}
