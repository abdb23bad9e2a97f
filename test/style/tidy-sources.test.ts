// Tidy for every source folder (firmware, host, sim, bin), after TigerBeetle's tidy.zig: small
// files, short lines, no unused imports or locals (the TypeScript checker with noUnusedLocals),
// and no export that nothing else uses. The firmware's own rules (no clock, no randomness, small
// functions) are in tidy.test.ts.
import ts from "typescript";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, sources, type SourceFile } from "./source.ts";

const FILE_LINES_MAX = 400;
const LINE_CHARS_MAX = 160;

const FOLDERS = ["firmware", "host", "sim", "bin"];
const all = FOLDERS.flatMap((d) => sources(d));
/** Where a use of an export may stand: every TypeScript file of the project, tests included. */
const users = [...all, ...sources("test")];

/**
 * Values a file exports by declaration (export function/class/const/let/enum). Exported types and
 * interfaces are left out (they cost nothing at run time and name a public signature's parts), and
 * so are named constants in UPPER_CASE: a budget or a model's parameter is exported to be found.
 */
function exportedValues(file: SourceFile): { name: string; line: number }[] {
  const sf = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true);
  const out: { name: string; line: number }[] = [];
  for (const st of sf.statements) {
    if (!ts.canHaveModifiers(st) || !ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    const line = sf.getLineAndCharacterOfPosition(st.getStart(sf)).line + 1;
    if (ts.isVariableStatement(st)) st.declarationList.declarations.forEach((d) => out.push({ name: d.name.getText(sf), line }));
    else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)) && st.name) out.push({ name: st.name.getText(sf), line });
  }
  return out;
}

describe("tidy: every source folder", () => {
  it("finds the sources", () => {
    expect(FOLDERS.map((d) => all.filter((f) => f.path.startsWith(`${d}/`)).length).every((n) => n > 0)).toBe(true);
  });

  it(`no source file is longer than ${FILE_LINES_MAX} lines`, () => {
    expect(all.filter((f) => f.lines.length > FILE_LINES_MAX).map((f) => `${f.path}: ${f.lines.length} lines`)).toEqual([]);
  });

  it(`no line is longer than ${LINE_CHARS_MAX} characters`, () => {
    const long = all.flatMap((f) => f.lines.flatMap((l, i) => (l.length > LINE_CHARS_MAX ? [`${f.path}:${i + 1}: ${l.length} characters`] : [])));
    expect(long).toEqual([]);
  });

  it("every export is used by another file", () => {
    const unused = all.flatMap((f) => exportedValues(f).filter(({ name }) => !/^[A-Z][A-Z0-9_]*$/.test(name)).filter(({ name }) => {
      const word = new RegExp(`\\b${name}\\b`);
      return !users.some((u) => u.path !== f.path && word.test(u.text));
    }).map(({ name, line }) => `${f.path}:${line} ${name}`));
    expect(unused).toEqual([]);
  });

  it("no unused import, local or private member (TypeScript's noUnusedLocals over the whole project)", () => {
    const config = ts.readConfigFile(join(ROOT, "tsconfig.json"), ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
    const program = ts.createProgram(parsed.fileNames, { ...parsed.options, noUnusedLocals: true, noEmit: true });
    const unused = ts.getPreEmitDiagnostics(program)
      .filter((d) => d.code === 6133 || d.code === 6138 || d.code === 6192 || d.code === 6196 || d.code === 6198)
      .map((d) => `${d.file ? d.file.fileName.replace(`${ROOT}/`, "") : "?"}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
    expect(unused).toEqual([]);
  }, 120_000);
});
