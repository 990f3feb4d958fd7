// Web client benchmark: how fast the page draws a board and shows other
// people's changes, on a small board and on 2,000-card ones, one of them
// with card details (labels, assignees, due dates, comments). Run from the
// repository root after make build:
//
//   node bench/web/board.mjs            (prints a Markdown table)
//
// SYNCBOARD_BIN picks another server binary (its embedded client is the
// one measured), for a before-and-after on the same boards; BENCH_ONLY
// measures only the boards whose name holds it ("details", say).
//
// A real server on a fresh database, Debian's Chromium via playwright-core
// (the e2e harness). Remote-change latency is measured from the moment
// another user's move request is sent until the page's DOM shows the card
// in its new column: HTTP, commit, NOTIFY, WebSocket, apply and render.
import { Client, Server, dropDatabase, launchBrowser, newDatabaseName } from '../../e2e/harness.mjs';

const SIZES = [
  { name: '3 columns × 10 cards', columns: 3, cards: 10 },
  { name: '8 columns × 250 cards', columns: 8, cards: 250 },
  // Card j: labels j % 3 of 10, assignees j % 4 of 4 members, a due date
  // on every third card (past, ahead or done), a comment on every fifth.
  { name: '8 columns × 250 cards, with details', columns: 8, cards: 250, details: true },
];
const ONLY = process.env.BENCH_ONLY ?? '';
const COLORS = ['green', 'yellow', 'orange', 'red', 'purple', 'blue', 'sky', 'lime', 'pink', 'black'];
const LOADS = 5;
const MOVES = 40;
const NUDGES = 20;

const db = newDatabaseName();
const server = await new Server(db).start();
const browser = await launchBrowser();
const rows = [];
try {
  const alice = new Client(server.url);
  await alice.register('alice@example.com', 'Alice', 'correct horse battery');
  const bob = new Client(server.url);
  await bob.register('bob@example.com', 'Bob', 'correct horse battery');
  const others = [];
  for (const [email, name] of [['carol@example.com', 'Carol Diaz'], ['dave@example.com', 'Dave Ek']]) {
    const c = new Client(server.url);
    others.push({ email, id: (await c.register(email, name, 'correct horse battery')).user.id });
  }
  const bobID = (await bob.call('GET', '/api/auth/me')).id;
  const aliceID = (await alice.call('GET', '/api/auth/me')).id;
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(server.url);
  await page.getByLabel('Email').fill('alice@example.com');
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Your boards' }).waitFor();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('HeapProfiler.enable');

  for (const size of SIZES.filter((z) => z.name.includes(ONLY))) {
    const room = await alice.call('POST', '/api/rooms', { name: size.name });
    await alice.call('POST', `/api/rooms/${room.id}/members`, { email: 'bob@example.com' });
    const labels = [];
    const people = [aliceID, bobID];
    if (size.details) {
      for (const o of others) {
        await alice.call('POST', `/api/rooms/${room.id}/members`, { email: o.email });
        people.push(o.id);
      }
      for (const color of COLORS) labels.push((await alice.call('POST', `/api/rooms/${room.id}/labels`, { name: `${color} work`, color })).id);
    }
    const columns = [];
    for (let i = 0; i < size.columns; i++) columns.push(await alice.call('POST', `/api/rooms/${room.id}/columns`, { name: `Column ${i + 1}` }));
    for (const col of columns) {
      for (let start = 0; start < size.cards; start += 25) {
        const batch = [];
        for (let j = start; j < Math.min(size.cards, start + 25); j++) {
          batch.push(alice.call('POST', `/api/columns/${col.id}/cards`, { title: `Card ${j + 1}`, description: j % 3 === 0 ? 'Some words about this card, long enough to wrap.' : '' }));
        }
        const made = await Promise.all(batch);
        if (size.details) await Promise.all(made.map((card, k) => detail(alice, card.id, start + k, labels, people)));
      }
    }
    const total = size.columns * size.cards;

    // Load: from the hash change to every card on screen, LOADS times.
    const loads = [];
    for (let i = 0; i < LOADS; i++) {
      await page.evaluate(() => { window.location.hash = '#/'; });
      await page.getByRole('heading', { name: 'Your boards' }).waitFor();
      loads.push(await page.evaluate(async ({ id, total }) => {
        const t0 = performance.now();
        window.location.hash = `#/rooms/${id}`;
        for (;;) {
          await new Promise((r) => requestAnimationFrame(r));
          if (document.querySelectorAll('.card').length === total) return performance.now() - t0;
        }
      }, { id: room.id, total }));
    }
    await page.waitForFunction(() => document.getElementById('conn').dataset.status === 'live');
    // The heap and the nodes of the board on screen, not the boards of
    // the earlier loads still waiting for the collector.
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const heap = metrics.find((m) => m.name === 'JSHeapUsedSize').value;
    const nodes = metrics.find((m) => m.name === 'Nodes').value;

    // Remote moves: Bob moves the first card of column 1 to column 2.
    const moves = [];
    for (let i = 0; i < MOVES; i++) {
      const board = await bob.call('GET', `/api/rooms/${room.id}`);
      const from = board.columns[i % 2];
      const to = board.columns[(i + 1) % 2];
      const card = from.cards[0];
      const t0 = performance.now();
      await bob.call('POST', `/api/cards/${card.id}/move`, { column_id: to.id, position: 0 });
      await page.waitForFunction(({ cardID, colID }) => {
        const el = document.querySelector(`.card[data-card-id="${cardID}"]`);
        return el?.closest('.cards')?.dataset.columnId === colID;
      }, { cardID: card.id, colID: to.id }, { polling: 'raf' });
      moves.push(performance.now() - t0);
    }

    // Keyboard: one arrow key press while a card is lifted, handled and
    // drawn synchronously (clone, layer, reconcile).
    await page.locator('.card-button').first().focus();
    await page.keyboard.press('Space');
    const nudges = await page.evaluate((n) => {
      const out = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        document.activeElement.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
        out.push(performance.now() - t0);
      }
      return out;
    }, NUDGES);
    await page.keyboard.press('Escape');

    rows.push({ size: size.name, total, load: stats(loads), move: stats(moves), nudge: stats(nudges), heap, nodes });
  }
} finally {
  await browser.close();
  await server.stop();
  dropDatabase(db);
}

// detail gives card j of a column its labels, assignees, due date and
// comment, one request at a time (each is an event of the room).
async function detail(api, cardID, j, labels, people) {
  for (let i = 0; i < j % 3; i++) await api.call('PUT', `/api/cards/${cardID}/labels/${labels[(j + i * 3) % labels.length]}`);
  for (let i = 0; i < j % 4; i++) await api.call('PUT', `/api/cards/${cardID}/assignees/${people[(j + i) % people.length]}`);
  if (j % 3 === 0) {
    const day = 86_400_000;
    const due = new Date(Date.now() + (j % 2 === 0 ? -day : day) * (1 + (j % 7))).toISOString();
    await api.call('PATCH', `/api/cards/${cardID}`, { due_at: due, due_complete: j % 9 === 0 });
  }
  if (j % 5 === 0) await api.call('POST', `/api/cards/${cardID}/comments`, { body: `A word about card ${j + 1}.` });
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { p50: q(0.5), p95: q(0.95), n: s.length };
}

const ms = (x) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
console.log('| board | cards | load to drawn, p50 / p95 | another user\'s move on screen, p50 / p95 | keyboard step, p50 / p95 | JS heap | DOM nodes |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.size} | ${r.total} | ${ms(r.load.p50)} / ${ms(r.load.p95)} (n=${r.load.n}) | ${ms(r.move.p50)} / ${ms(r.move.p95)} (n=${r.move.n}) | ${ms(r.nudge.p50)} / ${ms(r.nudge.p95)} (n=${r.nudge.n}) | ${(r.heap / 2 ** 20).toFixed(1)} MiB | ${r.nodes} |`);
}
