// --tls-version against mosquitto_pub on the same TLS listener: libmosquitto takes the version as
// the lowest one to speak (tlsv1.1 also speaks 1.2 and 1.3), so every version connects to a broker
// that speaks 1.2 and 1.3, with the same exit status; and a message sent that way arrives.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { broker, killAll, mosquittoPub, mosquittoSub, mote, type Broker } from "./helpers.ts";

let b: Broker;
let tlsPort: string;

beforeAll(async () => {
  b = await broker({ listeners: ["tls"] });
  tlsPort = String(b.mosquitto.ports.tls);
});

afterAll(async () => {
  killAll();
  await b?.stop();
});

const tlsArgs = () => ["-h", "localhost", "-p", tlsPort, "--cafile", b.mosquitto.certs.caCert];

describe("--tls-version, as mosquitto_pub", () => {
  it.each(["tlsv1.3", "tlsv1.2", "tlsv1.1"])("%s: the same exit status as mosquitto_pub", async (version) => {
    const args = [...tlsArgs(), "--tls-version", version, "-t", `tls/${version}`, "-m", "x", "-q", "1"];
    const [theirs, ours] = await Promise.all([mosquittoPub(args).done, mote(["pub", ...args]).done]);
    expect(ours.code, ours.stderr).toBe(theirs.code);
    expect(ours.code).toBe(0);
  });

  it("a message published with --tls-version tlsv1.2 arrives", async () => {
    const watch = mosquittoSub(["-p", String(b.port), "-i", "tlsv-watch", "-t", "tls/only12", "-C", "1"]);
    await b.subscribed("tlsv-watch");
    const r = await mote(["pub", ...tlsArgs(), "--tls-version", "tlsv1.2", "-t", "tls/only12", "-m", "twelve"]).done;
    expect(r.code, r.stderr).toBe(0);
    expect((await watch.done).stdout).toBe("twelve\n");
  });
});
