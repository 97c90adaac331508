// The front desk in a real browser against the real binary on a fresh SQLite demo.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fixtures, gql, launch, shot, signIn, startServer } from "./harness.mjs";

const VIEW = { viewport: { width: 1366, height: 768 } };

describe("front desk", () => {
  let server;
  let browser;
  let operator; // context A
  let watcher; // context B
  let a;
  let b;
  let clientId;

  before(async () => {
    server = await startServer();
    browser = await launch();
    // A client to take money from; the demo venue starts with none.
    const { login } = await gql(server.url, `mutation { login(username: "admin", password: "demo12345") { accessToken } }`);
    const created = await gql(
      server.url,
      `mutation($input: CreateClientInput!) { createClient(input: $input) { id } }`,
      { input: { firstName: "Айгерим", lastName: "Нурланова", phone: "+77015550101", tags: ["vip"] } },
      login.accessToken,
    );
    clientId = created.createClient.id;
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("1. an operator signs in", async () => {
    operator = await browser.newContext(VIEW);
    a = await operator.newPage();
    await a.goto(server.url + "/");
    await a.getByLabel("Логин").waitFor();
    await shot(a, "01-sign-in");
    await signIn(a, server.url, "operator");
    const menu = await a.getByRole("navigation", { name: "menu" }).innerText();
    assert.match(menu, /Карта ПК/);
    assert.match(menu, /Касса/);
    assert.doesNotMatch(menu, /Отчёты/, "operators do not read club reports");
    await a.getByText("Идут сеансы").first().waitFor();
    await shot(a, "02-today");
  });

  test("2. a second browser context shows the same PC map", async () => {
    watcher = await browser.newContext(VIEW);
    b = await watcher.newPage();
    await signIn(b, server.url, "admin");
    await b.goto(server.url + "/map");
    await a.getByRole("link", { name: "Карта ПК", exact: true }).click();
    const names = async (page) => {
      await page.locator("[data-pc]").first().waitFor();
      return page.locator("[data-pc]").evaluateAll((els) => els.map((e) => `${e.getAttribute("data-pc")}:${e.getAttribute("data-status")}`));
    };
    const seenA = await names(a);
    const seenB = await names(b);
    assert.ok(seenA.length >= 10, `a map of PCs, got ${seenA.length}`);
    assert.deepEqual(seenB, seenA);
    await b.getByTestId("live").getByText("онлайн").waitFor();
    await shot(a, "03-pc-map");
  });

  test("3. a prepaid start turns the PC busy on the other map within 1 s", async () => {
    const shift = await openShiftIfNeeded(a, server.url);
    assert.ok(shift);
    await a.goto(server.url + "/map");
    const tile = a.locator('[data-status="FREE"]').first();
    const pc = await tile.getAttribute("data-pc");
    await tile.getByRole("button", { name: "Запустить" }).click();
    const dialog = a.getByRole("dialog");
    await dialog.getByLabel("Имя гостя").fill("Гость у окна");
    await dialog.getByRole("radio", { name: "Предоплата" }).check();
    await dialog.getByRole("button", { name: "2 ч" }).click();
    await dialog.getByTestId("tariff").waitFor();
    await shot(a, "04-start-dialog");
    const response = a.waitForResponse((r) => r.url().endsWith("/graphql") && r.request().postData()?.includes("StartSession"));
    await dialog.getByRole("button", { name: "Запустить" }).click();
    await response;
    const t0 = Date.now();
    await b.locator(`[data-pc="${pc}"][data-status="BUSY"]`).waitFor({ timeout: 1000 });
    const elapsed = Date.now() - t0;
    console.log(`map of the other context turned ${pc} busy ${elapsed} ms after the start was answered`);
    assert.ok(elapsed < 1000);
    await b.locator(`[data-pc="${pc}"]`).getByText("Гость у окна").waitFor();
    await shot(b, "05-map-other-context-busy");
    this_pc = pc;
  });

  let this_pc;

  test("4. extend it, then stop an open session and see the bill", async () => {
    const tile = a.locator(`[data-pc="${this_pc}"]`);
    const before = await tile.getByTestId("time-left").innerText();
    await tile.getByRole("button", { name: "Продлить" }).click();
    const dialog = a.getByRole("dialog");
    await dialog.getByRole("button", { name: "+60" }).click();
    await dialog.getByTestId("quote").waitFor();
    await shot(a, "06-extend-dialog");
    await dialog.getByRole("button", { name: "Продлить" }).click();
    await dialog.waitFor({ state: "detached" });
    await a.waitForFunction(
      ([name, was]) => document.querySelector(`[data-pc="${name}"] [data-testid="time-left"]`)?.textContent !== was,
      [this_pc, before],
    );
    const after = await tile.getByTestId("time-left").innerText();
    assert.match(after, /осталось [23] ч/, `extended: ${before} → ${after}`);

    // An open session on another PC, stopped with its bill.
    const free = a.locator('[data-status="FREE"]').first();
    const pc = await free.getAttribute("data-pc");
    await free.getByRole("button", { name: "Запустить" }).click();
    const start = a.getByRole("dialog");
    await start.getByLabel("Имя гостя").fill("Открытый гость");
    await start.getByRole("radio", { name: "Открытый (оплата в конце)" }).check();
    await start.getByRole("button", { name: "Запустить" }).click();
    await start.waitFor({ state: "detached" });
    const busy = a.locator(`[data-pc="${pc}"][data-status="BUSY"]`);
    await busy.waitFor();
    await busy.getByRole("button", { name: "Остановить" }).click();
    const stop = a.getByRole("dialog");
    await stop.getByTestId("quote").waitFor();
    await stop.getByRole("button", { name: "Остановить" }).click();
    const bill = a.getByTestId("final-bill");
    await bill.waitFor();
    const text = await bill.innerText();
    assert.match(text, /Итого/);
    assert.match(text, /₸/);
    await shot(a, "07-final-bill-open");
    await a.getByRole("dialog").getByRole("button", { name: "Закрыть" }).last().click();

    // The extended prepaid session's bill carries its priced lines.
    await a.locator(`[data-pc="${this_pc}"]`).getByRole("button", { name: "Остановить" }).click();
    await a.getByRole("dialog").getByTestId("quote").waitFor();
    await a.getByRole("dialog").getByRole("button", { name: "Остановить" }).click();
    const prepaid = a.getByTestId("final-bill");
    await prepaid.waitFor();
    assert.ok((await prepaid.locator("tbody tr").count()) >= 4, "tariff lines, subtotal, total and paid");
    assert.match(await prepaid.innerText(), /ч .* × .*₸/);
    await shot(a, "07-final-bill-prepaid");
    await a.getByRole("dialog").getByRole("button", { name: "Закрыть" }).last().click();
  });

  test("5. a cash deposit shows the new balance", async () => {
    await a.goto(server.url + "/clients");
    await a.getByRole("searchbox").fill("Нурлан");
    await a.getByRole("link", { name: "Нурланова Айгерим" }).click();
    await a.getByTestId("balance").waitFor();
    await a.getByTestId("money-actions").getByRole("button", { name: "Пополнить" }).click();
    const dialog = a.getByRole("dialog");
    await dialog.getByLabel("Сумма").fill("12 500");
    await shot(a, "08-deposit-dialog");
    await dialog.getByRole("button", { name: "Подтвердить" }).click();
    await a.getByRole("status").getByText("Новый баланс").waitFor();
    await a.getByTestId("balance").filter({ hasText: /12\s500/ }).waitFor();
    const balance = await a.getByTestId("balance").innerText();
    assert.equal(balance.replace(/\s/g, " "), "12 500 ₸");
    await a.getByTestId("ledger").getByText("Пополнение").waitFor();
    await shot(a, "09-client-card");
  });

  test("6. closing the shift with a difference shows it", async () => {
    await a.goto(server.url + "/shift");
    await a.getByRole("heading", { name: "Закрыть смену" }).waitFor();
    await a.getByLabel("Наличные (купюры)").fill("1000");
    await a.getByRole("button", { name: "Проверить" }).click();
    await a.getByTestId("close-preview").waitFor();
    await shot(a, "10-shift-close-preview");
    await a.getByRole("button", { name: "Закрыть смену" }).click();
    const figures = a.getByTestId("shift-figures");
    await figures.waitFor();
    const cashDiff = await figures.getByTestId("difference").first().innerText();
    assert.match(cashDiff, /^−/, `cash short: ${cashDiff}`);
    await shot(a, "11-shift-closed");
  });

  test("7. a viewer is offered no money actions", async () => {
    const ctx = await browser.newContext(VIEW);
    const v = await ctx.newPage();
    await signIn(v, server.url, "viewer");
    await v.goto(server.url + "/map");
    await v.locator("[data-pc]").first().waitFor();
    assert.equal(await v.getByRole("button", { name: "Запустить" }).count(), 0);
    assert.equal(await v.getByRole("button", { name: "Остановить" }).count(), 0);
    await shot(v, "12-viewer-map");
    await v.goto(server.url + `/clients/${clientId}`);
    await v.getByTestId("balance").waitFor();
    assert.equal(await v.getByTestId("money-actions").getByRole("button").count(), 0);
    await shot(v, "13-viewer-client");
    await v.goto(server.url + "/shift");
    await v.getByRole("heading", { name: "Касса" }).waitFor();
    assert.equal(await v.getByRole("button", { name: /Открыть смену|Закрыть смену|Внесение|Изъятие/ }).count(), 0);
    await shot(v, "13-viewer-shift");
    await ctx.close();
  });

  test("8. importing the sample spreadsheet shows the dry-run report", async () => {
    const ctx = await browser.newContext(VIEW);
    const m = await ctx.newPage();
    await signIn(m, server.url, "manager");
    await m.goto(server.url + "/clients");
    await m.getByRole("button", { name: "Импорт" }).click();
    const dialog = m.getByRole("dialog");
    await dialog.getByLabel("Файл").setInputFiles(join(fixtures, "clients-sample.xlsx"));
    await dialog.getByRole("button", { name: "Проверить (без записи)" }).click();
    const report = dialog.getByTestId("import-report");
    await report.waitFor();
    const text = await report.innerText();
    assert.match(text, /Пробный прогон/);
    assert.match(text, /ошибка/, "the row with a bad phone is reported");
    await shot(m, "14-import-dry-run");
    await ctx.close();
  });

  test("the PC map of the biggest demo location renders in under 1 s", async () => {
    const ctx = await browser.newContext(VIEW);
    const p = await ctx.newPage();
    await signIn(p, server.url, "owner");
    const t0 = Date.now();
    await p.goto(server.url + "/map");
    await p.getByTestId("pc-map").waitFor();
    const tiles = await p.locator("[data-pc]").count();
    const elapsed = Date.now() - t0;
    const inApp = await p.getByTestId("pc-map").getAttribute("data-render-ms");
    console.log(`PC map: ${tiles} PCs on screen ${elapsed} ms after navigation (in-app mount to paint ${inApp} ms)`);
    assert.ok(elapsed < 1000);
    await p.goto(server.url + "/graphiql");
    await p.locator(".graphiql-container").waitFor();
    await shot(p, "15-graphiql");
    await p.goto(server.url + "/reports");
    await p.getByText("Доход по дням").waitFor();
    await p.waitForTimeout(300);
    await shot(p, "16-reports");
    await p.getByRole("link", { name: "Администрирование" }).click();
    await p.getByRole("heading", { name: "Сотрудники" }).waitFor();
    await p.getByRole("cell", { name: "operator", exact: true }).first().waitFor();
    await shot(p, "17-admin");
    await p.getByRole("button", { name: "EN" }).click();
    await p.getByRole("link", { name: "PC map" }).click();
    await p.locator("[data-pc]").first().waitFor();
    await shot(p, "18-map-english");
    await ctx.close();
  });
});

async function openShiftIfNeeded(page, url) {
  await page.goto(url + "/shift");
  const open = page.getByRole("button", { name: "Открыть смену" });
  const close = page.getByRole("heading", { name: "Закрыть смену" });
  await open.or(close).first().waitFor();
  if (await open.isVisible()) {
    await page.getByLabel("Размен в кассе").fill("20 000");
    await open.click();
    await close.waitFor();
  }
  await shot(page, "00-shift-open");
  return true;
}
