// The Catalog page's "Check for price changes" in headless Chromium
// (harness.mjs): the URL starts as the engine's default for the chosen list,
// Check shows what the list would change (fixtures.json holds a check made by
// the engine's own refresh), "Write N changes" writes that check by its
// token without checking again, Discard forgets it, and a failed download
// shows the engine's words with nothing to write.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { callsOf, fixtures, openApp, shots } from "./harness.mjs";

// The shell's answers: each check gets a token of its own; a URL with
// "broken" in it fails as a download that got a 500 does.
const handlers = {
  catalog_refresh_check: (args, f) => {
    window.__checks = (window.__checks ?? 0) + 1;
    if (args.url && args.url.includes("broken")) {
      throw { code: "network", message: args.url + ": the server answered 500 Internal Server Error, not the list", problems: [] };
    }
    const check = structuredClone(f.catalog_refresh_check);
    check.token = "refresh-" + window.__checks;
    check.preview.url = args.url;
    return check;
  },
  catalog_refresh_write: (args, f) => ({ ...f.catalog_refresh_check.preview.report, import_id: 9 }),
  catalog_refresh_discard: () => true,
};

const [litellm, openrouter] = fixtures.app_defaults.refresh_sources;
const preview = fixtures.catalog_refresh_check.preview;

let app;
let page;

before(async () => {
  app = await openApp(handlers);
  page = app.page;
  await page.click('[data-testid="nav-catalog"]');
  await page.locator('[data-testid="catalog-table"] tbody tr').first().waitFor();
  await page.click('[data-testid="price-check-toggle"]');
  await page.locator('[data-testid="price-check"]').waitFor();
});

after(async () => {
  await app?.close();
});

const url = () => page.locator('[data-testid="refresh-url"]');

test("the URL starts as the default of the chosen list", async () => {
  await page.waitForFunction((u) => document.querySelector('[data-testid="refresh-url"]')?.value === u, litellm.url);
  await page.selectOption('[data-testid="refresh-format"]', "openrouter");
  assert.equal(await url().inputValue(), openrouter.url);
  await page.selectOption('[data-testid="refresh-format"]', "litellm");
  assert.equal(await url().inputValue(), litellm.url);
});

test("Check shows added, changed old → new with %, and no longer listed", async () => {
  await page.click('[data-testid="refresh-check"]');
  const shown = page.locator('[data-testid="refresh-preview"]');
  await shown.waitFor();
  const [call] = await callsOf(page, "catalog_refresh_check");
  assert.equal(call.url, litellm.url);
  assert.equal(call.options.format, "litellm");
  assert.equal(call.options.timeout_s, fixtures.app_defaults.refresh.timeout_s);

  const rows = await page.locator('[data-testid="refresh-changed"] tbody tr').allInnerTexts();
  assert.deepEqual(
    rows.map((r) => r.split("\t").map((c) => c.trim())),
    preview.diff.changed.map((c) => [c.offering, c.field, c.text]),
  );
  assert.ok(rows.some((r) => r.includes("2.5 → 2.75 (+10.0%)")), rows.join("\n"));
  assert.match(await shown.locator(".summary").innerText(), /1 offering added, 2 values changed, 1 offering no longer listed/);
  await page.click('[data-testid="refresh-added"] summary');
  assert.match(await page.locator('[data-testid="refresh-added"]').innerText(), /openai\/o3 input_per_mtok 2, /);
  await page.click('[data-testid="refresh-removed"] summary');
  assert.match(await page.locator('[data-testid="refresh-removed"]').innerText(), /openai\/gpt-4o-mini/);
  assert.equal(await page.locator('[data-testid="refresh-write"]').innerText(), `Write ${preview.changes} changes`);
  await page.screenshot({ path: join(shots, "browser-price-check.png"), fullPage: true });
});

test("Write writes that check by its token, without checking again", async () => {
  const checks = (await callsOf(page, "catalog_refresh_check")).length;
  const lists = (await callsOf(page, "catalog_list")).length;
  await page.click('[data-testid="refresh-write"]');
  await page.locator('[data-testid="refresh-written"]').waitFor();
  assert.deepEqual(await callsOf(page, "catalog_refresh_write"), [{ token: `refresh-${checks}`, job: "price-write" }]);
  assert.equal((await callsOf(page, "catalog_refresh_check")).length, checks, "no new check");
  assert.equal(await page.locator('[data-testid="refresh-preview"]').count(), 0);
  assert.match(await page.locator('[data-testid="refresh-written"]').innerText(), /Written: 1 offering added, 2 offerings changed/);
  await page.waitForFunction((n) => window.__calls.filter((c) => c.cmd === "catalog_list").length > n, lists);
});

test("Discard forgets the check, and nothing is written", async () => {
  await page.click('[data-testid="refresh-check"]');
  await page.locator('[data-testid="refresh-preview"]').waitFor();
  const token = `refresh-${(await callsOf(page, "catalog_refresh_check")).length}`;
  await page.click('[data-testid="refresh-discard"]');
  await page.locator('[data-testid="refresh-preview"]').waitFor({ state: "detached" });
  assert.deepEqual(await callsOf(page, "catalog_refresh_discard"), [{ token }]);
  assert.equal((await callsOf(page, "catalog_refresh_write")).length, 1, "only the earlier write");
});

test("a failed download shows the engine's words and nothing to write", async () => {
  await url().fill("https://prices.example.invalid/broken.json");
  await page.click('[data-testid="refresh-check"]');
  const banner = page.locator('[data-testid="price-check"] [data-testid="error"]');
  await banner.waitFor();
  assert.equal(await banner.locator("pre").innerText(), "https://prices.example.invalid/broken.json: the server answered 500 Internal Server Error, not the list");
  assert.equal(await page.locator('[data-testid="refresh-preview"]').count(), 0);
  assert.equal(await page.locator('[data-testid="refresh-write"]').count(), 0);
});
