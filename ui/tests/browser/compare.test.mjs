// The Compare page in headless Chromium (harness.mjs): plans pinned from the
// Plan page, the Search page and a file; the comparison's table shows the
// engine's texts with the best marked; the baseline, a name, a removal and
// the target reach compare_plans; one comparison runs at a time; the report
// is exported; a seventh pin is refused; and the pinned set outlives a reload.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { callsOf, calledWith, fixtures, lastCall, openApp, shots } from "./harness.mjs";

// compare_plans as the engine answers it, near enough for the page: the
// fixture's three portfolios cut to the plans sent and named as they are,
// at the baseline asked for, after a progress event and a delay (longer when
// a test asks, to catch the job running).
const comparePlans = async (args, f) => {
  window.__TAURI_INTERNALS__.invoke("plugin:event|emit", { event: "job-progress", payload: { job: args.job, done: 1, total: 4, stage: "comparing" } });
  await new Promise((r) => setTimeout(r, window.__compareDelay ?? 80));
  window.__TAURI_INTERNALS__.invoke("plugin:event|emit", { event: "job-progress", payload: { job: args.job, done: 4, total: 4, stage: "comparing" } });
  const view = structuredClone(f.compare_plans);
  const c = view.comparison;
  const n = args.pinned.length;
  const cut = (xs) => xs.slice(0, n);
  c.baseline = args.options.baseline;
  c.portfolios = cut(c.portfolios).map((p, i) => ({ ...p, label: args.pinned[i].label, file: args.pinned[i].file }));
  c.rows = c.rows.map((r) => ({ ...r, values: cut(r.values), delta: cut(r.delta), ratio: cut(r.ratio), texts: cut(r.texts), delta_texts: cut(r.delta_texts), ratio_texts: cut(r.ratio_texts), best: r.best.filter((i) => i < n) }));
  c.diff = c.diff.map((d) => ({ ...d, values: cut(d.values) }));
  return view;
};

// The preference store, kept in the page's localStorage so a reload finds it
// as the app finds prefs.json when it starts again.
const storeGet = (args) => {
  const v = localStorage.getItem("prefs:" + args.key);
  return v === null ? [null, false] : [JSON.parse(v), true];
};
const storeSet = (args) => {
  localStorage.setItem("prefs:" + args.key, JSON.stringify(args.value));
  return null;
};

const REPORT = "plans-dir/comparison.html";
const FILE = "plans-dir/cheap.toml";

const handlers = {
  compare_plans: comparePlans,
  export_report: () => null,
  open_plan: (args, f) => ({ path: args.path, name: args.path.split("/").pop(), plan: { ...f.example_plan.plan, target: { availability: 0.999 } } }),
  "plugin:dialog|save": () => "plans-dir/comparison.html",
  "plugin:dialog|open": () => "plans-dir/cheap.toml",
  "plugin:store|get": storeGet,
  "plugin:store|set": storeSet,
};

const rows = fixtures.compare_plans.comparison.rows;
const pointLabel = (rank) => `#${rank} ${fixtures.search_plan.points[rank - 1].label}`;

let app;
let page;

before(async () => {
  app = await openApp(handlers);
  page = app.page;
  await page.locator('[data-testid="plan-availability"]').waitFor();
});

after(async () => {
  await app?.close();
});

const last = (cmd) => lastCall(page, cmd);
const called = (cmd, check) => calledWith(page, cmd, check);

const pinNames = () => page.locator('[data-testid="pinned"] input.name').evaluateAll((inputs) => inputs.map((i) => i.value));
const heads = () => page.locator('[data-testid="compare-table"] thead th').allInnerTexts();
/** An element's text as a screen reader reads it, spaces collapsed. */
const text = (locator) => locator.evaluate((e) => e.textContent.replace(/\s+/g, " ").trim());
const cell = (key, i) => page.locator(`[data-testid="compare-table"] td[data-key="${key}"][data-portfolio="${i}"]`);

/** A screenshot of the whole page: the window made as tall as the page, as
 * only the page's main part scrolls. */
async function screenshotAll(name) {
  const viewport = page.viewportSize();
  const height = await page.evaluate(() => ["header", "footer"].reduce((h, s) => h + document.querySelector(s).offsetHeight, document.querySelector("main").scrollHeight));
  await page.setViewportSize({ width: viewport.width, height });
  await page.screenshot({ path: join(shots, name), fullPage: true });
  await page.setViewportSize(viewport);
}

/** Waits for the table of a comparison of `n` portfolios that is not stale. */
async function compared(n) {
  await page.waitForFunction((n) => {
    const results = document.querySelector('[data-testid="compare-results"]');
    return results && !results.classList.contains("stale") && results.getAttribute("aria-busy") === "false" && document.querySelectorAll('[data-testid="compare-table"] thead th').length === n + 1;
  }, n);
}

test("plans are pinned from the Plan page and the Search page", async () => {
  await page.click('[data-testid="pin-plan"]');
  const notice = page.locator('[data-testid="pin-notice"]');
  assert.equal(await notice.innerText(), "Pinned “claude-then-deepseek” for comparison (1 of 6).");

  await page.click('[data-testid="nav-search"]');
  await page.click('[data-testid="search-run"]');
  await page.locator('[data-testid="compare-point-2"]').click();
  await page.locator('[data-testid="compare-point-3"]').click();
  assert.equal(await notice.innerText(), `Pinned “${pointLabel(3)}” for comparison (3 of 6).`);
  assert.match(await page.locator('[data-testid="nav-compare"]').innerText(), /Compare\s*3/);

  // The pins are kept in the preferences: the plan as it was, and the points' plans.
  const stored = (await callsOf(page, "plugin:store|set")).filter((a) => a.key === "pinned").pop().value;
  assert.deepEqual(stored.items.map((p) => p.label), ["claude-then-deepseek", pointLabel(2), pointLabel(3)]);
  assert.deepEqual(stored.items[0].plan, fixtures.example_plan.plan);
  assert.equal(stored.items[0].file, null);
  assert.deepEqual(stored.items[2].plan, fixtures.search_plan.points[2].plan);
  assert.equal(stored.baseline, 0);
});

test("Compare runs compare_plans and the table shows the engine's texts, the best starred", async () => {
  await page.click('[data-testid="nav-compare"]');
  assert.equal(await page.locator('[data-testid="pin-notice"]').count(), 0, "the notice stays on the page that pinned");
  assert.deepEqual(await pinNames(), ["claude-then-deepseek", pointLabel(2), pointLabel(3)]);
  await page.evaluate(() => (window.__compareDelay = 400));
  await page.click('[data-testid="compare-run"]');
  await page.locator('[data-testid="compare-progress"]').waitFor();
  await page.locator('[data-testid="compare-cancel"]').waitFor();
  await compared(3);
  await page.evaluate(() => (window.__compareDelay = 80));
  assert.equal(await page.locator('[data-testid="compare-progress"]').count(), 0);

  const args = await last("compare_plans");
  assert.deepEqual(args.pinned.map((p) => p.label), ["claude-then-deepseek", pointLabel(2), pointLabel(3)]);
  assert.deepEqual(args.options, { sim: fixtures.app_defaults.sim, baseline: 0, target: null });
  // The last search's points, as the frontier chart draws them.
  assert.deepEqual(
    args.search,
    fixtures.search_plan.points.map((p) => ({ label: p.label, monthly_usd: p.monthly_usd, availability: p.availability, p95_ms: p.p95_ms, on_frontier: true, chosen: p.chosen })),
  );

  assert.deepEqual((await heads()).map((h) => h.split("\n")[0].trim()), ["Figure", "claude-then-deepseek", pointLabel(2), pointLabel(3)]);
  for (const row of rows) {
    for (let i = 0; i < 3; i++) {
      const c = cell(row.key, i);
      assert.equal(await c.locator(".value").innerText(), row.texts[i] ?? "—", `${row.key} of portfolio ${i}`);
      if (i !== 0) assert.equal(await text(c.locator(".change")), `against the baseline: ${row.delta_texts[i] ?? "—"} · ${row.ratio_texts[i] ?? "—"}`);
    }
  }
  assert.equal(await page.locator('[data-testid="compare-table"] td[data-portfolio="0"] .change').count(), 0, "no difference of the baseline from itself");

  const starred = await page.locator('[data-testid="compare-table"] td[data-best="true"]').evaluateAll((cells) =>
    cells.map((c) => `${c.dataset.key}:${c.dataset.portfolio}:${c.textContent.includes("★")}:${c.title}`),
  );
  assert.deepEqual(starred.sort(), rows.flatMap((r) => r.best.map((i) => `${r.key}:${i}:true:best`)).sort());
  assert.equal(await page.locator('[data-testid="compare-table"] td[data-best="false"]:has-text("★")').count(), 0);

  const diff = await page.locator('[data-testid="compare-diff"] tbody th').allInnerTexts();
  assert.deepEqual(diff, fixtures.compare_plans.comparison.diff.map((d) => d.field));
  assert.equal(await page.locator('[data-testid="compare-diff"] tbody td').first().innerText(), fixtures.compare_plans.comparison.diff[0].values[0]);

  for (const kind of ["sla", "latency", "cost", "frontier"]) {
    await page.locator(`[data-testid="compare-chart-${kind}"] .svg svg`).waitFor();
  }
  await screenshotAll("browser-compare.png");
});

test("the baseline radio changes the baseline sent, and the differences follow", async () => {
  await page.getByLabel(`Baseline: ${pointLabel(3)}`).check();
  await called("compare_plans", (a) => a.options.baseline === 2);
  await compared(3);
  assert.match((await heads())[3], /baseline/);
  assert.equal(await page.locator('[data-testid="compare-table"] td[data-portfolio="2"] .change').count(), 0);
  assert.equal(await page.locator('[data-testid="compare-table"] td[data-portfolio="0"] .change').count(), rows.length);
});

test("an SLA target typed is sent; emptied, the baseline plan's own applies", async () => {
  const box = page.getByLabel("SLA target", { exact: false });
  await box.fill("0.999");
  await called("compare_plans", (a) => a.options.target === 0.999);
  await compared(3);
  await box.fill("");
  await called("compare_plans", (a) => a.options.target === null);
  await compared(3);
});

test("a newer comparison cancels the older, and Cancel stops it", async () => {
  await page.evaluate(() => (window.__compareDelay = 400));
  const before = (await callsOf(page, "compare_plans")).length;
  await page.click('[data-testid="compare-run"]');
  await page.click('[data-testid="compare-run"]');
  await called("cancel_job", (a) => /^compare-/.test(a.job));
  const runs = (await callsOf(page, "compare_plans")).slice(before);
  assert.equal(runs.length, 2);
  assert.equal((await last("cancel_job")).job, runs[0].job);
  await page.click('[data-testid="compare-cancel"]');
  assert.equal((await last("cancel_job")).job, runs[1].job);
  await page.locator('[data-testid="compare-cancel"]').waitFor({ state: "detached" });
  await page.evaluate(() => (window.__compareDelay = 80));
  await page.click('[data-testid="compare-run"]');
  await compared(3);
});

test("Export report asks where, and sends the pinned set there", async () => {
  await page.click('[data-testid="compare-export"]');
  await page.getByText(`Saved the report to ${REPORT}`).waitFor();
  const dialog = await last("plugin:dialog|save");
  assert.equal(dialog.options.defaultPath, "comparison.html");
  assert.deepEqual(dialog.options.filters, [{ name: "HTML report", extensions: ["html"] }]);
  const args = await last("export_report");
  assert.equal(args.path, REPORT);
  assert.deepEqual(args.pinned, (await last("compare_plans")).pinned);
  assert.deepEqual(args.options, { sim: fixtures.app_defaults.sim, baseline: 2, target: null });
  assert.equal(args.search.length, fixtures.search_plan.points.length);
});

test("a renamed and a removed pin reach the comparison; the baseline stays the same plan", async () => {
  const name = page.locator('[data-testid="pin-name-1"]');
  await name.fill("  two DeepSeek attempts ");
  await name.blur();
  await called("compare_plans", (a) => a.pinned[1].label === "two DeepSeek attempts");
  await compared(3);
  assert.equal(await name.inputValue(), "two DeepSeek attempts");
  assert.match((await heads())[2], /^two DeepSeek attempts/);

  await page.getByRole("button", { name: "Remove claude-then-deepseek" }).click();
  await called("compare_plans", (a) => a.pinned.length === 2);
  await compared(2);
  assert.deepEqual(await pinNames(), ["two DeepSeek attempts", pointLabel(3)]);
  // The baseline was the third plan; it is the second now.
  assert.equal((await last("compare_plans")).options.baseline, 1);
  assert.equal(await page.getByLabel(`Baseline: ${pointLabel(3)}`).isChecked(), true);
  assert.match((await heads())[2], /baseline/);
});

test("a plan file is added; a seventh pin is refused with the reason", async () => {
  await page.click('[data-testid="compare-add"]');
  await called("compare_plans", (a) => a.pinned.length === 3);
  const added = (await last("compare_plans")).pinned[2];
  assert.deepEqual({ label: added.label, file: added.file }, { label: "cheap", file: FILE });
  assert.deepEqual(added.plan.target, { availability: 0.999 });
  await compared(3);

  // The search put a [search] section in the plan: edited, it is a what-if now.
  await page.click('[data-testid="nav-plan"]');
  for (let i = 0; i < 3; i++) await page.click('[data-testid="pin-plan"]');
  assert.match(await page.locator('[data-testid="pin-notice"]').innerText(), /\(6 of 6\)/);
  await page.click('[data-testid="pin-plan"]');
  const banner = page.locator('[data-testid="error"] pre');
  await banner.waitFor();
  assert.equal(await banner.innerText(), "6 plans are pinned, the most a comparison holds: remove one on the Compare page before pinning another.");
  assert.match(await page.locator('[data-testid="nav-compare"]').innerText(), /Compare\s*6/);
});

test("the app reopens with the pinned set; one plan makes a report, not a comparison", async () => {
  await page.reload();
  await page.locator('[data-testid="plan-availability"]').waitFor();
  await page.click('[data-testid="nav-compare"]');
  assert.deepEqual(await pinNames(), ["two DeepSeek attempts", pointLabel(3), "cheap", "what-if 1", "what-if 2", "what-if 3"]);
  assert.equal(await page.getByLabel(`Baseline: ${pointLabel(3)}`).isChecked(), true);

  for (let n = 6; n > 1; n--) await page.locator('[data-testid="pin-remove-0"]').click();
  assert.deepEqual(await pinNames(), ["what-if 3"]);
  assert.equal(await page.locator('[data-testid="compare-run"]').isDisabled(), true);
  await page.click('[data-testid="compare-export"]');
  await called("export_report", (a) => a.pinned.length === 1 && a.options.baseline === 0);
  assert.equal((await last("plugin:dialog|save")).options.defaultPath, "what-if 3.html");
  assert.equal((await callsOf(page, "compare_plans")).length, 0, "nothing was compared since the reload");
});
