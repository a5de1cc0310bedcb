// End-to-end test of the real app: the release binary built with the test
// config (its own identifier), under Xvfb, driven by tauri-driver through
// WebKitWebDriver. HOME and the XDG dirs point into a temporary directory, so
// nothing of the user's is read or written.
//
// Needs: SWITCHYARD_APP_BIN (the app), SWITCHYARD_CLI (the switchyard CLI),
// tauri-driver on PATH (or TAURI_DRIVER), Xvfb and WebKitWebDriver.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Driver, poll } from "./webdriver.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const example = join(root, "examples/claude-then-deepseek.toml");
const shots = resolve(process.env.SCREENSHOT_DIR ?? join(root, "target/screenshots"));
const app = process.env.SWITCHYARD_APP_BIN;
const cli = process.env.SWITCHYARD_CLI;
const display = process.env.E2E_DISPLAY ?? ":77";
const port = Number(process.env.E2E_DRIVER_PORT ?? 4444);

let xvfb;
let driverProc;
let driver;
let home;
const driverBase = `http://127.0.0.1:${port}`;

function evaluateJson(plan) {
  const out = execFileSync(cli, ["evaluate", plan, "--json"], { env: { ...process.env, HOME: home } });
  return JSON.parse(out.toString());
}

async function waitForPort(url) {
  await poll(async () => fetch(url).then(() => true).catch(() => false), url, 20000, 100);
}

before(async () => {
  assert.ok(app, "set SWITCHYARD_APP_BIN to the app binary");
  assert.ok(cli, "set SWITCHYARD_CLI to the switchyard binary");
  home = mkdtempSync(join(tmpdir(), "switchyard-e2e-"));
  mkdirSync(shots, { recursive: true });
  const env = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: join(home, "data"),
    XDG_CONFIG_HOME: join(home, "config"),
    XDG_CACHE_HOME: join(home, "cache"),
    DISPLAY: display,
    // Software rendering: no GPU under Xvfb.
    WEBKIT_DISABLE_DMABUF_RENDERER: "1",
    LIBGL_ALWAYS_SOFTWARE: "1",
  };
  xvfb = spawn("Xvfb", [display, "-screen", "0", "1440x960x24", "-nolisten", "tcp"], { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 700));
  driverProc = spawn(process.env.TAURI_DRIVER ?? "tauri-driver", ["--port", String(port)], { env, stdio: ["ignore", "inherit", "inherit"] });
  await waitForPort(`${driverBase}/status`);
  driver = await Driver.start(driverBase, resolve(app));
});

after(async () => {
  await driver?.quit();
  driverProc?.kill("SIGTERM");
  xvfb?.kill("SIGTERM");
  if (home) rmSync(home, { recursive: true, force: true });
});

async function value(testid) {
  const el = await driver.waitFor(`[data-testid="${testid}"]`);
  return poll(async () => {
    const v = await driver.attribute(el, "data-value");
    return v === null || v === "" ? null : v;
  }, `a value in ${testid}`);
}

async function shot(name) {
  // Let charts and figures settle before the picture. The picture is of the
  // real window on the X display (WebKitWebDriver's own screenshot call can
  // stall under Xvfb).
  await new Promise((r) => setTimeout(r, 1200));
  execFileSync("import", ["-window", "root", "-crop", "1280x860+0+0", join(shots, `${name}.png`)], {
    env: { ...process.env, DISPLAY: display },
  });
}

test("the example plan's availability equals `switchyard evaluate`", async () => {
  await driver.click(await driver.waitFor('[data-testid="load-example"]'));
  const shown = Number(await value("plan-availability"));
  const cliReport = evaluateJson(example);
  assert.equal(shown, cliReport.availability);
  await shot("plan");
});

test("a shorter timeout changes the figure as the CLI says it should", async () => {
  const before = Number(await value("plan-availability"));
  const input = await driver.waitFor('[data-testid="timeout-0-1"]');
  await driver.clear(input);
  await driver.type(input, "2000");
  const after = Number(
    await poll(async () => {
      const v = await driver.attribute(await driver.find('[data-testid="plan-availability"]'), "data-value");
      return v && Number(v) !== before ? v : null;
    }, "the availability to change"),
  );
  assert.ok(after < before, `${after} < ${before}`);
  const edited = join(home, "edited.toml");
  const text = readFileSync(example, "utf8").replace(
    'offering = "deepseek/deepseek-chat", attempts = 1, timeout_ms = 12000',
    'offering = "deepseek/deepseek-chat", attempts = 1, timeout_ms = 2000',
  );
  writeFileSync(edited, text);
  assert.equal(after, evaluateJson(edited).availability);
  // Edit to updated figures, as the page measures it (from the edit to the
  // next frame after the figures changed), over a few edits.
  const times = [];
  let last = after;
  for (let i = 0; i < 10; i += 1) {
    // One edit per value (typing would make one edit per keystroke).
    await driver.execute(
      `const el = document.querySelector('[data-testid="timeout-0-1"]');
       el.value = arguments[0];
       el.dispatchEvent(new Event("input", { bubbles: true }));`,
      [String(8000 + 700 * i)],
    );
    last = Number(
      await poll(async () => {
        const v = await driver.attribute(await driver.find('[data-testid="plan-availability"]'), "data-value");
        return v && Number(v) !== last ? v : null;
      }, "the availability to change"),
    );
    await new Promise((r) => setTimeout(r, 150));
    const text = await driver.text(await driver.find('[data-testid="exact-ms"]'));
    times.push(Number(text.match(/([0-9.]+) ms/)[1]));
  }
  times.sort((a, b) => a - b);
  console.log(`edit to exact figures (ms, 10 edits): median ${times[5]}, max ${times[9]}; all ${times.join(", ")}`);
});

test("every page renders; screenshots in target/screenshots", async () => {
  await driver.click(await driver.waitFor('[data-testid="nav-plan"]'));
  await driver.click(await driver.waitFor('[data-testid="load-example"]'));
  await value("plan-availability");
  await driver.click(await driver.waitFor('[data-testid="nav-analysis"]'));
  const shown = Number(await value("figure-availability"));
  assert.equal(shown, evaluateJson(example).availability);
  await value("figure-within-budget");
  await driver.waitFor('[data-testid="chart-sla"] svg', 30000);
  await driver.waitFor('[data-testid="chart-latency"] svg', 30000);
  await shot("analysis");
  await driver.click(await driver.waitFor('[data-testid="nav-search"]'));
  await driver.click(await driver.waitFor('[data-testid="search-run"]'));
  await driver.waitFor('[data-testid="frontier-table"] tbody tr', 60000);
  await shot("search");
  await driver.click(await driver.waitFor('[data-testid="nav-catalog"]'));
  await driver.waitFor('[data-testid="catalog-table"] tbody tr');
  await shot("catalog");
  await driver.click(await driver.waitFor('[data-testid="nav-tco"]'));
  await value("tco-api");
  await shot("tco");
  await driver.click(await driver.waitFor('[data-testid="nav-probes"]'));
  await driver.waitFor('[data-testid="probe-start"]');
  await shot("probes");
  await driver.click(await driver.waitFor('[data-testid="nav-export"]'));
  await driver.waitFor('[data-testid="export-preview"]');
  await shot("export");
  await driver.click(await driver.waitFor('[data-testid="theme"]'));
  await driver.click(await driver.waitFor('[data-testid="nav-analysis"]'));
  await shot("analysis-dark");
  await driver.click(await driver.waitFor('[data-testid="theme"]'));
});

test("a LiteLLM config exported by the app is the CLI's, and is the preview", async () => {
  await driver.click(await driver.waitFor('[data-testid="nav-plan"]'));
  await driver.click(await driver.waitFor('[data-testid="load-example"]'));
  await value("plan-availability");
  await driver.click(await driver.waitFor('[data-testid="nav-export"]'));
  await driver.click(await driver.waitFor('[data-testid="gateway-litellm"]'));
  const preview = await driver.text(await driver.waitFor('[data-testid="export-preview"]'));
  // The save dialog is the desktop's own window, which WebDriver cannot drive:
  // call the same command the Save button calls, with a temporary path.
  const out = join(home, "litellm-config.yaml");
  const result = await driver.executeAsync(
    `const [path, done] = arguments;
     const ipc = window.__TAURI_INTERNALS__;
     ipc.invoke("example_plan")
       .then((doc) => ipc.invoke("export_save", { plan: doc.plan, gateway: "litellm", path, force: true }))
       .then(() => done("saved"), (e) => done("failed: " + (e && e.message ? e.message : String(e))));`,
    [out],
  );
  assert.equal(result, "saved");
  const written = readFileSync(out, "utf8");
  const cliText = execFileSync(cli, ["export", example, "--format", "litellm", "--force"], {
    env: { ...process.env, HOME: home },
    stdio: ["ignore", "pipe", "ignore"],
  }).toString();
  assert.equal(written, cliText);
  assert.equal(preview.trim(), written.trim());
  assert.match(written, /os\.environ\/ANTHROPIC_API_KEY/);
});

/** Sets step `testid`'s timeout as one edit and waits for the figures to follow. */
async function setTimeoutAndWait(testid, ms) {
  const before = await driver.attribute(await driver.find('[data-testid="plan-availability"]'), "data-value");
  await driver.execute(
    `const el = document.querySelector('[data-testid="' + arguments[0] + '"]');
     el.value = arguments[1];
     el.dispatchEvent(new Event("input", { bubbles: true }));`,
    [testid, String(ms)],
  );
  await poll(async () => {
    const v = await driver.attribute(await driver.find('[data-testid="plan-availability"]'), "data-value");
    return v && v !== before ? v : null;
  }, "the availability to change");
}

test("three pinned plans: the Compare table is `switchyard compare --json`, and the set comes back on the next start", async () => {
  await driver.click(await driver.waitFor('[data-testid="nav-plan"]'));
  await driver.click(await driver.waitFor('[data-testid="load-example"]'));
  await value("plan-availability");
  // The example, then two what-ifs of DeepSeek's timeout, pinned as edited.
  await driver.click(await driver.waitFor('[data-testid="pin-plan"]'));
  await setTimeoutAndWait("timeout-0-1", 2000);
  await driver.click(await driver.find('[data-testid="pin-plan"]'));
  await setTimeoutAndWait("timeout-0-1", 8000);
  await driver.click(await driver.find('[data-testid="pin-plan"]'));
  await driver.click(await driver.waitFor('[data-testid="nav-compare"]'));
  await driver.waitFor('[data-testid="pin-2"]');
  await driver.click(await driver.waitFor('[data-testid="compare-run"]'));
  const cells = await poll(async () => {
    const got = await driver.execute(
      `const results = document.querySelector('[data-testid="compare-results"]');
       if (!results || results.getAttribute("aria-busy") === "true" || results.classList.contains("stale")) return null;
       const cells = [...document.querySelectorAll('[data-testid="compare-table"] td[data-key][data-portfolio]')];
       return cells.map((td) => [td.dataset.key, Number(td.dataset.portfolio), td.querySelector(".value")?.textContent.trim() ?? ""]);`,
    );
    return got && got.length > 0 ? got : null;
  }, "the comparison table", 120000);
  const plans = [2000, 8000].map((ms) => {
    const file = join(home, `deepseek-timeout-${ms}.toml`);
    writeFileSync(
      file,
      readFileSync(example, "utf8").replace(
        'offering = "deepseek/deepseek-chat", attempts = 1, timeout_ms = 12000',
        `offering = "deepseek/deepseek-chat", attempts = 1, timeout_ms = ${ms}`,
      ),
    );
    return file;
  });
  const cliJson = JSON.parse(
    execFileSync(cli, ["compare", example, ...plans, "--json"], { env: { ...process.env, HOME: home } }).toString(),
  );
  const expected = cliJson.rows.flatMap((row) => row.texts.map((text, i) => [row.key, i, text ?? "—"]));
  assert.equal(cells.length, expected.length);
  assert.deepEqual(
    [...cells].sort((a, b) => `${a[0]}/${a[1]}`.localeCompare(`${b[0]}/${b[1]}`)),
    [...expected].sort((a, b) => `${a[0]}/${a[1]}`.localeCompare(`${b[0]}/${b[1]}`)),
  );
  await driver.waitFor('[data-testid="compare-results"] svg', 30000);
  await shot("compare");
  // The pinned set is in the preference store: a new start shows it again.
  await driver.quit();
  driver = await Driver.start(driverBase, resolve(app));
  await driver.click(await driver.waitFor('[data-testid="nav-compare"]'));
  await driver.waitFor('[data-testid="pin-2"]');
  assert.equal(await driver.execute('return document.querySelectorAll(\'[data-testid^="pin-name-"]\').length'), 3);
});

test("the window's size and place are kept in the preference store and come back on the next start", async () => {
  const prefs = join(home, "data", "dev.switchyard.app.test", "prefs.json");
  const wanted = { x: 70, y: 50, width: 1100, height: 720 };
  await driver.setRect(wanted);
  const saved = await poll(() => {
    try {
      const w = JSON.parse(readFileSync(prefs, "utf8")).window;
      return w && w.width === wanted.width && w.height === wanted.height && w.x === wanted.x && w.y === wanted.y ? w : null;
    } catch {
      return null;
    }
  }, "the window's geometry in prefs.json", 10000);
  assert.equal(saved.maximized, false);
  await driver.quit();
  driver = await Driver.start(driverBase, resolve(app));
  await driver.waitFor('[data-testid="plan-availability"]');
  const [width, height, x, y, scale] = await driver.execute(
    "return [window.innerWidth, window.innerHeight, window.screenX, window.screenY, window.devicePixelRatio]",
  );
  assert.deepEqual([width * scale, height * scale], [wanted.width, wanted.height]);
  assert.deepEqual([x * scale, y * scale], [wanted.x, wanted.y]);
});
