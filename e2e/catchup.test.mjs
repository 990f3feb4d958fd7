// Browser test of the board page catching up after its socket dropped:
// its server stops (a restart, a network cut, a laptop asleep), thousands
// of changes are made through a second instance on the same database, and
// when its server is back the page resumes with since= its version and
// takes every missed event through the socket, in batches, without a
// refetch of the board and without freezing.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Client, Server, assertNothingUnfinished, dropDatabase, launchBrowser, newDatabaseName, waitFor } from './harness.mjs';
import { liveOn, openBoard, signIn, watched } from './pages.mjs';

const CHANGES = 2000;
const WORKERS = Number(process.env.CATCHUP_WORKERS ?? 16); // concurrent requests while making them
// The board's size; CATCHUP_CARDS=1000 shows what a big board costs.
const CARDS = Number(process.env.CATCHUP_CARDS ?? 60);

describe('catching up after a drop', () => {
  const db = newDatabaseName();
  let a; // the instance the page uses
  let b; // a second instance on the same database
  let browser;
  const problems = [];

  before(async () => {
    a = await new Server(db).start();
    b = await new Server(db).start();
    browser = await launchBrowser();
  });

  afterEach(() => assertNothingUnfinished(browser));

  after(async () => {
    await browser?.close();
    await a?.stop();
    await b?.stop();
    a?.saveLog('server-catchup-a');
    b?.saveLog('server-catchup-b');
    dropDatabase(db);
    assert.deepEqual(problems, []);
  });

  it(`takes ${CHANGES} missed events through the socket, with no refetch, and shows the server's board`, async () => {
    const ann = new Client(a.url);
    await ann.register('ann@example.com', 'Ann Lee');
    const room = await ann.call('POST', '/api/rooms', { name: 'Busy board' });
    const columns = [];
    for (const name of ['To do', 'Doing', 'Done']) columns.push(await ann.call('POST', `/api/rooms/${room.id}/columns`, { name }));
    const cards = [];
    let made = 0;
    await Promise.all(Array.from({ length: WORKERS }, async () => {
      for (let i = made++; i < CARDS; i = made++) cards[i] = await ann.call('POST', `/api/columns/${columns[i % 3].id}/cards`, { title: `Card ${i}` });
    }));
    const atStop = (await ann.call('GET', `/api/rooms/${room.id}`)).version;

    const context = await watched(browser, problems);
    const page = await context.newPage();
    await signIn(page, a.url, 'ann@example.com');
    await openBoard(page, a.url, room.id);
    await page.evaluate(() => {
      window.__sameDocument = true;
      // The longest tasks the page runs from here on: a frozen page has long ones.
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTasks.push(Math.round(e.duration));
      }).observe({ type: 'longtask' });
    });

    // What the page asks for and receives from here on.
    let stoppedAt = Infinity;
    const boardFetches = [];
    const boardPath = new RegExp(`/api/rooms/${room.id}(\\?.*)?$`);
    page.on('request', (r) => {
      if (r.method() === 'GET' && boardPath.test(new URL(r.url()).pathname) && Date.now() > stoppedAt) boardFetches.push(r.url());
    });
    const sockets = []; // {url, frames, first, last}
    page.on('websocket', (ws) => {
      const s = { url: ws.url(), frames: 0, events: 0, first: 0, last: 0 };
      sockets.push(s);
      ws.on('framereceived', (f) => {
        const now = Date.now();
        s.frames++;
        s.first ||= now;
        s.last = now;
        if (typeof f.payload === 'string' && f.payload.includes('"version"')) s.events++;
      });
    });

    stoppedAt = Date.now();
    await a.stop();
    await waitFor(async () => (await page.locator('#conn').getAttribute('data-status')) !== 'live', 15_000, 'the page to notice');

    // Ann works through the other instance meanwhile, fast: moves and
    // renames from several requests at once.
    const away = ann.on(b.url);
    let next = 0;
    const changing = Date.now();
    await Promise.all(Array.from({ length: WORKERS }, async () => {
      for (let i = next++; i < CHANGES; i = next++) {
        const c = cards[(i * 7) % cards.length];
        if (i % 3 === 2) {
          await away.call('PATCH', `/api/cards/${c.id}`, { title: `Card ${cards.indexOf(c)} r${i}` });
        } else {
          await away.call('POST', `/api/cards/${c.id}/move`, { column_id: columns[(i * 5) % 3].id, position: i % 7 });
        }
      }
    }));
    console.log(`# made ${CHANGES} changes through the other instance in ${Date.now() - changing} ms`);
    const want = await away.call('GET', `/api/rooms/${room.id}`);
    assert.equal(want.version >= CHANGES, true);

    await a.start(); // the same address
    const restarted = Date.now();
    const shown = () => page.evaluate(() => [...document.querySelectorAll('.column')].map((col) => ({
      name: col.querySelector('.cards').getAttribute('aria-label').replace(/^Cards in /, ''),
      cards: [...col.querySelectorAll('.card-title')].map((t) => t.textContent),
    })));
    const expected = want.columns.map((col) => ({ name: col.name, cards: col.cards.map((c) => c.title) }));
    let got;
    await waitFor(async () => {
      got = await shown();
      return JSON.stringify(got) === JSON.stringify(expected);
    }, 60_000, 'the page to show the server\'s board').catch((err) => {
      throw new Error(`${err.message}; it shows ${JSON.stringify(got)}`);
    });
    const caughtUp = Date.now();
    await liveOn(page);

    const socket = sockets.at(-1);
    const since = Number(new URL(socket.url).searchParams.get('since'));
    const longTasks = await page.evaluate(() => window.__longTasks);
    console.log(`# caught up on ${want.version - since} events on a board of ${CARDS} cards: ${caughtUp - restarted} ms from the server's restart ` +
      `(the socket opened after ${socket.first - restarted} ms of backoff; its events took ${socket.last - socket.first} ms to arrive, ` +
      `and the board showed them all ${caughtUp - socket.first} ms after the first came, checked every 100 ms); ` +
      `${boardFetches.length} board fetch(es); longest tasks ${JSON.stringify(longTasks.sort((x, y) => y - x).slice(0, 5))} ms`);

    assert.equal(since, atStop, 'the socket resumed at the version the page had');
    assert.equal(socket.events, want.version - since, 'every missed event came through the socket');
    assert.deepEqual(boardFetches, [], 'no refetch of the board');
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page reloaded');
    assert.ok(Math.max(0, ...longTasks) < 1000, `the page froze: tasks of ${longTasks.join(', ')} ms`);

    // Live from there on: a change through the other instance arrives.
    await away.call('PATCH', `/api/rooms/${room.id}`, { name: 'Busy board, later' });
    await page.getByRole('heading', { name: 'Busy board, later' }).waitFor();
    await context.close();
  });
});
