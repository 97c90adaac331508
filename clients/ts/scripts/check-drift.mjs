// Regenerates the typed documents and fails when the committed ones differ: the same check the
// Rust client gets by compiling against schema.graphql.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const generated = join(root, "src", "gql");
const saved = mkdtempSync(join(tmpdir(), "clubgrid-gql-"));
cpSync(generated, saved, { recursive: true });
let drift = [];
try {
  execFileSync("npx", ["graphql-codegen", "--config", "codegen.ts", "--silent"], {
    cwd: root,
    stdio: "inherit",
  });
  const names = new Set([...readdirSync(saved), ...readdirSync(generated)]);
  for (const name of names) {
    const read = (dir) => {
      try {
        return readFileSync(join(dir, name), "utf8");
      } catch {
        return null;
      }
    };
    if (read(saved) !== read(generated)) drift.push(name);
  }
} finally {
  if (drift.length > 0) {
    console.error(
      `clients/ts/src/gql is out of date (${drift.join(", ")}): run \`npm run codegen\` and commit the result.`,
    );
  }
  rmSync(saved, { recursive: true, force: true });
}
process.exit(drift.length > 0 ? 1 : 0);
