// Espressif ESP-AT (ESP8266 / ESP32 AT firmware), single-connection mode (AT+CIPMUX=0).
// Pull mode: AT+CIPRECVMODE=1, the modem prints `+IPD,n` when data waits and the driver reads
// it with AT+CIPRECVDATA=n (`+CIPRECVDATA:m,<m bytes>` then OK; ERROR when nothing waits).
// Push-mode `+IPD,n:<n bytes>` is understood too, in case a modem ignores CIPRECVMODE.
// Transparent mode: AT+CIPMODE=1, AT+CIPSEND (no length) -> `>` -> passthrough; `+++` leaves it.
// ESP-AT has no AT+CMEE. Caution from the field: in transparent mode the ESP silently reconnects
// after a TCP break and never says so, so a broken connection is noticed only by MQTT keepalive.
import { HAYES_FAIL, HAYES_OK, type Dialect } from "../dialect.ts";

export const ESP_AT: Dialect = {
  name: "esp-at",
  ok: HAYES_OK,
  fail: [...HAYES_FAIL, /^FAIL$/, /^busy [ps]\.\.\.$/],
  busy: /^busy [ps]\.\.\.$/,
  sync: [{ cmd: "ATE0", timeoutMs: 1000 }],
  configure: {
    pull: [
      { cmd: "AT+CIPMUX=0", timeoutMs: 1000, optional: true },
      { cmd: "AT+CIPMODE=0", timeoutMs: 1000, optional: true },
      { cmd: "AT+CIPRECVMODE=1", timeoutMs: 1000 },
    ],
    transparent: [
      { cmd: "AT+CIPMUX=0", timeoutMs: 1000, optional: true },
      { cmd: "AT+CIPRECVMODE=0", timeoutMs: 1000, optional: true },
      { cmd: "AT+CIPMODE=1", timeoutMs: 1000 },
    ],
  },
  bearerUp: [
    { cmd: "AT+CWMODE=1", timeoutMs: 2000, needs: "ssid" },
    { cmd: 'AT+CWJAP="{ssid}","{password}"', timeoutMs: 20000, needs: "ssid", fail: [...HAYES_FAIL, /^FAIL$/] },
  ],
  bearerReset: [],
  open: {
    pull: { cmd: 'AT+CIPSTART="TCP","{host}",{port}', timeoutMs: 20000, fail: [...HAYES_FAIL, /^ALREADY CONNECTED$/] },
  },
  alreadyOpen: /^ALREADY CONNECTED$/,
  closeAfterFailedOpen: false,
  send: {
    cmd: "AT+CIPSEND={n}",
    maxBytes: 2048,
    timeoutMs: 10000,
    ok: [/^SEND OK$/],
    fail: [/^SEND FAIL$/, ...HAYES_FAIL, /^busy [ps]\.\.\.$/],
    retry: [],
  },
  read: { cmd: "AT+CIPRECVDATA={n}", maxBytes: 1500, timeoutMs: 5000, errorMeansEmpty: true },
  close: { cmd: "AT+CIPCLOSE", timeoutMs: 5000, optional: true },
  closeAfterRemoteClose: false,
  rawRules: [
    { prefix: "+IPD,", end: ":", pattern: /^\+IPD,(?:\d,)?(\d+)(?:,"[^"]*",\d+)?$/, tag: "push" },
    { prefix: "+CIPRECVDATA:", end: ",", pattern: /^\+CIPRECVDATA:(\d+)$/, tag: "read" },
    { prefix: "+CIPRECVDATA,", end: ":", pattern: /^\+CIPRECVDATA,(\d+)$/, tag: "read" },
  ],
  urcs: [
    { pattern: /^\+IPD,(?:\d,)?\d+$/, kind: "data" },
    { pattern: /^(?:\d,)?CLOSED$/, kind: "closed" },
    { pattern: /^WIFI DISCONNECT$/, kind: "bearer-lost" },
    { pattern: /^ready$/, kind: "reboot" },
    { pattern: /^(?:\d,)?CONNECT$|^WIFI (?:CONNECTED|GOT IP)$|^Recv \d+ bytes$/, kind: "info" },
  ],
  transparent: {
    start: { cmd: "AT+CIPSEND", timeoutMs: 5000 },
    escape: "+++",
    guardMs: 1000,
  },
};
