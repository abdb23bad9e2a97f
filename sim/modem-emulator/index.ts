// The modem emulator: an ESP-AT or Quectel BG96 modem on a serial line (a pty made by socat, or a
// real serial port), opening real TCP connections for the sockets it is asked to open.
export { startEmulator } from "./emulator.ts";
export type {
  DialectName, Emulator, EmulatorOptions, EmulatorStats, Impairments, Injection, InjectionKind, SocketStats,
  TranscriptEntry,
} from "./types.ts";
