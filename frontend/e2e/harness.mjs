// Starts the real `clubgrid serve --demo` on a fresh SQLite file and a free port, and one
// headless Chromium (Debian's, never a downloaded one) for the whole test file.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
export const screenshots = join(here, "screenshots");
export const fixtures = join(here, "fixtures");

function binary() {
  if (process.env.E2E_CLUBGRID_BIN) return process.env.E2E_CLUBGRID_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? join(repo, "target");
  const path = join(target, "debug", "clubgrid");
  if (!existsSync(path)) throw new Error(`no clubgrid binary at ${path}: build it or set E2E_CLUBGRID_BIN`);
  return path;
}

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
    server.on("error", fail);
  });
}

/** `env`: more CLUBGRID_* settings for this server (e.g. a short hold, a bot token). */
export async function startServer({ env = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "clubgrid-e2e-"));
  const port = await freePort();
  const child = spawn(binary(), ["serve", "--demo"], {
    env: {
      // The server reads every CLUBGRID_* variable and refuses unknown ones: pass only ours.
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("CLUBGRID_"))),
      CLUBGRID_DATABASE_URL: `sqlite://${join(dir, "demo.db")}?mode=rwc`,
      CLUBGRID_LISTEN: `127.0.0.1:${port}`,
      CLUBGRID_LOG: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`clubgrid did not start:\n${output}`)), 60_000);
    const read = (chunk) => {
      output += chunk;
      if (output.includes("listening on")) {
        clearTimeout(timer);
        ok();
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`clubgrid exited with ${code}:\n${output}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    /** Everything the server has printed so far (its log). */
    output: () => output,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((ok) => (child.exitCode !== null ? ok() : child.on("exit", ok)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launch() {
  mkdirSync(screenshots, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--headless",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/** A GraphQL call from the test itself (setup only; the scenarios go through the UI). */
export async function gql(url, query, variables = {}, token) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${url}/graphql`, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

export async function signIn(page, url, username) {
  await page.goto(url + "/");
  await page.getByLabel("Логин").fill(username);
  await page.getByLabel("Пароль").fill("demo12345");
  await page.getByRole("button", { name: "Войти" }).click();
  await page.getByTestId("whoami").waitFor();
}

/**
 * The PCs the demo has booked ahead (its bookings for tonight): a walk-in start or a new
 * booking that should meet no booking stays off them.
 */
export async function bookedPcs(url, token) {
  const { pcBookings } = await gql(url, `{ pcBookings(filter: { status: ACTIVE }, page: { limit: 100 }) { items { resourceIds } } }`, {}, token);
  const ids = new Set(pcBookings.items.flatMap((b) => b.resourceIds));
  const { resources } = await gql(url, `{ resources(page: { limit: 100 }) { items { id name } } }`, {}, token);
  return resources.items.filter((r) => ids.has(r.id)).map((r) => r.name);
}

/** A phone: the public page is mobile first. */
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "ru-RU" };

export async function shot(page, name) {
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}
