// The session's state table (firmware/session/state-table.ts) checked two ways: its rows against
// the MQTT rules they encode, and the real firmware against every (state, input) pair of it. The
// firmware is driven through its exports (no Link, so no state is left on its own: the Link would
// close a Closing connection at once), on a Harness's firmware instance.
import { describe, expect, it } from "vitest";
import { Accepts, Input, State } from "../../firmware/session/state-table.ts";
import { EventType, Reason, Status } from "../../host/abi.ts";
import { configure, disconnect, publish, subscribe } from "../../host/commands.ts";
import { drainEvents } from "../../host/events.ts";
import { encodeProperties, setProperties } from "../../host/properties.ts";
import type { Firmware } from "../../host/firmware.ts";
import { Harness, connackBytes, hex } from "../support/harness.ts";

const STATES = [State.Idle, State.WaitReconnect, State.Connecting, State.Connected, State.Closing];
const INPUTS = Object.values(Input).filter((v): v is Input => typeof v === "number");
const ROW: Record<State, number> = {
  [State.Idle]: Accepts.Idle, [State.WaitReconnect]: Accepts.WaitReconnect, [State.Connecting]: Accepts.Connecting,
  [State.Connected]: Accepts.Connected, [State.Closing]: Accepts.Closing,
};
const accepts = (s: State, i: Input) => ((ROW[s] >>> i) & 1) === 1;
const packetInputs = (s: State) => INPUTS.filter((i) => i <= Input.Auth && accepts(s, i));

const AUTH_METHOD = { authenticationMethod: "m" };
const OPTIONS = { version: 5 as const, clientId: "walk", keepalive: 60, properties: AUTH_METHOD };

/** One valid packet a server could send for each packet input (5.0; ids no one is waiting for). */
const PACKET_BYTES: Partial<Record<Input, string>> = {
  [Input.Connect]: "10 00",
  [Input.Connack]: "20 03 00 00 00",
  [Input.Publish]: "30 05 00 01 74 00 78",        // QoS 0, topic "t", no properties, payload "x"
  [Input.Puback]: "40 02 00 01",
  [Input.Pubrec]: "50 02 00 01",
  [Input.Pubrel]: "62 02 00 01",
  [Input.Pubcomp]: "70 02 00 01",
  [Input.Subscribe]: "82 00",
  [Input.Suback]: "90 04 00 01 00 00",
  [Input.Unsubscribe]: "a2 00",
  [Input.Unsuback]: "b0 04 00 01 00 00",
  [Input.Pingreq]: "c0 00",
  [Input.Pingresp]: "d0 00",
  [Input.Disconnect]: "e0 00",
  [Input.Auth]: "f0 06 18 04 15 00 01 6d",        // Continue Authentication, method "m"
  [Input.AuthSuccess]: "f0 06 00 04 15 00 01 6d", // Success, method "m"
};

/** A configured 5.0 client brought to `state` through its exports; TX and events drained. */
function clientIn(state: State): Firmware {
  const fw = new Harness().fw;
  expect(configure(fw, OPTIONS)).toBe(0);
  const x = fw.exports;
  if (state !== State.Idle) {
    expect(x.transportOpened(0)).toBe(0);
    fw.transmit(0);
  }
  if (state === State.Connected || state === State.Closing || state === State.WaitReconnect) {
    fw.feed(connackBytes(5));
    expect(drainEvents(fw, 0).map((e) => e.name)).toEqual(["Connected"]);
  }
  if (state === State.Closing) expect(disconnect(fw, 0)).toBe(0);
  if (state === State.WaitReconnect) x.transportClosed(0);
  fw.transmit(0);
  expect(State[x.sessionState()]).toBe(State[state]);
  return fw;
}

/** Feeds bytes and polls events: what the firmware answered. */
function receive(fw: Firmware, bytes: string) {
  fw.feed(hex(bytes));
  const events = drainEvents(fw, 0);
  return { events, violation: events.find((e) => e.type === EventType.ProtocolViolation) };
}

/** Applies one input to a client in `state`; returns whether the firmware accepted it. */
function apply(fw: Firmware, state: State, input: Input): boolean {
  const x = fw.exports;
  const packet = PACKET_BYTES[input];
  if (packet !== undefined) {
    const before = x.counter(2); // PacketsIn
    const { events, violation } = receive(fw, packet);
    if (!accepts(state, Input.ParseRx)) {
      // Not parsed at all: no event, nothing counted, the state unchanged.
      expect(events).toEqual([]);
      expect(x.counter(2)).toBe(before);
      expect(x.sessionState()).toBe(state);
      return false;
    }
    if (violation) expect(violation.reason).toBe(Reason.ProtocolError);
    return violation === undefined;
  }
  switch (input) {
    case Input.ParseRx:
      return receive(fw, PACKET_BYTES[Input.Connack]!).events.length > 0;
    case Input.TransportOpened: {
      const rc = x.transportOpened(0);
      if (rc !== 0) expect(rc).toBe(-Status.InvalidState);
      return rc === 0;
    }
    case Input.TransportClosed:
      x.transportClosed(0);
      expect([State.Idle, State.WaitReconnect]).toContain(x.sessionState());
      return true;
    case Input.HandleTimeout:
      x.handleTimeout(0);
      return true;
    case Input.Configure: {
      // A new session.
      const rc = configure(fw, { ...OPTIONS, clientId: "walk-2" });
      if (rc !== 0) expect(rc).toBe(-Status.InvalidState);
      return rc === 0;
    }
    case Input.RefreshConnect: {
      // The same session with a fresh password.
      const rc = configure(fw, { ...OPTIONS, username: "u", password: "fresh", keepSession: true });
      if (rc !== 0) expect(rc).toBe(-Status.InvalidState);
      return rc === 0;
    }
    case Input.QueuePublish:
      return publish(fw, "t", "x", 1) > 0;
    case Input.SendQueued:
      expect(publish(fw, "t", "x", 0)).toBe(0);
      return fw.transmit(0).includes(0x30); // a QoS 0 PUBLISH's first byte
    case Input.SendRequest: {
      const rc = subscribe(fw, [{ topic: "a", qos: 0 }]);
      if (rc <= 0) expect(rc).toBe(-Status.InvalidState);
      return rc > 0;
    }
    case Input.SendDisconnect:
      // disconnect() ends the session in every state; only some send the packet.
      expect(disconnect(fw, 0)).toBe(0);
      return fw.transmit(0)[0] === 0xe0;
    case Input.SendAuth: {
      setProperties(fw, encodeProperties(AUTH_METHOD));
      const rc = x.auth(Reason.ContinueAuthentication);
      if (rc !== 0) expect(rc).toBe(-Status.InvalidState);
      return rc === 0 && fw.transmit(0)[0] === 0xf0;
    }
  }
  throw new Error(`no way to apply ${Input[input]}`);
}

describe("the state table encodes the spec", () => {
  it("before CONNACK, the server may send only CONNACK, AUTH and DISCONNECT [MQTT-3.2.0-1] [MQTT-4.12.0-2]", () => {
    expect(packetInputs(State.Connecting).map((i) => Input[i])).toEqual(["Connack", "Disconnect", "Auth"]);
  });

  it("a second CONNACK is a Protocol Error [MQTT-3.2.0-2]", () => {
    expect(accepts(State.Connected, Input.Connack)).toBe(false);
  });

  it("AUTH Success only ends a re-authentication, after CONNACK [MQTT-4.12.0-2]", () => {
    expect(STATES.filter((s) => accepts(s, Input.AuthSuccess))).toEqual([State.Connected]);
  });

  it("packets only a server receives are accepted in no state (CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ)", () => {
    for (const i of [Input.Connect, Input.Subscribe, Input.Unsubscribe, Input.Pingreq]) {
      expect(STATES.filter((s) => accepts(s, i)), Input[i]).toEqual([]);
    }
  });

  it("bytes are parsed only on a live connection; a closed or closing one drops them", () => {
    expect(STATES.filter((s) => accepts(s, Input.ParseRx))).toEqual([State.Connecting, State.Connected]);
    for (const s of STATES) if (!accepts(s, Input.ParseRx)) expect(packetInputs(s), State[s]).toEqual([]);
  });

  it("the transport may close, and timers fire, in every state", () => {
    for (const s of STATES) {
      expect(accepts(s, Input.TransportClosed)).toBe(true);
      expect(accepts(s, Input.HandleTimeout)).toBe(true);
    }
  });
});

describe("the firmware answers every (state, input) pair as the table says", () => {
  const pairs = STATES.flatMap((s) => INPUTS.map((i) => [State[s], Input[i], s, i] as const));
  it.each(pairs)("%s, %s", (_s, _i, state, input) => {
    const fw = clientIn(state);
    expect(apply(fw, state, input)).toBe(accepts(state, input));
  });
});

describe("transition() runs each state's timer and no other", () => {
  it.each(STATES.map((s) => [State[s], s] as const))("%s", (_name, state) => {
    const fw = clientIn(state);
    // Connecting: CONNACK timeout; Connected: keep alive (60 s); WaitReconnect: backoff. Idle, Closing: none.
    const timed = state === State.Connecting || state === State.Connected || state === State.WaitReconnect;
    const delay = fw.exports.pollDelayMs(0);
    if (timed) expect(delay).toBeGreaterThan(0);
    else expect(delay).toBe(-1);
    if (state === State.Connected) expect(delay).toBe(60_000);
  });
});
