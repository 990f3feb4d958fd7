// Browser tests of card details in the web client: labels, assignees, due
// dates and comments, each with two people on one board (two browser
// contexts), one changing it in the page and the other seeing it live.
// make e2e runs them; screenshots go to test-results/.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Client, RESULTS, Server, assertNothingUnfinished, dropDatabase, launchBrowser, newDatabaseName, waitFor } from './harness.mjs';

const PASSWORD = 'correct horse battery';
const TIMEOUT = 10_000;

describe('card details in the web client, with two people', () => {
  const db = newDatabaseName();
  let server;
  let browser;
  let alice; // {page, api, id}: the board's owner
  let bob; // {page, api, id}: a member
  let carol; // {api, id}: a member who only uses the API
  let roomID;
  const cards = {}; // title -> ID
  const problems = []; // page errors and CSP or Trusted Types refusals

  before(async () => {
    server = await new Server(db).start();
    browser = await launchBrowser();
    const person = async (email, name) => {
      const api = new Client(server.url);
      const auth = await api.register(email, name);
      return { api, id: auth.user.id };
    };
    alice = await person('alice@example.com', 'Alice Smith');
    bob = await person('bob@example.com', 'Bob Jones');
    carol = await person('carol@example.com', 'Carol Diaz');
    roomID = (await alice.api.call('POST', '/api/rooms', { name: 'Launch plan' })).id;
    for (const email of ['bob@example.com', 'carol@example.com']) await alice.api.call('POST', `/api/rooms/${roomID}/members`, { email });
    const todo = (await alice.api.call('POST', `/api/rooms/${roomID}/columns`, { name: 'To do' })).id;
    for (const title of ['Write spec', 'Review copy', 'Ship it', 'Long talk']) {
      cards[title] = (await alice.api.call('POST', `/api/columns/${todo}/cards`, { title })).id;
    }
    for (const [who, email] of [[alice, 'alice@example.com'], [bob, 'bob@example.com']]) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      context.setDefaultTimeout(TIMEOUT);
      context.on('page', (p) => {
        p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
        p.on('console', (m) => {
          if (/Content Security Policy|Trusted ?Type/i.test(m.text())) problems.push(`console: ${m.text()}`);
        });
      });
      who.page = await context.newPage();
      await signIn(who.page, server.url, email);
      await openBoard(who.page, server.url, roomID);
    }
  });

  afterEach(() => assertNothingUnfinished(browser));

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.saveLog('server-details');
    dropDatabase(db);
  });

  it('labels: made in the label manager, put on a card, renamed, recolored and deleted, live on the other page', async () => {
    const { page } = alice;
    await page.getByRole('button', { name: 'Labels', exact: true }).click();
    const panel = page.getByRole('complementary', { name: 'Labels' });
    await panel.getByLabel('New label name').fill('Bug');
    await panel.getByLabel('Color of the new label').selectOption('red');
    await panel.getByRole('button', { name: 'Add label' }).click();
    await panel.getByLabel('Name of the label Bug').waitFor();
    // The label's event may draw its row before the answer comes back.
    await waitFor(async () => await focused(page) === 'input New label name', TIMEOUT, 'the focus to stay, to add another');
    await panel.getByLabel('New label name').fill('bug');
    await panel.getByRole('button', { name: 'Add label' }).click();
    await panel.getByRole('alert').filter({ hasText: 'already has a label of that name' }).waitFor();
    await panel.getByLabel('New label name').fill('Docs');
    await panel.getByRole('button', { name: 'Add label' }).click();
    await panel.getByLabel('Name of the label Docs').waitFor();
    await page.keyboard.press('Escape');
    assert.equal(await focused(page), 'button Labels', 'Escape gives the focus back to the button');

    // On a card, from its dialog: the box changes the card at once.
    const dialog = await openCard(page, 'Write spec');
    await dialog.getByRole('checkbox', { name: 'Bug' }).check();
    await chip(bob.page, 'Write spec', 'Bug').waitFor();
    assert.match(await chip(bob.page, 'Write spec', 'Bug').getAttribute('class'), /\bchip-red\b/);
    assert.match(await described(cardButton(bob.page, 'Write spec')), /Label: Bug\./);
    assert.equal(await cardButton(bob.page, 'Write spec').getAttribute('aria-label'), null, 'the card is still named by its title');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await closed(page);

    // Renamed and recolored on one page: the chip follows on the other.
    await page.getByRole('button', { name: 'Labels', exact: true }).click();
    await panel.getByLabel('Name of the label Bug').fill('Defect');
    await panel.getByLabel('Color of the label Bug').selectOption('purple');
    await panel.getByRole('button', { name: 'Save the label Bug' }).click();
    await chip(bob.page, 'Write spec', 'Defect').waitFor();
    assert.match(await chip(bob.page, 'Write spec', 'Defect').getAttribute('class'), /\bchip-purple\b/);
    await page.screenshot({ path: `${RESULTS}/label-manager.png` });

    // Deleted after a confirmation: the chip goes from every card.
    await panel.getByRole('button', { name: 'Delete the label Defect' }).click();
    const confirm = page.getByRole('dialog');
    assert.match(await confirm.textContent(), /It comes off 1 card, for everyone\./);
    await confirm.getByRole('button', { name: 'Delete label' }).click();
    await closed(page);
    await chip(bob.page, 'Write spec', 'Defect').waitFor({ state: 'detached' });
    await panel.getByLabel('Name of the label Defect').waitFor({ state: 'detached' });
    assert.equal(await focused(page), 'input Name of the label Docs', 'the focus goes to the next label');
    await page.getByRole('button', { name: 'Close labels' }).click();
    const board = await alice.api.call('GET', `/api/rooms/${roomID}`);
    assert.deepEqual(board.labels.map((l) => l.name), ['Docs']);
  });

  it('assignees: assigned in the dialog, seen live; a member who leaves goes from the cards live', async () => {
    const { page } = alice;
    const dialog = await openCard(page, 'Review copy');
    await dialog.getByRole('checkbox', { name: 'Bob Jones' }).check();
    await dialog.getByRole('checkbox', { name: 'Carol Diaz' }).check();
    const initials = card(bob.page, 'Review copy').locator('.avatar');
    await waitFor(async () => JSON.stringify(await initials.allTextContents()) === '["BJ","CD"]', TIMEOUT, 'both assignees on Bob\'s page');
    assert.equal(await initials.first().getAttribute('title'), 'Bob Jones', 'the full name shows on hover');
    assert.match(await described(cardButton(bob.page, 'Review copy')), /Assigned to Bob Jones and Carol Diaz\./);
    // Unassigned in the dialog: gone on the other page.
    await dialog.getByRole('checkbox', { name: 'Bob Jones' }).uncheck();
    await waitFor(async () => JSON.stringify(await initials.allTextContents()) === '["CD"]', TIMEOUT, 'Bob to be unassigned');

    // Carol leaves the board: she leaves its cards, on both pages, and
    // Alice's open dialog no longer offers her.
    await carol.api.call('DELETE', `/api/rooms/${roomID}/members/${carol.id}`);
    await waitFor(async () => await initials.count() === 0, TIMEOUT, 'Carol to leave the card on Bob\'s page');
    await waitFor(async () => await card(page, 'Review copy').locator('.avatar').count() === 0, TIMEOUT, 'Carol to leave the card on Alice\'s page');
    await dialog.getByRole('checkbox', { name: 'Carol Diaz' }).waitFor({ state: 'detached' });
    assert.doesNotMatch(await described(cardButton(bob.page, 'Review copy')), /Assigned/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await closed(page);
  });

  it('due dates: set in the dialog; the badge says overdue, then done, on the other page, live', async () => {
    const { page } = alice;
    let dialog = await openCard(page, 'Ship it');
    await dialog.getByLabel('Due date').fill('2020-01-02T09:30');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await closed(page);
    const badge = card(bob.page, 'Ship it').locator('.due');
    await badge.waitFor();
    assert.match(await badge.textContent(), /2020.*, overdue$/);
    assert.match(await badge.getAttribute('class'), /\bdue-overdue\b/);
    assert.match(await described(cardButton(bob.page, 'Ship it')), /Due .*2020.*, overdue\./);
    const server = (await alice.api.call('GET', `/api/rooms/${roomID}`)).columns[0].cards.find((c) => c.title === 'Ship it');
    assert.equal(new Date(server.due_at).getTime(), new Date('2020-01-02T09:30').getTime(), 'the time is the page\'s local time');

    // Bob has the card open when Alice marks it done: his untouched field
    // follows, and the badge says done.
    const his = await openCard(bob.page, 'Ship it');
    dialog = await openCard(page, 'Ship it');
    await dialog.getByRole('checkbox', { name: 'Done' }).check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await closed(page);
    await waitFor(async () => /, done$/.test(await badge.textContent()), TIMEOUT, 'the badge to say done');
    await waitFor(async () => await his.getByRole('checkbox', { name: 'Done' }).isChecked(), TIMEOUT, 'Bob\'s open dialog to follow');
    await his.getByRole('button', { name: 'Cancel' }).click();
    await closed(bob.page);

    // A date ahead, not done: neither overdue nor done.
    dialog = await openCard(page, 'Ship it');
    await dialog.getByRole('checkbox', { name: 'Done' }).uncheck();
    await dialog.getByLabel('Due date').fill(`${new Date().getFullYear() + 1}-06-01T12:00`);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await closed(page);
    await waitFor(async () => !/overdue|done/.test(await badge.textContent()), TIMEOUT, 'a plain due badge');
    assert.match(await badge.getAttribute('class'), /\bdue-due\b/);

    // No due date: the badge goes.
    dialog = await openCard(page, 'Ship it');
    await dialog.getByRole('button', { name: 'No due date' }).click();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await closed(page);
    await badge.waitFor({ state: 'detached' });
    await page.screenshot({ path: `${RESULTS}/due-dates.png` });
  });

  it('comments: added, edited and deleted, live in the other person\'s open dialog and on the tile', async () => {
    const theirs = await openCard(bob.page, 'Write spec');
    await theirs.getByText('No comments yet.').waitFor();
    const mine = await openCard(alice.page, 'Write spec');
    const count = card(bob.page, 'Write spec').locator('.comment-count');

    await mine.getByLabel('Add a comment').fill('First draft is up.');
    await mine.getByRole('button', { name: 'Comment', exact: true }).click();
    await comment(theirs, 'First draft is up.').waitFor();
    await theirs.getByText('Alice Smith commented.').waitFor();
    assert.equal(await count.textContent(), '1 comment');
    assert.equal(await mine.getByLabel('Add a comment').inputValue(), '', 'the box empties');
    assert.equal(await theirs.getByRole('heading', { name: 'Comments (1)' }).count(), 1);
    // Bob may not edit or delete Alice's comment.
    assert.equal(await comment(theirs, 'First draft is up.').getByRole('button').count(), 0);

    // Bob answers with Ctrl+Enter: newest at the bottom on both pages.
    await theirs.getByLabel('Add a comment').fill('Reading it now.');
    await theirs.getByLabel('Add a comment').press('Control+Enter');
    await comment(mine, 'Reading it now.').waitFor();
    assert.deepEqual(await bodies(mine), ['First draft is up.', 'Reading it now.']);
    await waitFor(async () => await count.textContent() === '2 comments', TIMEOUT, 'the count on the tile');

    // Alice edits hers: Bob's dialog shows the new text.
    await comment(mine, 'First draft is up.').getByRole('button', { name: /^Edit your comment/ }).click();
    await mine.getByRole('textbox', { name: 'Edit your comment' }).fill('Second draft is up.');
    await mine.getByRole('button', { name: 'Save comment' }).click();
    await comment(theirs, 'Second draft is up.').waitFor();
    assert.match(await comment(theirs, 'Second draft is up.').locator('time').textContent(), /, edited$/);
    assert.deepEqual(await bodies(theirs), ['Second draft is up.', 'Reading it now.']);

    // Escape leaves an edit, not the dialog.
    await comment(mine, 'Second draft is up.').getByRole('button', { name: /^Edit your comment/ }).click();
    await mine.getByRole('textbox', { name: 'Edit your comment' }).press('Escape');
    assert.ok(await mine.isVisible(), 'Escape closed the dialog');
    assert.equal(await mine.getByRole('textbox', { name: 'Edit your comment' }).count(), 0);

    // Alice, an owner, deletes Bob's; Bob deletes his own one next.
    await comment(mine, 'Reading it now.').getByRole('button', { name: /^Delete Bob Jones’s comment/ }).click();
    await alice.page.getByRole('dialog', { name: 'Delete this comment?' }).getByRole('button', { name: 'Delete comment' }).click();
    await comment(theirs, 'Reading it now.').waitFor({ state: 'detached' });
    await waitFor(async () => await count.textContent() === '1 comment', TIMEOUT, 'the count to go down');
    await theirs.getByLabel('Add a comment').fill('Mine, briefly.');
    await theirs.getByRole('button', { name: 'Comment', exact: true }).click();
    await comment(mine, 'Mine, briefly.').waitFor();
    await comment(theirs, 'Mine, briefly.').getByRole('button', { name: /^Delete your comment/ }).click();
    await bob.page.getByRole('dialog', { name: 'Delete this comment?' }).getByRole('button', { name: 'Delete comment' }).click();
    await comment(mine, 'Mine, briefly.').waitFor({ state: 'detached' });
    assert.deepEqual(await bodies(theirs), ['Second draft is up.']);
    assert.equal(await focused(bob.page), 'li', 'the focus goes to the comment next to the deleted one');
    assert.equal(await bob.page.evaluate(() => document.activeElement.querySelector('.comment-body').textContent), 'Second draft is up.');
    await alice.page.screenshot({ path: `${RESULTS}/comments.png` });

    for (const [p, d] of [[alice.page, mine], [bob.page, theirs]]) {
      await d.getByRole('button', { name: 'Cancel' }).click();
      await closed(p);
    }
    await waitFor(async () => await count.textContent() === '1 comment', TIMEOUT, 'the count to settle');
  });

  it('comments: a long thread opens at its oldest page and loads the next with the cursor, the newest at the bottom', async () => {
    const id = cards['Long talk'];
    for (let i = 1; i <= 55; i++) await (i % 2 ? alice : bob).api.call('POST', `/api/cards/${id}/comments`, { body: `Note ${i}` });
    const dialog = await openCard(bob.page, 'Long talk');
    await comment(dialog, 'Note 50').waitFor();
    assert.equal(await dialog.locator('.comment').count(), 50);
    const more = dialog.getByRole('button', { name: 'Show more comments (5 not shown)' });
    // Another comment arrives meanwhile: it shows after the gap.
    await alice.api.call('POST', `/api/cards/${id}/comments`, { body: 'Note 56' });
    await comment(dialog, 'Note 56').waitFor();
    await more.focus();
    await bob.page.keyboard.press('Enter');
    await more.waitFor({ state: 'hidden' });
    const all = await bodies(dialog);
    assert.deepEqual(all, Array.from({ length: 56 }, (_, i) => `Note ${i + 1}`));
    assert.equal(await focused(bob.page), 'li', 'the focus goes to the first comment the page brought');
    assert.equal(await bob.page.evaluate(() => document.activeElement.querySelector('.comment-body').textContent), 'Note 51');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await closed(bob.page);
  });

  it('broke no content rule', () => {
    assert.deepEqual(problems, []);
  });
});

async function signIn(page, baseURL, email) {
  await page.goto(baseURL);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Your boards' }).waitFor();
}

async function openBoard(page, baseURL, roomID) {
  await page.goto(`${baseURL}/#/rooms/${roomID}`);
  await page.locator('.card').first().waitFor();
  await waitFor(async () => (await page.locator('#conn').getAttribute('data-status')) === 'live', 20_000, 'the socket to be live');
}

function card(page, title) {
  return page.locator('.card').filter({ has: page.locator('.card-title').getByText(title, { exact: true }) });
}

function cardButton(page, title) {
  return page.getByRole('button', { name: title, exact: true });
}

function chip(page, title, name) {
  return card(page, title).locator('.chip').getByText(name, { exact: true });
}

// openCard opens a card's dialog with the keyboard and waits for its
// comments to load.
async function openCard(page, title) {
  await cardButton(page, title).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: title });
  await dialog.getByRole('heading', { name: /^Comments/ }).waitFor();
  await waitFor(async () => !/Loading comments/.test(await dialog.locator('.comments-status').textContent()), TIMEOUT, 'the comments to load');
  return dialog;
}

function comment(dialog, text) {
  return dialog.locator('.comment').filter({ has: dialog.page().locator('.comment-body').getByText(text, { exact: true }) });
}

const bodies = (dialog) => dialog.locator('.comment-body').allTextContents();

const closed = (page) => page.locator('dialog').waitFor({ state: 'detached' });

function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    if (el.tagName === 'LI') return 'li';
    const name = el.getAttribute('aria-label') ?? (el.labels?.[0]?.textContent.trim() || el.textContent.trim() || el.id);
    return `${el.tagName.toLowerCase()} ${name}`.trim();
  });
}

function described(locator) {
  return locator.evaluate((el) => (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent.trim()).filter(Boolean).join(' '));
}
