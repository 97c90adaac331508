// Prints the JavaScript each page's first load fetches (its module script and modulepreloads),
// raw and gzipped, from dist/, and brotli as the binary serves it to browsers that accept it
// (the build's .br files). Run after `npm run build`. Fails when a page is over its limit.
import { existsSync, readFileSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

const dist = join(import.meta.dirname, "..", "dist");
// The staff app on a desk's connection; the public page on a phone's.
const PAGES = [
  ["index.html", "staff app", 300],
  ["book.html", "public booking page", 150],
];

let failed = false;
for (const [page, name, limit] of PAGES) {
  const html = readFileSync(join(dist, page), "utf8");
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
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
    console.log(`${page}\t${file}\t${(bytes.length / 1024).toFixed(1)} KB\t${(gz / 1024).toFixed(1)} KB gzip\t${(br / 1024).toFixed(1)} KB brotli`);
  }
  console.log(`${name} (${page}) first load JS and CSS: ${(raw / 1024).toFixed(1)} KB, ${(gzip / 1024).toFixed(1)} KB gzipped (limit ${limit} KB), ${(brotli / 1024).toFixed(1)} KB as served with brotli`);
  if (gzip > limit * 1024) failed = true;
}
if (failed) process.exit(1);
