// The package's root directory, where package.json and build/firmware/ are: one level above host/
// when the sources run (a clone, through tsx), two above dist/host/ when the compiled copy does
// (the installed package). The file's path, not its URL, says which: tsx may add a query.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = fileURLToPath(import.meta.url);

export const PACKAGE_ROOT = join(dirname(HERE), HERE.endsWith(".ts") ? ".." : join("..", ".."));
