// Before a fleet starts: can a group's largest message fit its firmware profile? The firmware
// itself answers (a trial publish into a fresh instance's outbox), so the check cannot drift
// from the budget. A group that cannot fit fails with the numbers, not with refusals mid-run.
import { usageError } from "../host/errors.ts";
import { Firmware } from "../host/firmware.ts";
import { configure, publishBytes } from "../host/commands.ts";
import { Status } from "../host/abi.ts";
import type { GroupConfig } from "./config.ts";
import { maxPayloadBytes } from "./payload.ts";

/** The longest sensor id the configuration allows (1,000,000 sensors: ids up to 6 digits). */
const LONGEST_ID = "999999";

export function checkGroupBudget(g: GroupConfig, version: 4 | 5): void {
  let fw: Firmware;
  try {
    fw = new Firmware(g.profile);
  } catch (e) {
    throw usageError(`group '${g.name}': no firmware profile '${g.profile}' (${(e as Error).message.split("\n")[0]})`);
  }
  configure(fw, { version, clientId: "budget-check", clean: false });
  const topic = Buffer.from(g.topic.replaceAll("{id}", LONGEST_ID).replaceAll("{group}", g.name).replaceAll("{model}", g.model));
  const payload = Buffer.alloc(maxPayloadBytes(g.payload, g.model));
  const rc = publishBytes(fw, topic, payload, Math.max(1, g.qos), false);
  if (rc === -Status.TooLarge) {
    throw usageError(`group '${g.name}': ${g.model} messages in ${g.payload} (up to ${payload.length} payload bytes, topic ` +
      `${topic.length} bytes) do not fit profile '${g.profile}' (OUTBOX_BYTES ${fw.budget("OUTBOX_BYTES")}, SCRATCH_BYTES ${fw.budget("SCRATCH_BYTES")}): ` +
      `use a larger profile or the binary payload`);
  }
}
