// Prints the JavaScript the app's first load fetches (index.html's module script and its
// modulepreloads), raw and gzipped, from dist/. Run after `npm run build`.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

const dist = join(import.meta.dirname, "..", "dist");
const html = readFileSync(join(dist, "index.html"), "utf8");
const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
let raw = 0;
let gzip = 0;
for (const file of new Set(files)) {
  const bytes = readFileSync(join(dist, file));
  const gz = gzipSync(bytes, { level: 9 }).length;
  raw += bytes.length;
  gzip += gz;
  console.log(`${file}\t${(bytes.length / 1024).toFixed(1)} KB\t${(gz / 1024).toFixed(1)} KB gzip`);
}
console.log(`first load JS: ${(raw / 1024).toFixed(1)} KB, ${(gzip / 1024).toFixed(1)} KB gzipped (limit 300 KB)`);
if (gzip > 300 * 1024) process.exit(1);
