// The workload from a usage log in headless Chromium (harness.mjs), the
// engine's answers from fixtures.json (a synthetic LiteLLM spend log
// imported and measured by the real commands): File → Import usage picks a
// log and guesses its format, the import runs as a job that Cancel stops,
// the preview shows the engine's volume, shape and histograms, the stored
// traffic is priced on the plan, at the catalog and on each pinned plan, and Apply puts the
// measured [workload] in the plan, keeping what a log cannot tell.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { calledWith, fixtures, lastCall, openApp, shots } from "./harness.mjs";

// The import as the shell runs it: the footer's progress by event, then
// the report; while `window.__slowImport` is set it waits for cancel_job
// and fails as a cancelled job does.
const usageImport = async (args, f) => {
  window.__TAURI_INTERNALS__.invoke("plugin:event|emit", { event: "job-progress", payload: { job: args.job, done: 1, total: 2, stage: "reading the log" } });
  if (window.__slowImport) {
    await new Promise((resolve) => (window.__finishImport = resolve));
    throw { code: "cancelled", message: "spend.csv: the import was cancelled; nothing was written", problems: [] };
  }
  return f.usage.import;
};

// The database import as the shell runs it: progress of unknown length
// (bytes streamed, total 0) until `window.__finishDatabase()`, then the
// last report, whose total closes the bar, then the import's report.
const usageImportPostgres = async (args, f) => {
  const emit = (done, total) =>
    window.__TAURI_INTERNALS__.invoke("plugin:event|emit", { event: "job-progress", payload: { job: args.job, done, total, stage: "reading the spend logs" } });
  emit(65536, 0);
  await new Promise((resolve) => (window.__finishDatabase = resolve));
  emit(131072, 131072);
  return f.usage.import;
};

let app;
let page;

before(async () => {
  app = await openApp({
    usage_import: usageImport,
    usage_workload: (args, f) => f.usage.workload,
    usage_import_postgres: usageImportPostgres,
    usage_cost: (args, f) => (args.plan ? f.usage.cost_on_plan : f.usage.cost_at_catalog),
    cancel_job: () => {
      window.__finishImport?.();
      return true;
    },
    "plugin:dialog|open": () => "logs/spend.csv",
  });
  page = app.page;
  await page.locator('[data-testid="usage-panel"]').waitFor();
});

after(async () => {
  await app?.close();
});

test("File → Import usage picks a log, imports it and shows the engine's preview", async () => {
  await page.click('[data-testid="import-usage"]');
  await page.locator('[data-testid="usage-pending"]').waitFor();
  assert.equal(await page.inputValue('[data-testid="usage-format"]'), "litellm-spend");
  await page.click('[data-testid="usage-import"]');
  await calledWith(page, "usage_import", '(a) => a.path === "logs/spend.csv" && a.options.format === "litellm-spend" && !a.options.skip_bad && !a.options.replace && a.job === "usage-import"');
  const report = fixtures.usage.import.import;
  await page.locator('[data-testid="usage-report"]').waitFor();
  assert.match(await page.textContent('[data-testid="usage-report"]'), new RegExp(`Imported ${report.requests.toLocaleString("en-US")} requests from spend.csv`));
  await page.locator('[data-testid="usage-preview"]').waitFor();
  const measured = fixtures.usage.workload.measured;
  assert.equal(Number(await page.getAttribute('[data-testid="usage-volume"]', "data-value")), measured.requests_per_month);
  // Every figure of the preview is the engine's, as the fixture has it.
  const n = (x) => Math.round(x).toLocaleString("en-US");
  assert.equal(await page.textContent('[data-testid="usage-window"]'), `${n(measured.requests)} requests, ${measured.days.toFixed(1)} days`);
  assert.equal(await page.textContent('[data-testid="usage-means"]'), `${n(measured.input_tokens)} in, ${n(measured.output_tokens)} out`);
  // A share well under 99% reads with two decimals (format.ts `percent`).
  assert.equal(await page.textContent('[data-testid="usage-cached"]'), `${(100 * measured.cached_input_share).toFixed(2)}%`);
  // The day's 24 weights, and one bar per non-empty histogram bin.
  assert.equal(await page.locator('[data-testid="usage-shape"] .bar').count(), 24);
  assert.equal(await page.locator('[data-testid="usage-input"] .bar').count(), measured.histograms.input_tokens.length);
  assert.equal(await page.locator('[data-testid="usage-output"] .bar').count(), measured.histograms.output_tokens.length);
  // A few hours of log: no growth, and the engine's reason says why.
  assert.equal(await page.textContent('[data-testid="usage-growth"]'), measured.growth.reason);
  await page.screenshot({ path: join(shots, "usage-preview.png"), fullPage: true });
});

test("The stored traffic is priced on the open plan and at catalog prices, as the engine prices it", async () => {
  await page.click('[data-testid="usage-cost-plan"]');
  await calledWith(page, "usage_cost", "(a) => a.plan !== null && a.plan.workload !== undefined && a.request.since === null");
  const onPlan = fixtures.usage.cost_on_plan;
  await page.locator('[data-testid="usage-cost-total"]').waitFor();
  assert.equal(Number(await page.getAttribute('[data-testid="usage-cost-total"]', "data-value")), onPlan.total.cost_usd);
  const text = await page.textContent('[data-testid="usage-cost-total"]');
  assert.match(text, /^\s*On this plan: /);
  assert.match(text, new RegExp(`for ${onPlan.total.priced_requests.toLocaleString("en-US")} requests`));
  assert.equal(await page.locator('[data-testid="usage-cost-models"] tbody tr').count(), onPlan.models.length);
  await page.click('[data-testid="usage-cost-catalog"]');
  await calledWith(page, "usage_cost", "(a) => a.plan === null");
  const atCatalog = fixtures.usage.cost_at_catalog;
  await page.waitForFunction(
    (v) => document.querySelector('[data-testid="usage-cost-total"]')?.getAttribute("data-value") === v,
    String(atCatalog.total.cost_usd ?? ""),
  );
  const catalogText = await page.textContent('[data-testid="usage-cost-total"]');
  assert.match(catalogText, /At each model's catalog prices/);
  // The app's default catalog has none of the synthetic log's models: each
  // is left unpriced, never priced at 0, and the page says so.
  assert.equal(atCatalog.total.cost_usd, null);
  assert.match(catalogText, /not priced/);
  assert.match(catalogText, /no model of the log has a catalog price/);
  assert.match(catalogText, new RegExp(`${atCatalog.total.unpriced_requests.toLocaleString("en-US")} requests of models without a catalog price`));
  // Each plan pinned for comparison, priced the same way, in the pins' order.
  assert.equal(await page.isDisabled('[data-testid="usage-cost-pinned"]'), true, "nothing pinned yet");
  await page.click('[data-testid="pin-plan"]');
  await page.click('[data-testid="usage-cost-pinned"]');
  await calledWith(page, "usage_cost", '(a) => a.plan !== null && a.plan.routes.length > 0 && a.request.since === null');
  const rows = page.locator('[data-testid="usage-cost-pinned-plans"] tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().innerText(), /claude-then-deepseek/);
  assert.equal(Number(await rows.first().locator("td[data-value]").getAttribute("data-value")), onPlan.total.cost_usd);
  const cells = await rows.first().locator("td").allInnerTexts();
  assert.equal(cells[1], onPlan.total.priced_requests.toLocaleString("en-US"));
  assert.equal(cells[4], `$${onPlan.total.difference_usd.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
  await page.screenshot({ path: join(shots, "usage-cost.png"), fullPage: true });
});

test("Apply puts the measured workload in the plan and keeps its budget", async () => {
  const before = (await lastCall(page, "plan_edit")).plan.workload;
  await page.click('[data-testid="usage-apply"]');
  const w = fixtures.usage.workload.workload;
  await calledWith(page, "plan_edit", `(a) => a.plan.workload.requests_per_month === ${w.requests_per_month}`);
  const after = (await lastCall(page, "plan_edit")).plan.workload;
  assert.deepEqual(after.input_tokens, w.input_tokens);
  assert.deepEqual(after.output_tokens, w.output_tokens);
  assert.deepEqual(after.hourly_shape, w.hourly_shape);
  assert.equal(after.latency_budget_ms, before.latency_budget_ms);
  // A distribution is shown as one, with the engine's mean.
  assert.match(await page.textContent('[data-testid="input-tokens-summary"]'), new RegExp(`a distribution of ${w.input_tokens.values.length} values`));
});

test("LiteLLM's spend logs are imported from PostgreSQL by the variable that holds the connection string", async () => {
  await page.click('[data-testid="usage-database"] summary');
  await page.fill('[data-testid="usage-db-env"]', "SPEND_DB_URL");
  await page.fill('[data-testid="usage-db-since"]', "2026-11-01");
  await page.click('[data-testid="usage-db-import"]');
  await calledWith(page, "usage_import_postgres", '(a) => a.request.url_env === "SPEND_DB_URL" && a.request.since === "2026-11-01" && a.request.until === null && a.job === "usage-import"');
  // Of unknown length: the stage without a share, and Cancel is there.
  await page.waitForFunction(() => document.querySelector('[data-testid="job-progress"]')?.textContent === "reading the spend logs…");
  assert.equal(await page.locator('[data-testid="usage-db-cancel"]').count(), 1);
  await page.evaluate(() => window.__finishDatabase());
  // The last report closes the bar.
  await page.waitForFunction(() => document.querySelector('[data-testid="job-progress"]') === null);
  await page.locator('[data-testid="usage-report"]').waitFor();
  const report = fixtures.usage.import.import;
  assert.match(await page.textContent('[data-testid="usage-report"]'), new RegExp(`Imported ${report.requests.toLocaleString("en-US")} requests`));
  // Nothing of a connection string reaches the page or the request.
  const request = (await lastCall(page, "usage_import_postgres")).request;
  assert.deepEqual(Object.keys(request).sort(), ["replace", "since", "skip_bad", "until", "url_env"]);
});

test("Cancel stops an import and nothing is said to be imported", async () => {
  await page.evaluate(() => (window.__slowImport = true));
  await page.click('[data-testid="usage-choose"]');
  await page.locator('[data-testid="usage-pending"]').waitFor();
  await page.click('[data-testid="usage-import"]');
  await page.locator('[data-testid="usage-cancel"]').click();
  await calledWith(page, "cancel_job", '(a) => a.job === "usage-import"');
  await page.locator('[data-testid="usage-error"]').waitFor();
  assert.equal(await page.textContent('[data-testid="usage-error"]'), "import cancelled; nothing was written");
});
