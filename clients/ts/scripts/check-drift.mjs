// Generates the typed documents into a temporary folder and fails when they differ from the
// committed src/gql: the same check the Rust client gets by compiling against schema.graphql.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const committed = join(root, "src", "gql");
const fresh = mkdtempSync(join(tmpdir(), "clubgrid-gql-"));
const read = (dir, name) => {
  try {
    return readFileSync(join(dir, name), "utf8");
  } catch {
    return null;
  }
};
let drift = [];
try {
  execFileSync("npx", ["graphql-codegen", "--config", "codegen.ts", "--silent"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, CODEGEN_OUT: `${fresh}/` },
  });
  const names = new Set([...readdirSync(fresh), ...readdirSync(committed)]);
  drift = [...names].filter((name) => read(fresh, name) !== read(committed, name));
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
if (drift.length > 0) {
  console.error(`clients/ts/src/gql is out of date (${drift.join(", ")}): run \`npm run codegen\` and commit the result.`);
  process.exit(1);
}
console.log("clients/ts/src/gql matches schema.graphql and the app's operations");
