// The credit controller's day in Debian's Chromium (headless, driven by playwright-core) against
// the real stack: four service processes, the broker and the console as `make run` serves them,
// loaded with the demo book (devstack/demo.py). Started by tests/test_console.py, which passes:
//   CONSOLE_URL, SERVICES (JSON name -> URL), API_KEY, SCREENSHOT_DIR, CHROMIUM (executable).
// Every screen is photographed; no page may log a console error.

import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { after, before, beforeEach, test } from "node:test";
import { chromium } from "playwright-core";

const CONSOLE = process.env.CONSOLE_URL;
const SERVICES = JSON.parse(process.env.SERVICES ?? "{}");
const KEY = process.env.API_KEY;
const SHOTS = process.env.SCREENSHOT_DIR ?? path.join(os.tmpdir(), "ops-console-shots");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
assert.ok(CONSOLE && KEY && SERVICES["invoice-service"], "CONSOLE_URL, SERVICES and API_KEY are required");
fs.mkdirSync(SHOTS, { recursive: true });

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let profile;
let context;
let page;
const consoleErrors = [];

async function api(service, pathname, init = {}) {
  const response = await fetch(SERVICES[`${service}-service`] + pathname, {
    ...init,
    headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  const body = response.status === 204 ? null : await response.json();
  return { status: response.status, body };
}

async function eventually(check, { timeout = 45_000, what = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function shot(name) {
  await page.waitForLoadState("load");
  await page.waitForTimeout(300); // let the last answers render
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

function watch(p) {
  p.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(`${p.url()}: ${message.text()}`);
  });
  p.on("pageerror", (error) => consoleErrors.push(`${p.url()}: ${error.message}`));
}

function noConsoleErrors() {
  assert.deepEqual(consoleErrors, [], "the page logged console errors");
}

async function login(name, lang = "en") {
  await page.goto(CONSOLE);
  await page.evaluate(() => sessionStorage.clear());
  await page.goto(`${CONSOLE}/#/worklist`);
  await page.waitForSelector("form.login-card");
  // the development key comes prefilled
  assert.equal(await page.inputValue("input[name=api-key]"), KEY);
  await page.selectOption("form.login-card select", lang);
  await page.fill("input[name=user]", name);
  await page.keyboard.press("Enter");
  await page.waitForSelector("[data-testid=worklist] tbody tr");
}

async function worklistTaskIds() {
  // the whole list, as the service has it now (one page: fewer than 15 tasks)
  const expected = (await api("dunning", "/v1/worklist")).body.length;
  await page.waitForFunction(
    (n) => document.querySelectorAll("[data-testid=worklist] tbody tr").length === n,
    Math.min(expected, 15),
  );
  return page.$$eval("[data-testid=worklist] tbody tr", (rows) => rows.map((r) => r.dataset.taskId));
}

before(async () => {
  profile = fs.mkdtempSync(path.join(os.tmpdir(), "ops-console-chromium-"));
  // a fresh profile directory of its own (playwright passes it as --user-data-dir)
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: FLAGS,
    viewport: { width: 1280, height: 800 },
    locale: "en-GB",
  });
  page = context.pages()[0] ?? (await context.newPage());
  watch(page);
});

beforeEach(() => {
  consoleErrors.splice(0);
});

after(async () => {
  await context?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

test("log in, read the worklist, filter it", async () => {
  await page.goto(CONSOLE);
  await page.waitForSelector("form.login-card");
  await shot("01-login");
  await login("An Peeters");
  const tasks = await page.$$eval("[data-testid=worklist] tbody tr", (rows) =>
    rows.map((r) => ({ kind: r.dataset.kind, debtor: r.dataset.debtor, priority: Number(r.querySelector(".priority").textContent) })),
  );
  const expected = (await api("dunning", "/v1/worklist")).body;
  assert.equal(tasks.length, Math.min(expected.length, 15));
  assert.deepEqual(
    tasks.map((t) => t.debtor),
    expected.slice(0, 15).map((w) => w.debtor_ref),
  );
  // most urgent first
  for (let i = 1; i < tasks.length; i++) assert.ok(tasks[i - 1].priority >= tasks[i].priority);
  assert.ok(tasks.some((t) => t.kind === "formal_notice_approval"));
  await shot("02-worklist");
  await page.selectOption("select[name=kind]", "phone_call");
  await page.waitForFunction(() =>
    [...document.querySelectorAll("[data-testid=worklist] tbody tr")].every((r) => r.dataset.kind === "phone_call"),
  );
  await page.selectOption("select[name=kind]", "");
  noConsoleErrors();
});

test("worklist → debtor → promise to pay: in the timeline, and the call leaves the worklist", async () => {
  await page.goto(`${CONSOLE}/#/worklist`);
  await page.reload();
  await page.waitForSelector("[data-testid=worklist] tbody tr");
  const before = await worklistTaskIds();
  const row = page.locator('[data-testid=worklist] tbody tr[data-debtor="D-1003"][data-kind="phone_call"]');
  const taskId = await row.getAttribute("data-task-id");
  // by keyboard: the debtor link in the row, then Enter
  await row.locator("a").focus();
  await page.keyboard.press("Enter");
  await page.waitForSelector('[data-testid=debtor][data-debtor="D-1003"]');
  await page.waitForSelector("[data-testid=timeline] .event");
  await page.waitForSelector(`[data-testid=tasks] li.current[data-task-id="${taskId}"]`);
  await shot("03-debtor");
  // open items with their dunning level and next step, the credit figures with the explained score
  const item = page.locator('[data-testid=open-items] tr[data-invoice="INV-2025-1203"]');
  assert.match(await item.textContent(), /8,000\.00/);
  assert.ok(Number(await page.locator("[data-testid=score]").textContent()) > 0);

  // the call's answer: a promise, typed in the dialog by keyboard
  await page.locator(`[data-testid=tasks] li[data-task-id="${taskId}"] button`, { hasText: "Promise to pay" }).focus();
  await page.keyboard.press("Enter");
  await page.waitForSelector("dialog[open] input[name=amount]");
  assert.equal(await page.inputValue("dialog[open] input[name=amount]"), "8000.00");
  await page.locator("dialog[open] input[name=promised_date]").fill("2026-02-27");
  await page.locator("dialog[open] input[name=amount]").focus();
  await page.keyboard.press("Enter");
  await page.waitForSelector("dialog[open]", { state: "detached" });
  await page.waitForSelector(".notice");
  await eventually(async () => (await page.locator('[data-testid=timeline] .event[data-kind="promise"]').count()) === 1, {
    what: "the promise in the timeline",
  });
  assert.match(
    await page.locator('[data-testid=timeline] .event[data-kind="promise"]').textContent(),
    /promise to pay EUR 8000\.00 by 2026-02-27/,
  );
  await page.waitForSelector('[data-testid=open-items] tr[data-invoice="INV-2025-1203"] .hold-promise');
  await shot("04-debtor-after-promise");

  await page.click('a[href="#/worklist"]');
  await page.waitForSelector("[data-testid=worklist] tbody tr");
  const afterIds = await worklistTaskIds();
  assert.ok(before.includes(taskId) && !afterIds.includes(taskId), "the answered call left the worklist");
  assert.equal(afterIds.length, before.length - 1);
  noConsoleErrors();
});

test("approve a formal notice: its letter appears in the timeline and opens as a PDF", async () => {
  await page.goto(`${CONSOLE}/#/debtors/D-1002`);
  await page.waitForSelector('[data-testid=tasks] li[data-kind="formal_notice_approval"]');
  const letters = () => page.locator('[data-testid=timeline] .event[data-template="formal_notice"]');
  assert.equal(await letters().count(), 0);
  const task = page.locator('[data-testid=tasks] li[data-kind="formal_notice_approval"]').first();
  const taskId = await task.getAttribute("data-task-id");
  await task.locator("button", { hasText: "Approve formal notice" }).click();
  await page.waitForSelector(".notice");
  // notification-service renders and sends it from the reminder event: reload until it shows
  await eventually(
    async () => {
      await page.reload();
      await page.waitForSelector("[data-testid=timeline] .event");
      // rendered, then sent by the sender (the e-mail with the letter attached)
      return (await letters().count()) >= 1 && (await letters().first().getAttribute("data-status")) === "sent";
    },
    { what: "the formal notice sent, in the timeline", timeout: 60_000 },
  );
  assert.equal(await page.locator(`[data-testid=tasks] li[data-task-id="${taskId}"]`).count(), 0);
  const entry = letters().first();
  assert.equal(await entry.getAttribute("data-status"), "sent");
  await entry.locator("button", { hasText: "View e-mail" }).click();
  await page.waitForSelector("dialog[open] [data-testid=mail-text], dialog[open] [data-testid=mail-html]");
  await shot("05-formal-notice-email");
  await page.keyboard.press("Escape");
  await entry.locator("[data-testid=open-letter]").click();
  const pdf = await page.waitForSelector("dialog[open] [data-testid=letter-pdf]");
  assert.equal(await pdf.getAttribute("data-type"), "application/pdf");
  assert.ok(Number(await pdf.getAttribute("data-size")) > 1000);
  // drawn by pdf.js: at least one page on a canvas
  await page.waitForSelector('dialog[open] [data-testid=pdf-pages]:not([data-pages="0"]) canvas');
  await shot("06-formal-notice-letter");
  await page.keyboard.press("Escape");
  await page.waitForSelector("dialog[open]", { state: "detached" });
  await shot("07-debtor-after-approval");
  noConsoleErrors();
});

test("allocate an unmatched payment: the invoice is paid in every view", async () => {
  const before = (await api("credit", "/v1/debtors/D-1001/exposure")).body.exposure.find((e) => e.currency === "EUR");
  await page.goto(`${CONSOLE}/#/payments`);
  await page.waitForSelector('[data-testid=unmatched] tr[data-payment="PAY-DEMO-0100"]');
  await shot("08-payments");
  await page.locator('[data-testid=unmatched] tr[data-payment="PAY-DEMO-0100"] button').click();
  // the search starts from the counterparty's name
  await page.locator("dialog[open] .pick-list button", { hasText: "Brouwerij Janssens BV" }).click();
  await page.waitForSelector('dialog[open] [data-testid=allocation] tr[data-invoice="INV-2026-0101"]');
  await page.fill("dialog[open] input[name=amount-INV-2025-1201]", "0");
  await page.fill("dialog[open] input[name=amount-INV-2026-0101]", "605.00");
  assert.match(await page.textContent("dialog[open] [data-testid=remaining]"), /0\.00/);
  await shot("09-allocation");
  await page.locator("dialog[open] button[type=submit]").click();
  await page.waitForSelector("dialog[open]", { state: "detached" });
  await page.waitForSelector("[data-testid=payments-empty]");

  // invoice-service
  const invoice = (await api("invoice", "/v1/invoices/INV-2026-0101")).body;
  assert.equal(invoice.status, "paid");
  assert.equal(invoice.open_amount, "0.00");
  // dunning-service, credit-service and notification-service, as the debtor screen shows them
  await eventually(
    async () => {
      await page.goto(`${CONSOLE}/#/debtors/D-1001`);
      await page.reload();
      await page.waitForSelector("[data-testid=timeline] .event");
      await page.waitForSelector("[data-testid=exposure-EUR]");
      const stillOpen = await page.locator('[data-testid=open-items] tr[data-invoice="INV-2026-0101"]').count();
      const paidEvents = await page.locator("[data-testid=timeline] .event", { hasText: "Invoice INV-2026-0101 paid" }).count();
      const exposure = await page.textContent("[data-testid=exposure-EUR]");
      return stillOpen === 0 && paidEvents === 1 && exposure.includes("1,210.00");
    },
    { what: "the payment in every view", timeout: 60_000 },
  );
  const after = (await api("credit", "/v1/debtors/D-1001/exposure")).body.exposure.find((e) => e.currency === "EUR");
  assert.equal(Number(before.open_amount) - Number(after.open_amount), 605);
  const items = (await api("dunning", "/v1/debtors/D-1001/open-items")).body.items.map((i) => i.invoice_number);
  assert.ok(!items.includes("INV-2026-0101"));
  await shot("10-debtor-after-payment");
  noConsoleErrors();
});

function bucketOf(daysPastDue) {
  if (daysPastDue <= 0) return "current";
  if (daysPastDue <= 30) return "1-30";
  if (daysPastDue <= 60) return "31-60";
  if (daysPastDue <= 90) return "61-90";
  return "over 90";
}

test("KPIs: aging, DSO, ADD and CEI charts with the expected values, per currency and month", async () => {
  await page.goto(`${CONSOLE}/#/kpis`);
  await page.waitForSelector("[data-testid=aging-chart] .bar");
  await page.waitForSelector("[data-testid=dso-trend] circle");
  const report = (await api("credit", "/v1/kpis")).body;
  const businessDate = report.as_of;
  // expected aging, computed here from invoice-service's ledger: open amount by days past due
  const invoices = (await api("invoice", "/v1/invoices?limit=1000")).body.filter(
    (i) => ["open", "partially_paid"].includes(i.status) && i.currency === "EUR",
  );
  const expected = { current: 0, "1-30": 0, "31-60": 0, "61-90": 0, "over 90": 0 };
  for (const i of invoices) {
    const days = Math.round((Date.parse(businessDate) - Date.parse(i.due_date)) / 86_400_000);
    expected[bucketOf(days)] += Math.round(Number(i.open_amount) * 100);
  }
  const bars = await page.$$eval("[data-testid=aging-chart] .bar", (gs) =>
    Object.fromEntries(gs.map((g) => [g.dataset.key, Math.round(Number(g.dataset.value) * 100)])),
  );
  assert.deepEqual(bars, expected);
  const total = Object.values(expected).reduce((a, b) => a + b, 0);
  assert.equal(Math.round(Number(await page.getAttribute("[data-testid=aging-total]", "data-value")) * 100), total);
  const eur = report.currencies.find((c) => c.currency === "EUR");
  for (const [testId, kpi] of [
    ["kpi-dso-standard", eur.dso_standard],
    ["kpi-dso-countback", eur.dso_countback],
    ["kpi-bpdso", eur.best_possible_dso],
    ["kpi-add", eur.average_days_delinquent],
    ["kpi-cei", eur.cei],
  ]) {
    assert.equal(await page.getAttribute(`[data-testid=${testId}]`, "data-value"), kpi.value ?? "");
  }
  // DSO standard by its formula: ending AR / credit sales × days
  const e = eur.dso_standard.explanation;
  assert.equal(Number(eur.dso_standard.value), Math.round((Number(e.ending_total_ar) / Number(e.credit_sales)) * e.days * 100) / 100);
  // the trend: one point per month end, the last one today's figure
  const points = await page.$$eval('[data-testid=dso-trend] [data-series="dso_standard"] circle', (cs) =>
    cs.map((c) => Number(c.dataset.value)),
  );
  assert.ok(points.length >= 2 && points.length <= 6);
  assert.equal(points[points.length - 1], Number(eur.dso_standard.value));
  const months = await page.$$eval("[data-testid=aging-trend] g[data-month]", (gs) => gs.map((g) => Number(g.dataset.total)));
  assert.equal(months.length, 6);
  assert.equal(Math.round(months[5] * 100), total);
  await shot("11-kpis-eur");
  await page.click('[role=tab][data-currency="USD"]');
  await page.waitForFunction(() => document.querySelector("[data-testid=aging-total]")?.dataset.value === "1500.00");
  await shot("12-kpis-usd");
  noConsoleErrors();
});

test("a refused action shows the problem with its field and reason", async () => {
  await page.goto(`${CONSOLE}/#/debtors/D-1004`);
  await page.waitForSelector("[data-testid=timeline] .event");
  await page.locator(".actions button", { hasText: "Promise to pay" }).click();
  await page.fill("dialog[open] input[name=amount]", "12,50");
  await page.locator("dialog[open] button[type=submit]").click();
  await page.waitForSelector("dialog[open] .problem .problem-fields");
  const fields = await page.$$eval("dialog[open] .problem-fields tbody tr", (rows) => rows.map((r) => r.children[0].textContent));
  assert.ok(fields.includes("amount"), `fields named: ${fields}`);
  assert.equal(await page.getAttribute("dialog[open] input[name=amount]", "aria-invalid"), "true");
  await shot("13-problem");
  await page.keyboard.press("Escape");
  consoleErrors.splice(0); // the refused request itself is logged by the browser as a failed load
  noConsoleErrors();
});

test("credit limit: the second-person rule shows who may approve", async () => {
  await page.goto(`${CONSOLE}/#/debtors/D-1004`);
  await page.waitForSelector("[data-testid=timeline] .event");
  await page.locator(".actions button", { hasText: "Credit limit" }).click();
  await page.fill("dialog[open] input[name=limit]", "75000.00");
  await page.fill("dialog[open] textarea[name=reason]", "annual contract renewal");
  await page.locator("dialog[open] button[type=submit]").click();
  await page.waitForSelector("[data-testid=limit-request]");
  assert.match(await page.textContent("[data-testid=who-may-approve]"), /another person must approve/);
  assert.ok(await page.locator("[data-testid=limit-request] button.primary").isDisabled());
  await shot("14-limit-pending");
  await page.click("text=Log out");
  await login("Bram Claes");
  await page.goto(`${CONSOLE}/#/limits`);
  await page.waitForSelector("[data-testid=limit-request]");
  assert.match(await page.textContent("[data-testid=who-may-approve]"), /Anyone but An Peeters may approve/);
  await shot("15-limits");
  await page.locator("[data-testid=limit-request] button.primary").click();
  await page.waitForSelector("[data-testid=limit-request]", { state: "detached" });
  const account = (await api("credit", "/v1/debtors/D-1004/credit-account")).body;
  assert.equal(account.limits.find((l) => l.currency === "EUR").limit, "75000.00");
  noConsoleErrors();
});

test("Dutch and French screens", async () => {
  for (const [lang, heading, debtorHeading] of [
    ["nl", "Werklijst", "Tijdlijn"],
    ["fr", "Liste de travail", "Chronologie"],
  ]) {
    await page.goto(`${CONSOLE}/#/worklist`);
    await page.selectOption(".session select", lang);
    await page.waitForSelector(`h1:text-is("${heading}")`);
    assert.equal(await page.getAttribute("html", "lang"), lang);
    await shot(`16-worklist-${lang}`);
    await page.goto(`${CONSOLE}/#/debtors/D-1002`);
    await page.waitForSelector(`h2:text-is("${debtorHeading}")`);
    await page.waitForSelector("[data-testid=timeline] .event");
    await shot(`17-debtor-${lang}`);
    await page.goto(`${CONSOLE}/#/kpis`);
    await page.waitForSelector("[data-testid=aging-chart] .bar");
    await shot(`18-kpis-${lang}`);
  }
  await page.selectOption(".session select", "en");
  noConsoleErrors();
});

test("messages needing ops, debtor search, and the simulated clock moved from the screen", async () => {
  await page.goto(`${CONSOLE}/#/messages`);
  await page.waitForSelector("[data-testid=messages], [data-testid=messages-empty]");
  await shot("19-messages");
  await page.goto(`${CONSOLE}/#/debtors`);
  await page.fill("input[name=q]", "dupont");
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=debtors] tbody tr").length === 1);
  await shot("20-debtors");
  const before = (await api("dunning", "/v1/admin/status")).body.clock.business_date;
  await page.click("[data-testid=clock-toggle]");
  await page.fill("input[name=days]", "3");
  await page.keyboard.press("Enter");
  await eventually(async () => (await api("credit", "/v1/admin/status")).body.clock.business_date > before, {
    what: "the clock to move",
    timeout: 60_000,
  });
  await page.waitForSelector("#clock-panel", { state: "detached", timeout: 60_000 });
  const expected = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" }).format(
    new Date(Date.parse(before) + 3 * 86_400_000),
  );
  await page.waitForFunction(
    (text) => document.querySelector("[data-testid=business-date]")?.textContent === text,
    expected,
  );
  await shot("21-clock-moved");
  noConsoleErrors();
});

test("another origin is refused by the services' CORS policy", async () => {
  // a page served from a port the services do not know calls an API with a valid key
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end("<!doctype html><title>elsewhere</title>");
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const foreign = await context.newPage();
  try {
    await foreign.goto(origin);
    const outcome = await foreign.evaluate(
      async ({ url, key }) => {
        try {
          const r = await fetch(url, { headers: { Authorization: `Bearer ${key}` } });
          return `answered ${r.status}`;
        } catch (error) {
          return `refused: ${error.name}`;
        }
      },
      { url: `${SERVICES["dunning-service"]}/v1/worklist`, key: KEY },
    );
    assert.equal(outcome, "refused: TypeError");
    // the console's own origin is allowed (the same call from its page)
    const allowed = await page.evaluate(
      async ({ url, key }) => (await fetch(url, { headers: { Authorization: `Bearer ${key}` } })).status,
      { url: `${SERVICES["dunning-service"]}/v1/worklist`, key: KEY },
    );
    assert.equal(allowed, 200);
  } finally {
    await foreign.close();
    server.close();
  }
  noConsoleErrors();
});
