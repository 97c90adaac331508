// Automations in a real browser against the real binary and its demo: the admin sees the
// four default rules in words, finds the run that moved a client who paid for a program,
// dry-runs a rule over the last 30 days, writes a new rule, tries it and saves it, is told
// why a rule that would loop is refused, and switches a default rule off. A manager has no
// automations screen.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { gql, launch, shot, signIn, startServer } from "./harness.mjs";

const VIEW = { viewport: { width: 1366, height: 900 }, locale: "ru-RU" };
const PAID = "Оплачена программа, пакет или абонемент → «Куплена услуга»";

async function until(what, check, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

describe("automations", () => {
  let server;
  let browser;
  let page;
  let admin;
  let stages;

  before(async () => {
    server = await startServer();
    const login = async (username) => (await gql(server.url, `mutation($u: String!) { login(username: $u, password: "demo12345") { accessToken } }`, { u: username })).login.accessToken;
    admin = await login("admin");
    stages = Object.fromEntries((await gql(server.url, `{ pipelineStages { id name } }`, {}, admin)).pipelineStages.map((s) => [s.name, s.id]));
    // A lead after a consultation pays for a program: the default rule moves her on.
    const { createClient } = await gql(
      server.url,
      `mutation($i: CreateClientInput!) { createClient(input: $i) { id } }`,
      { i: { lastName: "Правилова", firstName: "Дина", phone: "+77015558801" } },
      admin,
    );
    await gql(server.url, `mutation($c: ID!, $s: ID!) { moveClientToStage(clientId: $c, stageId: $s) { id } }`, { c: createClient.id, s: stages["Консультация"] }, admin);
    const { createTrainingProgram } = await gql(
      server.url,
      `mutation($i: TrainingProgramInput!) { createTrainingProgram(input: $i) { id } }`,
      { i: { title: "Стройность за 8 недель", format: "RICH_TEXT", content: "Три тренировки в неделю", price: "45000" } },
      admin,
    );
    await gql(
      server.url,
      `mutation($i: AssignProgramInput!) { assignTrainingProgram(input: $i) { id } }`,
      { i: { programId: createTrainingProgram.id, clientId: createClient.id, paid: true, paymentMethod: "KASPI", idempotencyKey: crypto.randomUUID() } },
      admin,
    );
    await until("the rule to move the client", async () => {
      const { client } = await gql(server.url, `query($id: ID!) { client(id: $id) { stage { name } } }`, { id: createClient.id }, admin);
      return client.stage?.name === "Куплена услуга";
    });
    browser = await launch();
    page = await (await browser.newContext(VIEW)).newPage();
    await signIn(page, server.url, "admin");
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("the default rules read in words, with the run that moved a paying client", async () => {
    await page.getByRole("link", { name: "Автоматизации" }).click();
    const rules = page.getByTestId("automation-rule");
    await rules.first().waitFor();
    assert.equal(await rules.count(), 4);
    assert.equal(await rules.filter({ hasText: "по умолчанию" }).count(), 4);
    const paid = rules.filter({ hasText: PAID });
    assert.match(await paid.innerText(), /Оплата, за программу, пакет, абонемент/);
    assert.match(await paid.innerText(), /перевести в «Куплена услуга» \(только вперёд\)/);
    assert.match(await rules.filter({ hasText: "Нет контакта 30" }).innerText(), /Нет контакта 30 дн\..*причина: нет ответа/s);
    await paid.getByRole("button", { name: "Журнал" }).click();
    await page.getByRole("heading", { name: `Журнал срабатываний: ${PAID}` }).waitFor();
    const run = page.getByTestId("automation-run").filter({ hasText: "Правилова Дина" });
    await run.waitFor();
    assert.match(await run.innerText(), /Выполнено/);
    assert.match(await run.innerText(), /Переведён из «Консультация» в «Куплена услуга»/);
    await shot(page, "automations-rules");
  });

  test("a dry run tells what a rule would have done over 30 days", async () => {
    await page.getByTestId("automation-rule").filter({ hasText: PAID }).getByRole("button", { name: "Пробный прогон" }).click();
    const preview = page.getByTestId("automation-preview");
    await preview.waitFor();
    const dialog = page.getByRole("dialog");
    assert.match(await dialog.innerText(), /Пробный прогон/);
    assert.match(await dialog.innerText(), /Правилова Дина/);
    assert.match(await dialog.innerText(), /Перевёл бы из «Консультация» в «Куплена услуга»/);
    await shot(page, "automations-dry-run");
    await page.keyboard.press("Escape");
    await preview.waitFor({ state: "detached" });
  });

  test("a new rule is tried, saved and listed; one that would loop is refused", async () => {
    await page.getByRole("button", { name: "Новое правило" }).click();
    const dialog = page.getByRole("dialog", { name: "Новое правило" });
    await dialog.getByLabel("Название").fill("Метка покупателя программы");
    await dialog.getByLabel("программу").check();
    await dialog.getByLabel("Что сделать:").selectOption({ label: "Добавить метку" });
    await dialog.getByLabel("Метка").fill("Покупатель");
    await dialog.getByRole("button", { name: "Проверить на последних 30 днях" }).click();
    const preview = page.getByTestId("automation-preview");
    await preview.waitFor();
    assert.match(await page.getByRole("dialog", { name: /Пробный прогон/ }).innerText(), /Добавил бы метку «покупатель»/);
    await page.keyboard.press("Escape");
    await preview.waitFor({ state: "detached" });
    await page.getByRole("dialog", { name: "Новое правило" }).getByRole("button", { name: "Сохранить" }).click();
    await page.getByTestId("automation-rule").filter({ hasText: "Метка покупателя программы" }).waitFor();

    // «Консультация» → «Принимают решение», then a rule back again: the second is refused.
    await gql(
      server.url,
      `mutation($i: AutomationRuleInput!) { createAutomationRule(input: $i) { id } }`,
      { i: { name: "Дальше после консультации", trigger: "STAGE_CHANGED", conditions: { toStage: stages["Консультация"] }, actions: [{ type: "MOVE_TO_STAGE", stageId: stages["Принимают решение"] }] } },
      admin,
    );
    await page.reload();
    await page.getByRole("button", { name: "Новое правило" }).click();
    const form = page.getByRole("dialog");
    await form.getByLabel("Название").fill("Обратно на консультацию");
    await form.getByLabel("Когда:").selectOption({ label: "Смена этапа воронки" });
    await form.getByLabel("Переход на этап").selectOption({ label: "Принимают решение" });
    await form.getByLabel("Этап", { exact: true }).selectOption({ label: "Консультация" });
    await form.getByRole("button", { name: "Сохранить" }).click();
    await form.getByText(/правила зациклились бы: «Обратно на консультацию» → «Дальше после консультации» → «Обратно на консультацию»/).first().waitFor();
    await shot(page, "automations-cycle-refused");
    await page.keyboard.press("Escape");
    assert.equal(await page.getByTestId("automation-rule").filter({ hasText: "Обратно на консультацию" }).count(), 0);
  });

  test("a default rule is switched off, not deleted", async () => {
    const rule = page.getByTestId("automation-rule").filter({ hasText: "Программа завершена" });
    assert.equal(await rule.getByRole("button", { name: "Удалить" }).count(), 0);
    // The box follows the saved rule: it turns once the server has answered.
    await rule.getByLabel("Включено").click();
    await rule.getByText("выключено").waitFor();
    const { automationRules } = await gql(server.url, `{ automationRules { builtin enabled } }`, {}, admin);
    assert.equal(automationRules.find((r) => r.builtin === "program_completed").enabled, false);
    await shot(page, "automations-list");
  });

  test("a manager has no automations screen", async () => {
    const ctx = await browser.newContext(VIEW);
    const other = await ctx.newPage();
    await signIn(other, server.url, "manager");
    assert.equal(await other.getByRole("link", { name: "Автоматизации" }).count(), 0);
    await ctx.close();
  });
});
