// --help text, generated from the flag table so that every flag is documented.
import { flagsOf, type Command } from "./args.ts";
import { propertyHelp } from "./properties-flag.ts";

const SUMMARY: Record<Command, string> = {
  pub: "publish a message, a file, stdin, or each line of stdin (like mosquitto_pub)",
  sub: "subscribe and print the messages (like mosquitto_sub)",
};

const USAGE: Record<Command, string[]> = {
  pub: [
    "mote pub {[-h host] [-p port] [-u user] [-P password] -t topic | -L URL | --url URL -t topic}",
    "         {-m message | -f file | -s | -l | -n} [-q qos] [-r] [--repeat N [--repeat-delay S]] [options]",
  ],
  sub: [
    "mote sub {[-h host] [-p port] [-u user] [-P password] -t filter... | -L URL | --url URL -t filter...}",
    "         [-q qos] [-C count] [-W seconds] [-v | -F format] [-N] [-R | --retained-only] [-T filter]... [options]",
  ],
};

const FOOTER: Record<Command, string[]> = {
  pub: [
    "pub exits 0 only when every message completed (QoS 0: handed to the connection; QoS 1/2: acknowledged).",
    "It exits 1 when the broker refuses a message (reason code >= 0x80) or a message cannot be sent (too large).",
  ],
  sub: [
    "sub prints each message's payload (with -v: 'topic payload') followed by a newline (none with -N);",
    "an empty message prints nothing ('topic (null)' with -v). With -C it exits 0 after that many",
    "messages, with -E once subscribed; with -W it exits 27 when the time is up (as mosquitto_sub).",
    "",
    "-F format (mosquitto_sub 2.0.11's): %t topic, %p payload, %x/%X payload in hex, %l length,",
    "  %q QoS, %r retained (0/1), %m message id, %P user properties (name:value ...), %C content type,",
    "  %D correlation data, %E message expiry, %F payload format, %R response topic, %S subscription",
    "  identifier, %A topic alias, %I ISO 8601 time, %U Unix time, %j JSON, %J JSON with a JSON",
    "  payload, %% a '%'; %-10t, %05l, %.3t: align, zero pad, width, precision; @Y @m @d @H @M @S",
    "  @z ...: strftime letters of the local time, @N nanoseconds, @@ an '@'; \\n \\t \\e \\0 \\\\ escapes.",
  ],
};

const COMMON_FOOTER = [
  "A dropped connection is re-established by itself (-c resumes the session); a connection that",
  "fails before the first CONNACK is not retried. Errors are one line on stderr. Exit status:",
  "0 success, 1 runtime error (unreachable, protocol violation, refused message), 2 usage error;",
  "as mosquitto's: a refused CONNACK exits with its code (3.1.1 return code, 5.0 reason code).",
];

export function commandHelp(command: Command): string {
  const flags = flagsOf(command);
  const cols = flags.map((f) => `  ${f.names.join(", ")}${f.arg ? ` ${f.arg}` : ""}`);
  const width = Math.min(40, Math.max(...cols.map((c) => c.length)) + 2);
  const lines = [
    `mote ${command}: ${SUMMARY[command]}`,
    "",
    "Usage:",
    ...USAGE[command].map((u) => `  ${u}`),
    "",
    "Options:",
    ...flags.map((f, i) => (cols[i].length + 1 > width ? `${cols[i]}\n${" ".repeat(width)}${f.help}` : `${cols[i].padEnd(width)}${f.help}`)),
    "",
    "-D properties (MQTT 5; -D selects MQTT 5):",
    ...propertyHelp(command).map((l) => `  ${l}`),
    "  user-property takes a name and a value; other properties take one value.",
    "",
    ...FOOTER[command],
    ...COMMON_FOOTER,
  ];
  return lines.join("\n") + "\n";
}

export function mainHelp(): string {
  return [
    "mote: an MQTT 3.1.1/5.0 client on the mqtt-mote firmware, with mosquitto_pub/mosquitto_sub flags",
    "",
    "Usage:",
    "  mote pub [options]    " + SUMMARY.pub,
    "  mote sub [options]    " + SUMMARY.sub,
    "  mote sim [options]    a fleet of firmware sensors against a broker, with a byte and memory report",
    "  mote modem [options]  an emulated AT modem (ESP-AT, BG96) on a pty or a serial port",
    "  mote board [options]  the firmware, translated to C, on an emulated Cortex-M4 board (QEMU)",
    "  mote bridge [options] forward a board's raw MQTT between a serial port and a broker",
    "  mote <command> --help every option of a command",
    "  mote --version        the version of mqtt-mote",
    "",
    "Examples:",
    "  mote pub -h broker -t sensors/t -m 21.5 -q 1",
    "  seq 1000 | mote pub -t counter -l -q 1",
    "  mote sub -t 'sensors/#' -v -C 10",
    "  mote pub --url wss://broker:8081/mqtt -t a -m b -V 5 -D publish user-property unit C",
    "  mote pub --modem /dev/ttyUSB0 --dialect bg96 --apn iot -h broker -t t -m 21.5 -q 1",
    "  mote bridge --port /dev/ttyUSB0 --url mqtt://broker:1883",
    "  mote sim --sensors 500 --model temperature,gps --link latency=80ms,loss=1% --report out",
    "",
    ...COMMON_FOOTER,
  ].join("\n") + "\n";
}
