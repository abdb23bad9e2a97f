// `import ... from "mqtt-mote"`: the Device API. One firmware instance on a real network, with a
// promise/event API shaped like MQTT.js (see the README's "The Device API"). The raw firmware
// and its ABI are `mqtt-mote/firmware` (host/firmware-api.ts); fleets are `mqtt-mote/sim`.
export * from "./device.ts";
export { connect, connectAsync } from "./device-connect.ts";
export type { PropertyValue } from "./properties.ts";
export { Reason, Status, reasonText } from "./abi.ts";
export { realClock, type Clock, type TimerHandle } from "./clock.ts";
export { VirtualClock } from "./virtual-clock.ts";
export type { LinkTransport, Transport } from "./transports/transport.ts";
export type { TlsOptions } from "./transports/tls.ts";
export { ModemTransport, DIALECTS, type ModemTransportOptions } from "./modem/modem-transport.ts";
// MQTT 5 enhanced authentication: the interface, and the built-in methods.
export type { Authenticator } from "./auth/authenticator.ts";
export { scramSha256, type ScramOptions } from "./auth/scram.ts";
export { bearerToken, jwtExpiry } from "./auth/bearer-token.ts";
