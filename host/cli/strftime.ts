// The strftime conversions mote sub -F needs (mosquitto's '@' fields, %I, %U and %j's time
// stamp), in local time as C's localtime() gives it. Letters outside this table print nothing.
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

const two = (n: number) => String(n).padStart(2, "0");

function zone(d: Date): string {
  const off = -d.getTimezoneOffset();
  const abs = Math.abs(off);
  return `${off < 0 ? "-" : "+"}${two(Math.floor(abs / 60))}${two(abs % 60)}`;
}

function dayOfYear(d: Date): number {
  const start = new Date(d.getFullYear(), 0, 1);
  return Math.round((new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() - start.getTime()) / 86_400_000) + 1;
}

function letter(l: string, d: Date): string {
  switch (l) {
    case "Y": return String(d.getFullYear());
    case "y": return two(d.getFullYear() % 100);
    case "C": return two(Math.floor(d.getFullYear() / 100));
    case "m": return two(d.getMonth() + 1);
    case "d": return two(d.getDate());
    case "e": return String(d.getDate()).padStart(2, " ");
    case "H": return two(d.getHours());
    case "I": return two(d.getHours() % 12 || 12);
    case "M": return two(d.getMinutes());
    case "S": return two(d.getSeconds());
    case "p": return d.getHours() < 12 ? "AM" : "PM";
    case "j": return String(dayOfYear(d)).padStart(3, "0");
    case "a": return DAYS[d.getDay()].slice(0, 3);
    case "A": return DAYS[d.getDay()];
    case "b": case "h": return MONTHS[d.getMonth()].slice(0, 3);
    case "B": return MONTHS[d.getMonth()];
    case "u": return String(d.getDay() || 7);
    case "w": return String(d.getDay());
    case "s": return String(Math.floor(d.getTime() / 1000));
    case "z": return zone(d);
    case "F": return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
    case "T": return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
    case "R": return `${two(d.getHours())}:${two(d.getMinutes())}`;
    case "D": return `${two(d.getMonth() + 1)}/${two(d.getDate())}/${two(d.getFullYear() % 100)}`;
    case "n": return "\n";
    case "t": return "\t";
    case "%": return "%";
  }
  return "";
}

/** Formats a time: '%' followed by a letter is converted, anything else is copied. */
export function strftime(format: string, d: Date): string {
  let out = "";
  for (let i = 0; i < format.length; i++) {
    if (format[i] === "%" && i + 1 < format.length) out += letter(format[++i], d);
    else out += format[i];
  }
  return out;
}
