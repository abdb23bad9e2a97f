// Way 4 of 4: every receive-side vector through a real session (in the state where the packet
// is legal: connecting for CONNACK, an outstanding message or request for an acknowledgement)
// fed whole, one byte at a time, and followed by the bytes of another packet. Splitting must
// never change what the session does (h11's "byte at a time, with trailing bytes" check).
import { describe, expect, test } from "vitest";
import { EventType } from "../../host/abi.ts";
import type { Harness } from "../support/harness.ts";
import { sessionExpecting } from "../support/codec-drive.ts";
import { hexBytes, type Version } from "../support/codec-packets.ts";
import { bytesOf, profilesOf, rejectCodes, rxVectorFiles, type RxVector } from "../support/codec-vectors.ts";

/** A QoS 0 PUBLISH "z" / "hi" that follows the vector on the wire. */
const NEXT: Record<Version, Buffer> = { 4: hexBytes("30 05 00 01 7a 68 69"), 5: hexBytes("30 06 00 01 7a 00 68 69") };

function whole(h: Harness, b: Buffer) {
  const events = h.send(b);
  return { events, tx: h.transmit().toString("hex") };
}

function byteByByte(h: Harness, b: Buffer) {
  const events = [...b].flatMap((x) => h.send(Buffer.of(x)));
  return { events, tx: h.transmit().toString("hex") };
}

function session(v: RxVector, profile: string): Harness {
  return sessionExpecting(v.expect, bytesOf(v)[0], { version: v.version, profile });
}

for (const file of rxVectorFiles()) {
  describe(file.file, () => {
    for (const v of file.vectors) {
      for (const profile of profilesOf(v)) {
        const label = `${v.name} [${profile}]`;
        const bytes = bytesOf(v);

        if (v.expect) {
          test(`${label}: the session accepts it`, () => {
            const got = whole(session(v, profile), bytes);
            expect(got.events.filter((e) => e.type === EventType.ProtocolViolation)).toEqual([]);
          });
        } else if (!v.reject?.incomplete) {
          test(`${label}: the session reports the violation the decoder finds`, () => {
            const got = whole(session(v, profile), bytes);
            const violation = got.events.find((e) => e.type === EventType.ProtocolViolation);
            expect(rejectCodes(v)).toContain(violation?.reason);
          });
        }

        test(`${label}: fed one byte at a time, the session does what it does with it whole`, () => {
          expect(byteByByte(session(v, profile), bytes)).toEqual(whole(session(v, profile), bytes));
        });

        if (v.reject?.incomplete) continue; // an incomplete packet swallows whatever follows
        const next = NEXT[v.version];
        test(`${label}: followed by another packet in the same read, each is handled as if alone`, () => {
          const h = session(v, profile);
          const a = whole(h, bytes);
          const b = whole(h, next);
          expect(whole(session(v, profile), Buffer.concat([bytes, next]))).toEqual({ events: [...a.events, ...b.events], tx: a.tx + b.tx });
        });
        test(`${label}: followed by another packet, fed one byte at a time, same as fed whole`, () => {
          const both = Buffer.concat([bytes, next]);
          expect(byteByByte(session(v, profile), both)).toEqual(whole(session(v, profile), both));
        });
      }
    }
  });
}
