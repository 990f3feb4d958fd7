// Browser tests of the live boards list: Bob's open list shows a board the
// moment Ann adds him, follows its name and his role, and drops it when
// she removes him, without a reload; signing out closes his stream; after
// its server restarts, the list shows what changed while it was away. axe
// on the list with a board just shared.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Client, Server, assertNothingUnfinished, dropDatabase, launchBrowser, newDatabaseName, waitFor } from './harness.mjs';
import { checkState, signIn, watched } from './pages.mjs';

const SOON = 8_000;

describe('the live boards list', () => {
  const db = newDatabaseName();
  let server;
  let browser;
  let ann; // {api, page, context}
  let bob;
  let roomID;
  const problems = [];
  const sockets = []; // every socket a page opened: {who, url, closed}

  before(async () => {
    server = await new Server(db).start();
    browser = await launchBrowser();
    const people = {};
    for (const [who, email, name] of [['ann', 'ann@example.com', 'Ann Lee'], ['bob', 'bob@example.com', 'Bob Jones']]) {
      const api = new Client(server.url);
      await api.register(email, name);
      const context = await watched(browser, problems);
      const page = await context.newPage();
      page.on('websocket', (ws) => {
        const s = { who, url: ws.url(), closed: false };
        sockets.push(s);
        ws.on('close', () => { s.closed = true; });
      });
      people[who] = { api, email, name, context, page };
    }
    ({ ann, bob } = people);
    roomID = (await ann.api.call('POST', '/api/rooms', { name: 'Roadmap' })).id;
    const todo = await ann.api.call('POST', `/api/rooms/${roomID}/columns`, { name: 'To do' });
    await ann.api.call('POST', `/api/columns/${todo.id}/cards`, { title: 'Plan' });
    await ann.api.call('POST', `/api/rooms/${roomID}/members`, { email: bob.email });
    for (const p of [ann, bob]) await signIn(p.page, server.url, p.email);
  });

  afterEach(() => assertNothingUnfinished(browser));

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.saveLog('server-livelist');
    dropDatabase(db);
    assert.deepEqual(problems, []);
  });

  it('Bob\'s boards list shows a board the moment Ann adds him, follows its name, and drops it when she removes him', async () => {
    const { page } = bob;
    await page.goto(`${server.url}/#/`);
    await page.getByRole('heading', { name: 'Your boards' }).waitFor();
    await page.evaluate(() => { window.__sameDocument = true; });
    const list = page.getByRole('list', { name: 'Your boards' });
    const tiles = () => list.locator('.room-name').allTextContents();
    await waitFor(async () => JSON.stringify(await tiles()) === JSON.stringify(['Roadmap']), SOON, 'the list to load');
    // The stream is open when its socket is.
    await waitFor(async () => sockets.some((s) => s.who === 'bob' && /\/api\/ws\?/.test(s.url)), SOON, 'the user stream to open');

    const later = await ann.api.call('POST', '/api/rooms', { name: 'Launch party' });
    const started = Date.now();
    await ann.api.call('POST', `/api/rooms/${later.id}/members`, { email: bob.email, role: 'viewer' });
    await waitFor(async () => JSON.stringify(await tiles()) === JSON.stringify(['Launch party', 'Roadmap']), SOON, 'the new board, first');
    console.log(`# the board was on Bob's list ${Date.now() - started} ms after Ann added him`);
    const tile = list.getByRole('link', { name: /Launch party/ });
    assert.match(await tile.innerText(), /view only/i);
    await checkState(page, 'boards list with a board just shared');

    // A rename and a new role redraw the tile.
    const bobID = (await bob.api.call('GET', '/api/auth/me')).id;
    await ann.api.call('PATCH', `/api/rooms/${later.id}`, { name: 'Launch party!' });
    await ann.api.call('PATCH', `/api/rooms/${later.id}/members/${bobID}`, { role: 'member' });
    await waitFor(async () => /Launch party!\s*shared with you/i.test(await list.getByRole('link', { name: /Launch party!/ }).innerText()), SOON, 'the tile to follow');

    await ann.api.call('DELETE', `/api/rooms/${later.id}/members/${bobID}`);
    await waitFor(async () => JSON.stringify(await tiles()) === JSON.stringify(['Roadmap']), SOON, 'the board to go');
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page reloaded');

    // Signing out closes the stream.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to SyncBoard' }).waitFor();
    await waitFor(() => sockets.filter((s) => s.who === 'bob' && /\/api\/ws\?/.test(s.url)).every((s) => s.closed), SOON, 'the stream to close');
  });

  it('after its server restarts, the list shows what changed while the stream was closed', async () => {
    const { page } = bob;
    const other = await new Server(db).start(); // a second instance on the same database
    try {
      await signIn(page, server.url, bob.email);
      const tiles = () => page.getByRole('list', { name: 'Your boards' }).locator('.room-name').allTextContents();
      await waitFor(async () => JSON.stringify(await tiles()) === JSON.stringify(['Roadmap']), SOON, 'the list to load');
      const opened = sockets.filter((s) => s.who === 'bob' && /\/api\/ws\?/.test(s.url)).length;
      await waitFor(async () => sockets.filter((s) => s.who === 'bob' && /\/api\/ws\?/.test(s.url) && !s.closed).length === 1, SOON, 'the stream to open');
      await server.stop();
      const away = ann.api.on(other.url);
      const room = await away.call('POST', '/api/rooms', { name: 'While you were away' });
      await away.call('POST', `/api/rooms/${room.id}/members`, { email: bob.email });
      const bobID = (await away.call('GET', `/api/rooms/${roomID}`)).members.find((m) => m.user.email === bob.email).user.id;
      await away.call('DELETE', `/api/rooms/${roomID}/members/${bobID}`);
      await server.start(); // the same address
      await waitFor(async () => JSON.stringify(await tiles()) === JSON.stringify(['While you were away']), 30_000, 'the list to catch up');
      assert.ok(sockets.filter((s) => s.who === 'bob' && /\/api\/ws\?/.test(s.url)).length > opened, 'the stream reconnected');
    } finally {
      await other.stop();
      other.saveLog('server-livelist-other');
    }
  });
});
