// The Device API as a user's editor sees it: consumer scripts (test/fixtures/types/) compiled
// with the TypeScript compiler under --strict, with "mqtt-mote" resolving to host/index.ts. The
// correct one compiles, and so do the host files it reaches, without AssemblyScript's types (an
// `i32` in a file the host imports fails here); each wrong one fails with the diagnostic named.
import ts from "typescript";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../style/source.ts";
import { PROPERTY_TABLE } from "../../host/properties.ts";

const FIXTURES = join(ROOT, "test", "fixtures", "types");

/** Each failing fixture: the one diagnostic it must produce (code, line, words of the message). */
const MUST_FAIL: Record<string, { code: number; line: number; says: string[] }> = {
  "misspelt-property.mts": {
    code: 2353, line: 4, says: ["Object literal may only specify known properties, and 'sessionExpiry' does not exist in type 'ConnectProperties'"],
  },
  "misspelt-publish-property.mts": {
    code: 2561, line: 4, says: ["'contentTyp' does not exist in type 'PublishProperties'", "Did you mean to write 'contentType'?"],
  },
  "wrong-payload-type.mts": { code: 2345, line: 4, says: ["Types of parameters 'payload' and 'payload' are incompatible", "not assignable to type 'string'"] },
  "wrong-event-name.mts": { code: 2345, line: 4, says: ["Argument of type '\"mesage\"' is not assignable to parameter of type 'keyof DeviceEvents'"] },
};
const MUST_COMPILE = ["consumer.mts", "mqtt-packet-names.mts"];

interface Found { file: string; code: number; line: number; text: string }

let program: ts.Program;
let found: Found[];

beforeAll(() => {
  const files = [...MUST_COMPILE, ...Object.keys(MUST_FAIL)].map((f) => join(FIXTURES, f));
  program = ts.createProgram(files, {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
    types: ["node"],
    paths: { "mqtt-mote": [join(ROOT, "host", "index.ts")] },
  });
  found = ts.getPreEmitDiagnostics(program).map((d) => ({
    file: d.file ? d.file.fileName.replace(`${ROOT}/`, "") : "(global)",
    code: d.code,
    line: d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0,
    text: ts.flattenDiagnosticMessageText(d.messageText, " "),
  }));
}, 120_000);

const inFixture = (name: string) => found.filter((d) => d.file === `test/fixtures/types/${name}`);

describe("types: a consumer of the Device API under --strict", () => {
  it("every fixture is in the program, and mqtt-mote resolves to the host", () => {
    const names = program.getSourceFiles().map((f) => f.fileName.replace(`${ROOT}/`, ""));
    expect(names).toEqual(expect.arrayContaining([...MUST_COMPILE, ...Object.keys(MUST_FAIL)].map((f) => `test/fixtures/types/${f}`)));
    expect(names).toContain("host/device.ts");
    expect(names.some((n) => n.includes("assemblyscript"))).toBe(false);
  });

  it("the host files a consumer reaches compile without AssemblyScript's types", () => {
    expect(found.filter((d) => !d.file.startsWith("test/fixtures/types/"))).toEqual([]);
  });

  for (const name of MUST_COMPILE) {
    it(`${name} compiles`, () => {
      expect(inFixture(name)).toEqual([]);
    });
  }

  for (const [name, want] of Object.entries(MUST_FAIL)) {
    it(`${name} fails with TS${want.code} on line ${want.line}`, () => {
      const got = inFixture(name);
      expect(got.map(({ code, line }) => ({ code, line }))).toEqual([{ code: want.code, line: want.line }]);
      for (const words of want.says) expect(got[0].text).toContain(words);
    });
  }

  it("Properties has a member for every property of the table, and no other", () => {
    const source = program.getSourceFile(join(ROOT, "host", "property-types.ts"))!;
    const decl = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === "Properties")!;
    const members = program.getTypeChecker().getTypeAtLocation(decl).getProperties().map((p) => p.name);
    expect(members.sort()).toEqual(PROPERTY_TABLE.map((p) => p.name).sort());
  });
});
