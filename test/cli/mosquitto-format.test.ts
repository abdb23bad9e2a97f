// mote sub -F against mosquitto_sub -F: both subscribe on the same broker with the same format,
// the same messages arrive (retained, QoS 0/1/2, empty, binary, MQTT 5 properties: user
// properties, content type, response topic, correlation data, payload format, expiry), and the
// output must be the same bytes. Time fields (%I, %U, @, %j's "tst") are compared by shape.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { broker, killAll, mosquittoPub, mosquittoSub, mote, type Broker } from "./helpers.ts";

let b: Broker;
let port: string;

beforeAll(async () => {
  b = await broker();
  port = String(b.port);
});

afterAll(async () => {
  killAll();
  await b?.stop();
});

const publish = async (...args: string[]) => {
  const r = await mosquittoPub(["-p", port, ...args]).done;
  expect(r.code).toBe(0);
};

const PROPS = ["-V", "5", "-D", "publish", "user-property", "unit", "C", "-D", "publish", "user-property", "room", "kitchen",
  "-D", "publish", "content-type", "text/plain", "-D", "publish", "response-topic", "fmt/reply", "-D", "publish", "correlation-data", "c0ffee",
  "-D", "publish", "payload-format-indicator", "1", "-D", "publish", "message-expiry-interval", "3600"];

/**
 * The lines of an output in a fixed order: mote hands a QoS 2 message on at PUBREL (exactly once),
 * mosquitto_sub at PUBLISH, so the two may print a QoS 2 message and the next one in either order.
 */
const sorted = (text: string) => text.split("\n").sort();

/** Starts mosquitto_sub and mote sub with the same arguments, waits for both SUBACKs, sends the messages, returns both results. */
async function both(name: string, args: string[], send: () => Promise<void>) {
  const theirs = mosquittoSub(["-p", port, "-i", `${name}-mosq`, ...args]);
  const ours = mote(["sub", "-p", port, "-i", `${name}-mote`, ...args]);
  await Promise.all([b.subscribed(`${name}-mosq`), b.subscribed(`${name}-mote`)]);
  await send();
  const [t, o] = await Promise.all([theirs.done, ours.done]);
  return { t, o };
}

async function sendMix(topic: string): Promise<void> {
  await publish("-t", `${topic}/q0`, "-m", "zero", "-q", "0");
  await publish("-t", `${topic}/q1`, "-m", "one word", "-q", "1", ...PROPS);
  await publish("-t", `${topic}/q2`, "-m", "{\"t\": 21.5, \"ok\": true}", "-q", "2", "-V", "5", "-D", "publish", "user-property", "k", "v");
  await publish("-t", `${topic}/empty`, "-n", "-q", "1");
  await publish("-t", `${topic}/bin`, "-m", "tab\there", "-q", "1");
}

const FIELDS = "%t|%p|%P|%r|%q|%m|%x|%X|%l|%C|%D|%E|%F|%R|%S|%A|%%|@@|\\t|\\\\";
const WIDTHS = "%-08.3t|%08.3t|%5.1t|%.t|%-5l|%-05l|%07.2x|%-7x|%3p|%8X|%-3q|%5C|%-3E|%04F|%3A|%5S|%3.2R|%12t|%-12t.";

describe("mote sub -F against mosquitto_sub -F", () => {
  it("prints every field and every width, precision and padding as mosquitto_sub does, retained message and MQTT 5 properties included", async () => {
    await publish("-t", "fmt/a/kept", "-m", "kept value", "-r", "-q", "1", ...PROPS.slice(0, -4)); // no expiry on the retained one: it counts down
    for (const format of [FIELDS, WIDTHS]) {
      const name = format === FIELDS ? "fmt-fields" : "fmt-widths";
      const { t, o } = await both(name, ["-t", "fmt/a/#", "-q", "2", "-V", "5", "-F", format, "-C", "6"], () => sendMix("fmt/a"));
      expect(t.code).toBe(0);
      expect(o).toMatchObject({ code: 0, stderr: "" });
      expect(o.stdout.split("\n")).toHaveLength(7);
      expect(sorted(o.stdout)).toEqual(sorted(t.stdout));
    }
    await publish("-t", "fmt/a/kept", "-r", "-n");
  });

  it("%j and %J give the same JSON (tst aside), properties in the order they came; %J of a payload that is not JSON says so", async () => {
    const tst = /"tst":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z[+-]\d{4}"/g;
    for (const format of ["%j", "%J"]) {
      const name = `fmt-json-${format === "%j" ? "lower" : "upper"}`;
      const { t, o } = await both(name, ["-t", "fmt/j/#", "-q", "2", "-V", "5", "-F", format, "-C", "5"], () => sendMix("fmt/j"));
      expect(t.code).toBe(0);
      expect(o.code).toBe(0);
      expect(o.stdout.match(tst)).toHaveLength(format === "%j" ? 5 : 2);
      expect(sorted(o.stdout.replace(tst, "TST"))).toEqual(sorted(t.stdout.replace(tst, "TST")));
      if (format === "%J") {
        expect(t.stderr).toContain("Error: Message payload is not valid JSON on topic fmt/j/q0.");
        expect(o.stderr).toContain("Error: Message payload is not valid JSON on topic fmt/j/q0.");
      }
    }
  });

  it("time fields have mosquitto's shape: %I, %U, @ strftime letters and @N", async () => {
    const format = "%I|%U|@Y-@m-@dT@H:@M:@S@z|@N|@s";
    const { t, o } = await both("fmt-time", ["-t", "fmt/time", "-F", format, "-C", "1"], () => publish("-t", "fmt/time", "-m", "x"));
    const shape = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}\|\d+\.\d{9}\|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}\|\d{9}\|\d+\n$/;
    expect(t.stdout).toMatch(shape);
    expect(o.stdout).toMatch(shape);
    expect(Math.abs(Number(o.stdout.split("|")[1]) - Number(t.stdout.split("|")[1]))).toBeLessThan(5);
  });

  it("a message larger than the firmware's RX buffer is formatted once, whole, as mosquitto_sub does", async () => {
    const big = "x".repeat(5000);
    const { t, o } = await both("fmt-big", ["-t", "fmt/big", "-C", "2", "-F", "%l %t %p"], async () => {
      await publish("-t", "fmt/big", "-m", big, "-q", "1");
      await publish("-t", "fmt/big", "-m", "small", "-q", "1");
    });
    expect(t.code).toBe(0);
    expect(o.code, o.stderr).toBe(0);
    expect(o.stdout).toBe(`5000 fmt/big ${big}\n5 fmt/big small\n`);
    expect(o.stdout).toBe(t.stdout);
  });

  it("-N drops the newline; without -F an empty message prints nothing, and 'topic (null)' with -v", async () => {
    for (const [name, extra] of [["fmt-n", ["-N"]], ["fmt-v", ["-v"]], ["fmt-plain", []], ["fmt-vn", ["-v", "-N"]], ["fmt-fn", ["-F", "%t=%p", "-N"]]] as const) {
      const { t, o } = await both(name, ["-t", `fmt/${name}/#`, "-q", "1", "-C", "3", ...extra], async () => {
        await publish("-t", `fmt/${name}/a`, "-m", "first", "-q", "1");
        await publish("-t", `fmt/${name}/b`, "-n", "-q", "1");
        await publish("-t", `fmt/${name}/c`, "-m", "third", "-q", "1");
      });
      expect(o.code).toBe(0);
      expect(o.stdout).toBe(t.stdout);
    }
  });

  it("rejects the formats mosquitto_sub rejects, before connecting", async () => {
    for (const format of ["%i", "%c", "%Z", "%", "%5", "abc@", "\\q", "\\"]) {
      const t = await mosquittoSub(["-p", port, "-t", "fmt/bad", "-F", format]).done;
      const o = await mote(["sub", "-p", port, "-t", "fmt/bad", "-F", format]).done;
      expect(t.code).toBe(1);
      expect(t.stderr).toMatch(/Error: (Invalid format specifier|Incomplete format specifier|Invalid escape specifier|Incomplete escape specifier)/);
      expect(o.code).toBe(2); // mote's usage errors exit 2 (mosquitto's exit 1)
      expect(o.stderr).toMatch(/^mote sub: -F: (invalid format specifier|incomplete format specifier|invalid escape specifier|incomplete escape specifier)/);
    }
  });
});

