// SIMCom SIM800 / SIM7000 "TCP/IP application" commands, single connection (AT+CIPMUX=0).
// Pull mode is manual receive (AT+CIPRXGET=1): `+CIPRXGET: 1` says data waits, and
// AT+CIPRXGET=2,n answers `+CIPRXGET: 2,m,<left>` CR LF, m raw bytes, CR LF OK.
// The bearer: AT+CSTT (APN), AT+CIICR, AT+CIFSR (answers the IP address and no OK). The
// module's IP state machine only takes these in order, so configuration starts with AT+CIPSHUT.
// A length-less AT+CIPSEND ends on Ctrl-Z and is never used: it cannot carry binary data.
import { HAYES_FAIL, HAYES_OK, type Dialect } from "../dialect.ts";

export const SIMCOM: Dialect = {
  name: "simcom",
  ok: HAYES_OK,
  fail: HAYES_FAIL,
  sync: [
    { cmd: "ATE0", timeoutMs: 1000 },
    { cmd: "AT+CMEE=2", timeoutMs: 1000, optional: true },
  ],
  configure: {
    pull: [
      { cmd: "AT+CIPSHUT", timeoutMs: 65000, ok: [/^SHUT OK$/] },
      { cmd: "AT+CIPMUX=0", timeoutMs: 1000 },
      { cmd: "AT+CIPMODE=0", timeoutMs: 1000 },
      { cmd: "AT+CIPRXGET=1", timeoutMs: 1000 },
    ],
    transparent: [
      { cmd: "AT+CIPSHUT", timeoutMs: 65000, ok: [/^SHUT OK$/] },
      { cmd: "AT+CIPMUX=0", timeoutMs: 1000 },
      { cmd: "AT+CIPRXGET=0", timeoutMs: 1000, optional: true },
      { cmd: "AT+CIPMODE=1", timeoutMs: 1000 },
    ],
  },
  bearerUp: [
    { cmd: 'AT+CSTT="{apn}"', timeoutMs: 5000, needs: "apn" },
    { cmd: "AT+CIICR", timeoutMs: 85000 },
    { cmd: "AT+CIFSR", timeoutMs: 5000, ok: [/^\d{1,3}(?:\.\d{1,3}){3}$/] },
  ],
  bearerReset: [{ cmd: "AT+CIPSHUT", timeoutMs: 65000, ok: [/^SHUT OK$/], optional: true }],
  open: {
    pull: {
      cmd: 'AT+CIPSTART="TCP","{host}","{port}"',
      timeoutMs: 75000,
      fail: [...HAYES_FAIL, /^ALREADY CONNECT$/],
      then: /^(CONNECT OK|CONNECT FAIL|ALREADY CONNECT)$/,
      thenOk: "CONNECT OK",
    },
    transparent: {
      cmd: 'AT+CIPSTART="TCP","{host}","{port}"',
      timeoutMs: 75000,
      ok: [/^CONNECT$/],
      fail: [...HAYES_FAIL, /^CONNECT FAIL$/, /^ALREADY CONNECT$/],
    },
  },
  alreadyOpen: /^ALREADY CONNECT$/,
  closeAfterFailedOpen: false,
  send: {
    cmd: "AT+CIPSEND={n}",
    maxBytes: 1460,
    timeoutMs: 10000,
    ok: [/^SEND OK$/],
    fail: [/^SEND FAIL$/, ...HAYES_FAIL],
    retry: [],
  },
  read: { cmd: "AT+CIPRXGET=2,{n}", maxBytes: 1460, timeoutMs: 5000, errorMeansEmpty: false },
  close: { cmd: "AT+CIPCLOSE", timeoutMs: 5000, ok: [/^CLOSE OK$/], optional: true },
  closeAfterRemoteClose: false,
  rawRules: [{ prefix: "+CIPRXGET: 2,", end: "\n", pattern: /^\+CIPRXGET: 2,(\d+),\d+$/, tag: "read" }],
  urcs: [
    { pattern: /^\+CIPRXGET: 1$/, kind: "data" },
    { pattern: /^CLOSED$/, kind: "closed" },
    { pattern: /^\+PDP: DEACT$/, kind: "bearer-lost" },
    { pattern: /^RDY$|^NORMAL POWER DOWN$/, kind: "reboot" },
    { pattern: /^Call Ready$|^SMS Ready$|^\+CPIN: READY$|^\+CFUN: 1$/, kind: "info" },
  ],
  transparent: {
    escape: "+++",
    guardMs: 1000,
    escapeReply: "\r\nOK\r\n",
    closedMarker: "\r\nCLOSED\r\n",
  },
};
