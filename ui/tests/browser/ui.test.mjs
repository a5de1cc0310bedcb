// The built UI in headless Chromium, its IPC answered from the fixtures
// (harness.mjs). Checks what a person sees: the figures, the charts, editing,
// reordering by keyboard, errors as sentences, and the catalog table.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fixtures, openApp, shots } from "./harness.mjs";

let app;
let page;

before(async () => {
  app = await openApp();
  page = app.page;
});

after(async () => {
  await app?.close();
});

test("the example plan opens with its exact figures", async () => {
  const fig = page.locator('[data-testid="plan-availability"]');
  await fig.waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="plan-availability"]')?.getAttribute("data-value"));
  assert.equal(Number(await fig.getAttribute("data-value")), fixtures.plan_edit.figures.availability);
  assert.match(await fig.innerText(), /99\.99\d*%/);
  await page.screenshot({ path: join(shots, "browser-plan.png") });
});

test("editing a timeout sends the edited plan; a bad one shows the engine's words", async () => {
  const input = page.locator('[data-testid="timeout-0-1"]');
  await input.fill("2000");
  await page.waitForFunction(() => window.__calls.some((c) => c.cmd === "plan_edit" && c.args.plan.routes[0].steps[1].timeout_ms === 2000));
  await input.fill("-5");
  const banner = page.locator('[data-testid="error"]');
  await banner.waitFor();
  assert.equal(await banner.innerText(), "plan: routes[0].steps[1].timeout_ms: must be a positive number");
  assert.equal(await input.getAttribute("aria-invalid"), "true");
  await input.fill("12000");
  await banner.waitFor({ state: "detached" });
});

test("an edit is one call to the engine, and its report follows by event", async () => {
  const input = page.locator('[data-testid="timeout-0-1"]');
  const before = await page.evaluate(() => window.__calls.length);
  await input.fill("11000");
  // Long enough for the report event and anything else an edit might start.
  await page.waitForTimeout(600);
  const calls = await page.evaluate((n) => window.__calls.slice(n).map((c) => c.cmd), before);
  assert.deepEqual(calls, ["plan_edit"]);
  // Success within the budget and p95 are exact (MODEL.md §3.10): they come
  // with the edit's own answer, never "refining…", and the report agrees.
  const exact = fixtures.plan_edit.figures.requests;
  const within = page.locator('[data-testid="plan-within-budget"]');
  assert.equal(Number(await within.getAttribute("data-value")), exact.success_within_budget);
  assert.equal(exact.success_within_budget, fixtures.plan_report.success_within_budget.value);
  assert.equal(await within.getAttribute("aria-busy"), "false");
  assert.match(await within.textContent(), /exact/);
  const p95 = page.locator('[data-testid="plan-p95"]');
  assert.equal(Number(await p95.getAttribute("data-value")), exact.latency_ms.p95);
  assert.equal(await p95.getAttribute("aria-busy"), "false");
  await input.fill("12000");
});

test("steps reorder with Alt+Arrow keys", async () => {
  const first = page.locator('[data-step="0-0"]');
  await first.focus();
  await page.keyboard.press("Alt+ArrowDown");
  await page.waitForFunction(() => {
    const last = window.__calls.filter((c) => c.cmd === "plan_edit").pop();
    return last && last.args.plan.routes[0].steps[0].offering === "deepseek/deepseek-chat";
  });
  assert.equal(await page.locator('[data-testid="offering-0-1"]').inputValue(), "anthropic/claude-sonnet");
  await page.locator('[data-step="0-1"]').press("Alt+ArrowUp");
  await page.waitForFunction(() => window.__calls.filter((c) => c.cmd === "plan_edit").pop().args.plan.routes[0].steps[0].offering === "anthropic/claude-sonnet");
});

test("an offering what-if sends the plan with the changed figure; emptying it restores the plan's", async () => {
  const id = "anthropic/claude-sonnet";
  await page.locator(`[data-testid="figures-${id}"] summary`).click();
  const box = page.locator(`[data-testid="figure-${id}-availability"]`);
  assert.equal(await box.inputValue(), "0.9992");
  await box.fill("0.995");
  await page.waitForFunction((id) => {
    const last = window.__calls.filter((c) => c.cmd === "plan_edit").pop();
    return last && last.args.plan.offerings.find((o) => o.id === id).availability === 0.995;
  }, id);
  await box.fill("0.9992");
  await page.waitForFunction((id) => {
    const last = window.__calls.filter((c) => c.cmd === "plan_edit").pop();
    return last && last.args.plan.offerings.find((o) => o.id === id).availability === 0.9992;
  }, id);
  await page.locator(`[data-testid="figures-${id}"] summary`).click();
});

test("the analysis page shows the report and the engine's charts", async () => {
  await page.click('[data-testid="nav-analysis"]');
  await page.locator('[data-testid="chart-latency"] .svg svg').waitFor();
  await page.locator('[data-testid="chart-sla"] .svg svg').waitFor();
  await page.locator('[data-testid="chart-cost"] .svg svg').waitFor();
  await page.locator('[data-testid="chart-exceedance"] .svg svg').waitFor();
  const within = page.locator('[data-testid="figure-within-budget"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="figure-within-budget"]')?.getAttribute("data-value"));
  assert.equal(Number(await within.getAttribute("data-value")), fixtures.plan_report.success_within_budget.value);
  // Exact, so shown with the edit and never "refining…".
  assert.equal(await within.getAttribute("aria-busy"), "false");
  const figureLatency = page.locator('[data-testid="figure-latency"]');
  assert.equal(Number(await figureLatency.getAttribute("data-value")), fixtures.plan_edit.figures.requests.latency_ms.p95);
  assert.equal(await figureLatency.getAttribute("aria-busy"), "false");
  // Hovering the p95 mark shows the engine's label for it.
  const latency = fixtures.charts.latency;
  const p95 = latency.points.find((p) => p.label.startsWith("p95"));
  const overlay = page.locator('[data-testid="chart-latency"] .overlay');
  await overlay.scrollIntoViewIfNeeded();
  const box = await overlay.boundingBox();
  await page.mouse.move(box.x + (p95.x / latency.width) * box.width, box.y + (p95.y / latency.height) * box.height);
  assert.equal(await page.locator('[data-testid="chart-tip"]').innerText(), p95.label);
  await page.screenshot({ path: join(shots, "browser-analysis.png"), fullPage: true });
});

test("the catalog table searches and sorts", async () => {
  await page.click('[data-testid="nav-catalog"]');
  const rows = page.locator('[data-testid="catalog-table"] tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), fixtures.catalog_list.length);
  await page.fill('[data-testid="catalog-search"]', "anthropic");
  const n = fixtures.catalog_list.filter((r) => `${r.id} ${r.provider} ${r.model} ${r.mode ?? ""}`.toLowerCase().includes("anthropic")).length;
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="catalog-table"] tbody tr').length === n, n);
  await page.fill('[data-testid="catalog-search"]', "");
  await page.screenshot({ path: join(shots, "browser-catalog.png") });
});

test("inherited figures are greyed with their source, and group histories show their fit", async () => {
  await page.click('[data-testid="nav-catalog"]');
  const inheriting = fixtures.catalog_list.find((r) => r.inherited.some((i) => i.field === "availability"));
  assert.ok(inheriting, "the embedded catalog has an offering that inherits its availability");
  await page.fill('[data-testid="catalog-search"]', inheriting.id);
  const cell = page.locator('[data-testid="catalog-table"] tbody tr').first().locator("td.inherited").first();
  await cell.waitFor();
  const from = inheriting.inherited.find((i) => i.field === "availability").from;
  assert.equal(await cell.getAttribute("title"), `Inherited from ${from}`);
  await page.fill('[data-testid="catalog-search"]', "");
  const history = page.locator('[data-testid="history-table"] tbody tr');
  await history.first().waitFor();
  assert.equal(await history.count(), fixtures.history_list.length);
  const first = fixtures.history_list[0];
  const text = await history.first().innerText();
  assert.ok(text.includes(first.group) && text.includes(`${first.first_day} to ${first.last_day}`), text);
  await page.locator('[data-testid="history-form"]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, "browser-catalog-histories.png"), fullPage: true });
});

test("probes start with the caps given and show their results", async () => {
  await page.click('[data-testid="nav-probes"]');
  const start = page.locator('[data-testid="probe-start"]');
  assert.equal(await start.isDisabled(), true, "nothing picked yet");
  await page.locator('input[type="checkbox"]').first().check();
  await start.click();
  await page.getByText("stopped: completed").waitFor();
  const call = await page.evaluate(() => window.__calls.find((c) => c.cmd === "probe_start"));
  assert.equal(call.args.offerings.length, 1);
  assert.equal(call.args.caps.max_spend_usd, 0.1);
  // The stored probes over time, with the engine's label on hover.
  const probes = fixtures.charts.probes;
  const failed = probes.points.find((p) => p.label.includes(": failed, "));
  const overlay = page.locator('[data-testid="chart-probes"] .overlay');
  await overlay.waitFor();
  await overlay.scrollIntoViewIfNeeded();
  const box = await overlay.boundingBox();
  await page.mouse.move(box.x + (failed.x / probes.width) * box.width, box.y + (failed.y / probes.height) * box.height);
  assert.equal(await page.locator('[data-testid="chart-probes"] [data-testid="chart-tip"]').innerText(), failed.label);
  const charted = await page.evaluate(() => window.__calls.filter((c) => c.cmd === "probe_chart").pop());
  assert.deepEqual(charted.args.offerings, call.args.offerings);
  await page.screenshot({ path: join(shots, "browser-probes.png"), fullPage: true });
});

test("p95 as an objective: the plan's objectives, the resolution's defaults and the frontier's note", async () => {
  await page.click('[data-testid="nav-search"]');
  assert.equal(await page.locator('[data-testid="p95-resolution"]').count(), 0, "no resolution on the two-axis frontier");
  await page.click('[data-testid="objective-p95"]');
  const p95Box = page.locator('[data-testid="p95-resolution"]');
  await p95Box.waitFor();
  // The engine's defaults, greyed: 1% and 0.01 nines.
  const d = fixtures.app_defaults.search_resolution;
  assert.equal(await p95Box.getAttribute("placeholder"), `${d.p95 * 100} (default)`);
  assert.equal(await page.locator('[data-testid="availability-resolution"]').getAttribute("placeholder"), `${d.availability_nines} (default)`);
  // The plan's [search] now lists p95 after cost and availability.
  await page.waitForFunction(() => {
    const calls = window.__calls.filter((c) => c.cmd === "plan_edit");
    const o = calls[calls.length - 1]?.args.plan.search?.objectives;
    return JSON.stringify(o) === JSON.stringify(["cost", "availability", "p95"]);
  });
  await page.click('[data-testid="search-run"]');
  const rows = page.locator('[data-testid="frontier-table"] tbody tr');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="frontier-table"] tbody tr').length === n, fixtures.search_plan_p95.points.length);
  assert.equal(await rows.count(), fixtures.search_plan_p95.points.length);
  const r = fixtures.search_plan_p95.resolution;
  assert.deepEqual(r, d, "the search ran at the default resolution");
  assert.match(await page.locator('[data-testid="search-resolution"]').innerText(), new RegExp(`^p95 within ${r.p95 * 100}% and availability within ${r.availability_nines} nines count as one point`));
  // Unticked, the objectives leave the plan and the resolution fields go.
  await page.click('[data-testid="objective-p95"]');
  await page.waitForFunction(() => {
    const calls = window.__calls.filter((c) => c.cmd === "plan_edit");
    return calls[calls.length - 1]?.args.plan.search?.objectives === undefined;
  });
  assert.equal(await page.locator('[data-testid="p95-resolution"]').count(), 0);
  await page.click('[data-testid="load-example"]');
});

test("a frontier point opens as the plan", async () => {
  await page.click('[data-testid="nav-search"]');
  await page.click('[data-testid="search-run"]');
  const rows = page.locator('[data-testid="frontier-table"] tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), fixtures.search_plan.points.length);
  await page.screenshot({ path: join(shots, "browser-search.png") });
  const last = fixtures.search_plan.points[fixtures.search_plan.points.length - 1];
  await rows.last().getByRole("button", { name: /^Open point/ }).click();
  await page.click('[data-testid="nav-plan"]');
  await page.waitForFunction((want) => {
    const calls = window.__calls.filter((c) => c.cmd === "plan_edit");
    return JSON.stringify(calls[calls.length - 1].args.plan.routes) === JSON.stringify(want);
  }, last.plan.routes);
  // Back to the example for the tests after this one.
  await page.click('[data-testid="load-example"]');
});

test("the export page shows the lint and the highlighted config", async () => {
  await page.click('[data-testid="nav-export"]');
  const preview = page.locator('[data-testid="export-preview"]');
  await preview.waitFor();
  assert.equal((await preview.innerText()).trim(), fixtures.export_preview.text.trim());
  assert.ok((await preview.locator("span.key").count()) > 5, "keys are highlighted");
  // The engine's during_outage, one row an upstream step: the example's
  // Claude step, never taken out by LiteLLM's defaults, so every request
  // reaching it pays its two attempts.
  const rows = page.locator('[data-testid="during-outage"] tbody tr');
  assert.equal(await rows.count(), fixtures.export_preview.during_outage.length);
  assert.equal(fixtures.export_preview.during_outage[0].paying_share, 1);
  const first = await rows.first().innerText();
  assert.match(first, /anthropic\/claude-sonnet/);
  assert.match(first, /100\.00% \(never taken out\)/);
  assert.match(first, /\b2\.00\b/);
  // The other cells are the engine's figures, as the page reads them.
  const d = fixtures.export_preview.during_outage[0];
  const cells = await rows.first().locator("td").allInnerTexts();
  assert.equal(cells[2], `+${(d.added_latency_ms.p50 / 1000).toFixed(2)} s / +${(d.added_latency_ms.p95 / 1000).toFixed(2)} s`);
  // Never taken out: traffic is back on the step as soon as it is.
  assert.equal(d.return_to_primary_s, 0);
  assert.equal(cells[4], "0 ms");
  assert.equal(cells[5], `${d.recommended_cooldown_s.toFixed(2)} s`);
  assert.equal(cells[6], Math.round(d.monthly.failed_attempts).toLocaleString("en-US"));
  await page.screenshot({ path: join(shots, "browser-export.png") });
});

test("the dark theme switches the colours", async () => {
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await bg();
  await page.click('[data-testid="theme"]');
  assert.notEqual(await bg(), light);
  await page.click('[data-testid="nav-tco"]');
  await page.locator('[data-testid="chart-tco"] .svg svg').waitFor();
  await page.screenshot({ path: join(shots, "browser-tco-dark.png") });
  await page.click('[data-testid="theme"]');
});
