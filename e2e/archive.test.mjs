// Browser tests of the archive in the web client: a card archived from its
// dialog and a column from its header leave the board, on every page; the
// Archive panel lists them, most recent first, restores them (a card to
// the end of its column) and deletes them after a confirmation, and
// follows other people's changes live; a viewer reads it. make e2e runs
// them.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Client, Server, assertNothingUnfinished, dropDatabase, launchBrowser, newDatabaseName, waitFor } from './harness.mjs';
import {
  DARK, PHONE, TIMEOUT, card, checkState, closed, column, expectCards, expectColumns, fitsPhone, openBoard, signIn, watched,
} from './pages.mjs';

describe('the archive in the web client', () => {
  const db = newDatabaseName();
  let server;
  let browser;
  let ann; // the owner: {api, page}
  let ben; // a member
  let cat; // a viewer
  let roomID;
  const ids = {}; // card and column IDs by name
  const problems = [];

  before(async () => {
    server = await new Server(db).start();
    browser = await launchBrowser();
    const people = {};
    for (const [who, email, name] of [['ann', 'ann@example.com', 'Ann Lee'], ['ben', 'ben@example.com', 'Ben Ode'], ['cat', 'cat@example.com', 'Cat Ray']]) {
      const api = new Client(server.url);
      await api.register(email, name);
      people[who] = { api, email, page: await (await watched(browser, problems)).newPage() };
    }
    ({ ann, ben, cat } = people);
    roomID = (await ann.api.call('POST', '/api/rooms', { name: 'Release' })).id;
    await ann.api.call('POST', `/api/rooms/${roomID}/members`, { email: 'ben@example.com' });
    await ann.api.call('POST', `/api/rooms/${roomID}/members`, { email: 'cat@example.com', role: 'viewer' });
    for (const name of ['To do', 'Doing', 'Done']) ids[name] = (await ann.api.call('POST', `/api/rooms/${roomID}/columns`, { name })).id;
    for (const [col, title] of [['To do', 'Alpha'], ['To do', 'Beta'], ['To do', 'Gamma'], ['Doing', 'Delta']]) {
      ids[title] = (await ann.api.call('POST', `/api/columns/${ids[col]}/cards`, { title })).id;
    }
    for (const p of [ann, ben, cat]) await signIn(p.page, server.url, p.email);
    for (const p of [ann, ben, cat]) await openBoard(p.page, server.url, roomID);
  });

  afterEach(() => assertNothingUnfinished(browser));

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.saveLog('server-archive');
    dropDatabase(db);
  });

  const archivePanel = (page) => page.getByRole('complementary', { name: 'Archive' });
  const rows = (page, part) => archivePanel(page).getByRole('list', { name: part }).locator('.archive-name');

  async function expectRows(page, part, names) {
    let got;
    await waitFor(async () => {
      got = await rows(page, part).allTextContents();
      return JSON.stringify(got) === JSON.stringify(names);
    }, TIMEOUT, `the archive's ${part} to be ${JSON.stringify(names)}`).catch((err) => {
      throw new Error(`${err.message}; they are ${JSON.stringify(got)}`);
    });
  }

  it('archives a card from its dialog and a column from its header; every page follows, the panel lists them', async () => {
    // Ben keeps his archive panel open: it follows Ann's changes.
    await ben.page.getByRole('button', { name: 'Archive', exact: true }).click();
    await archivePanel(ben.page).getByText('Nothing is archived on this board.').waitFor();

    const { page } = ann;
    await card(page, 'To do', 'Beta').click();
    const dialog = page.getByRole('dialog', { name: 'Beta' });
    await dialog.getByRole('button', { name: 'Archive card' }).click();
    await closed(page);
    for (const p of [ann.page, ben.page, cat.page]) await expectCards(p, 'To do', ['Alpha', 'Gamma']);
    await page.locator('.toast', { hasText: '“Beta” is archived.' }).waitFor();

    await column(page, 'Doing').getByRole('button', { name: 'Archive column' }).click();
    for (const p of [ann.page, ben.page, cat.page]) await expectColumns(p, ['To do', 'Done']);
    assert.equal(await page.locator('.card-title', { hasText: 'Delta' }).count(), 0, 'the column\'s cards go with it');

    await expectRows(ben.page, 'Columns', ['Doing']);
    await expectRows(ben.page, 'Cards', ['Beta']);
    assert.match(await archivePanel(ben.page).locator('.archive-item', { hasText: 'Beta' }).textContent(), /From To do, archived/);
    await checkState(ben.page, 'archive panel');

    const server = await ann.api.call('GET', `/api/rooms/${roomID}`);
    assert.deepEqual(server.columns.map((c) => [c.name, c.cards.map((x) => x.title)]), [['To do', ['Alpha', 'Gamma']], ['Done', []]]);
    const archive = await ann.api.call('GET', `/api/rooms/${roomID}/archive`);
    assert.deepEqual(archive.columns.map((c) => c.name), ['Doing']);
    assert.deepEqual(archive.cards.map((c) => c.title), ['Beta']);
  });

  it('a viewer reads the archive, with nothing to restore or delete', async () => {
    const { page } = cat;
    await page.getByRole('button', { name: 'Archive', exact: true }).click();
    await expectRows(page, 'Cards', ['Beta']);
    await archivePanel(page).getByText('View only: archived columns and cards, to read.').waitFor();
    assert.equal(await archivePanel(page).getByRole('button', { name: /^(Restore|Delete) / }).count(), 0);
    assert.equal(await column(page, 'To do').getByRole('button', { name: 'Archive column' }).count(), 0);
    await checkState(page, 'archive panel viewer');
  });

  it('the archive panel reads in dark mode and on a phone', async () => {
    for (const [options, name] of [[DARK, 'archive panel dark'], [PHONE, 'archive panel phone']]) {
      const context = await watched(browser, problems, options);
      const page = await context.newPage();
      await signIn(page, server.url, 'ben@example.com');
      await openBoard(page, server.url, roomID);
      await page.getByRole('button', { name: 'Archive', exact: true }).click();
      await expectRows(page, 'Cards', ['Beta']);
      await checkState(page, name);
      if (options === PHONE) await fitsPhone(page);
      await context.close();
    }
  });

  it('restores a card to the end of its column and a column with its cards; the other pages and panels follow', async () => {
    const { page } = ann;
    await page.getByRole('button', { name: 'Archive', exact: true }).click();
    await expectRows(page, 'Cards', ['Beta']);
    await archivePanel(page).getByRole('button', { name: 'Restore the card Beta' }).click();
    for (const p of [ann.page, ben.page, cat.page]) await expectCards(p, 'To do', ['Alpha', 'Gamma', 'Beta']);
    for (const p of [ben.page, cat.page]) await waitFor(async () => await rows(p, 'Cards').count() === 0, TIMEOUT, 'Beta to leave the other panels');

    await archivePanel(page).getByRole('button', { name: 'Restore the column Doing' }).click();
    // A column comes back at the end of the board, with its cards.
    for (const p of [ann.page, ben.page, cat.page]) await expectColumns(p, ['To do', 'Done', 'Doing']);
    for (const p of [ann.page, ben.page, cat.page]) await expectCards(p, 'Doing', ['Delta']);
    await archivePanel(ben.page).getByText('Nothing is archived on this board.').waitFor();
    const board = await ann.api.call('GET', `/api/rooms/${roomID}`);
    const todo = board.columns.find((c) => c.name === 'To do');
    assert.deepEqual(todo.cards.map((c) => [c.title, c.position]), [['Alpha', 0], ['Gamma', 1], ['Beta', 2]]);
    assert.deepEqual(board.columns.map((c) => [c.name, c.position]), [['To do', 0], ['Done', 1], ['Doing', 2]]);
    const doing = board.columns.find((c) => c.name === 'Doing');
    assert.deepEqual(doing.cards.map((c) => c.title), ['Delta']);
    assert.equal(todo.cards[2].archived_at, null);
  });

  it('deletes an archived card after a confirmation, for everyone', async () => {
    await ann.api.call('POST', `/api/cards/${ids.Gamma}/archive`);
    const { page } = ann;
    await expectRows(page, 'Cards', ['Gamma']);
    await expectRows(ben.page, 'Cards', ['Gamma']);
    await archivePanel(page).getByRole('button', { name: 'Delete the card Gamma' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete “Gamma” for good?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await expectRows(page, 'Cards', ['Gamma']);
    await archivePanel(page).getByRole('button', { name: 'Delete the card Gamma' }).click();
    await confirm.getByRole('button', { name: 'Delete card' }).click();
    await archivePanel(page).getByText('Nothing is archived on this board.').waitFor();
    await archivePanel(ben.page).getByText('Nothing is archived on this board.').waitFor();
    const archive = await ann.api.call('GET', `/api/rooms/${roomID}/archive`);
    assert.deepEqual(archive.cards, []);
    await expectCards(ben.page, 'To do', ['Alpha', 'Beta']);
  });

  it('broke no content rule', () => {
    assert.deepEqual(problems, []);
  });
});
