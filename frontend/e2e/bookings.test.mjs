// PC bookings in a real browser against the real binary on a fresh SQLite demo: a booking made
// in the app shows on the list and, inside its show window, on the live map; the operator
// seats the client from the map, cancels another booking with a reason, and a clash is refused
// with the API's error. Also: the app's assets arrive compressed.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { bookedPcs, gql, launch, shot, signIn, startServer } from "./harness.mjs";

const VIEW = { viewport: { width: 1366, height: 768 } };
const TZ = "Asia/Almaty"; // every demo venue's zone

/** The local date and time `minutes` from now in the demo's time zone, as the form takes them. */
function localIn(minutes) {
  const at = new Date(Date.now() + minutes * 60_000);
  const date = localDay(at);
  const time = new Intl.DateTimeFormat("en-GB", { timeZone: TZ, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at);
  return { date, time };
}

/** The demo venue's local date of an instant (a Date or an ISO string). */
function localDay(at) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(at));
}

describe("PC bookings", () => {
  let server;
  let browser;
  let ctx;
  let page;
  const assets = [];
  let booked = []; // PCs the demo has booked tonight
  let seated = []; // the PCs the first booking got
  let demoDay = ""; // the local day of the demo's first booking: late at night it is tomorrow
  let firstDay = ""; // the local day of the first booking made here

  before(async () => {
    server = await startServer();
    browser = await launch();
    const { login } = await gql(server.url, `mutation { login(username: "admin", password: "demo12345") { accessToken } }`);
    for (const [firstName, lastName, phone] of [
      ["Ерлан", "Сапаров", "+77015550202"],
      ["Мадина", "Ахметова", "+77015550303"],
    ]) {
      await gql(server.url, `mutation($input: CreateClientInput!) { createClient(input: $input) { id } }`, { input: { firstName, lastName, phone } }, login.accessToken);
    }
    booked = await bookedPcs(server.url, login.accessToken);
    const { pcBookings } = await gql(server.url, `{ pcBookings(filter: { status: ACTIVE }, page: { limit: 100 }) { items { startsAt } } }`, {}, login.accessToken);
    demoDay = localDay(pcBookings.items.map((b) => b.startsAt).sort()[0]);
    ctx = await browser.newContext(VIEW);
    page = await ctx.newPage();
    page.on("response", (r) => {
      if (r.url().includes("/assets/")) assets.push(r);
    });
    await signIn(page, server.url, "operator");
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** The bookings list of one local day; the page opens on today, and a club's night runs past midnight. */
  async function openBookings(day) {
    await page.goto(server.url + "/bookings");
    await page.getByLabel("Дата", { exact: true }).fill(day);
  }

  async function book({ who, zone, minutesFromNow, count, pcs = [], length = "60", note = "" }) {
    await page.getByRole("button", { name: "Новая бронь" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("combobox", { name: /Клиент/ }).fill(who);
    await dialog.getByRole("listbox").getByRole("option").first().click();
    await dialog.getByLabel("Зона").selectOption({ label: zone });
    const { date, time } = localIn(minutesFromNow);
    await dialog.getByLabel("Дата").fill(date);
    await dialog.getByLabel("Время").fill(time);
    await dialog.getByLabel("Длительность, мин").fill(length);
    for (const pc of pcs) await dialog.getByRole("checkbox", { name: pc, exact: true }).check();
    if (count) await dialog.getByLabel("ПК", { exact: true }).fill(String(count));
    if (note) await dialog.getByLabel("Примечание").fill(note);
    return { dialog, date, time };
  }

  test("a booking made in the app is on the list and, soon due, on the map", async () => {
    // The demo's own bookings for tonight are listed already.
    await openBookings(demoDay);
    await page.locator('[data-testid="bookings"] tr[data-status="ACTIVE"]').first().waitFor();
    const { dialog, date, time } = await book({ who: "5550202", zone: "PRO", minutesFromNow: 10, count: 2, note: "день рождения" });
    firstDay = date;
    await shot(page, "20-booking-dialog");
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    await dialog.waitFor({ state: "detached" });
    // The server picks two free PRO PCs (the demo has some in play).
    const made = await page.getByRole("status").getByText(/Бронь создана: PRO-\d+, PRO-\d+/).innerText();
    seated = made.match(/PRO-\d+/g);
    assert.equal(seated.length, 2, made);
    const row = page.locator('[data-testid="bookings"] tr[data-status="ACTIVE"]').filter({ hasText: "Сапаров Ерлан" });
    await row.waitFor();
    const text = await row.innerText();
    assert.match(text, new RegExp(`${time}–`), `starts at ${time}: ${text}`);
    assert.ok(text.includes(seated.join(", ")), `${seated.join(", ")} in ${text}`);
    assert.match(text, /день рождения/);
    await shot(page, "21-bookings-list");

    // Due in ten minutes, inside the 30-minute show window: both PCs are booked on the map.
    await page.getByRole("link", { name: "Карта ПК", exact: true }).click();
    for (const pc of seated) {
      const tile = page.locator(`[data-pc="${pc}"][data-status="BOOKED"]`);
      await tile.waitFor();
      assert.match(await tile.getByTestId("tile-booking").innerText(), new RegExp(`Бронь ${time} · Сапаров Ерлан`));
      assert.equal(await tile.getByRole("button", { name: "Запустить" }).count(), 0, "a booked PC offers the booking, not a walk-in start");
    }
    await shot(page, "22-map-booked");
  });

  test("the client comes: seated from the map, both PCs turn busy", async () => {
    await page.locator(`[data-pc="${seated[0]}"]`).getByRole("button", { name: "Посадить" }).click();
    for (const pc of seated) await page.locator(`[data-pc="${pc}"][data-status="BUSY"]`).waitFor();
    await page.locator(`[data-pc="${seated[0]}"]`).getByText("Сапаров Ерлан").waitFor();
    await shot(page, "23-map-seated");
    await openBookings(firstDay);
    await page.locator('[data-testid="bookings"] tr[data-status="USED"]').filter({ hasText: "Сапаров Ерлан" }).waitFor();
  });

  test("a booking of a chosen PC is cancelled with a reason and the PC is free again", async () => {
    // A VIP PC that is free now and not booked tonight by the demo.
    await page.goto(server.url + "/map");
    const notBooked = booked.map((n) => `:not([data-pc="${n}"])`).join("");
    const vip = await page.locator(`[data-pc^="VIP-"][data-status="FREE"]${notBooked}`).first().getAttribute("data-pc");
    await page.goto(server.url + "/bookings");
    const { dialog, date } = await book({ who: "5550303", zone: "VIP", minutesFromNow: 20, pcs: [vip], length: "5" });
    assert.equal(await dialog.getByLabel("ПК", { exact: true }).inputValue(), "1", "the count follows the chosen PCs");
    // Five minutes is too short: the API says so, next to the field.
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    const length = dialog.getByLabel("Длительность, мин");
    await dialog.locator('input[name="minutes"][aria-invalid="true"]').waitFor();
    assert.match(await dialog.getByRole("alert").innerText(), /от 15 минут/);
    await shot(page, "24-booking-validation");
    await length.fill("120");
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    await page.getByRole("status").getByText(`Бронь создана: ${vip}`).waitFor();

    // The same PC at the same time again: the API refuses, and the dialog says why.
    const clash = await book({ who: "5550202", zone: "VIP", minutesFromNow: 30, pcs: [vip] });
    await clash.dialog.getByRole("button", { name: "Сохранить" }).click();
    const alert = clash.dialog.getByRole("alert");
    await alert.waitFor();
    const code = await alert.getAttribute("data-code");
    assert.ok(["RESOURCE_BOOKED", "SLOT_TAKEN", "CONFLICT"].includes(code), `refused with ${code}`);
    await shot(page, "25-booking-clash");
    await clash.dialog.getByRole("button", { name: "Отмена" }).click();

    await page.goto(server.url + "/map");
    await page.locator(`[data-pc="${vip}"][data-status="BOOKED"]`).waitFor();
    await openBookings(date);
    const row = page.locator('[data-testid="bookings"] tr[data-status="ACTIVE"]').filter({ hasText: "Ахметова Мадина" });
    await row.getByRole("button", { name: "Отменить бронь" }).click();
    const confirm = page.getByRole("dialog");
    await confirm.getByLabel("Причина").fill("позвонила, не придёт");
    await shot(page, "26-booking-cancel");
    await confirm.getByRole("button", { name: "Отменить бронь" }).click();
    await confirm.waitFor({ state: "detached" });
    await page.locator('[data-testid="bookings"] tr[data-status="CANCELLED"]').filter({ hasText: "Ахметова Мадина" }).waitFor();
    await shot(page, "27-bookings-after");
    await page.goto(server.url + "/map");
    await page.locator(`[data-pc="${vip}"][data-status="FREE"]`).waitFor();
  });

  test("the app's scripts and styles arrive compressed", async () => {
    const scripts = assets.filter((r) => /\.(js|css)$/.test(new URL(r.url()).pathname));
    assert.ok(scripts.length >= 2, `assets seen: ${scripts.length}`);
    for (const r of scripts) {
      const headers = await r.allHeaders();
      assert.equal(headers["content-encoding"], "br", `${r.url()} is brotli`);
      assert.match(headers["cache-control"] ?? "", /immutable/);
      assert.match(headers["vary"] ?? "", /accept-encoding/i);
    }
    // A client that takes only gzip gets gzip; one that takes neither gets the file as it is.
    const path = new URL(scripts[0].url()).pathname;
    const gz = await fetch(server.url + path, { headers: { "accept-encoding": "gzip" } });
    assert.equal(gz.headers.get("content-encoding"), "gzip");
    const plain = await fetch(server.url + path, { headers: { "accept-encoding": "identity" } });
    assert.equal(plain.headers.get("content-encoding"), null);
    const index = await fetch(server.url + "/", { headers: { "accept-encoding": "br" } });
    assert.equal(index.headers.get("cache-control"), "no-cache", "the page itself is never cached");
  });
});
