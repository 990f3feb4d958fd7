// Browser tests of the web client: a real server, a real PostgreSQL and
// Debian's Chromium, two browser contexts as two people on one board.
// make e2e runs them; screenshots go to test-results/.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Client, RESULTS, Server, assertNothingUnfinished, dropDatabase, launchBrowser, newDatabaseName, sql, waitFor } from './harness.mjs';

const PASSWORD = 'correct horse battery';
const TIMEOUT = 10_000;

describe('the web client', () => {
  const db = newDatabaseName();
  let server; // the instance the pages use
  let other; // a second instance on the same database
  let browser;
  let alice; // {context, page, api}
  let bob;
  let roomID;
  const problems = []; // uncaught page errors and CSP refusals
  const urls = []; // every URL a page asked for
  const tokens = []; // every token the server gave a page

  const watch = (context) => {
    context.on('request', (r) => urls.push(r.url()));
    context.on('response', async (r) => {
      if (!/\/api\/auth\//.test(r.url()) || r.status() >= 300) return;
      const body = await r.json().catch(() => null);
      if (body?.access_token) tokens.push(body.access_token, body.refresh_token);
    });
    context.on('page', (p) => {
      p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      p.on('console', (m) => {
        if (/Content Security Policy|Trusted ?Type/i.test(m.text())) problems.push(`console: ${m.text()}`);
      });
      p.on('websocket', (ws) => urls.push(ws.url()));
    });
  };

  before(async () => {
    server = await new Server(db).start();
    browser = await launchBrowser();
    for (const who of ['alice', 'bob']) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      context.setDefaultTimeout(TIMEOUT);
      watch(context);
      const person = { context, page: await context.newPage(), api: new Client(server.url) };
      if (who === 'alice') alice = person;
      else bob = person;
    }
  });

  afterEach(() => assertNothingUnfinished(browser));

  after(async () => {
    await browser?.close();
    await server?.stop();
    await other?.stop();
    server?.saveLog('server-board');
    other?.saveLog('server-board-other');
    dropDatabase(db);
  });

  it('signs a new user up, builds a board and adds a member, all in the page', async () => {
    await bob.api.register('bob@example.com', 'Bob Jones');
    const { page } = alice;
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill('alice@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Display name (optional)').fill('Alice Smith');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByLabel('New board name').fill('Launch plan');
    await page.getByRole('button', { name: 'Create board' }).click();
    await page.getByRole('heading', { name: 'Launch plan' }).waitFor();
    roomID = /#\/rooms\/(.+)$/.exec(page.url())[1];
    await page.getByText('This board has no columns yet').waitFor();
    for (const name of ['To do', 'Doing', 'Done']) {
      await page.getByLabel('New column name').fill(name);
      await page.getByRole('button', { name: 'Add column' }).click();
      await column(page, name).waitFor();
    }
    assert.equal(await page.getByText('This board has no columns yet').isVisible(), false);
    const todo = column(page, 'To do');
    await todo.getByRole('button', { name: '+ Add a card' }).click();
    const xss = '<img src=x onerror="window.__xss=1">';
    for (const title of ['Write spec', 'Review copy', 'Ship it', xss]) {
      await todo.getByLabel('New card title').fill(title);
      await todo.getByLabel('New card title').press('Enter');
      await todo.locator('.card-title').getByText(title, { exact: true }).waitFor();
    }
    await page.getByRole('button', { name: /^Members/ }).click();
    await page.getByLabel('Email of the person to add').fill('bob@example.com');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.locator('.member-name', { hasText: 'Bob Jones' }).waitFor();
    await page.getByRole('button', { name: 'Close members' }).click();

    // User content is text: the would-be tag is shown, not run.
    assert.equal(await page.locator('.card img').count(), 0);
    assert.equal(await page.evaluate(() => window.__xss), undefined);

    // What the page did is what the server holds.
    await alice.api.login('alice@example.com'); // another device of hers
    const board = await alice.api.call('GET', `/api/rooms/${roomID}`);
    assert.deepEqual(board.columns.map((c) => c.name), ['To do', 'Doing', 'Done']);
    assert.deepEqual(board.columns[0].cards.map((c) => c.title), ['Write spec', 'Review copy', 'Ship it', xss]);
    assert.deepEqual(board.members.map((m) => m.user.email), ['alice@example.com', 'bob@example.com']);
    await alice.api.call('DELETE', `/api/cards/${board.columns[0].cards[3].id}`);
    await waitFor(async () => await cardsIn(page, 'To do').then((t) => t.length === 3), TIMEOUT, 'the deleted card to go');
  });

  it('shows a card dragged on one page on the other page, without a reload', async () => {
    await signIn(bob.page, server.url, 'bob@example.com');
    await bob.page.getByRole('link', { name: /Launch plan/ }).click();
    await liveOn(bob.page);
    await bob.page.evaluate(() => { window.__sameDocument = true; });
    await liveOn(alice.page);

    await drag(alice.page, card(alice.page, 'To do', 'Write spec'), column(alice.page, 'Doing').locator('.cards'));

    await expectCards(bob.page, 'Doing', ['Write spec']);
    await expectCards(bob.page, 'To do', ['Review copy', 'Ship it']);
    assert.equal(await bob.page.evaluate(() => window.__sameDocument), true, 'the page reloaded');
    const board = await alice.api.call('GET', `/api/rooms/${roomID}`);
    assert.deepEqual(board.columns[1].cards.map((c) => c.title), ['Write spec']);
    await alice.page.screenshot({ path: `${RESULTS}/board.png` });
  });

  it('moves a card with the keyboard alone', async () => {
    const { page } = bob;
    await card(page, 'To do', 'Review copy').locator('.card-button').focus();
    await page.keyboard.press('Space');
    assert.match(await card(page, 'To do', 'Review copy').getAttribute('class'), /\blifted\b/);
    await page.locator('#announcer', { hasText: 'Picked up Review copy' }).waitFor();
    await page.keyboard.press('ArrowRight'); // to Doing, on top
    await page.keyboard.press('ArrowDown'); // below Write spec
    await expectCards(page, 'Doing', ['Write spec', 'Review copy']); // the preview
    await page.keyboard.press('Space');

    await expectCards(alice.page, 'Doing', ['Write spec', 'Review copy']);
    await expectCards(alice.page, 'To do', ['Ship it']);
    const board = await bob.api.call('GET', `/api/rooms/${roomID}`);
    assert.deepEqual(board.columns[1].cards.map((c) => c.title), ['Write spec', 'Review copy']);
    // Escape puts a lifted card back without asking the server.
    const version = board.version;
    await card(page, 'Doing', 'Write spec').locator('.card-button').focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowLeft');
    await expectCards(page, 'To do', ['Write spec', 'Ship it']);
    await page.keyboard.press('Escape');
    await expectCards(page, 'Doing', ['Write spec', 'Review copy']);
    assert.equal((await bob.api.call('GET', `/api/rooms/${roomID}`)).version, version);
  });

  it('edits cards and columns in dialogs, and the other page follows', async () => {
    const { page } = alice;
    // A card: Enter opens it.
    await card(page, 'Doing', 'Write spec').locator('.card-button').focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Description').fill('Two pages, no more.');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await card(bob.page, 'Doing', 'Write spec').locator('.card-desc', { hasText: 'Two pages, no more.' }).waitFor();
    // A column: renamed, moved right and back.
    await page.getByRole('button', { name: 'Column Doing; rename' }).click();
    await dialog.getByLabel('Name').fill('Doing now');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await column(bob.page, 'Doing now').waitFor();
    const names = () => bob.page.locator('.column-title').allTextContents();
    await column(page, 'Doing now').getByRole('button', { name: 'Move column right' }).click();
    await waitFor(async () => JSON.stringify(await names()) === JSON.stringify(['To do', 'Done', 'Doing now']), TIMEOUT, 'the column to move right');
    await column(page, 'Doing now').getByRole('button', { name: 'Move column left' }).click();
    await page.getByRole('button', { name: 'Column Doing now; rename' }).click();
    await dialog.getByLabel('Name').fill('Doing');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await waitFor(async () => JSON.stringify(await names()) === JSON.stringify(['To do', 'Doing', 'Done']), TIMEOUT, 'the column to come back');
  });

  it('rolls a refused move back and says why', async () => {
    // A second tab of Alice's whose socket is slow: it has not yet heard
    // that Bob deleted the Done column when she drops a card there.
    const page = await alice.context.newPage();
    let holdEvents = false;
    const held = [];
    let forward;
    await page.routeWebSocket(/\/ws\?/, (ws) => {
      const upstream = ws.connectToServer();
      forward = (m) => ws.send(m);
      upstream.onMessage((m) => (holdEvents ? held.push(m) : ws.send(m)));
    });
    let releaseMove;
    const moveHeld = new Promise((r) => { releaseMove = r; });
    await page.route('**/api/cards/*/move', async (route) => { await moveHeld; await route.continue(); });
    // A new tab opens signed in (the refresh cookie).
    await page.goto(`${server.url}/#/rooms/${roomID}`);
    await liveOn(page);

    holdEvents = true;
    const done = (await bob.api.call('GET', `/api/rooms/${roomID}`)).columns[2];
    await bob.api.call('DELETE', `/api/columns/${done.id}`);
    await drag(page, card(page, 'To do', 'Ship it'), column(page, 'Done').locator('.cards'));
    await expectCards(page, 'Done', ['Ship it']); // shown at once
    releaseMove();

    await expectCards(page, 'To do', ['Ship it']); // and back where it was
    const message = page.getByRole('alert').filter({ hasText: 'Could not move “Ship it”' });
    await message.waitFor();
    assert.match(await message.textContent(), /back where it was/);
    const board = await alice.api.call('GET', `/api/rooms/${roomID}`);
    assert.deepEqual(board.columns.map((c) => c.name), ['To do', 'Doing']);
    assert.deepEqual(board.columns[0].cards.map((c) => c.title), ['Ship it']);

    holdEvents = false;
    for (const m of held.splice(0)) forward(m);
    await column(page, 'Done').waitFor({ state: 'detached' });
    await page.screenshot({ path: `${RESULTS}/refused-move.png` });
    await page.close();
  });

  it('survives its server restarting and catches up on what it missed', async () => {
    other = await new Server(db).start();
    const { page } = bob;
    await liveOn(page);
    await server.stop();
    await waitFor(async () => (await page.locator('#conn').getAttribute('data-status')) !== 'live', TIMEOUT, 'the page to notice');

    // Alice works through the other instance while this one is down.
    const away = alice.api.on(other.url);
    const todo = (await away.call('GET', `/api/rooms/${roomID}`)).columns[0];
    await away.call('POST', `/api/columns/${todo.id}/cards`, { title: 'Written while you were away' });
    await away.call('PATCH', `/api/rooms/${roomID}`, { name: 'Launch plan v2' });

    await server.start(); // the same address
    await liveOn(page);
    await expectCards(page, 'To do', ['Ship it', 'Written while you were away']);
    await page.getByRole('heading', { name: 'Launch plan v2' }).waitFor();
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page reloaded');

    // And it is live again: a change through the other instance arrives.
    await away.call('PATCH', `/api/rooms/${roomID}`, { name: 'Launch plan v3' });
    await page.getByRole('heading', { name: 'Launch plan v3' }).waitFor();
  });

  it('refetches the board when the events it missed are no longer kept', async () => {
    const { page } = bob;
    await liveOn(page);
    await server.stop();
    await waitFor(async () => (await page.locator('#conn').getAttribute('data-status')) !== 'live', TIMEOUT, 'the page to notice');
    const away = alice.api.on(other.url);
    const later = await away.call('POST', `/api/rooms/${roomID}/columns`, { name: 'Later' });
    await away.call('POST', `/api/columns/${later.id}/cards`, { title: 'Made, then its event pruned' });
    // What EVENT_RETENTION does to old events, now.
    sql(db, `DELETE FROM room_events WHERE room_id = '${roomID}'`);
    await server.start();
    await expectCards(page, 'Later', ['Made, then its event pruned']);
    await liveOn(page);
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page reloaded');
    // Live from the refetched version on.
    await alice.api.call('DELETE', `/api/columns/${later.id}`);
    await column(page, 'Later').waitFor({ state: 'detached' });
  });

  it('notices a missed event and resumes from its version', async () => {
    // A tab whose first socket loses one event on the way.
    const page = await alice.context.newPage();
    let sockets = 0;
    let dropNext = false;
    await page.routeWebSocket(/\/ws\?/, (ws) => {
      sockets++;
      const upstream = ws.connectToServer();
      upstream.onMessage((m) => {
        // Only an event: a presence message has no version, so losing one
        // makes no gap.
        if (dropNext && JSON.parse(m).type !== 'presence') { dropNext = false; return; }
        ws.send(m);
      });
    });
    await page.goto(`${server.url}/#/rooms/${roomID}`);
    await liveOn(page);
    assert.equal(sockets, 1);

    dropNext = true;
    const todo = (await bob.api.call('GET', `/api/rooms/${roomID}`)).columns[0];
    await bob.api.call('POST', `/api/columns/${todo.id}/cards`, { title: 'Lost on the way' });
    await bob.api.call('POST', `/api/columns/${todo.id}/cards`, { title: 'Arrived' });
    await expectCards(page, 'To do', ['Ship it', 'Written while you were away', 'Lost on the way', 'Arrived']);
    assert.equal(sockets, 2, 'the page did not reconnect to fill the gap');
    await page.close();
  });

  it('follows members leaving and being removed, on every page', async () => {
    const leaveAndCome = async () => {
      await alice.page.getByRole('button', { name: 'Members (1)' }).waitFor(); // live
      await alice.page.getByRole('button', { name: 'Members (1)' }).click();
      await alice.page.getByLabel('Email of the person to add').fill('bob@example.com');
      await alice.page.getByRole('button', { name: 'Add', exact: true }).click();
      await alice.page.getByRole('button', { name: 'Members (2)' }).waitFor();
      await alice.page.getByRole('button', { name: 'Close members' }).click();
      await bob.page.goto(`${server.url}/#/rooms/${roomID}`);
      await liveOn(bob.page);
    };
    // Bob leaves.
    await bob.page.getByRole('button', { name: 'Members (2)' }).click();
    await bob.page.getByRole('button', { name: 'Leave', exact: true }).click();
    await bob.page.getByRole('dialog').getByRole('button', { name: 'Leave board' }).click();
    await bob.page.getByText('You left').waitFor();
    await bob.page.getByRole('heading', { name: 'Your boards' }).waitFor();
    await leaveAndCome();
    // Alice removes him; his page is told and leaves the board.
    await alice.page.getByRole('button', { name: 'Members (2)' }).click();
    await alice.page.getByRole('button', { name: 'Remove Bob Jones' }).click();
    await alice.page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await bob.page.getByRole('alert').filter({ hasText: 'You were removed' }).waitFor();
    await bob.page.getByRole('heading', { name: 'Your boards' }).waitFor();
    await alice.page.getByRole('button', { name: 'Close members' }).click();
    await leaveAndCome();
  });

  it('fits a phone screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    context.setDefaultTimeout(TIMEOUT);
    watch(context);
    const page = await context.newPage();
    await signIn(page, server.url, 'alice@example.com');
    await page.getByRole('link', { name: /Launch plan/ }).click();
    await liveOn(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
    const width = (await column(page, 'To do').boundingBox()).width;
    assert.ok(width <= 390 - 24, `a column is ${width}px wide`);
    await page.screenshot({ path: `${RESULTS}/board-phone.png` });

    // A finger drags after a short hold (a quick swipe scrolls instead).
    await touchDrag(page, card(page, 'To do', 'Arrived'), card(page, 'To do', 'Ship it'));
    await expectCards(page, 'To do', ['Arrived', 'Ship it', 'Written while you were away', 'Lost on the way']);
    await expectCards(alice.page, 'To do', ['Arrived', 'Ship it', 'Written while you were away', 'Lost on the way']);
    await context.close();
  });

  it('sends the other page back to its boards when the owner deletes the board', async () => {
    const { page } = alice;
    await page.getByRole('button', { name: 'Delete board' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete board' }).click();
    await page.getByRole('heading', { name: 'Your boards' }).waitFor();
    await bob.page.getByRole('alert').filter({ hasText: 'was deleted' }).waitFor();
    await bob.page.getByRole('heading', { name: 'Your boards' }).waitFor();
    await bob.page.getByText('No boards yet').waitFor();
  });

  it('signs a page out when every session of its user is ended elsewhere', async () => {
    const room = await alice.api.call('POST', '/api/rooms', { name: 'Second board' });
    await alice.api.call('POST', `/api/rooms/${room.id}/members`, { email: 'bob@example.com' });
    await bob.page.goto(`${server.url}/#/rooms/${room.id}`);
    await liveOn(bob.page);
    await bob.api.call('POST', '/api/auth/logout-all'); // say, from another device
    // The socket closes (4001); the refetch is refused, and so is the
    // refresh from the cookie: the page signs out and says why.
    await bob.page.getByRole('alert').filter({ hasText: 'Your session has ended' }).waitFor({ timeout: 15_000 });
    await bob.page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    assert.equal(await bob.page.evaluate(() => document.activeElement?.getAttribute('name')), 'email');
    // The cookie went with the session: a reload does not sign back in.
    await bob.page.reload();
    await bob.page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
  });

  it('stays live on a board after changing its own password', async () => {
    const { page } = alice;
    const room = (await alice.api.call('GET', '/api/rooms')).items.find((r) => r.name === 'Second board');
    let sockets = 0;
    page.on('websocket', () => { sockets++; });
    await page.goto(`${server.url}/#/rooms/${room.id}`);
    await liveOn(page);
    const before = sockets;
    await page.getByRole('button', { name: /^Your account/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('New password (optional)').fill('a brand new passphrase');
    await dialog.getByLabel('Current password (to change it)').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Password changed').waitFor();
    // The change ended every session, this page's too, and gave it a new
    // one: the socket of the old one closes (4001), and the page refetches
    // the board with its new token and opens a new socket.
    await waitFor(async () => sockets > before, 15_000, 'a new socket');
    await liveOn(page);
    await assert.rejects(alice.api.call('GET', '/api/auth/me'), /401/); // her other device is signed out
    await alice.api.login('alice@example.com', 'a brand new passphrase');
    const col = await alice.api.call('POST', `/api/rooms/${room.id}/columns`, { name: 'After the change' });
    await column(page, col.name).waitFor();
  });

  it('changes the display name, and signs out everywhere, from the account dialog', async () => {
    const { page } = alice;
    await page.getByRole('button', { name: /^Your account: Alice Smith/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Display name').fill('Alice S.');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: /^Your account: Alice S\., / }).waitFor();
    // After a reload too: the name came back as a User, and the session is the same.
    await page.reload();
    await page.getByRole('button', { name: /^Your account: Alice S\., / }).waitFor();
    assert.equal((await alice.api.call('GET', '/api/auth/me')).display_name, 'Alice S.');

    await page.getByRole('button', { name: /^Your account/ }).click();
    await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await assert.rejects(alice.api.call('GET', '/api/auth/me'), /401/);
  });

  it('kept the tokens out of every URL and broke no content rule', async () => {
    assert.ok(tokens.length >= 6, `saw ${tokens.length} tokens`);
    assert.ok(tokens.every((t) => typeof t === 'string' && t.length > 20));
    const leaked = urls.filter((u) => tokens.some((t) => u.includes(t)) || /access_token|refresh_token|eyJ[\w-]+\.eyJ/.test(u));
    assert.deepEqual(leaked, []);
    assert.ok(urls.some((u) => /\/ws\?ticket=/.test(u)), 'no socket was opened with a ticket');
    assert.deepEqual(problems, []);
  });
});

function column(page, name) {
  return page.locator('.column').filter({ has: page.getByRole('button', { name: `Column ${name}; rename`, exact: true }) });
}

function card(page, columnName, title) {
  return column(page, columnName).locator('.card').filter({ has: page.getByText(title, { exact: true }) });
}

function cardsIn(page, columnName) {
  return column(page, columnName).locator('.card-title').allTextContents();
}

async function expectCards(page, columnName, titles) {
  let got;
  await waitFor(async () => {
    got = await cardsIn(page, columnName);
    return JSON.stringify(got) === JSON.stringify(titles);
  }, TIMEOUT, `${columnName} to hold ${JSON.stringify(titles)}`).catch((err) => {
    throw new Error(`${err.message}; it holds ${JSON.stringify(got)}`);
  });
}

async function signIn(page, baseURL, email) {
  await page.goto(baseURL);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Your boards' }).waitFor();
}

async function liveOn(page) {
  await waitFor(async () => (await page.locator('#conn').getAttribute('data-status')) === 'live', 20_000, 'the socket to be live');
}

// touchDrag drags with a finger: touch, hold, move in steps, lift, over the
// target's top edge.
async function touchDrag(page, from, to) {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  const cdp = await page.context().newCDPSession(page);
  const touch = (type, x, y) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y }] });
  const x = a.x + a.width / 2;
  await touch('touchStart', x, a.y + a.height / 2);
  await new Promise((r) => setTimeout(r, 450));
  const steps = 10;
  for (let i = 1; i <= steps; i++) await touch('touchMove', x, a.y + a.height / 2 + ((b.y + 4) - (a.y + a.height / 2)) * i / steps);
  await touch('touchEnd');
  await cdp.detach();
}

// drag moves a card with the mouse, as a person would: press, move a few
// pixels, travel, release over the target's top edge.
async function drag(page, from, to) {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 8, a.y + a.height / 2 + 8, { steps: 2 });
  await page.mouse.move(b.x + b.width / 2, b.y + 6, { steps: 12 });
  await page.mouse.up();
}
