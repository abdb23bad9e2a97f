// The flag parser on its own (a pure function): spellings, arity, which command takes which
// flag, value checks, one message source at a time.
import { describe, expect, it } from "vitest";
import { FLAGS, parseArgs } from "../../host/cli/args.ts";
import { MoteError } from "../../host/errors.ts";

const usage = (cmd: "pub" | "sub", argv: string[]) => {
  try {
    parseArgs(cmd, argv);
  } catch (e) {
    expect(e).toBeInstanceOf(MoteError);
    expect((e as MoteError).kind).toBe("usage");
    return (e as Error).message;
  }
  throw new Error(`no usage error for ${argv.join(" ")}`);
};

describe("mote flag parser", () => {
  it("reads short and long spellings, values and switches", () => {
    const a = parseArgs("pub", ["-h", "broker", "--port", "1884", "-t", "a/b", "-m", "hi there", "-q", "2", "-r", "-i", "me",
      "-u", "user", "--pw", "pw", "-k", "30", "-V", "mqttv5", "-c", "-x", "600", "--will-topic", "w", "--will-payload", "bye",
      "--will-qos", "1", "--will-retain", "--repeat", "3", "--repeat-delay", "0.25"]);
    expect(a).toMatchObject({ command: "pub", host: "broker", port: 1884, topics: ["a/b"], message: "hi there", qos: 2, retain: true,
      clientId: "me", username: "user", password: "pw", keepalive: 30, version: 5, noClean: true, sessionExpiry: 600,
      willTopic: "w", willPayload: "bye", willQos: 1, willRetain: true, repeat: 3, repeatDelay: 0.25 });
    expect(a.given.port).toBe("--port");
  });

  it("collects several -t, and -C -W -v for sub", () => {
    const a = parseArgs("sub", ["-t", "a/#", "--topic", "b/+", "-C", "5", "-W", "2", "-v"]);
    expect(a).toMatchObject({ topics: ["a/#", "b/+"], count: 5, timeout: 2, verbose: true });
  });

  it("takes -V as 5, 311, mqttv5 or mqttv311 and -x -1 / ∞ as never", () => {
    expect(parseArgs("sub", ["-V", "311"]).version).toBe(4);
    expect(parseArgs("sub", ["-V", "5"]).version).toBe(5);
    expect(parseArgs("sub", ["-V", "mqttv311"]).version).toBe(4);
    expect(parseArgs("sub", ["-x", "-1"]).sessionExpiry).toBe(4294967295);
    expect(parseArgs("sub", ["-x", "∞"]).sessionExpiry).toBe(4294967295);
    expect(parseArgs("sub", ["-x", "0"]).sessionExpiry).toBe(0);
    expect(usage("sub", ["-V", "31"])).toBe("-V takes 5, mqttv5, 311 or mqttv311 (MQTT 3.1 is not spoken), not '31'");
    expect(usage("sub", ["-x", "-2"])).toMatch(/-x takes 0 to 4294967295/);
  });

  it("reads -D with one value, or two for user-property", () => {
    const a = parseArgs("pub", ["-D", "publish", "user-property", "k", "v", "-D", "connect", "receive-maximum", "10", "-t", "x"]);
    expect(a.properties).toEqual([["publish", "user-property", "k", "v"], ["connect", "receive-maximum", "10"]]);
    expect(a.topics).toEqual(["x"]);
    expect(usage("pub", ["-D", "publish", "user-property", "k"])).toMatch(/-D takes a command, a property and a name and a value/);
    expect(usage("pub", ["-D", "connect"])).toMatch(/-D takes a command, a property and a value/);
  });

  it("refuses unknown options, missing values, stray arguments and other commands' flags", () => {
    expect(usage("pub", ["-Z"])).toBe("unknown option '-Z'");
    expect(usage("pub", ["-t"])).toBe("-t needs a value (topic)");
    expect(usage("pub", ["stray"])).toMatch(/^unexpected argument 'stray'/);
    expect(usage("pub", ["-C", "1"])).toMatch(/-C is not an option of mote pub/);
    expect(usage("sub", ["-m", "x"])).toMatch(/-m is not an option of mote sub/);
    expect(usage("sub", ["-r"])).toMatch(/-r is not an option of mote sub/);
  });

  it("checks values", () => {
    expect(usage("pub", ["-q", "3"])).toBe("-q takes 0 to 2, not 3");
    expect(usage("pub", ["-p", "0"])).toBe("-p takes 1 to 65535, not 0");
    expect(usage("pub", ["-p", "18a"])).toMatch(/-p takes a whole number/);
    expect(usage("pub", ["-k", "4"])).toBe("-k takes 5 to 65535, not 4");
    expect(usage("sub", ["-C", "0"])).toMatch(/-C takes 1 to/);
    expect(usage("sub", ["-W", "x"])).toMatch(/-W takes a whole number/);
    expect(usage("pub", ["--repeat-delay", "-1"])).toMatch(/--repeat-delay takes a number of seconds/);
    expect(usage("pub", ["--will-qos", "7"])).toMatch(/--will-qos takes 0 to 2/);
  });

  it("allows one message source", () => {
    expect(usage("pub", ["-m", "a", "-l"])).toBe("-m and -l cannot be used together: give one message source");
    expect(usage("pub", ["-n", "-s"])).toMatch(/-n and -s cannot be used together/);
    expect(parseArgs("pub", ["-l"]).stdinLine).toBe(true);
  });

  it("has one table row per spelling, every row with help", () => {
    const names = FLAGS.flatMap((f) => f.names);
    expect(new Set(names).size).toBe(names.length);
    for (const f of FLAGS) expect(f.help.length).toBeGreaterThan(5);
    for (const flag of ["-h", "-p", "-t", "-m", "-q", "-r", "-i", "-u", "-P", "-k", "-V", "-c", "-x", "-C", "-W", "-v", "-L", "-s", "-f",
      "-n", "-l", "--repeat", "--repeat-delay", "--will-topic", "--will-payload", "--will-qos", "--will-retain", "-D", "--cafile",
      "--cert", "--key", "--insecure", "--url", "--help"]) {
      expect(names).toContain(flag);
    }
  });
});
