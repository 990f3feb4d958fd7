// harness.mjs: what the browser tests stand on. A real SyncBoard server (the
// binary make e2e builds) on a database of its own, a real PostgreSQL, a
// real Chromium; the API helpers call the same public API the page does.
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const BIN = process.env.SYNCBOARD_BIN ?? 'bin/syncboard';
const POSTGRES_URL = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const RESULTS = 'test-results';

// Server is one instance of bin/syncboard. start() again after stop() reuses
// its address, so pages that were open reconnect to it.
export class Server {
  constructor(database, { addr = '127.0.0.1:0', env = {} } = {}) {
    this.database = database;
    this.addr = addr;
    this.extraEnv = env;
    this.proc = null;
    this.log = '';
  }

  get url() { return `http://${this.addr}`; }

  async start() {
    const env = {
      ...process.env,
      DATABASE_URL: `${POSTGRES_URL}/${this.database}?sslmode=disable`,
      HTTP_ADDR: this.addr,
      APP_ENV: 'development',
      ENV_FILE: 'testdata/none.env',
      GIN_MODE: 'release',
      LOG_LEVEL: 'info', // the listening line is logged at info
      BCRYPT_COST: '4',
      // Every instance of a test (a restart, a second server on the same
      // database) must verify the others' tokens: one shared key.
      JWT_SECRET: 'e2e-secret-shared-by-every-test-instance',
      AUTH_RATE_LIMIT: '100000',
      MIGRATE_ON_START: 'true',
      SHUTDOWN_TIMEOUT: '5s',
      ...this.extraEnv,
    };
    const proc = spawn(BIN, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    this.exited = once(proc, 'exit');
    let listening;
    const ready = new Promise((resolve, reject) => {
      listening = resolve;
      proc.on('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${this.log}`)));
    });
    for (const stream of [proc.stdout, proc.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        this.log += chunk;
        const m = /msg=listening addr=(\S+)/.exec(this.log);
        if (m) listening(m[1]);
      });
    }
    this.addr = await withTimeout(ready, 30_000, 'the server did not start listening');
    await waitFor(async () => (await fetch(`${this.url}/readyz`)).status === 200, 30_000, 'readyz');
    return this;
  }

  // saveLog writes what the server logged to test-results/<name>.log, for
  // make e2e to show when a test fails.
  saveLog(name) {
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(`${RESULTS}/${name}.log`, this.log);
  }

  // stop sends SIGTERM and waits for the graceful shutdown to finish.
  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.proc.kill('SIGTERM');
    await withTimeout(this.exited, 15_000, 'the server did not stop').catch(() => this.proc.kill('SIGKILL'));
  }
}

// blankOrigin serves an empty page on a port the kernel picks: a web
// origin other than the API's, for cross-origin tests.
export async function blankOrigin() {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>another site</title>');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

export function newDatabaseName() {
  return `syncboard_e2e_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
}

// sql runs one statement on a database, as an operator would.
export function sql(database, statement) {
  execFileSync('psql', [`${POSTGRES_URL}/${database}`, '-qAtc', statement], { stdio: 'inherit' });
}

export function dropDatabase(name) {
  execFileSync('psql', [`${POSTGRES_URL}/postgres`, '-qAtc', `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`], { stdio: 'inherit' });
}

export async function launchBrowser() {
  mkdirSync(RESULTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Client calls the API as one user, for setting up and for checking what
// the server holds.
export class Client {
  constructor(baseURL, token = null) {
    this.baseURL = baseURL;
    this.token = token;
  }

  async call(method, path, body) {
    const headers = { 'Content-Type': 'application/json' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    const res = await fetch(this.baseURL + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    const data = text === '' ? null : JSON.parse(text);
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return data;
  }

  async register(email, displayName, password = 'correct horse battery') {
    const auth = await this.call('POST', '/api/auth/register', { email, password, display_name: displayName });
    this.token = auth.access_token;
    return auth;
  }

  // login starts a session of its own: another device, as the server sees it.
  async login(email, password = 'correct horse battery') {
    const auth = await this.call('POST', '/api/auth/login', { email, password });
    this.token = auth.access_token;
    return auth;
  }

  on(baseURL) { return new Client(baseURL, this.token); }
}

export async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// axe runs axe-core (the npm package pinned in package-lock.json) on the
// page as it is now, with its default rules, and returns the violations:
// [{id, impact, help, nodes: [{target, summary}]}]. The script goes in
// through the DevTools protocol (page.evaluate), which the page's
// Content-Security-Policy and Trusted Types do not govern: a <script>
// element (addScriptTag) is refused by both, as it should be, and a
// context with bypassCSP would check a page without its real policy.
export async function axe(page) {
  if (!await page.evaluate(() => typeof window.axe === 'object')) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  });
}

// serious keeps the violations a person is most likely to be stopped by.
export const serious = (violations) => violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');

// describeViolations prints violations one per line, with where they are.
export function describeViolations(violations) {
  return violations.map((v) => `  ${v.impact} ${v.id} (${v.help}): ${v.nodes.map((n) => n.target).join(', ')}`).join('\n');
}

// unfinished lists what a person can see or hear on the page that is a
// value never filled in: null, undefined, NaN or [object Object] in
// rendered text (visually hidden text too: a screen reader reads it), in a
// shown field's value or placeholder, or in an aria-label or title.
export function unfinished(page) {
  return page.evaluate(() => {
    const bad = /\b(?:null|undefined|NaN)\b|\[object Object\]/;
    const shown = (el) => el.checkVisibility({ visibilityProperty: true });
    const where = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''}`;
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (bad.test(n.data) && n.parentElement && shown(n.parentElement)) found.push(`${where(n.parentElement)}: ${JSON.stringify(n.data.trim())}`);
    }
    for (const el of document.body.querySelectorAll('input, textarea, [aria-label], [title], [placeholder]')) {
      if (!shown(el)) continue;
      for (const text of [el.value, el.placeholder, el.getAttribute('aria-label'), el.getAttribute('title')]) {
        if (typeof text === 'string' && bad.test(text)) found.push(`${where(el)}: ${JSON.stringify(text)}`);
      }
    }
    return found;
  });
}

// assertNothingUnfinished fails when a page open in browser shows
// unfinished text (see unfinished); the browser tests run it after each
// test, so no test passes over a stray "null".
export async function assertNothingUnfinished(browser) {
  for (const context of browser?.contexts() ?? []) {
    for (const page of context.pages()) {
      let found;
      try {
        found = await unfinished(page);
      } catch {
        continue; // closing or navigating: the next test looks again
      }
      if (found.length > 0) throw new Error(`${page.url()} shows unfinished text:\n  ${found.join('\n  ')}`);
    }
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms); }),
  ]);
}
