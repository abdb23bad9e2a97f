// configure() with random fields (client id, user name, password, will, keep alive, version, QoS)
// never traps; it refuses what the specification forbids with -BadArgument, and every CONNECT it
// accepts is a valid CONNECT that carries exactly the fields it was given.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Status } from "../../host/abi.ts";
import { connectProperties } from "../../host/commands.ts";
import { Firmware } from "../../host/firmware.ts";
import { encodeProperties, setProperties } from "../../host/properties.ts";
import { parse, type Version } from "../support/session-tools.ts";
import { runs } from "./fc-settings.ts";

const field = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{0,16}$/).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a)),
  fc.constantFrom(Buffer.from("é/€"), Buffer.from([0xc0, 0x80]), Buffer.from("a\u0000b"), Buffer.from("w/+"), Buffer.from("w/#")),
);
const optional = fc.option(field, { nil: undefined });

const args = fc.record({
  version: fc.constantFrom(4, 5, 3, 6, 0),
  clean: fc.integer({ min: 0, max: 1 }),
  keepalive: fc.oneof(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 65536, max: 2 ** 31 - 1 })),
  id: field,
  user: optional,
  pass: optional,
  will: fc.option(fc.record({ topic: field, payload: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
    qos: fc.integer({ min: 0, max: 3 }), retain: fc.integer({ min: 0, max: 1 }) }), { nil: undefined }),
});

const utf8 = (b: Buffer) => { try { return !new TextDecoder("utf-8", { fatal: true }).decode(b).includes("\u0000"); } catch { return false; } };
const topicOk = (b: Buffer) => b.length > 0 && utf8(b) && !/[+#]/.test(b.toString());

describe.each(["default", "tiny"])("configure robustness, profile %s", (profile) => {
  it("accepts exactly the valid CONNECTs and sends them as given", () => {
    fc.assert(fc.property(args, (a) => {
      const fw = new Firmware(profile);
      let off = 0;
      const put = (b: Buffer | undefined): [number, number] => {
        if (b === undefined) return [0, -1];
        const start = off;
        off = fw.scratchWrite(off, b);
        return [start, b.length];
      };
      const [idOff, idLen] = put(a.id);
      const [uOff, uLen] = put(a.user);
      const [pOff, pLen] = put(a.pass);
      const [wtOff, wtLen] = put(a.will?.topic);
      const [wpOff, wpLen] = put(a.will?.payload);
      // MQTT 5: the limits this profile imposes are announced, as the host's configure does.
      const props = fw.budget("MQTT5_ENABLED") ? encodeProperties(connectProperties(fw, { version: 5 })) : Buffer.alloc(0);
      if (fw.budget("MQTT5_ENABLED")) setProperties(fw, props);
      const rc = fw.exports.configure(a.version, a.clean, a.keepalive, idOff, idLen, uOff, uLen, pOff, pLen, wtOff, wtLen,
        wpOff, wpLen, a.will?.qos ?? 0, a.will?.retain ?? 0, a.version === 5 ? props.length : 0);
      const v5ok = fw.budget("MQTT5_ENABLED") === 1;
      const forbidden = (a.version !== 4 && a.version !== 5) || a.keepalive > 65535 || !utf8(a.id) ||
        (a.user !== undefined && !utf8(a.user)) || (a.will !== undefined && (a.will.qos > 2 || !topicOk(a.will.topic))) ||
        (a.version === 4 && a.pass !== undefined && a.user === undefined) ||            // 3.1.1 [MQTT-3.1.2-22]
        (a.version === 4 && a.id.length === 0 && a.clean === 0);                         // 3.1.1 [MQTT-3.1.3-7]
      if (forbidden) {
        expect(rc === -Status.BadArgument || (a.version === 5 && !v5ok && rc === -Status.Unsupported), `configure returned ${rc}`).toBe(true);
        return;
      }
      if (a.version === 5 && !v5ok) { expect(rc).toBe(-Status.Unsupported); return; }
      if (rc === -Status.TooLarge) return; // the CONNECT does not fit CONNECT_BYTES
      expect(rc).toBe(0);
      expect(fw.exports.transportOpened(0)).toBe(0);
      const n = fw.exports.pollTransmit(0);
      const [c] = parse(Buffer.from(fw.memory.subarray(fw.tx, fw.tx + n)), a.version as Version);
      expect({ cmd: c.cmd, v: c.protocolVersion, clean: c.clean, keepalive: c.keepalive, id: c.clientId,
        user: c.username, pass: c.password?.toString("hex") }).toEqual({ cmd: "connect", v: a.version, clean: a.clean === 1,
        keepalive: a.keepalive, id: a.id.toString(), user: a.user?.toString(), pass: a.pass?.toString("hex") });
      if (a.will) {
        expect({ topic: c.will?.topic, payload: Buffer.from(c.will?.payload ?? []).toString("hex"), qos: c.will?.qos, retain: c.will?.retain })
          .toEqual({ topic: a.will.topic.toString(), payload: a.will.payload.toString("hex"), qos: a.will.qos, retain: a.will.retain === 1 });
      } else expect(c.will).toBeUndefined();
    }), runs(500));
  });
});
