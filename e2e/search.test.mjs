// Browser tests of search in the web client: the box in the top bar finds
// cards across boards as one types (after a pause, one request per pause),
// the results go by keyboard, a hit opens its board with the card's dialog
// (an archived one, the board's archive at that card), and Load more
// follows the cursor. make e2e runs them.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Client, Server, assertNothingUnfinished, dropDatabase, launchBrowser, newDatabaseName, waitFor } from './harness.mjs';
import { DARK, PHONE, TIMEOUT, card, checkState, closed, fitsPhone, liveOn, signIn, watched } from './pages.mjs';

describe('search in the web client', () => {
  const db = newDatabaseName();
  let server;
  let browser;
  let page;
  const rooms = {};
  const ids = {};
  const problems = [];
  const searches = []; // the q of every search request the page made

  before(async () => {
    server = await new Server(db).start();
    browser = await launchBrowser();
    const api = new Client(server.url);
    await api.register('ann@example.com', 'Ann Lee');
    const other = new Client(server.url);
    await other.register('zed@example.com', 'Zed Hill');
    for (const [room, columns] of [
      ['Website', { 'To do': ['Fix login bug', 'Write launch post'], Done: ['Pick a font'] }],
      ['Mobile app', { Backlog: ['Crash on login screen', 'Ship beta', 'Login copy review'] }],
    ]) {
      rooms[room] = (await api.call('POST', '/api/rooms', { name: room })).id;
      for (const [col, titles] of Object.entries(columns)) {
        const colID = (await api.call('POST', `/api/rooms/${rooms[room]}/columns`, { name: col })).id;
        for (const title of titles) ids[title] = (await api.call('POST', `/api/columns/${colID}/cards`, { title })).id;
      }
    }
    await api.call('POST', `/api/cards/${ids['Login copy review']}/archive`);
    // Another person's board: never found by Ann.
    const zeds = (await other.call('POST', '/api/rooms', { name: 'Private' })).id;
    const zcol = (await other.call('POST', `/api/rooms/${zeds}/columns`, { name: 'Secret' })).id;
    await other.call('POST', `/api/columns/${zcol}/cards`, { title: 'Login secrets' });
    // Enough reports for a second page.
    const reports = (await api.call('POST', `/api/rooms/${rooms.Website}/columns`, { name: 'Reports' })).id;
    for (let i = 1; i <= 25; i++) await api.call('POST', `/api/columns/${reports}/cards`, { title: `Weekly report ${i}` });

    const context = await watched(browser, problems);
    context.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname === '/api/search') searches.push(u.searchParams.get('q'));
    });
    page = await context.newPage();
    await signIn(page, server.url, 'ann@example.com');
  });

  afterEach(() => assertNothingUnfinished(browser));

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.saveLog('server-search');
    dropDatabase(db);
  });

  const box = () => page.getByRole('search', { name: 'Search cards' }).getByRole('searchbox', { name: 'Search the cards of all your boards' });
  const hits = () => page.getByRole('list', { name: 'Cards found' }).getByRole('link');

  it('finds cards across boards as one types, once per pause, with their board, column and an archived mark', async () => {
    await box().click();
    await box().pressSequentially('login', { delay: 40 });
    await waitFor(async () => await hits().count() === 3, TIMEOUT, 'three hits');
    // One request after the pause, not one per key (a loaded machine may
    // pause between keys; five keys never make five requests).
    assert.ok(searches.length < 5 && searches.at(-1) === 'login', `searched ${JSON.stringify(searches)}`);
    const texts = await page.locator('.search-hit').evaluateAll((els) => els.map((el) => ({
      title: el.querySelector('.search-title').textContent,
      where: [...el.querySelectorAll('.search-where > :not(.sr-only)')].map((n) => n.textContent).join(''),
      archived: Boolean(el.querySelector('.badge-archived')),
    })));
    const byTitle = Object.fromEntries(texts.map((t) => [t.title, t]));
    assert.deepEqual(Object.keys(byTitle).sort(), ['Crash on login screen', 'Fix login bug', 'Login copy review']);
    assert.equal(byTitle['Fix login bug'].where, 'Website · To do');
    assert.equal(byTitle['Crash on login screen'].where, 'Mobile app · Backlog');
    const name = await hits().filter({ hasText: 'Fix login bug' }).evaluate((el) => el.textContent);
    assert.equal(name, 'Fix login bug, in Website · , column To do', 'what a screen reader reads, before the aria-hidden dot is left out');
    assert.equal(byTitle['Login copy review'].archived, true);
    assert.equal(byTitle['Fix login bug'].archived, false);
    assert.match(await page.locator('.search-status').textContent(), /^3 cards found\.$/);
    await checkState(page, 'search results');
  });

  it('the results read in dark mode and on a phone', async () => {
    for (const [options, name] of [[DARK, 'search results dark'], [PHONE, 'search results phone']]) {
      const context = await watched(browser, problems, options);
      const p = await context.newPage();
      await signIn(p, server.url, 'ann@example.com');
      await p.getByRole('searchbox', { name: 'Search the cards of all your boards' }).fill('login');
      await p.locator('.search-hit').nth(2).waitFor();
      await checkState(p, name);
      if (options === PHONE) await fitsPhone(p);
      await context.close();
    }
  });

  it('goes down the hits by keyboard, and a hit opens its board with that card\'s dialog', async () => {
    await box().focus();
    await page.keyboard.press('ArrowDown');
    const first = await page.evaluate(() => document.activeElement.querySelector('.search-title')?.textContent);
    assert.ok(first, 'the focus is on the first hit');
    // To the card on the Website board.
    for (let i = 0; i < 3; i++) {
      const now = await page.evaluate(() => document.activeElement.querySelector('.search-title')?.textContent);
      if (now === 'Fix login bug') break;
      await page.keyboard.press('ArrowDown');
    }
    assert.equal(await page.evaluate(() => document.activeElement.querySelector('.search-title')?.textContent), 'Fix login bug');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Fix login bug' });
    await dialog.waitFor();
    assert.equal(new URL(page.url()).hash, `#/rooms/${rooms.Website}/cards/${ids['Fix login bug']}`);
    await page.getByRole('heading', { name: 'Website', level: 1 }).waitFor();
    assert.equal(await page.getByRole('list', { name: 'Cards found' }).isVisible(), false, 'the results close');
    await liveOn(page);
    await page.keyboard.press('Escape');
    await closed(page);
    assert.equal(await page.evaluate(() => document.activeElement.closest('.card')?.querySelector('.card-title')?.textContent), 'Fix login bug', 'the focus is on the card');

    // A hit on another board, from the board: that board opens at the card.
    await box().fill('crash');
    await waitFor(async () => await hits().count() === 1, TIMEOUT, 'one hit');
    await hits().first().click();
    await page.getByRole('dialog', { name: 'Crash on login screen' }).waitFor();
    await page.getByRole('heading', { name: 'Mobile app', level: 1 }).waitFor();
    await page.keyboard.press('Escape');
    await closed(page);
    assert.ok(await card(page, 'Backlog', 'Crash on login screen').isVisible());
  });

  it('an archived hit opens its board\'s archive at that card', async () => {
    await box().fill('"copy review"');
    await waitFor(async () => await hits().count() === 1, TIMEOUT, 'the archived hit');
    await hits().first().click();
    const panel = page.getByRole('complementary', { name: 'Archive' });
    const row = panel.locator('.archive-item.highlight');
    await row.waitFor();
    assert.match(await row.textContent(), /Login copy review/);
    await waitFor(async () => await page.evaluate(() => document.activeElement?.classList.contains('highlight')), TIMEOUT, 'the focus on the archived card');
    assert.equal(new URL(page.url()).hash, `#/rooms/${rooms['Mobile app']}`);
  });

  it('loads more hits with the cursor, and says when nothing matches', async () => {
    await box().fill('weekly report');
    await waitFor(async () => await hits().count() === 20, TIMEOUT, 'a first page of 20');
    const more = page.getByRole('button', { name: 'Load more' });
    await more.click();
    await waitFor(async () => await hits().count() === 25, TIMEOUT, 'all 25');
    assert.equal(await more.isVisible(), false);
    await waitFor(async () => await page.evaluate(() => document.activeElement === document.querySelectorAll('.search-hit')[20]), TIMEOUT, 'the focus on the first new hit');
    const titles = await page.locator('.search-title').allTextContents();
    assert.equal(new Set(titles).size, 25, 'no hit twice');
    await box().fill('xyzzy');
    await page.getByText('No cards match “xyzzy”.').waitFor();
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#search-results').isVisible(), false);
  });

  it('broke no content rule', () => {
    assert.deepEqual(problems, []);
  });
});
