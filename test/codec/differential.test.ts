// Differential tests against mqtt-packet over generated packets (seeded; set CODEC_SEED to
// replay a failure, fast-check prints the seed and the shrunk counterexample). Receive side:
// mqtt-packet generate -> our decodeRx must equal mqtt-packet parse. Send side: what our
// session emits for a command must equal mqtt-packet generate of the same packet.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Firmware } from "../../host/firmware.ts";
import { encodeProperties, type Properties } from "../../host/properties.ts";
import { clientEmits } from "../support/codec-drive.ts";
import { clientPacket, serverPacket } from "../support/codec-arbitraries.ts";
import { comparable, decodeRx, mqttGenerate, mqttParse, spacedHex, toJson, type Packet, type Version } from "../support/codec-packets.ts";

const SEED = Number(process.env.CODEC_SEED ?? 20261126);
const RUNS_RX = 150;
const RUNS_TX = 60;

/**
 * Without properties our client writes the shortest form the spec allows: no Property Length
 * when the Remaining Length permits (3.4.2.2.1 ff., 3.14.2.2.1), and no reason when it is 0
 * (3.4.2.1, 3.14.2.1). mqtt-packet writes "reason 00"; this maps its bytes to that short form.
 */
function shortForm(b: Buffer, version: Version): Buffer {
  const type = b[0] >> 4;
  if (version !== 5 || b[1] & 0x80) return b;
  const head = type >= 4 && type <= 7 ? 4 : type === 14 ? 2 : -1;
  if (head < 0 || b.length !== head + 2 || b[head + 1] !== 0) return b;
  const rc = b[head];
  const body = rc === 0 ? b.subarray(2, head) : b.subarray(2, head + 1);
  return Buffer.concat([Buffer.from([b[0], body.length]), body]);
}

/** The CONNECT properties our client sends: the host's, then the budget's announcements it did not set. */
function withBudget(p: Packet, fw: Firmware): Packet {
  if (p.protocolVersion !== 5) return p;
  const props = { ...(p.properties as Record<string, unknown> | undefined) };
  props.receiveMaximum ??= fw.budget("INBOUND_QOS2_SLOTS");
  if (fw.budget("TOPIC_ALIAS_IN_SLOTS") > 0) props.topicAliasMaximum ??= fw.budget("TOPIC_ALIAS_IN_SLOTS");
  if (fw.budget("MAX_INBOUND_PACKET_BYTES") < 268435455) props.maximumPacketSize ??= fw.budget("MAX_INBOUND_PACKET_BYTES");
  return { ...p, properties: props };
}

/** The command fits the default profile's buffers (PROPS for properties, TX and CONNECT for the packet). */
function withinBudget(p: Packet, expected: Buffer, fw: Firmware): boolean {
  const props = (x: unknown) => encodeProperties(x as Properties | undefined).length;
  const will = (p.will as { properties?: unknown } | undefined)?.properties;
  const packetLimit = p.cmd === "connect" ? fw.budget("CONNECT_BYTES") : fw.budget("TX_BUFFER_BYTES");
  return props(p.properties) + props(will) + 16 <= fw.budget("PROPS_BYTES") && expected.length <= packetLimit;
}

function expectedClientBytes(p: Packet, version: Version, fw: Firmware): Buffer {
  if (p.cmd === "connect") return mqttGenerate(withBudget(p, fw), version);
  if (p.cmd === "publish" && p.qos === 0) return mqttGenerate({ ...p, messageId: undefined }, version);
  return shortForm(mqttGenerate(p, version), version);
}

for (const version of [4, 5] as Version[]) {
  const fw = new Firmware("default");
  describe(`MQTT ${version === 5 ? "5.0" : "3.1.1"} receive side: our decoder reads what mqtt-packet writes as mqtt-packet reads it`, () => {
    for (const [cmd, arb] of Object.entries(serverPacket(version))) {
      test(`${cmd} (seed ${SEED}, ${RUNS_RX} packets)`, () => {
        fc.assert(fc.property(arb, (p) => {
          const bytes = mqttGenerate(p, version);
          fc.pre(bytes.length <= 1024);
          const parsed = mqttParse(bytes, version);
          const ours = decodeRx(fw, bytes, version);
          expect({ rc: ours.rc, packet: ours.packet && toJson(ours.packet) })
            .toEqual({ rc: 0, packet: parsed.packets.length === 1 && !parsed.error ? comparable(parsed.packets[0], version) : parsed });
        }), { seed: SEED, numRuns: RUNS_RX });
      });
    }
  });

  describe(`MQTT ${version === 5 ? "5.0" : "3.1.1"} send side: our session emits what mqtt-packet writes for the same packet`, () => {
    for (const [name, arb] of Object.entries(clientPacket(version))) {
      test(`${name} (seed ${SEED}, ${RUNS_TX} packets)`, () => {
        fc.assert(fc.property(arb, (p) => {
          const expected = expectedClientBytes(p, version, fw);
          fc.pre(withinBudget(p, expected, fw));
          expect(spacedHex(clientEmits(p, { version }))).toBe(spacedHex(expected));
        }), { seed: SEED, numRuns: RUNS_TX });
      });
    }
  });
}
