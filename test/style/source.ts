// Reads the firmware's sources for the style checks: file lists, line counts, and function
// extents found with the TypeScript parser (AssemblyScript is TypeScript syntax).
import ts from "typescript";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface SourceFile { path: string; text: string; lines: string[] }

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Every .ts file under a directory of the project, with paths relative to the project root. */
export function sources(dir: string): SourceFile[] {
  return walk(join(ROOT, dir))
    .filter((p) => p.endsWith(".ts"))
    .sort()
    .map((p) => {
      const text = readFileSync(p, "utf8");
      return { path: relative(ROOT, p), text, lines: text.replace(/\n$/, "").split("\n") };
    });
}

export interface FunctionExtent { file: string; name: string; line: number; lines: number }

function nameOf(node: ts.Node, sf: ts.SourceFile): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name) return named.name.getText(sf);
  if (ts.isConstructorDeclaration(node)) return "constructor";
  return "(anonymous)";
}

/** Every function, method, accessor and arrow function that has a body. */
export function functions(file: SourceFile): FunctionExtent[] {
  const sf = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true);
  const out: FunctionExtent[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ file: file.path, name: nameOf(node, sf), line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Names of the exported constants of a file, in order. */
export function exportedConstants(file: SourceFile): string[] {
  const sf = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true);
  return sf.statements
    .filter(ts.isVariableStatement)
    .filter((s) => s.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword))
    .flatMap((s) => s.declarationList.declarations.map((d) => d.name.getText(sf)));
}
