// Quectel BG95 / BG96 (LTE-M, NB-IoT), context 1, socket 0.
// Pull mode is buffer access mode (last field of AT+QIOPEN = 0): `+QIURC: "recv",0` says data
// waits, AT+QIRD=0,n answers `+QIRD: m` CR LF, m raw bytes, CR LF OK (`+QIRD: 0` when empty).
// The modem prints no new "recv" URC until the buffer has been read empty, so the driver reads
// until a read comes back short. Transparent mode is access mode 2: CONNECT, then passthrough
// until `+++` (1 s guard times, answered OK) or NO CARRIER when the server closes.
import { HAYES_FAIL, HAYES_OK, type Dialect } from "../dialect.ts";

export const BG96: Dialect = {
  name: "bg96",
  ok: HAYES_OK,
  fail: HAYES_FAIL,
  sync: [
    { cmd: "ATE0", timeoutMs: 1000 },
    { cmd: "AT+CMEE=2", timeoutMs: 1000, optional: true },
  ],
  configure: {
    pull: [{ cmd: 'AT+QICSGP=1,1,"{apn}","","",1', timeoutMs: 5000, needs: "apn" }],
    transparent: [{ cmd: 'AT+QICSGP=1,1,"{apn}","","",1', timeoutMs: 5000, needs: "apn" }],
  },
  bearerUp: [
    { cmd: "AT+QIACT?", timeoutMs: 5000, doneIf: /^\+QIACT: 1,1/ },
    { cmd: "AT+QIACT=1", timeoutMs: 150000 },
  ],
  bearerReset: [{ cmd: "AT+QIDEACT=1", timeoutMs: 40000, optional: true }],
  open: {
    pull: { cmd: 'AT+QIOPEN=1,0,"TCP","{host}",{port},0,0', timeoutMs: 150000, then: /^\+QIOPEN: 0,(\d+)$/, thenOk: "0" },
    transparent: {
      cmd: 'AT+QIOPEN=1,0,"TCP","{host}",{port},0,2',
      timeoutMs: 150000,
      ok: [/^CONNECT$/],
      fail: [...HAYES_FAIL, /^\+QIOPEN: 0,[1-9]\d*$/, /^NO CARRIER$/],
    },
  },
  alreadyOpen: /^\+QIOPEN: 0,563$/,
  closeAfterFailedOpen: true,
  send: {
    cmd: "AT+QISEND=0,{n}",
    maxBytes: 1460,
    timeoutMs: 10000,
    ok: [/^SEND OK$/],
    fail: [/^SEND FAIL$/, ...HAYES_FAIL],
    retry: [/^SEND FAIL$/],
  },
  read: { cmd: "AT+QIRD=0,{n}", maxBytes: 1500, timeoutMs: 5000, errorMeansEmpty: false },
  close: { cmd: "AT+QICLOSE=0", timeoutMs: 10000, optional: true },
  closeAfterRemoteClose: true,
  rawRules: [
    { prefix: "+QIRD: ", end: "\n", pattern: /^\+QIRD: (\d+)$/, tag: "read" },
    // Direct push mode (access mode 1), should a modem be left in it.
    { prefix: '+QIURC: "recv",0,', end: "\n", pattern: /^\+QIURC: "recv",0,(\d+)$/, tag: "push" },
  ],
  urcs: [
    { pattern: /^\+QIURC: "recv",0$/, kind: "data" },
    { pattern: /^\+QIURC: "closed",0$|^NO CARRIER$/, kind: "closed" },
    { pattern: /^\+QIURC: "pdpdeact",1$/, kind: "bearer-lost" },
    { pattern: /^RDY$|^(?:NORMAL )?POWER(?:ED)? DOWN$/, kind: "reboot" },
    { pattern: /^APP RDY$|^\+CPIN: READY$|^\+QIND: |^\+CFUN: 1$|^\+QIOPEN: /, kind: "info" },
  ],
  transparent: {
    escape: "+++",
    guardMs: 1000,
    escapeReply: "\r\nOK\r\n",
    closedMarker: "\r\nNO CARRIER\r\n",
  },
};
