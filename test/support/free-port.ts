// The tests' free loopback ports come from the host's helper (mote board uses it too).
export { freePort } from "../../host/free-port.ts";
