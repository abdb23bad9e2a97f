// Editors and type checkers see the default profile; the build serves firmware/profiles/<name>.ts here.
export * from "./profiles/default";
