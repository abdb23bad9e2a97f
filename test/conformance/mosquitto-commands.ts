// The actions the mosquitto sequences ask of the client right after CONNACK (its test client
// test/lib/c/fuzzish.c), expressed with our host commands. The one property we leave out is
// the Topic Alias 65535 fuzzish puts into its PUBLISH: see deviations.json.
import type { Firmware } from "../../host/firmware.ts";
import { publish, subscribe, unsubscribe } from "../../host/commands.ts";
import type { Properties } from "../../host/properties.ts";
import type { QoS } from "../../host/device-options.ts";

const PUBLISH_PROPERTIES: Properties = {
  payloadFormatIndicator: true,
  messageExpiryInterval: 4294967295,
  responseTopic: "response/topic",
  correlationData: Buffer.from("7deac5c5-8802-44ff-86ce-11479f337419"),
  contentType: "text/plain",
  userProperties: { key: "value" },
};
const SUBSCRIBE_PROPERTIES: Properties = { subscriptionIdentifier: 268435455, userProperties: { key: "value" } };
const UNSUBSCRIBE_PROPERTIES: Properties = { userProperties: { key: "value" } };

/** Performs the command; returns the firmware's result (the packet id, or -Status). */
export function performCommand(fw: Firmware, command: string, version: 4 | 5): number {
  const v5 = version === 5;
  const m = /^(publish|subscribe)-([012])$/.exec(command);
  if (m && m[1] === "publish") return publish(fw, "test/publish", "message", Number(m[2]), false, v5 ? PUBLISH_PROPERTIES : undefined);
  if (m) return subscribe(fw, [{ topic: "test/subscribe", qos: Number(m[2]) as QoS }], v5 ? SUBSCRIBE_PROPERTIES : undefined);
  const both = ["test/subscribe1", "test/subscribe2"];
  switch (command) {
    case "subscribe-multiple":
      return subscribe(fw, both.map((topic) => ({ topic, qos: 2 })), v5 ? SUBSCRIBE_PROPERTIES : undefined);
    case "unsubscribe":
      return unsubscribe(fw, ["test/subscribe"], v5 ? UNSUBSCRIBE_PROPERTIES : undefined);
    case "unsubscribe-multiple":
      return unsubscribe(fw, both, v5 ? UNSUBSCRIBE_PROPERTIES : undefined);
  }
  throw new Error(`unknown mosquitto sequence command '${command}'`);
}
