// The client cabinet on a phone, against the real binary on a fresh SQLite demo with a bot
// token: the Telegram Mini App signs a client in with `initData` signed by that token (the
// first time with a one-time code, then at once), tampered, stale and foreign-bot `initData`
// are refused, and outside Telegram a one-time code signs the client in. The code is read
// from the server's log, where `--demo` writes it. Screenshots in e2e/screenshots/cabinet-*.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { PHONE, gql, launch, shot, startServer } from "./harness.mjs";

const TOKEN = "7001234567:AAFe2eTOKENforTHEminiAPPsignIN_xyz";
const FOREIGN = "7009999999:AAFsomeOTHERbotTOKENaltogether_abc";
const PHONE_NO = "+77017770000";

/** `initData` as Telegram signs it for a bot: sorted fields, HMAC-SHA256 under the token's key. */
function initData({ userId = 5001, firstName = "Жанна", authDate = Math.floor(Date.now() / 1000), token = TOKEN } = {}) {
  const fields = { auth_date: String(authDate), query_id: "AAE1", user: JSON.stringify({ id: userId, first_name: firstName, language_code: "ru" }) };
  const check = Object.keys(fields).sort().map((k) => `${k}=${fields[k]}`).join("\n");
  const secret = createHmac("sha256", "WebAppData").update(token).digest();
  const hash = createHmac("sha256", secret).update(check).digest("hex");
  return new URLSearchParams({ ...fields, hash }).toString();
}

/** The page as Telegram opens a Mini App: its launch data in the URL's fragment. */
function miniAppUrl(base, slug, data) {
  return `${base}/book/${slug}/me#tgWebAppData=${encodeURIComponent(data)}&tgWebAppVersion=8.0&tgWebAppPlatform=android`;
}

describe("client cabinet", () => {
  let server;
  let browser;
  let slug;

  before(async () => {
    server = await startServer({ env: { CLUBGRID_TELEGRAM_BOT_TOKEN: TOKEN, CLUBGRID_LOG: "warn,clubgrid_api::cabinet=info" } });
    browser = await launch();
    const { login } = await gql(server.url, `mutation { login(username: "admin", password: "demo12345") { accessToken } }`);
    const token = login.accessToken;
    const { locations } = await gql(server.url, `{ locations { items { slug } } }`, {}, token);
    slug = locations.items[0].slug;
    const { createClient } = await gql(server.url, `mutation($input: CreateClientInput!) { createClient(input: $input) { id } }`, { input: { firstName: "Жанна", lastName: "Ким", phone: PHONE_NO } }, token);
    for (const [measuredOn, weight, waist, period] of [
      ["2026-10-01", 72.4, 81, "before"],
      ["2026-10-15", 71.2, 79.5, "week_2"],
      ["2026-11-01", 70.1, 78, "week_4"],
    ]) {
      await gql(server.url, `mutation($input: JournalEntryInput!) { addJournalEntry(input: $input) { id } }`, { input: { clientId: createClient.id, measuredOn, weight, waist, period } }, token);
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** The server's log without its colours. */
  const log = () => server.output().replace(/\x1b\[[0-9;]*m/g, "");

  /** The newest one-time code the server wrote to its log. */
  async function codeFromLog() {
    for (let i = 0; i < 50; i++) {
      const codes = [...log().matchAll(/code=(\d{6})/g)];
      if (codes.length > 0) return codes[codes.length - 1][1];
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no code in the log:\n${server.output()}`);
  }

  async function signInWithCode(page) {
    const before = [...log().matchAll(/code=(\d{6})/g)].length;
    await page.getByLabel("Телефон").fill("8 701 777 00 00");
    await page.getByRole("button", { name: "Получить код" }).click();
    await page.getByText(/Код отправлен/).waitFor();
    for (let i = 0; i < 50 && [...log().matchAll(/code=(\d{6})/g)].length === before; i++) await new Promise((r) => setTimeout(r, 100));
    await page.getByLabel("Код из сообщения").fill(await codeFromLog());
    await page.getByRole("button", { name: "Войти" }).click();
  }

  test("the Mini App links by a one-time code the first time, then signs in at once", async () => {
    const page = await (await browser.newContext(PHONE)).newPage();
    await page.goto(miniAppUrl(server.url, slug, initData()));
    // Not linked yet: the page asks for the phone.
    await page.getByText("Вход в личный кабинет").waitFor();
    await shot(page, "cabinet-1-mini-app-first-time");
    await signInWithCode(page);
    await page.getByTestId("cabinet-name").getByText("Здравствуйте, Жанна").waitFor();
    await page.getByRole("img", { name: /Вес, кг/ }).waitFor();
    await shot(page, "cabinet-2-signed-in");

    // A fresh phone (no saved session), the same Telegram user: signed in with no input.
    const again = await (await browser.newContext(PHONE)).newPage();
    await again.goto(miniAppUrl(server.url, slug, initData()));
    await again.getByTestId("cabinet-name").getByText("Здравствуйте, Жанна").waitFor();
    await shot(again, "cabinet-3-mini-app-again");
  });

  test("tampered, stale and foreign-bot initData are refused", async () => {
    const good = initData({ userId: 6001, firstName: "Асель" });
    const cases = [
      ["tampered", good.replace("6001", "6002"), "Подпись данных Telegram не сходится"],
      ["stale", initData({ userId: 6001, authDate: Math.floor(Date.now() / 1000) - 2 * 86_400 }), "Данные Telegram устарели"],
      ["foreign", initData({ userId: 6001, token: FOREIGN }), "Подпись данных Telegram не сходится"],
    ];
    for (const [what, data, message] of cases) {
      const page = await (await browser.newContext(PHONE)).newPage();
      await page.goto(miniAppUrl(server.url, slug, data));
      await page.getByRole("alert").getByText(new RegExp(message)).waitFor();
      assert.equal(await page.getByTestId("cabinet").count(), 0, `${what}: no cabinet`);
      if (what === "tampered") await shot(page, "cabinet-4-refused");
      await page.context().close();
    }
  });

  test("outside Telegram a one-time code signs the client in", async () => {
    const page = await (await browser.newContext(PHONE)).newPage();
    await page.goto(`${server.url}/book/${slug}/me`);
    await signInWithCode(page);
    await page.getByTestId("cabinet-name").getByText("Здравствуйте, Жанна").waitFor();
    // Signing out ends the session on this phone.
    await page.getByRole("button", { name: "Выйти" }).click();
    await page.getByText("Вход в личный кабинет").waitFor();
  });
});
