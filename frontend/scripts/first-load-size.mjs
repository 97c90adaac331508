// Prints the JavaScript the app's first load fetches (index.html's module script and its
// modulepreloads), raw and gzipped, from dist/, and brotli as the binary serves it to
// browsers that accept it (the build's .br files). Run after `npm run build`.
import { existsSync, readFileSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

const dist = join(import.meta.dirname, "..", "dist");
const html = readFileSync(join(dist, "index.html"), "utf8");
const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
let raw = 0;
let gzip = 0;
let brotli = 0;
for (const file of new Set(files)) {
  const bytes = readFileSync(join(dist, file));
  const gz = gzipSync(bytes, { level: 9 }).length;
  const br = existsSync(join(dist, `${file}.br`)) ? statSync(join(dist, `${file}.br`)).size : bytes.length;
  raw += bytes.length;
  gzip += gz;
  brotli += br;
  console.log(`${file}\t${(bytes.length / 1024).toFixed(1)} KB\t${(gz / 1024).toFixed(1)} KB gzip\t${(br / 1024).toFixed(1)} KB brotli`);
}
console.log(`first load JS: ${(raw / 1024).toFixed(1)} KB, ${(gzip / 1024).toFixed(1)} KB gzipped (limit 300 KB), ${(brotli / 1024).toFixed(1)} KB as served with brotli`);
if (gzip > 300 * 1024) process.exit(1);
