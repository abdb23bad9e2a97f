// Text helpers: transcript escaping and AT argument parsing.

/** Bytes as readable text: printable ASCII as is, \r \n \t \\ escaped, the rest as \xHH. */
export function escapeBytes(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) {
    if (b === 0x0d) s += "\\r";
    else if (b === 0x0a) s += "\\n";
    else if (b === 0x09) s += "\\t";
    else if (b === 0x5c) s += "\\\\";
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += "\\x" + b.toString(16).padStart(2, "0");
  }
  return s;
}

/** Bytes of a string, one byte per character (latin1): AT text is ASCII. */
export function ascii(text: string): Buffer {
  return Buffer.from(text, "latin1");
}

/**
 * Comma-separated AT arguments; quotes are removed from quoted ones. Undefined when a quote is
 * not closed or something other than a comma follows a closing quote.
 */
export function parseArgs(text: string): string[] | undefined {
  const args: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) return undefined;
      args.push(text.slice(i + 1, end));
      i = end + 1;
      if (i < text.length && text[i] !== ",") return undefined;
    } else {
      const end = text.indexOf(",", i);
      const arg = (end < 0 ? text.slice(i) : text.slice(i, end)).trim();
      if (arg.includes('"')) return undefined;
      args.push(arg);
      i = end < 0 ? text.length : end;
    }
    if (i >= text.length) return args;
    i++; // the comma
  }
}

/** A decimal integer argument, or undefined when it is not one. */
export function intArg(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}
