// A large board in the browser (issue 19): 8 columns of 500 cards open with
// every card drawn, another person's move arrives as one small event and is
// applied without a refetch, and a keyboard move still works. No timing is
// asserted here: bench/web/bigboard.mjs measures the speed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Server, dropDatabase, launchBrowser, newDatabaseName, sql } from './harness.mjs';
import { openBoard, signIn, TIMEOUT } from './pages.mjs';

const COLUMNS = 8;
const CARDS = 500;

describe('a board of 4,000 cards', () => {
  const db = newDatabaseName();
  let server;
  let browser;
  let page;
  let alice;
  let bob;
  let room;
  const columns = [];
  const problems = [];

  before(async () => {
    server = await new Server(db).start();
    browser = await launchBrowser();
    alice = new Client(server.url);
    await alice.register('alice@example.com', 'Alice');
    bob = new Client(server.url);
    await bob.register('bob@example.com', 'Bob');
    room = await alice.call('POST', '/api/rooms', { name: 'Big board' });
    await alice.call('POST', `/api/rooms/${room.id}/members`, { email: 'bob@example.com' });
    for (let i = 0; i < COLUMNS; i++) columns.push(await alice.call('POST', `/api/rooms/${room.id}/columns`, { name: `Column ${i + 1}` }));
    // The cards through SQL, at once: 4,000 requests would take minutes on
    // a loaded machine, and the API's own card creation is tested elsewhere.
    for (const col of columns) {
      sql(db, `INSERT INTO cards (id, column_id, title, position, created_at, updated_at)
        SELECT gen_random_uuid(), '${col.id}', '${col.name} card ' || i, i - 1, now(), now() FROM generate_series(1, ${CARDS}) AS i`);
    }
    sql(db, `UPDATE rooms SET version = version + 1 WHERE id = '${room.id}'`);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(TIMEOUT * 4);
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    await signIn(page, server.url, 'alice@example.com');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.saveLog('server-bigboard');
    dropDatabase(db);
  });

  const titles = (column) => page.locator(`.cards[data-column-id="${column}"] .card-title`).allTextContents();

  it('opens with every card drawn, in order, each column counting 500', async () => {
    await openBoard(page, server.url, room.id);
    await page.waitForFunction((n) => document.querySelectorAll('.card').length === n, COLUMNS * CARDS);
    for (const col of columns) {
      const shown = await titles(col.id);
      assert.equal(shown.length, CARDS);
      assert.deepEqual([shown[0], shown[CARDS - 1]], [`${col.name} card 1`, `${col.name} card ${CARDS}`]);
    }
    assert.deepEqual(await page.locator('.column-count [aria-hidden="true"]').allTextContents(), Array(COLUMNS).fill(String(CARDS)));
  });

  it('applies another person\'s move from its small event, without fetching the board again', async () => {
    const refetches = [];
    const frames = [];
    page.on('request', (r) => { if (r.url().endsWith(`/api/rooms/${room.id}`)) refetches.push(r.url()); });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    cdp.on('Network.webSocketFrameReceived', (e) => { if (e.response.payloadData.includes('card.moved')) frames.push(e.response.payloadData.length); });
    const board = await bob.call('GET', `/api/rooms/${room.id}`);
    const card = board.columns[0].cards[250];
    await bob.call('POST', `/api/cards/${card.id}/move`, { column_id: columns[1].id, position: 0 });
    await page.waitForFunction(({ id, col }) => document.querySelector(`.cards[data-column-id="${col}"] .card`)?.dataset.cardId === id,
      { id: card.id, col: columns[1].id });
    const first = await titles(columns[0].id);
    assert.equal(first.length, CARDS - 1);
    assert.equal(first[250], 'Column 1 card 252', 'the cards after it moved up');
    assert.equal((await titles(columns[1].id)).length, CARDS + 1);
    assert.equal(frames.length, 1);
    assert.ok(frames[0] < 2048, `the move's frame is ${frames[0]} bytes: it carries no column's order`);
    assert.deepEqual(refetches, [], 'the event was applied, not replaced by a refetch');
  });

  it('still moves a card with the keyboard', async () => {
    const col = columns[2];
    const button = page.locator(`.cards[data-column-id="${col.id}"] .card-button`).first();
    await button.focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    await page.waitForFunction((c) => document.querySelectorAll(`.cards[data-column-id="${c}"] .card-title`)[2]?.textContent === 'Column 3 card 1', col.id);
    // Saved: the server has it third too.
    let saved = null;
    for (let i = 0; i < 50 && saved !== 'Column 3 card 1'; i++) {
      saved = (await alice.call('GET', `/api/rooms/${room.id}`)).columns[2].cards[2].title;
      if (saved !== 'Column 3 card 1') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(saved, 'Column 3 card 1');
    assert.deepEqual(problems, []);
  });
});
