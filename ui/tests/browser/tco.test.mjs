// The TCO page's assumptions in headless Chromium (harness.mjs): an edit
// sends the edited plan to tco_of_plan and the figures follow; a value the
// engine refuses shows its words beside the box, the last figures kept but
// stale; GPUs switch between rented and owned; a plan without [tco] gets one.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { callsOf, fixtures, openApp, shots } from "./harness.mjs";

// tco_of_plan as the engine answers it, near enough for the page: the
// fixture cut to the horizon asked for, with the rented GPU's monthly price,
// so the figures visibly follow the edits; the engine's problems for a PUE
// out of range and for GPUs neither rented nor owned; and a late answer for
// a 7-month horizon, to show that an older edit's figures never replace a
// newer one's.
const tcoOfPlan = async (args, f) => {
  const tco = args.plan.tco;
  const s = tco.self_hosted;
  const refuse = (field, reason) => {
    throw { code: "plan", message: "plan: " + field + ": " + reason, problems: [{ field, reason }] };
  };
  if (s.pue != null && !(s.pue >= 1 && s.pue <= 10)) refuse("tco.self_hosted.pue", s.pue + " is out of range: must be at least 1 and at most 10");
  if ((s.gpu_usd_per_hour == null) === (s.gpu_purchase_usd == null)) {
    refuse("tco.self_hosted", "give either gpu_usd_per_hour (rent) or gpu_purchase_usd with amortisation_months (own), not both");
  }
  if (tco.horizon_months === 7) await new Promise((r) => setTimeout(r, 500));
  const answer = structuredClone(f.tco_of_plan);
  const report = answer.tco.report;
  report.months = report.months.slice(0, tco.horizon_months);
  const last = report.months[report.months.length - 1];
  report.api_total_usd = last.api_cumulative_usd;
  report.self_hosted_total_usd = last.self_hosted_cumulative_usd;
  if (s.gpu_usd_per_hour != null) report.gpu_usd_per_month = s.gpu_usd_per_hour * 720;
  answer.tco.inputs.horizon_months = tco.horizon_months;
  return answer;
};

// The example as a plan without [tco], once a test asks for it.
const examplePlan = (args, f) => (window.__withoutTco ? { ...f.example_plan, plan: { ...f.example_plan.plan, tco: null } } : f.example_plan);

let app;
let page;

before(async () => {
  app = await openApp({ tco_of_plan: tcoOfPlan, example_plan: examplePlan });
  page = app.page;
  await page.click('[data-testid="nav-tco"]');
  await page.locator('[data-testid="chart-tco"] .svg svg').waitFor();
});

after(async () => {
  await app?.close();
});

/** The plan of the latest call of `cmd`. */
async function lastPlan(cmd) {
  const calls = await callsOf(page, cmd);
  return calls[calls.length - 1].plan;
}

/** Waits until the latest call of `cmd` carried a plan that passes `check`,
 * a function of the plan run in the page (so it uses nothing else). */
function sent(cmd, check) {
  return page.waitForFunction(`(() => {
    const last = window.__calls.filter((c) => c.cmd === ${JSON.stringify(cmd)}).pop();
    return !!last && (${check})(last.args.plan);
  })()`);
}

const heading = () => page.locator('[data-testid="tco-figures"] h2').innerText();
const box = (label) => page.getByLabel(label, { exact: false });

test("editing the horizon and the GPU rent sends the edited plan, and the figures follow", async () => {
  await box("Horizon (months)").fill("12");
  await sent("tco_of_plan", (plan) => plan.tco.horizon_months === 12);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="tco-months"] tbody tr').length === 12);
  assert.match(await heading(), /^Over 12 months/);
  const month12 = fixtures.tco_of_plan.tco.report.months[11];
  assert.equal(Number(await page.locator('[data-testid="tco-api"]').getAttribute("data-value")), month12.api_cumulative_usd);

  await box("GPU rent ($/h per GPU)").fill("3");
  await sent("tco_of_plan", (plan) => plan.tco.self_hosted.gpu_usd_per_hour === 3 && plan.tco.horizon_months === 12);
  await page.getByText("$2,160.00 per GPU-month").waitFor();

  // The edit went through the session: the plan is unsaved, and its [tco] is the edited one.
  await sent("plan_edit", (plan) => plan.tco.horizon_months === 12 && plan.tco.self_hosted.gpu_usd_per_hour === 3);
  await page.getByLabel("unsaved changes").waitFor();
  const rest = structuredClone(fixtures.example_plan.plan.tco);
  rest.horizon_months = 12;
  rest.self_hosted.gpu_usd_per_hour = 3;
  assert.deepEqual((await lastPlan("tco_of_plan")).tco, rest);
  await page.screenshot({ path: join(shots, "browser-tco.png"), fullPage: true });
});

test("a late answer to an older edit never replaces the newer edit's figures", async () => {
  const horizon = box("Horizon (months)");
  await horizon.fill("7");
  await horizon.fill("9");
  await sent("tco_of_plan", (plan) => plan.tco.horizon_months === 9);
  await page.waitForFunction(() => /^Over 9 months/.test(document.querySelector('[data-testid="tco-figures"] h2')?.innerText ?? ""));
  // The 7-month answer comes 500 ms after it was asked for.
  await page.waitForTimeout(700);
  assert.match(await heading(), /^Over 9 months/);
  assert.equal(await page.locator('[data-testid="tco-months"] tbody tr').count(), 9);
  await horizon.fill("12");
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="tco-months"] tbody tr').length === 12);
});

test("a count refuses a fraction before it reaches the engine", async () => {
  const before = (await callsOf(page, "tco_of_plan")).length;
  const spares = box("Spare replicas (GPUs)");
  await spares.fill("1.5");
  await page.getByText("not a whole number ≥ 0").waitFor();
  assert.equal(await spares.getAttribute("aria-invalid"), "true");
  assert.equal((await callsOf(page, "tco_of_plan")).length, before);
  await spares.fill("");
  await sent("tco_of_plan", (plan) => !("spare_replicas" in plan.tco.self_hosted));
  assert.equal(await spares.getAttribute("aria-invalid"), "false");
  assert.equal(await spares.getAttribute("placeholder"), "1 (default)");
});

test("switching to owned GPUs clears the rent and shows the owned fields", async () => {
  assert.equal(await box("Purchase price").count(), 0);
  await page.getByLabel("Owned").check();
  await sent("tco_of_plan", (plan) => !("gpu_usd_per_hour" in plan.tco.self_hosted));
  for (const label of ["Purchase price ($ per GPU)", "Amortisation (months)", "Power (kW per GPU)", "PUE (ratio)", "Electricity ($/kWh)"]) {
    await box(label).waitFor();
  }
  assert.equal(await box("GPU rent").count(), 0);
  assert.equal(await box("PUE (ratio)").getAttribute("placeholder"), "1.4 (default)");
  // Neither price yet: the engine's reason stands beside the choice.
  await page.locator('[role="radiogroup"][aria-invalid="true"]').waitFor();
  assert.equal(await page.getByLabel("Owned").isChecked(), true);
  await box("Purchase price").fill("30000");
  await box("Amortisation (months)").fill("36");
  await sent("tco_of_plan", (plan) => plan.tco.self_hosted.gpu_purchase_usd === 30000 && plan.tco.self_hosted.amortisation_months === 36);
  await page.locator('[data-testid="tco-error"]').waitFor({ state: "detached" });
  assert.equal(await page.getByLabel("Owned").isChecked(), true);
});

test("a value the engine refuses shows its words and marks the box; the last figures stay, stale", async () => {
  const pue = box("PUE (ratio)");
  await pue.fill("0.5");
  const message = page.locator('[data-testid="tco-error"]');
  await message.waitFor();
  assert.equal(await message.innerText(), "plan: tco.self_hosted.pue: 0.5 is out of range: must be at least 1 and at most 10");
  assert.equal(await pue.getAttribute("aria-invalid"), "true");
  const reason = page.locator(`#${await pue.getAttribute("aria-describedby")}`);
  assert.equal(await reason.innerText(), "0.5 is out of range: must be at least 1 and at most 10");
  const figures = page.locator('[data-testid="tco-figures"]');
  assert.equal(await figures.getAttribute("data-stale"), "true");
  assert.match(await heading(), /^Over 12 months/);
  await page.screenshot({ path: join(shots, "browser-tco-error.png"), fullPage: true });
  await pue.fill("1.2");
  await message.waitFor({ state: "detached" });
  assert.equal(await figures.getAttribute("data-stale"), "false");
  assert.equal(await pue.getAttribute("aria-invalid"), "false");
});

test("switching back to rented clears every owned field", async () => {
  await page.getByLabel("Rented").check();
  await sent("tco_of_plan", (plan) => ["gpu_purchase_usd", "amortisation_months", "pue"].every((k) => !(k in plan.tco.self_hosted)));
  assert.equal(await box("PUE").count(), 0);
  await box("GPU rent ($/h per GPU)").fill("2.5");
  await page.locator('[data-testid="tco-error"]').waitFor({ state: "detached" });
});

test("a plan without [tco] offers to add one, which starts the comparison", async () => {
  await page.evaluate(() => (window.__withoutTco = true));
  await page.click('[data-testid="load-example"]');
  const add = page.locator('[data-testid="tco-add"]');
  await add.waitFor();
  const before = (await callsOf(page, "tco_of_plan")).length;
  await add.click();
  await sent("tco_of_plan", (plan) => plan.tco && plan.tco.horizon_months === 24 && plan.tco.self_hosted.gpu_usd_per_hour === 2.5);
  assert.equal((await callsOf(page, "tco_of_plan")).length, before + 1, "nothing asked of the engine before the section existed");
  await page.locator('[data-testid="chart-tco"] .svg svg').waitFor();
  await box("Horizon (months)").waitFor();
  await page.getByLabel("unsaved changes").waitFor();
});
