// The front desk in a real browser against the real binary on a fresh SQLite demo.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { bookedPcs, fixtures, gql, launch, shot, signIn, startServer } from "./harness.mjs";

const VIEW = { viewport: { width: 1366, height: 768 } };

describe("front desk", () => {
  let server;
  let browser;
  let operator; // context A
  let watcher; // context B
  let a;
  let b;
  let clientId;
  // A free PC nobody has booked tonight: a two-hour start there meets no booking.
  let freeTile;

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
    const booked = await bookedPcs(server.url, login.accessToken);
    const notBooked = booked.map((n) => `:not([data-pc="${n}"])`).join("");
    freeTile = (page) => page.locator(`[data-status="FREE"]${notBooked}`).first();
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
    const tile = freeTile(a);
    const pc = await tile.getAttribute("data-pc");
    await tile.getByRole("button", { name: "Запустить" }).click();
    const dialog = a.getByRole("dialog");
    await dialog.getByLabel("Имя гостя").fill("Гость у окна");
    await dialog.getByRole("radio", { name: "Предоплата" }).check();
    await dialog.getByRole("button", { name: "2 ч" }).click();
    // The price before the start, from the server: the lines, the total, the end time.
    const quote = dialog.getByTestId("start-quote").and(a.locator(":not([aria-busy])"));
    await quote.waitFor();
    const quoted = await quote.getByTestId("quote-total").innerText();
    assert.match(quoted, /₸/);
    assert.match(await quote.innerText(), /К оплате сейчас[\s\S]*Тариф Standard · \d\d:\d\d–\d\d:\d\d/);
    assert.match(await dialog.getByTestId("start-confirm").innerText(), new RegExp(`Запустить · ${quoted.replace(/\s/g, "\\s")}`));
    // One hour instead: asked again, a new total.
    await dialog.getByRole("button", { name: "1 ч" }).click();
    await a.waitForFunction((was) => {
      const q = document.querySelector('[data-testid="start-quote"]:not([aria-busy]) [data-testid="quote-total"]');
      return q && q.textContent !== was;
    }, quoted);
    await dialog.getByRole("button", { name: "2 ч" }).click();
    await a.waitForFunction((was) => document.querySelector('[data-testid="start-quote"]:not([aria-busy]) [data-testid="quote-total"]')?.textContent === was, quoted);
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
    const free = freeTile(a);
    const pc = await free.getAttribute("data-pc");
    await free.getByRole("button", { name: "Запустить" }).click();
    const start = a.getByRole("dialog");
    await start.getByLabel("Имя гостя").fill("Открытый гость");
    await start.getByRole("radio", { name: "Открытый (оплата в конце)" }).check();
    await start.getByRole("button", { name: "Запустить" }).click();
    await start.waitFor({ state: "detached" });
    const busy = a.locator(`[data-pc="${pc}"][data-status="BUSY"]`);
    await busy.waitFor();
    await busy.getByRole("button", { name: "Стоп", exact: true }).click();
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
    await a.locator(`[data-pc="${this_pc}"]`).getByRole("button", { name: "Стоп", exact: true }).click();
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

  test("5b. the client card's contacts, tags and notes are edited, a bad e-mail shown at its field", async () => {
    await a.goto(server.url + `/clients/${clientId}`);
    await a.getByRole("button", { name: "Изменить" }).click();
    const dialog = a.getByRole("dialog");
    await dialog.getByLabel("E-mail").fill("не почта");
    await dialog.getByLabel("Теги").fill("vip, ночь, турнир");
    await dialog.getByLabel("Заметки").fill("Любит VIP-3 у окна.\nПредупредить о турнире в субботу.");
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    await dialog.locator('input[name="email"][aria-invalid="true"]').waitFor();
    assert.equal(await dialog.getByRole("alert").getAttribute("data-code"), "VALIDATION");
    await shot(a, "09b-client-edit-invalid");
    await dialog.getByLabel("E-mail").fill("aigerim@example.kz");
    await dialog.getByLabel("Telegram, @имя").fill("@aigerim_n");
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    await dialog.waitFor({ state: "detached" });
    await a.getByRole("status").getByText("Сохранено").waitFor();
    await a.getByTestId("client-tags").filter({ hasText: "турнир" }).waitFor();
    assert.deepEqual(await a.getByTestId("client-tags").locator("span").allInnerTexts(), ["vip", "ночь", "турнир"]);
    assert.match(await a.getByTestId("client-notes").innerText(), /VIP-3 у окна/);
    await a.getByText("aigerim@example.kz").waitFor();
    await a.getByText("@aigerim_n").waitFor();
    await shot(a, "09c-client-edited");
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
    assert.equal(await v.getByRole("button", { name: "Стоп", exact: true }).count(), 0);
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
    await p.getByRole("tab", { name: "Сотрудники" }).click();
    await p.getByRole("heading", { name: "Сотрудники" }).waitFor();
    await p.getByRole("cell", { name: "operator", exact: true }).first().waitFor();
    await shot(p, "17-admin");
    await p.getByRole("button", { name: "EN" }).click();
    await p.getByRole("link", { name: "PC map" }).click();
    await p.locator("[data-pc]").first().waitFor();
    await shot(p, "18-map-english");
    await p.getByRole("button", { name: "RU" }).click();
    await ctx.close();
  });

  test("the out-of-order button says what it does", async () => {
    await a.goto(server.url + "/map");
    const free = freeTile(a);
    await free.waitFor();
    const pc = await free.getAttribute("data-pc");
    const button = free.getByRole("button", { name: "⚠ Поломка" });
    assert.match((await button.getAttribute("title")) ?? "", /Отметить ПК неработающим/);
    await button.click();
    const dialog = a.getByRole("dialog");
    await dialog.getByLabel("Причина").fill("не включается монитор");
    await dialog.getByRole("button", { name: "Не работает" }).click();
    await dialog.waitFor({ state: "detached" });
    const broken = a.locator(`[data-pc="${pc}"][data-status="OUT_OF_ORDER"]`);
    await broken.waitFor();
    assert.equal(await broken.getByRole("button", { name: "Запустить" }).count(), 0);
    await shot(a, "19-map-out-of-order");
    await broken.getByRole("button", { name: "Исправен" }).click();
    await a.getByRole("dialog").getByRole("button", { name: "Исправен" }).click();
    await a.locator(`[data-pc="${pc}"][data-status="FREE"]`).waitFor();
  });

  test("admin: tariffs, packages, promotions, zones and PCs are edited in the app", async () => {
    const ctx = await browser.newContext(VIEW);
    const p = await ctx.newPage();
    p.on("dialog", (d) => void d.accept());
    await signIn(p, server.url, "manager");
    await p.goto(server.url + "/admin");
    await p.getByRole("tab").first().waitFor();
    const tabs = await p.getByRole("tab").allInnerTexts();
    assert.deepEqual(tabs, ["Зоны и ПК", "Тарифы", "Акции"], "a manager shapes the venue but not the staff");

    // Zones and PCs: a new zone, a PC in it, renamed, then deleted, and the empty zone too.
    await p.getByTestId("zones-admin").waitFor();
    await shot(p, "30-admin-zones");
    await p.getByRole("button", { name: "Новая зона" }).click();
    let dialog = p.getByRole("dialog");
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    await dialog.locator('input[name="name"][aria-invalid="true"]').waitFor();
    await dialog.getByLabel("Название").fill("Турнирная");
    await dialog.getByLabel("Описание").fill("5 ПК для команд");
    await dialog.getByLabel("Порядок").fill("5");
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    await dialog.waitFor({ state: "detached" });
    const zone = p.locator('[data-zone="Турнирная"]');
    await zone.getByRole("button", { name: "+ ПК" }).click();
    dialog = p.getByRole("dialog");
    await dialog.getByLabel("Название").fill("PC-01");
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    await dialog.getByRole("alert").waitFor();
    assert.equal(await dialog.getByRole("alert").getAttribute("data-code"), "CONFLICT", "the name is taken in this location");
    await shot(p, "31-admin-pc-taken");
    await dialog.getByLabel("Название").fill("T-1");
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    await dialog.waitFor({ state: "detached" });
    await zone.locator('[data-admin-pc="T-1"]').getByRole("button", { name: "Изменить T-1" }).click();
    dialog = p.getByRole("dialog");
    await dialog.getByLabel("Название").fill("TOUR-1");
    await dialog.getByLabel("Примечание").fill("RTX 4070, 240 Гц");
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    await dialog.waitFor({ state: "detached" });
    await zone.locator('[data-admin-pc="TOUR-1"]').getByText("RTX 4070").waitFor();
    await shot(p, "32-admin-zone-added");
    await zone.getByRole("button", { name: "Удалить TOUR-1" }).click();
    await zone.getByText("В зоне пока нет ПК").waitFor();
    await zone.getByRole("button", { name: "Удалить", exact: true }).click();
    await zone.waitFor({ state: "detached" });

    // Tariffs: Standard gets a weekend window; a bad price is refused at its own row.
    await p.getByRole("tab", { name: "Тарифы" }).click();
    const standard = p.locator('[data-tariff="Standard"]');
    await standard.waitFor();
    await shot(p, "33-admin-tariffs");
    await standard.getByRole("button", { name: "Изменить" }).click();
    dialog = p.getByRole("dialog");
    await dialog.getByRole("button", { name: "+ Окно" }).click();
    const row = dialog.locator('[data-window="1"]');
    await row.getByLabel("Название").fill("Выходные");
    await row.getByLabel("С", { exact: true }).fill("10:00");
    await row.getByLabel("До", { exact: true }).fill("22:00");
    await row.getByLabel("Цена за час").fill("дорого");
    await row.getByRole("button", { name: "Сб" }).click();
    await row.getByRole("button", { name: "Вс" }).click();
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    await row.locator('input[aria-invalid="true"]').waitFor();
    assert.equal(await dialog.locator('[data-window="0"] input[aria-invalid="true"]').count(), 0, "only the row at fault is marked");
    await row.getByLabel("Цена за час").fill("450");
    await row.getByLabel("До", { exact: true }).fill("10:00");
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    await dialog.getByRole("alert").waitFor();
    assert.equal(await dialog.getByRole("alert").getAttribute("data-code"), "VALIDATION");
    await row.locator('input[aria-invalid="true"]').first().waitFor();
    await shot(p, "34-admin-tariff-invalid-window");
    await row.getByLabel("До", { exact: true }).fill("22:00");
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    await dialog.waitFor({ state: "detached" });
    await standard.getByText(/Выходные: 10:00–22:00, Сб, Вс/).waitFor();

    // A package, then taken off sale.
    await standard.getByRole("button", { name: "+ Пакет" }).click();
    dialog = p.getByRole("dialog");
    await dialog.getByLabel("Название").fill("5 часов");
    await dialog.getByLabel("Цена").fill("1 500");
    await dialog.getByLabel("Минут в пакете").fill("300");
    await shot(p, "35-admin-package");
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    await dialog.waitFor({ state: "detached" });
    const pack = standard.locator('[data-package="5 часов"]');
    await pack.getByRole("button", { name: "Снять с продажи" }).click();
    await pack.getByRole("button", { name: "Вернуть в продажу" }).waitFor();

    // Promotions: a 10 % weekend morning promotion for VIP.
    await p.getByRole("tab", { name: "Акции" }).click();
    await p.getByTestId("promotions-admin").waitFor();
    await p.getByRole("button", { name: "Новая акция" }).click();
    dialog = p.getByRole("dialog");
    await dialog.getByLabel("Название").fill("Утро выходного в VIP");
    await dialog.getByLabel("Процент").fill("150");
    await dialog.getByRole("button", { name: "Сб" }).click();
    await dialog.getByRole("button", { name: "Вс" }).click();
    await dialog.getByLabel("Начало сеанса с").fill("09:00");
    await dialog.getByLabel("До", { exact: true }).fill("12:00");
    await dialog.getByRole("checkbox", { name: "VIP" }).check();
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    await dialog.locator('input[name="percent"][aria-invalid="true"]').waitFor();
    await shot(p, "36-admin-promotion-invalid");
    await dialog.getByLabel("Процент").fill("10");
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    await dialog.waitFor({ state: "detached" });
    const promo = p.locator('[data-promotion="Утро выходного в VIP"]');
    assert.match((await promo.innerText()).replace(/\s+/g, " "), /−10 % Сб, Вс, 09:00–12:00 VIP/);
    await shot(p, "37-admin-promotions");
    await ctx.close();
  });

  test("tablet widths: the map, the start dialog, a client card and admin fit", async () => {
    for (const [name, viewport] of [
      ["tablet-landscape", { width: 1024, height: 768 }],
      ["tablet-portrait", { width: 768, height: 1024 }],
    ]) {
      const ctx = await browser.newContext({ viewport, hasTouch: true });
      const p = await ctx.newPage();
      await signIn(p, server.url, "admin");
      await p.goto(server.url + "/map");
      await p.locator("[data-pc]").first().waitFor();
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${name}: the page scrolls sideways by ${overflow}px`);
      await shot(p, `40-${name}-map`);
      await freeTile(p).getByRole("button", { name: "Запустить" }).click();
      await p.getByRole("dialog").locator('[data-testid="start-quote"]:not([aria-busy])').waitFor();
      await shot(p, `41-${name}-start`);
      await p.getByRole("dialog").getByRole("button", { name: "Отмена" }).click();
      await p.goto(server.url + `/clients/${clientId}`);
      await p.getByTestId("balance").waitFor();
      await shot(p, `42-${name}-client`);
      await p.goto(server.url + "/admin?section=tariffs");
      await p.getByTestId("tariffs-admin").waitFor();
      await shot(p, `43-${name}-admin`);
      await p.goto(server.url + "/");
      await p.getByText("Идут сеансы").first().waitFor();
      await p.locator('[role="status"]', { hasText: "Загрузка" }).first().waitFor({ state: "detached" });
      await shot(p, `44-${name}-today`);
      await ctx.close();
    }
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
