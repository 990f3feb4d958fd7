// Browser tests of board roles in the web client: an owner gives roles from
// the members panel, a viewer's page reads and comments but changes
// nothing, and a role changed by an owner turns a member's open page
// read-only (and back) without a reload. make e2e runs them.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Client, Server, assertNothingUnfinished, dropDatabase, launchBrowser, newDatabaseName, waitFor } from './harness.mjs';
import {
  DARK, PHONE, TIMEOUT, card, checkState, closed, column, drag, expectCards, fitsPhone, openBoard, signIn, watched,
} from './pages.mjs';

describe('board roles in the web client', () => {
  const db = newDatabaseName();
  let server;
  let browser;
  let ann; // the owner: {page, api}
  let ben; // a member
  let cat; // a viewer
  let roomID;
  const problems = [];

  before(async () => {
    server = await new Server(db).start();
    browser = await launchBrowser();
    const people = {};
    for (const [who, email, name] of [['ann', 'ann@example.com', 'Ann Lee'], ['ben', 'ben@example.com', 'Ben Ode'], ['cat', 'cat@example.com', 'Cat Ray']]) {
      const api = new Client(server.url);
      await api.register(email, name);
      const context = await watched(browser, problems);
      people[who] = { api, email, name, page: await context.newPage() };
    }
    ({ ann, ben, cat } = people);
    roomID = (await ann.api.call('POST', '/api/rooms', { name: 'Roadmap' })).id;
    const todo = (await ann.api.call('POST', `/api/rooms/${roomID}/columns`, { name: 'To do' })).id;
    await ann.api.call('POST', `/api/rooms/${roomID}/columns`, { name: 'Done' });
    for (const title of ['Plan', 'Build']) await ann.api.call('POST', `/api/columns/${todo}/cards`, { title });
    for (const p of [ann, ben, cat]) await signIn(p.page, server.url, p.email);
  });

  afterEach(() => assertNothingUnfinished(browser));

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.saveLog('server-roles');
    dropDatabase(db);
  });

  it('an owner adds people with a role, and sees everyone\'s role as a select', async () => {
    const { page } = ann;
    await openBoard(page, server.url, roomID);
    await page.getByRole('button', { name: /^Members/ }).click();
    const panel = page.getByRole('complementary', { name: 'Members' });
    await panel.getByLabel('Email of the person to add').fill('ben@example.com');
    await panel.getByRole('button', { name: 'Add', exact: true }).click();
    await panel.getByLabel('Role of Ben Ode').waitFor();
    await panel.getByLabel('Email of the person to add').fill('cat@example.com');
    await panel.getByLabel('Role of the person to add').selectOption('viewer');
    await panel.getByRole('button', { name: 'Add', exact: true }).click();
    await panel.getByLabel('Role of Cat Ray').waitFor();
    assert.equal(await panel.getByLabel('Role of Ben Ode').inputValue(), 'member');
    assert.equal(await panel.getByLabel('Role of Cat Ray').inputValue(), 'viewer');
    assert.equal(await panel.getByLabel('Your role').inputValue(), 'owner');
    const board = await ann.api.call('GET', `/api/rooms/${roomID}`);
    assert.deepEqual(board.members.map((m) => [m.user.email, m.role]), [['ann@example.com', 'owner'], ['ben@example.com', 'member'], ['cat@example.com', 'viewer']]);

    // The last owner cannot step down: the refusal is said on her row,
    // and her select goes back to Owner.
    await panel.getByLabel('Your role').selectOption('member');
    await panel.getByRole('alert').filter({ hasText: 'A board needs an owner: make someone else an owner first.' }).waitFor();
    await waitFor(async () => await panel.getByLabel('Your role').inputValue() === 'owner', TIMEOUT, 'the select to go back');
    assert.equal((await ann.api.call('GET', `/api/rooms/${roomID}`)).role, 'owner');
    await checkState(page, 'members with roles');
  });

  it('a viewer reads the board without a way to change it, and can comment', async () => {
    const { page } = cat;
    await openBoard(page, server.url, roomID);
    const mark = page.locator('#view-only');
    await mark.waitFor();
    assert.match(await mark.textContent(), /^View only/);
    assert.equal(await mark.isVisible(), true);
    assert.match(await page.getByRole('heading', { name: 'Roadmap', level: 1 }).evaluate((el) => el.nextElementSibling.nextElementSibling.textContent), /^View only/, 'the mark is next to the name');
    await expectCards(page, 'To do', ['Plan', 'Build']);
    for (const name of ['+ Add a card', 'Add column', 'Move column left', 'Move column right', 'Delete column', 'Labels', 'Rename', 'Delete board']) {
      assert.equal(await page.getByRole('button', { name, exact: true }).filter({ visible: true }).count(), 0, `a viewer is offered ${name}`);
    }
    assert.equal(await page.getByRole('button', { name: /; rename$/ }).filter({ visible: true }).count(), 0, 'a viewer is offered a column rename');
    assert.equal(await page.getByLabel('New column name').filter({ visible: true }).count(), 0);
    assert.equal(await card(page, 'To do', 'Plan').evaluate((el) => getComputedStyle(el).cursor), 'pointer', 'a viewer\'s card shows a drag handle');
    await checkState(page, 'viewer board');

    // No drag and no keyboard move.
    await drag(page, card(page, 'To do', 'Plan'), column(page, 'Done').locator('.cards'));
    await page.waitForTimeout(300);
    assert.equal(await page.locator('.drag-ghost').count(), 0);
    await expectCards(page, 'To do', ['Plan', 'Build']);
    const button = page.getByRole('button', { name: 'Build', exact: true });
    await button.focus();
    await page.keyboard.press('Space');
    await page.locator('#announcer', { hasText: 'View only' }).waitFor();
    assert.doesNotMatch(await card(page, 'To do', 'Build').getAttribute('class'), /\blifted\b/);
    await page.keyboard.press('ArrowRight');
    await expectCards(page, 'To do', ['Plan', 'Build']);
    const board = await cat.api.call('GET', `/api/rooms/${roomID}`);
    assert.deepEqual(board.columns.map((c) => c.cards.map((x) => x.title)), [['Plan', 'Build'], []]);

    // The card opens, to read and to comment.
    await button.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Build' });
    await dialog.getByText('View only: you can read this card').waitFor();
    assert.equal(await dialog.getByLabel('Title').getAttribute('readonly'), '');
    for (const name of ['Save', 'Delete card', 'No due date']) assert.equal(await dialog.getByRole('button', { name, exact: true }).count(), 0, `a viewer's dialog offers ${name}`);
    await dialog.getByLabel('Add a comment').fill('Looks right to me.');
    await dialog.getByRole('button', { name: 'Comment', exact: true }).click();
    await dialog.locator('.comment-body', { hasText: 'Looks right to me.' }).waitFor();
    await checkState(page, 'viewer card dialog');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await closed(page);
    const buildID = board.columns[0].cards[1].id;
    const comments = await ann.api.call('GET', `/api/cards/${buildID}/comments`);
    assert.deepEqual(comments.items.map((c) => [c.author.email, c.body]), [['cat@example.com', 'Looks right to me.']]);
  });

  it('a viewer\'s board reads in dark mode and on a phone', async () => {
    for (const [options, name] of [[DARK, 'viewer board dark'], [PHONE, 'viewer board phone']]) {
      const context = await watched(browser, problems, options);
      const page = await context.newPage();
      await signIn(page, server.url, 'cat@example.com');
      await openBoard(page, server.url, roomID);
      await page.locator('#view-only').waitFor();
      await checkState(page, name);
      if (options === PHONE) await fitsPhone(page);
      await context.close();
    }
  });

  it('a member\'s page turns read-only the moment an owner makes them a viewer, and editable again, without a reload', async () => {
    await openBoard(ben.page, server.url, roomID);
    const page = ben.page;
    await page.evaluate(() => { window.__sameDocument = true; });
    const addCard = column(page, 'To do').getByRole('button', { name: '+ Add a card' });
    await addCard.waitFor();
    assert.equal(await page.locator('#view-only').isVisible(), false);
    // Ben has a card picked up by keyboard when it happens.
    await page.getByRole('button', { name: 'Plan', exact: true }).focus();
    await page.keyboard.press('Space');
    assert.match(await card(page, 'To do', 'Plan').getAttribute('class'), /\blifted\b/);

    await openBoard(ann.page, server.url, roomID);
    await ann.page.getByRole('button', { name: /^Members/ }).click();
    await ann.page.getByLabel('Role of Ben Ode').selectOption('viewer');

    await page.locator('#view-only').waitFor();
    await page.locator('.toast', { hasText: 'Ann Lee made you a viewer of “Roadmap”.' }).waitFor();
    await addCard.waitFor({ state: 'hidden' });
    assert.doesNotMatch(await card(page, 'To do', 'Plan').getAttribute('class'), /\blifted\b/, 'the lifted card is put back');
    assert.equal(await page.getByRole('button', { name: 'Labels', exact: true }).isVisible(), false);
    assert.equal(await page.getByLabel('New column name').isVisible(), false);
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page reloaded');
    await page.getByRole('button', { name: 'Plan', exact: true }).focus();
    await page.keyboard.press('Space');
    await page.locator('#announcer', { hasText: 'View only' }).waitFor();

    await ann.page.getByLabel('Role of Ben Ode').selectOption('member');
    await page.locator('#view-only').waitFor({ state: 'hidden' });
    await addCard.waitFor();
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page reloaded');
    await addCard.click();
    await column(page, 'To do').getByLabel('New card title').fill('Ship');
    await column(page, 'To do').getByLabel('New card title').press('Enter');
    await expectCards(ann.page, 'To do', ['Plan', 'Build', 'Ship']);
  });

  it('broke no content rule', () => {
    assert.deepEqual(problems, []);
  });
});
