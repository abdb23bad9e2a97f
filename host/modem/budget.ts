// Every bound on what the modem driver takes from a modem, in one place. A modem that says more
// than these is broken or misconfigured (wrong baud rate, wrong dialect, a firmware bug), and
// the driver fails the command rather than buffer without end. A read's byte budget is not here:
// it is the count the read command itself asked for (Exchange.maxDataBytes).

/** A longer line is cut (and is surely garbage): no modem reply line comes close. */
export const LINE_BYTES_MAX = 1024;

/** A raw header announcing more is not believed (and is passed on as a line): far above any one read or push of a modem (a few kB). */
export const RAW_BYTES_MAX = 65536;

/**
 * Info lines (neither URC, echo nor final result) one command may print. The longest list a
 * command of ours asks for is AT+QIACT?, one line per PDP context, and a BG96 has 16 contexts;
 * twice that leaves room for status lines the dialect has no URC for (+CEREG, +CGEV) during a
 * long command such as AT+QIACT=1.
 */
export const INFO_LINES_MAX = 32;

/** An offending reply is quoted in an error message up to this many characters. */
export const REPLY_QUOTE_CHARS = 64;
