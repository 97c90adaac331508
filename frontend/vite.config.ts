import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import type { Plugin } from "vite";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vitest/config";

// Three pages in one build: the staff app (index.html), GraphiQL (graphiql.html) and the
// public booking page with the client cabinet (book.html, served at /book/<location>). The
// binary embeds dist/ and serves it; `npm run dev` proxies the API of a local `clubgrid serve`.
const api = process.env.CLUBGRID_API ?? "http://127.0.0.1:8080";

/** Text files worth compressing; images and fonts are compressed already. */
const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|txt|map|wasm)$/;

// Writes `file.br` and `file.gz` next to every compressible file of the build that they make
// smaller, so the binary can serve them as they are to browsers that accept them.
function precompress(): Plugin {
  let outDir = "dist";
  return {
    name: "clubgrid-precompress",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    writeBundle(_options, bundle) {
      for (const name of Object.keys(bundle)) {
        if (!COMPRESSIBLE.test(name)) continue;
        const path = join(outDir, name);
        const raw = readFileSync(path);
        if (raw.length < 1024) continue;
        const br = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } });
        const gz = gzipSync(raw, { level: 9 });
        if (br.length < raw.length) writeFileSync(`${path}.br`, br);
        if (gz.length < raw.length) writeFileSync(`${path}.gz`, gz);
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), tailwindcss(), precompress()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      input: {
        app: resolve(import.meta.dirname, "index.html"),
        graphiql: resolve(import.meta.dirname, "graphiql.html"),
        book: resolve(import.meta.dirname, "book.html"),
      },
    },
  },
  server: {
    proxy: {
      "/graphql": { target: api, ws: true },
    },
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
