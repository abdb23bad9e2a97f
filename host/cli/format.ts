// mote sub -F: mosquitto_sub 2.0.11's output format strings, byte for byte. '%' fields with
// mosquitto's optional '-' (left align), '0' (zero pad), width and '.precision'; '@' fields are
// strftime letters of the local time (@N nanoseconds, @@ an '@'); '\' escapes (\n \t \e \0 ...).
// The format is checked once, before connecting, with mosquitto's rules; rendering never throws.
import type { Properties } from "../properties.ts";
import { usageError } from "../errors.ts";
import { strftime } from "./strftime.ts";

/** What a format can show of one message. */
export interface FormatMessage {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  messageId: number;
  properties?: Properties;
}

/** The '%' letters mosquitto_sub 2.0.11 accepts. */
const FIELDS = new Set("%ACDEFIjJlmpPqrRStUxX");
const ESCAPES: Record<string, string> = { "\\": "\\", "0": "\0", a: "\x07", e: "\x1b", n: "\n", r: "\r", t: "\t", v: "\v" };

/** Checks a -F format the way mosquitto_sub does before it connects (a usage error otherwise). */
export function checkFormat(format: string): void {
  const incomplete = () => usageError("-F: incomplete format specifier at the end");
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== "%" && c !== "@" && c !== "\\") continue;
    if (i === format.length - 1) throw c === "\\" ? usageError("-F: incomplete escape specifier at the end") : incomplete();
    if (c === "\\") {
      if (ESCAPES[format[++i]] === undefined) throw usageError(`-F: invalid escape specifier '${format[i]}'`);
      continue;
    }
    if (c === "@") {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < format.length && /[-0-9.]/.test(format[j])) j++;
    if (j >= format.length) throw incomplete();
    if (!FIELDS.has(format[j])) throw usageError(`-F: invalid format specifier '${format[j]}'`);
    i = j;
  }
}

interface Spec { align: boolean; zero: boolean; width: number; precision: number }

/** Pads bytes to a width, left or right, as printf("%*s") does. */
function pad(bytes: Buffer, s: Spec, fill = " "): Buffer {
  const n = s.width - bytes.length;
  if (n <= 0) return bytes;
  const padding = Buffer.from(fill.repeat(n));
  return s.align ? Buffer.concat([bytes, padding]) : Buffer.concat([padding, bytes]);
}

function int(value: number, s: Spec): Buffer {
  const text = String(value);
  if (s.width === 0) return Buffer.from(text);
  if (s.align || !s.zero) return pad(Buffer.from(text), s);
  const sign = value < 0 ? "-" : "";
  return Buffer.from(sign + text.replace("-", "").padStart(s.width - sign.length, "0"));
}

function str(value: string, s: Spec): Buffer {
  const bytes = Buffer.from(value, "utf8");
  return pad(s.precision >= 0 ? bytes.subarray(0, s.precision) : bytes, s);
}

/** An int property, or fill characters the width of the field when the message has none. */
const optionalInt = (v: unknown, s: Spec) => (v === undefined ? Buffer.from((s.zero ? "0" : " ").repeat(s.width)) : int(Number(v), s));

/** mosquitto's write_payload: a width truncates the payload (hex: to width/2 bytes) as well as padding it. */
function payload(p: Buffer, hex: 0 | 1 | 2, s: Spec): Buffer {
  let len = p.length;
  let padLen: number;
  if (s.width > 0) {
    len = Math.min(len, s.width);
    if (hex) len = Math.floor(len / 2);
    padLen = s.width - (hex ? len * 2 : len);
  } else {
    padLen = 0;
  }
  let body = p.subarray(0, len);
  if (hex) body = Buffer.from(hex === 1 ? body.toString("hex") : body.toString("hex").toUpperCase());
  const fill = Buffer.from((s.align ? " " : s.zero ? "0" : " ").repeat(Math.max(0, padLen)));
  return s.align ? Buffer.concat([body, fill]) : Buffer.concat([fill, body]);
}

const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);

/** User properties as mosquitto lists them: name:value, space separated, repeated names in order. */
function userPairs(p: Properties | undefined): [string, string][] {
  const up = (p as { userProperties?: Record<string, string | string[]> } | undefined)?.userProperties;
  if (!up) return [];
  return Object.entries(up).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k, String(x)] as [string, string]));
}

/** cJSON's escapes, byte by byte: bytes of 0x80 and above pass as they are (UTF-8 stays UTF-8). */
const CJSON_ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: "\\\\", 0x08: "\\b", 0x0c: "\\f", 0x0a: "\\n", 0x0d: "\\r", 0x09: "\\t" };

/** A C string as a cJSON string: it ends at the first NUL. */
function cjsonString(b: Buffer): Buffer {
  const nul = b.indexOf(0);
  const out: Buffer[] = [Buffer.from('"')];
  for (const x of nul >= 0 ? b.subarray(0, nul) : b) {
    const e = CJSON_ESCAPES[x] ?? (x < 0x20 ? `\\u${x.toString(16).padStart(4, "0")}` : undefined);
    out.push(e === undefined ? Buffer.from([x]) : Buffer.from(e));
  }
  out.push(Buffer.from('"'));
  return Buffer.concat(out);
}

/** JSON text is built as a byte string (one char per byte, latin1) so payload bytes pass unchanged. */
const jstr = (s: string) => cjsonString(Buffer.from(s, "utf8")).toString("latin1");
const bytesOf = (s: string) => Buffer.from(s, "utf8").toString("latin1");

/** The "tst" field: mosquitto writes 'Z' after the microseconds and then the zone offset. */
function tst(now: Date, ns: number): string {
  return strftime("%Y-%m-%dT%H:%M:%S", now) + `.${String(Math.floor(ns / 1000)).padStart(6, "0")}Z` + strftime("%z", now);
}

/** The properties object of %j / %J, keys in the order the message carried them (user properties where the first was). */
function jsonProperties(p: Properties | undefined): string | undefined {
  if (!p) return undefined;
  const parts: string[] = [];
  for (const [key, v] of Object.entries(p)) {
    if (v === undefined) continue;
    switch (key) {
      case "userProperties":
        parts.push(`"user-properties":{${userPairs(p).map(([k, x]) => `${jstr(k)}:${jstr(x)}`).join(",")}}`);
        break;
      case "contentType": parts.push(`"content-type":${jstr(String(v))}`); break;
      case "responseTopic": parts.push(`"response-topic":${jstr(String(v))}`); break;
      case "correlationData": {
        parts.push(`"correlation-data":${cjsonString(Buffer.isBuffer(v) ? v : Buffer.from(String(v))).toString("latin1")}`);
        break;
      }
      case "payloadFormatIndicator": parts.push(`"payload-format-indicator":${Number(v)}`); break;
      case "messageExpiryInterval": parts.push(`"message-expiry-interval":${Number(v)}`); break;
      case "subscriptionIdentifier": parts.push(`"subscription-identifier":${Number(first(v))}`); break;
      case "topicAlias": parts.push(`"topic-alias":${Number(v)}`); break;
    }
  }
  return parts.length > 0 ? `{${parts.join(",")}}` : undefined;
}

/** %j (escaped: the payload as a string) and %J (the payload must be JSON), as byte strings. */
function json(m: FormatMessage, now: Date, ns: number, escaped: boolean): string | undefined {
  const fields = [`"tst":"${tst(now, ns)}"`, `"topic":${jstr(m.topic)}`, `"qos":${m.qos}`, `"retain":${m.retain ? 1 : 0}`,
    `"payloadlen":${m.payload.length}`];
  if (m.qos > 0) fields.push(`"mid":${m.messageId}`);
  const props = jsonProperties(m.properties);
  if (props) fields.push(`"properties":${props}`);
  let body: string;
  if (m.payload.length === 0) body = "null";
  else if (escaped) body = cjsonString(m.payload).toString("latin1");
  else {
    try {
      body = bytesOf(JSON.stringify(JSON.parse(m.payload.toString("utf8"))));
    } catch {
      return undefined;
    }
  }
  fields.push(`"payload":${body}`);
  return `{${fields.join(",")}}`;
}

/** One message in a format; `eol` adds the newline (off with -N); `error` reports a %J payload that is not JSON. */
export function renderFormat(format: string, m: FormatMessage, eol: boolean, error: (line: string) => void, clock = new Date()): Buffer {
  const ns = (clock.getTime() % 1000) * 1_000_000;
  const out: Buffer[] = [];
  const text = (t: string) => out.push(Buffer.from(t, "utf8"));
  const p = m.properties as Record<string, unknown> | undefined;
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c === "\\" && i < format.length - 1) {
      text(ESCAPES[format[++i]] ?? "");
    } else if (c === "@" && i < format.length - 1) {
      const l = format[++i];
      text(l === "@" ? "@" : l === "N" ? String(ns).padStart(9, "0") : strftime(`%${l}`, clock));
    } else if (c === "%" && i < format.length - 1) {
      const s: Spec = { align: false, zero: false, width: 0, precision: -1 };
      i++;
      if (format[i] === "-") { s.align = true; if (i < format.length - 1) i++; }
      if (format[i] === "0") { s.zero = true; if (i < format.length - 1) i++; }
      for (; i < format.length - 1 && format[i] >= "0" && format[i] <= "9"; i++) s.width = s.width * 10 + Number(format[i]);
      if (format[i] === "." && i < format.length - 1) {
        s.precision = 0;
        for (i++; i < format.length - 1 && format[i] >= "0" && format[i] <= "9"; i++) s.precision = s.precision * 10 + Number(format[i]);
      }
      out.push(field(format[i], m, p, s, clock, ns, error));
    } else if (c !== "\\" && c !== "@" && c !== "%") {
      text(c);
    }
  }
  if (eol) text("\n");
  return Buffer.concat(out);
}

function field(f: string, m: FormatMessage, p: Record<string, unknown> | undefined, s: Spec, clock: Date, ns: number,
  error: (line: string) => void): Buffer {
  const none = Buffer.alloc(0);
  switch (f) {
    case "%": return Buffer.from("%");
    case "A": return optionalInt(p?.topicAlias, s);
    case "C": return p?.contentType === undefined ? Buffer.from(" ".repeat(s.width)) : str(String(p.contentType), s);
    case "D": {
      const v = p?.correlationData;
      return v === undefined ? none : Buffer.isBuffer(v) ? v : Buffer.from(String(v));
    }
    case "E": return optionalInt(p?.messageExpiryInterval, s);
    case "F": return optionalInt(p?.payloadFormatIndicator === undefined ? undefined : Number(p.payloadFormatIndicator), s);
    case "I": return str(strftime("%Y-%m-%dT%H:%M:%S%z", clock), s);
    case "j": return Buffer.from(json(m, clock, ns, true)!, "latin1");
    case "J": {
      const j = json(m, clock, ns, false);
      if (j === undefined) error(`Error: Message payload is not valid JSON on topic ${m.topic}.`);
      return Buffer.from(j ?? "", "latin1");
    }
    case "l": return int(m.payload.length, s);
    case "m": return int(m.messageId, s);
    case "P": return Buffer.from(userPairs(m.properties).map(([k, v]) => `${k}:${v}`).join(" "));
    case "p": return payload(m.payload, 0, s);
    case "q": return Buffer.from(String(m.qos));
    case "R": return p?.responseTopic === undefined ? none : str(String(p.responseTopic), s);
    case "r": return Buffer.from(m.retain ? "1" : "0");
    case "S": return optionalInt(first(p?.subscriptionIdentifier), s);
    case "t": return str(m.topic, s);
    case "U": return Buffer.from(`${Math.floor(clock.getTime() / 1000)}.${String(ns).padStart(9, "0")}`);
    case "x": return payload(m.payload, 1, s);
    case "X": return payload(m.payload, 2, s);
  }
  return none;
}
