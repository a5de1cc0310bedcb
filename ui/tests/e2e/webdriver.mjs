// A minimal W3C WebDriver client over fetch: just what the end-to-end tests use.

// The W3C web element identifier.
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export class Driver {
  constructor(base, session) {
    this.base = base;
    this.session = session;
  }

  static async start(base, application, { timeoutMs = 60000 } = {}) {
    const res = await call(`${base}/session`, "POST", {
      capabilities: { alwaysMatch: { "tauri:options": { application } } },
    }, timeoutMs);
    return new Driver(base, res.sessionId);
  }

  url(path) {
    return `${this.base}/session/${this.session}${path}`;
  }

  async quit() {
    await call(this.url(""), "DELETE").catch(() => {});
  }

  async find(css) {
    const res = await call(this.url("/element"), "POST", { using: "css selector", value: css });
    return res[ELEMENT];
  }

  /** Waits until `css` matches an element and returns it. */
  async waitFor(css, timeoutMs = 20000) {
    return poll(async () => this.find(css).catch(() => null), `element ${css}`, timeoutMs);
  }

  async attribute(element, name) {
    return call(this.url(`/element/${element}/attribute/${name}`), "GET");
  }

  async text(element) {
    return call(this.url(`/element/${element}/text`), "GET");
  }

  async click(element) {
    await call(this.url(`/element/${element}/click`), "POST", {});
  }

  async clear(element) {
    await call(this.url(`/element/${element}/clear`), "POST", {});
  }

  async type(element, text) {
    await call(this.url(`/element/${element}/value`), "POST", { text });
  }

  async execute(script, args = []) {
    return call(this.url("/execute/sync"), "POST", { script, args });
  }

  /** Runs `script` in the page; it calls its last argument with the result. */
  async executeAsync(script, args = []) {
    return call(this.url("/execute/async"), "POST", { script, args });
  }

  /** Moves and resizes the window (W3C Set Window Rect). */
  async setRect(rect) {
    return call(this.url("/window/rect"), "POST", rect);
  }

  /** PNG bytes of the window. */
  async screenshot() {
    return Buffer.from(await call(this.url("/screenshot"), "GET"), "base64");
  }
}

async function call(url, method, body, timeoutMs = 30000) {
  const res = await fetch(url, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const json = await res.json();
  if (!res.ok || (json.value && json.value.error)) {
    throw new Error(`${method} ${url}: ${JSON.stringify(json.value ?? json).slice(0, 400)}`);
  }
  return json.value;
}

/** Calls `probe` until it returns something truthy, for at most `timeoutMs`. */
export async function poll(probe, what, timeoutMs = 20000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
