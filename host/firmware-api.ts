// `import ... from "mqtt-mote/firmware"`: the raw firmware, for people who drive the module
// themselves. Firmware compiles a profile's module once and wraps one instance; the ABI's numbers
// (abi.ts), the commands that fill SCRATCH (commands.ts) and the event record (events.ts) are the
// same ones the Device uses. link.ts is the one host loop, over any Connection and Clock.
export { Firmware, abiFacade, firmwareModule, wasmPath, type RegionInfo } from "./firmware.ts";
export * from "./abi.ts";
export * from "./commands.ts";
export { drainEvents, readEvent, type FirmwareEvent } from "./events.ts";
export { PROPERTY_TABLE, encodeProperties, readProperties, setProperties, type Properties, type PropertyValue } from "./properties.ts";
export { CLOSE_GRACE_MS, Link, OPEN_TIMEOUT_MS, type ClosedInfo, type Connection, type LinkOptions } from "./link.ts";
export { realClock, type Clock } from "./clock.ts";
export { VirtualClock } from "./virtual-clock.ts";
