// Large-board benchmark (issue 19): a board of 8 columns × 500 cards (4,000)
// seeded through the API, opened in the web client BENCH_LOADS times (15),
// and another user's card moves shown on it. Run from the repository root
// after make build:
//
//   node bench/web/bigboard.mjs
//
// SYNCBOARD_BIN picks another server binary (its embedded client is the
// one measured) for a before-and-after; BENCH_COLUMNS and BENCH_CARDS size
// the board; BENCH_PROFILE=file writes a CPU profile of one open (Chrome
// DevTools' format). For working on the client: BENCH_URL uses a server
// already running (its users and board are made on the first run and found
// on the next ones), and BENCH_ASSETS=web/assets serves the client's
// assets from that folder instead of the binary's, so a change to them is
// measured without a rebuild.
//
// "Open" is measured in the page, from the hash change that routes to the
// board until every card is in the DOM, then one more animation frame (the
// frame that paints them): the board's request, its JSON, the state and
// the drawing, one layout included. "fetch" is the board request's part
// (Resource Timing: request start to the last byte); the rest is the
// client's own work. A remote move is from another user's move request
// being sent until the page's DOM shows the card in its new column; its
// bytes are the WebSocket frame the page received for it.
import { readFileSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Client, Server, dropDatabase, launchBrowser, newDatabaseName } from '../../e2e/harness.mjs';

const COLUMNS = Number(process.env.BENCH_COLUMNS ?? 8);
const CARDS = Number(process.env.BENCH_CARDS ?? 500);
const LOADS = Number(process.env.BENCH_LOADS ?? 15);
const MOVES = Number(process.env.BENCH_MOVES ?? 20);
const PROFILE = process.env.BENCH_PROFILE ?? '';

const ASSETS = process.env.BENCH_ASSETS ?? '';
const db = process.env.BENCH_URL ? null : newDatabaseName();
const server = db ? await new Server(db, { addr: process.env.BENCH_ADDR ?? '127.0.0.1:18351' }).start() : { url: process.env.BENCH_URL, stop() {} };
const browser = await launchBrowser();
const NAME = `${COLUMNS} × ${CARDS}`;
let out;
try {
  const alice = new Client(server.url);
  const bob = new Client(server.url);
  for (const [c, email, name] of [[alice, 'alice@example.com', 'Alice'], [bob, 'bob@example.com', 'Bob']]) {
    try {
      await c.register(email, name, 'correct horse battery');
    } catch {
      await c.login(email, 'correct horse battery'); // a server already running
    }
  }
  let room = (await alice.call('GET', '/api/rooms?limit=100')).items.find((r) => r.name === NAME);
  let columns;
  if (room) {
    columns = (await alice.call('GET', `/api/rooms/${room.id}`)).columns;
  } else {
    room = await alice.call('POST', '/api/rooms', { name: NAME });
    await alice.call('POST', `/api/rooms/${room.id}/members`, { email: 'bob@example.com' });
    columns = [];
    for (let i = 0; i < COLUMNS; i++) columns.push(await alice.call('POST', `/api/rooms/${room.id}/columns`, { name: `Column ${i + 1}` }));
    const seeded = Date.now();
    // One writer per column, each adding its cards at the end in order.
    await Promise.all(columns.map(async (col) => {
      for (let j = 0; j < CARDS; j++) {
        await alice.call('POST', `/api/columns/${col.id}/cards`, { title: `Card ${j + 1}`, description: j % 3 === 0 ? 'Some words about this card, long enough to wrap.' : '' });
      }
    }));
    console.error(`seeded ${COLUMNS * CARDS} cards in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
  }
  const total = COLUMNS * CARDS;

  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  if (ASSETS) {
    const types = { '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
    await page.route('**/assets/**', (route) => {
      const file = new URL(route.request().url()).pathname.split('/assets/')[1];
      route.fulfill({ body: readFileSync(join(ASSETS, file)), contentType: types[extname(file)] ?? 'application/octet-stream' });
    });
  }
  await page.goto(server.url);
  await page.getByLabel('Email').fill('alice@example.com');
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Your boards' }).waitFor();
  const cdp = await page.context().newCDPSession(page);

  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const open = async () => {
    await page.evaluate(() => { window.location.hash = '#/'; });
    await page.getByRole('heading', { name: 'Your boards' }).waitFor();
    await page.evaluate(() => performance.clearResourceTimings());
    const m0 = await metrics();
    const r = await page.evaluate(async ({ id, total }) => {
      const t0 = performance.now();
      window.location.hash = `#/rooms/${id}`;
      for (;;) {
        await new Promise((r) => requestAnimationFrame(r));
        if (document.querySelectorAll('.card').length === total) break;
      }
      const drawn = performance.now();
      await new Promise((r) => requestAnimationFrame(r));
      const painted = performance.now();
      const res = performance.getEntriesByType('resource').find((e) => e.name.endsWith(`/api/rooms/${id}`));
      return { open: painted - t0, drawn: drawn - t0, fetch: res ? res.responseEnd - res.startTime : NaN };
    }, { id: room.id, total });
    // The page's main thread's CPU time over the open (thread ticks),
    // which a loaded machine stretches less than the wall clock, and its
    // parts.
    const m1 = await metrics();
    const d = (k) => (m1[k] - m0[k]) * 1000;
    return { ...r, cpu: d('ThreadTime'), script: d('ScriptDuration'), style: d('RecalcStyleDuration'), layout: d('LayoutDuration') };
  };

  await open(); // warm: the script compiled, the connection open
  const loads = [];
  for (let i = 0; i < LOADS; i++) loads.push(await open());
  if (PROFILE) {
    await page.evaluate(() => { window.location.hash = '#/'; });
    await page.getByRole('heading', { name: 'Your boards' }).waitFor();
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
    const one = await open();
    const { profile } = await cdp.send('Profiler.stop');
    writeFileSync(PROFILE, JSON.stringify(profile));
    console.error(`profile of one open (${one.open.toFixed(0)} ms) in ${PROFILE}`);
  }
  await page.waitForFunction(() => document.getElementById('conn').dataset.status === 'live');

  // Another user's moves: the first card of column 1 to the top of column
  // 2 and back, with the bytes of each frame the page gets.
  const frames = [];
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketFrameReceived', (e) => {
    if (e.response.payloadData.includes('"card.moved"')) frames.push(Buffer.byteLength(e.response.payloadData));
  });
  const board = await bob.call('GET', `/api/rooms/${room.id}`);
  const order = [board.columns[0].cards.map((c) => c.id), board.columns[1].cards.map((c) => c.id)];
  const moves = [];
  for (let i = 0; i < MOVES; i++) {
    const from = i % 2;
    const to = 1 - from;
    const cardID = order[from].shift();
    order[to].unshift(cardID);
    const t0 = performance.now();
    await bob.call('POST', `/api/cards/${cardID}/move`, { column_id: columns[to].id, position: 0 });
    await page.waitForFunction(({ cardID, colID }) => {
      const el = document.querySelector(`.card[data-card-id="${cardID}"]`);
      return el?.closest('.cards')?.dataset.columnId === colID;
    }, { cardID, colID: columns[to].id }, { polling: 'raf' });
    moves.push(performance.now() - t0);
  }
  const bodyBytes = Buffer.byteLength(JSON.stringify(board));
  out = { total, loads, moves, frames, bodyBytes };
} finally {
  await browser.close();
  await server.stop();
  if (db) dropDatabase(db);
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { p50: q(0.5), p95: q(0.95), n: s.length };
}
const ms = (x) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
const pair = (xs) => { const s = stats(xs); return s.n === 0 ? 'not measured' : `${ms(s.p50)} / ${ms(s.p95)} (n=${s.n})`; };
const { total, loads, moves, frames, bodyBytes } = out;
console.log(`binary: ${process.env.SYNCBOARD_BIN ?? 'bin/syncboard'}; board ${COLUMNS} × ${CARDS} = ${total} cards, ${(bodyBytes / 1e6).toFixed(2)} MB of JSON`);
console.log('| measure | p50 / p95 |');
console.log('|---|---|');
console.log(`| open: hash change to every card drawn and painted | ${pair(loads.map((l) => l.open))} |`);
console.log(`| of which the board's request (Resource Timing) | ${pair(loads.map((l) => l.fetch))} |`);
console.log(`| of which the client (open minus request) | ${pair(loads.map((l) => l.open - l.fetch))} |`);
console.log(`| page main thread CPU time over the open | ${pair(loads.map((l) => l.cpu))} |`);
console.log(`| of which script / style / layout | ${['script', 'style', 'layout'].map((k) => ms(stats(loads.map((l) => l[k])).p50)).join(' / ')} (p50s) |`);
console.log(`| another user's move on screen | ${pair(moves)} |`);
console.log(`| card.moved frame received, bytes | ${frames.length ? `${stats(frames).p50} / ${stats(frames).p95} (n=${frames.length})` : 'none seen'} |`);
