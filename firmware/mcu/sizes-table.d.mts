// Types of sizes-table.mjs for the TypeScript that imports it (host/budget-report.ts).
export type McuSizes = Record<string, Record<string, number | null>>;
/** The Markdown table of sizes.json, between its README markers. */
export function sizesTable(sizes: McuSizes): string;
/** The README with its sizes table replaced (it must have the markers). */
export function withSizesTable(readme: string, sizes: McuSizes): string;
