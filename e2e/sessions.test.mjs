// Browser tests of the web client's sessions: the page keeps only a
// short-lived access token in memory and gets new ones from the HttpOnly
// refresh cookie; a browser context is one device. make e2e runs them.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Client, RESULTS, Server, assertNothingUnfinished, dropDatabase, launchBrowser, newDatabaseName, waitFor } from './harness.mjs';

const PASSWORD = 'correct horse battery';
const TIMEOUT = 10_000;
const COOKIE = 'syncboard_refresh';

// Device is one browser context: its pages share the cookie jar. It
// records what its pages asked for and what went wrong in them.
class Device {
  constructor(context) {
    this.context = context;
    this.refreshes = []; // the status of every POST /api/auth/refresh
    this.refused = []; // any other request answered 401
    this.problems = []; // page errors, CSP and Trusted Types refusals
    context.setDefaultTimeout(TIMEOUT);
    context.on('response', (r) => {
      if (r.url().endsWith('/api/auth/refresh')) this.refreshes.push(r.status());
      else if (r.status() === 401) this.refused.push(`${r.request().method()} ${r.url()}`);
    });
    context.on('page', (p) => {
      p.on('pageerror', (e) => this.problems.push(`page error: ${e.message}`));
      p.on('console', (m) => {
        if (/Content Security Policy|Trusted ?Type/i.test(m.text())) this.problems.push(`console: ${m.text()}`);
      });
    });
  }

  static async open(browser) {
    return new Device(await browser.newContext({ viewport: { width: 1280, height: 800 } }));
  }

  async cookie() {
    return (await this.context.cookies()).find((c) => c.name === COOKIE)?.value ?? null;
  }
}

async function signIn(page, baseURL, email) {
  await page.goto(baseURL);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await boards(page);
}

const boards = (page) => page.getByRole('heading', { name: 'Your boards' }).waitFor();
const signInView = (page) => page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();

async function liveOn(page) {
  await waitFor(async () => (await page.locator('#conn').getAttribute('data-status')) === 'live', 20_000, 'the socket to be live');
}

async function openBoard(page, baseURL, roomID) {
  await page.goto(`${baseURL}/#/rooms/${roomID}`);
  await liveOn(page);
}

// addColumn adds a column in the page and waits for it to show.
async function addColumn(page, name) {
  await page.getByLabel('New column name').fill(name);
  await page.getByRole('button', { name: 'Add column' }).click();
  await page.getByRole('button', { name: `Column ${name}; rename`, exact: true }).waitFor();
}

async function accountDialog(page) {
  await page.getByRole('button', { name: /^Your account/ }).click();
  const dialog = page.getByRole('dialog');
  await dialog.locator('.session-list li').first().waitFor();
  return dialog;
}

// stored is everything the page keeps where a script could read it.
const stored = (page) => page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }));

describe('the web client with sessions', () => {
  const db = newDatabaseName();
  let server;
  let browser;
  const devices = [];
  let roomID;

  const device = async () => {
    const d = await Device.open(browser);
    devices.push(d);
    return d;
  };

  before(async () => {
    server = await new Server(db).start();
    browser = await launchBrowser();
    const carol = new Client(server.url);
    await carol.register('carol@example.com', 'Carol King');
    roomID = (await carol.call('POST', '/api/rooms', { name: 'Carol’s board' })).id;
    await carol.call('POST', '/api/auth/logout');
  });

  afterEach(() => assertNothingUnfinished(browser));

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.saveLog('server-sessions');
    dropDatabase(db);
  });

  it('keeps a page signed in over a reload, holding no token where a script could read it', async () => {
    const a = await device();
    const page = await a.context.newPage();
    await signIn(page, server.url, 'carol@example.com');
    const cookie = await a.cookie();
    assert.ok(cookie?.length > 20, 'no refresh cookie');
    const jar = (await a.context.cookies()).find((c) => c.name === COOKIE);
    assert.equal(jar.httpOnly, true);
    assert.equal(jar.sameSite, 'Strict');
    assert.equal(jar.path, '/api/auth');
    assert.equal(await stored(page), JSON.stringify({ local: {}, session: {}, cookie: '' }));

    // The first load tried the cookie too, and found none: 401.
    assert.deepEqual(a.refreshes, [401]);
    await page.reload();
    await boards(page);
    assert.deepEqual(a.refreshes, [401, 200], 'the reload did not refresh from the cookie');
    assert.notEqual(await a.cookie(), cookie, 'the refresh did not rotate the cookie');
    await page.getByRole('link', { name: /Carol’s board/ }).click();
    await liveOn(page);
    await addColumn(page, 'After a reload');
    assert.deepEqual(a.refused, []);
  });

  it('opens signed in in a new tab, and tabs refreshing at once stay signed in', async () => {
    const a = devices[0];
    const first = a.context.pages()[0];
    const tab = await a.context.newPage();
    await tab.goto(server.url);
    await boards(tab);
    await tab.getByRole('button', { name: /^Your account: Carol King/ }).waitFor();
    // Every tab spends the same cookie on load: the Web Lock makes them
    // take turns, so none presents a spent one (which would end the
    // session for all).
    for (let i = 0; i < 3; i++) {
      await Promise.all([first.reload(), tab.reload()]);
      await Promise.all([first.getByRole('heading', { name: 'Carol’s board' }).waitFor(), boards(tab)]);
    }
    assert.deepEqual(a.refreshes.slice(2), Array(7).fill(200)); // the new tab, then 3 × 2 reloads
    await liveOn(first);
    await addColumn(first, 'Two tabs');
  });

  it('lists the devices, and signs another device out from one of them', async () => {
    const a = devices[0];
    const b = await device();
    const other = await b.context.newPage();
    await signIn(other, server.url, 'carol@example.com');
    await openBoard(other, server.url, roomID);

    const page = a.context.pages()[0];
    const dialog = await accountDialog(page);
    const rows = dialog.locator('.session-list li');
    await waitFor(async () => (await rows.count()) === 2, TIMEOUT, 'two sessions');
    const texts = await rows.allTextContents();
    assert.match(texts.join('\n'), /This device/);
    assert.ok(texts.every((t) => /Last used just now · 127\.0\.0\.1/.test(t)), texts.join('\n'));
    assert.ok(texts.every((t) => /Headless Chrome on Linux|Chrome on Linux/.test(t)), texts.join('\n'));
    assert.ok(texts.every((t) => !/null|undefined|NaN/.test(t)), texts.join('\n'));
    await page.screenshot({ path: `${RESULTS}/account-sessions.png` });

    const signOut = dialog.getByRole('button', { name: /^Sign out Chrome on Linux|^Sign out Headless Chrome on Linux/ });
    assert.equal(await signOut.count(), 1);
    await signOut.click();
    await waitFor(async () => (await rows.count()) === 1, TIMEOUT, 'the list to lose the other device');
    assert.match(await rows.first().textContent(), /This device/);
    // The focus stays in the dialog, on the list that lost the row.
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('session-list')), true);

    // The other device's socket closes (4001), its refresh is refused: it
    // signs out and says why.
    await other.getByRole('alert').filter({ hasText: 'Your session has ended' }).waitFor();
    await signInView(other);
    await other.reload();
    await signInView(other);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await b.context.close();
  });

  it('ends the session when a stolen refresh cookie is replayed', async () => {
    const a = devices[0];
    const page = a.context.pages()[0];
    await openBoard(page, server.url, roomID);
    const stolen = await a.cookie();
    // The owner's page refreshes (a reload does), spending the stolen value.
    await page.reload();
    await liveOn(page);
    const current = await a.cookie();
    assert.notEqual(current, stolen);

    // The thief replays it, from another program.
    const replay = await fetch(`${server.url}/api/auth/refresh`, { method: 'POST', headers: { Cookie: `${COOKIE}=${stolen}` } });
    assert.equal(replay.status, 401);
    // The whole session ended: the owner's page signs out, every tab of it.
    await page.getByRole('alert').filter({ hasText: 'Your session has ended' }).waitFor();
    await signInView(page);
    const again = await fetch(`${server.url}/api/auth/refresh`, { method: 'POST', headers: { Cookie: `${COOKIE}=${current}` } });
    assert.equal(again.status, 401, "the owner's cookie still works");
    const tab = a.context.pages()[1];
    await tab.reload();
    await signInView(tab);
  });

  it('signs out one device, and every device', async () => {
    const a = devices[0];
    const [page, tab] = a.context.pages();
    await signIn(page, server.url, 'carol@example.com');
    await tab.reload();
    await boards(tab);
    const b = await device();
    const other = await b.context.newPage();
    await signIn(other, server.url, 'carol@example.com');
    const cli = new Client(server.url);
    await cli.login('carol@example.com');

    // Sign out: this device only.
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await signInView(page);
    await page.getByRole('status').filter({ hasText: 'Signed out.' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'email');
    assert.equal(await a.cookie(), null, 'the cookie outlived the sign-out');
    await tab.reload(); // the other tab shared the session
    await signInView(tab);
    await other.reload();
    await boards(other);
    await cli.call('GET', '/api/auth/me');

    // Sign out everywhere, from the other device.
    const dialog = await accountDialog(other);
    await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
    await other.getByRole('dialog').getByRole('button', { name: 'Sign out everywhere' }).click();
    await signInView(other);
    await other.getByRole('status').filter({ hasText: 'Signed out everywhere.' }).waitFor();
    await assert.rejects(cli.call('GET', '/api/auth/me'), /401/);
    await other.reload();
    await signInView(other);
  });

  it('broke no content rule', () => {
    for (const d of devices) assert.deepEqual(d.problems, []);
  });
});

describe('a short-lived access token', () => {
  const db = newDatabaseName();
  const TTL_MS = 20_000;
  let server;
  let browser;

  before(async () => {
    server = await new Server(db, { env: { ACCESS_TOKEN_TTL: `${TTL_MS / 1000}s` } }).start();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.saveLog('server-sessions-ttl');
    dropDatabase(db);
  });

  it('is refreshed before it expires, with no interruption', async () => {
    const d = await Device.open(browser);
    const page = await d.context.newPage();
    // Every status the connection pill shows, from the start.
    await page.addInitScript(() => {
      window.statuses = [];
      document.addEventListener('DOMContentLoaded', () => {
        const conn = document.getElementById('conn');
        new MutationObserver(() => window.statuses.push(conn.dataset.status)).observe(conn, { attributes: true, attributeFilter: ['data-status'] });
      });
    });
    const tokens = [];
    d.context.on('response', async (r) => {
      if (!/\/api\/auth\/(register|refresh)$/.test(r.url()) || r.status() !== 200 && r.status() !== 201) return;
      const body = await r.json().catch(() => null);
      if (body?.access_token) tokens.push(body.access_token);
    });
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill('dan@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    const signedInAt = Date.now();
    await page.getByLabel('New board name').fill('Short tokens');
    await page.getByRole('button', { name: 'Create board' }).click();
    await liveOn(page);
    await addColumn(page, 'Before');

    // Past the first token's life, and a little more.
    await waitFor(async () => Date.now() > signedInAt + TTL_MS + 2_000, TTL_MS + 10_000, 'the first token to expire');
    // The first, on the first load, found no cookie; then the timer's.
    assert.equal(d.refreshes[0], 401);
    assert.ok(d.refreshes.length >= 2, 'no refresh happened');
    assert.ok(d.refreshes.slice(1).every((s) => s === 200), `refreshes: ${d.refreshes}`);
    const first = new Client(server.url, tokens[0]);
    await assert.rejects(first.call('GET', '/api/auth/me'), /401/, 'the first token still works');

    await addColumn(page, 'After');
    assert.deepEqual(d.refused, [], 'a request was refused on the way');
    assert.equal(await page.getByRole('alert').count(), 0);
    // The socket never dropped: live once, and live since.
    const statuses = await page.evaluate(() => window.statuses);
    assert.deepEqual(statuses.slice(statuses.indexOf('live')).filter((s) => s !== 'live'), [], `the pill showed ${statuses}`);
    assert.equal(await page.locator('#conn').getAttribute('data-status'), 'live');
    // A reload after the first token died starts from the cookie again.
    await page.reload();
    await liveOn(page);
    await page.getByRole('button', { name: 'Column After; rename', exact: true }).waitFor();
    assert.deepEqual(d.problems, []);
    await d.context.close();
  });
});
