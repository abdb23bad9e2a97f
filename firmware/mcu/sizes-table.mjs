// The README's table of board sizes, generated from build/mcu/sizes.json
// (`node firmware/mcu/build.mjs --readme` rewrites it between its markers).
const START = "<!-- mcu-sizes:start -->";
const END = "<!-- mcu-sizes:end -->";

const ROWS = [
  ["firmware flash: the translated module's code and constants", "firmwareFlash"],
  ["firmware RAM: module memory and instance", "firmwareRam"],
  ["whole image: text", "imageText"],
  ["whole image: data", "imageData"],
  ["whole image: bss (stack, UART ring included)", "imageBss"],
  ["stack high-water mark, measured in QEMU", "stackMax"],
];

const bytes = (n) => (n == null ? "not measured" : n.toLocaleString("en-US"));

/** The Markdown table of sizes.json, with its markers. */
export function sizesTable(sizes) {
  const profiles = Object.keys(sizes);
  return [
    START,
    `| bytes | ${profiles.map((p) => `\`${p}\``).join(" | ")} |`,
    `|---|${profiles.map(() => "---:").join("|")}|`,
    ...ROWS.map(([label, key]) => `| ${label} | ${profiles.map((p) => bytes(sizes[p][key])).join(" | ")} |`),
    END,
  ].join("\n");
}

/** The README with its sizes table replaced (it must have the markers). */
export function withSizesTable(readme, sizes) {
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README.md has no ${START} ... ${END} block`);
  return readme.slice(0, from) + sizesTable(sizes) + readme.slice(to + END.length);
}
