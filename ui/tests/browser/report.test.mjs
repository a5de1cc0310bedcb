// The shared report (`switchyard report`) in a real browser: written by the
// built CLI from the repository's examples, opened from disk, it renders its
// table and four charts, asks for nothing over the network, and prints to a
// PDF. The Rust end-to-end test (tests/tests/compare_cli.rs) checks its
// figures against `switchyard compare --json`.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { launchChromium, shots } from "./harness.mjs";

const repo = resolve(import.meta.dirname, "../../..");
const targetDir = resolve(repo, process.env.CARGO_TARGET_DIR ?? "target");
const cli = join(targetDir, "debug", "switchyard");

let dir;
let report;

before(() => {
  assert.ok(existsSync(cli), `build the CLI first (cargo build -p switchyard-cli): ${cli}`);
  dir = mkdtempSync(join(tmpdir(), "switchyard-report-"));
  const example = readFileSync(join(repo, "examples/claude-then-deepseek.toml"), "utf8");
  const sturdier = join(dir, "sturdier.toml");
  writeFileSync(sturdier, example.replace('{ offering = "deepseek/deepseek-chat", attempts = 1,', '{ offering = "deepseek/deepseek-chat", attempts = 3,'));
  report = join(dir, "report.html");
  // A home of its own: the CLI never touches the user's catalog.
  const env = { ...process.env, HOME: dir, XDG_DATA_HOME: join(dir, "data"), XDG_CONFIG_HOME: join(dir, "config") };
  delete env.SWITCHYARD_DB;
  execFileSync(cli, ["report", join(repo, "examples/claude-then-deepseek.toml"), sturdier, "--samples", "20000", "--months", "300", "--out", report], { env, stdio: "pipe" });
});

after(() => rmSync(dir, { recursive: true, force: true }));

test("the report renders offline and prints to PDF", async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(report).href);
    assert.deepEqual(requests, [pathToFileURL(report).href], "the report loads nothing but itself");
    assert.match(await page.title(), /^Switchyard comparison: claude-then-deepseek · sturdier$/);
    const values = await page.locator("td[data-value]").count();
    assert.ok(values >= 2 * 15, `${values} value cells`);
    assert.ok((await page.locator("td.best").count()) > 0, "best values are marked");
    const charts = page.locator("figure svg");
    assert.equal(await charts.count(), 4);
    for (let i = 0; i < 4; i += 1) {
      const box = await charts.nth(i).boundingBox();
      assert.ok(box && box.width > 600 && box.height > 300, `chart ${i} is drawn at size: ${JSON.stringify(box)}`);
    }
    assert.ok(await page.getByText("What differs between the plans").isVisible());
    await page.screenshot({ path: join(shots, "browser-report.png"), fullPage: true });
    const pdf = await page.pdf({ format: "A4", printBackground: true });
    assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
    assert.ok(pdf.length > 20_000, `${pdf.length} bytes of PDF`);
    writeFileSync(join(shots, "report.pdf"), pdf);
  } finally {
    await browser.close();
  }
});
