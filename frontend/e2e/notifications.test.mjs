// The notification log in a real browser against the real binary, whose Telegram sender is
// pointed at a local fake of the Bot API: two clients linked to Telegram pay at the desk;
// one message is delivered, the other is refused (the client blocked the bot) and ends "not
// delivered". The admin finds it under its tab, sends it again once the client is reachable,
// and sets the location's quiet hours. An operator has no notifications screen.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";
import { gql, launch, shot, signIn, startServer } from "./harness.mjs";

const VIEW = { viewport: { width: 1366, height: 768 }, locale: "ru-RU" };
const REACHABLE = "7001";
const BLOCKED = "7002";

/** A fake Bot API: `sendMessage` to a blocked chat answers 403 until `unblock()`. */
async function fakeTelegram() {
  const sent = [];
  const blocked = new Set([BLOCKED]);
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const method = req.url.split("/").pop();
      const params = body ? JSON.parse(body) : {};
      res.setHeader("content-type", "application/json");
      if (method === "sendMessage" && blocked.has(String(params.chat_id))) {
        res.statusCode = 403;
        res.end(JSON.stringify({ ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" }));
        return;
      }
      if (method === "sendMessage") sent.push({ chat: String(params.chat_id), text: params.text });
      res.end(JSON.stringify({ ok: true, result: { message_id: sent.length } }));
    });
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    sent,
    unblock: () => blocked.clear(),
    close: () => new Promise((ok) => server.close(ok)),
  };
}

async function until(what, check, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

describe("notification log", () => {
  let telegram;
  let server;
  let browser;
  let page;
  let admin;

  before(async () => {
    telegram = await fakeTelegram();
    server = await startServer({
      env: {
        CLUBGRID_TELEGRAM_BOT_TOKEN: "123456:e2e",
        CLUBGRID_TELEGRAM_API_URL: telegram.url,
        CLUBGRID_NOTIFY_POLL_MS: "100",
      },
    });
    const login = async (username) => (await gql(server.url, `mutation($u: String!) { login(username: $u, password: "demo12345") { accessToken } }`, { u: username })).login.accessToken;
    admin = await login("admin");
    const operator = await login("operator");
    // The bot's key links two Telegram chats to new clients by their shared phones.
    const { createApiKey } = await gql(server.url, `mutation { createApiKey(name: "e2e bot", role: BOT) { secret } }`, {}, admin);
    const clients = [];
    for (const [chat, phone, firstName] of [
      [REACHABLE, "+77015557001", "Айгуль"],
      [BLOCKED, "+77015557002", "Руслан"],
    ]) {
      await gql(
        server.url,
        `mutation($c: SharedContactInput!, $w: TelegramUserInput!) { linkTelegramClient(contact: $c, who: $w) { chatId } }`,
        { c: { phone, firstName, lastName: "Тестова" }, w: { telegramUserId: chat, chatId: chat, language: "ru" } },
        createApiKey.secret,
      );
      const found = await gql(server.url, `query($s: String!) { clients(filter: { search: $s }) { items { id } } }`, { s: phone.slice(-7) }, admin);
      assert.equal(found.clients.items.length, 1, `one client with ${phone}`);
      clients.push(found.clients.items[0].id);
    }
    // The operator's open shift takes a payment from each: "payment taken" to their chats.
    for (const clientId of clients) {
      await gql(
        server.url,
        `mutation($i: PaymentInput!) { recordPayment(input: $i) { paymentId } }`,
        { i: { clientId, amount: "5000.00", method: "CASH", purpose: "Абонемент на месяц", idempotencyKey: crypto.randomUUID() } },
        operator,
      );
    }
    await until("the delivered message", () => telegram.sent.some((m) => m.chat === REACHABLE));
    await until("the refused message to end dead", async () => {
      const { notifications } = await gql(server.url, `{ notifications(filter: { status: "dead" }) { pageInfo { total } } }`, {}, admin);
      return notifications.pageInfo.total > 0;
    });
    browser = await launch();
    page = await (await browser.newContext(VIEW)).newPage();
    await signIn(page, server.url, "admin");
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await telegram?.close();
  });

  test("the log shows what was delivered and what was not, with the reason", async () => {
    await page.getByRole("link", { name: "Уведомления" }).click();
    await page.getByLabel("Филиал").selectOption({ label: "CyberArena Абая" });
    const rows = page.getByTestId("notification-row");
    await rows.first().waitFor();
    const delivered = rows.filter({ hasText: "Айгуль" });
    await assert.doesNotReject(delivered.filter({ hasText: "Доставлено" }).first().waitFor());
    assert.match(await delivered.first().innerText(), /Оплата принята/);
    const deadTab = page.getByRole("tab", { name: /Не доставлено/ });
    assert.match(await deadTab.innerText(), /1/, "the tab counts what was not delivered");
    await deadTab.click();
    // The tab asks for its list again; until the answer comes the whole list, with the
    // refused message among the delivered ones, is still on the page.
    await delivered.first().waitFor({ state: "detached" });
    await page.getByText("Forbidden: bot was blocked by the user").waitFor();
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().innerText(), /Руслан/);
    await shot(page, "notifications-dead");
  });

  test("send again reaches the client once they are reachable", async () => {
    telegram.unblock();
    await page.getByRole("button", { name: "Отправить снова" }).click();
    await page.getByRole("status").filter({ hasText: "Поставлено в очередь заново" }).waitFor();
    await until("the second try to arrive", () => telegram.sent.some((m) => m.chat === BLOCKED));
    await page.getByRole("tab", { name: /Доставлено/ }).click();
    await page.getByTestId("notification-row").filter({ hasText: "Руслан" }).first().waitFor();
    await page.getByRole("tab", { name: "Все" }).click();
    await shot(page, "notifications-log");
  });

  test("quiet hours are set for the location", async () => {
    await page.getByLabel("Тихие часы с").fill("22:00");
    await page.getByLabel("до", { exact: true }).fill("08:30");
    await page.getByLabel("Занятие: за часов").fill("3");
    await page.getByRole("button", { name: "Сохранить" }).click();
    await page.getByRole("status").filter({ hasText: "Настройки сохранены" }).waitFor();
    const { locations } = await gql(server.url, `{ locations { items { id name } } }`, {}, admin);
    const club = locations.items.find((l) => l.name === "CyberArena Абая");
    const { notificationSettings } = await gql(server.url, `query($id: ID!) { notificationSettings(locationId: $id) { quietFrom quietTo classHours } }`, { id: club.id }, admin);
    assert.equal(notificationSettings.quietFrom.slice(0, 5), "22:00");
    assert.equal(notificationSettings.quietTo.slice(0, 5), "08:30");
    assert.equal(notificationSettings.classHours, 3);
    await shot(page, "notifications-settings");
  });

  test("an operator has no notifications screen", async () => {
    const ctx = await browser.newContext(VIEW);
    const other = await ctx.newPage();
    await signIn(other, server.url, "operator");
    assert.equal(await other.getByRole("link", { name: "Уведомления" }).count(), 0);
    await ctx.close();
  });
});
