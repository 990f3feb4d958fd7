// Browser tests of what a person sees and hears in the web client: axe-core
// on every page and dialog (light, dark, a phone), the focus after each
// step, the keyboard model of the board, contrast, dialogs that follow
// other people's changes, links to cards. make e2e runs them; screenshots
// of every state go to test-results/, and the axe results of each state to
// test-results/axe.json.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  Client, RESULTS, Server, assertNothingUnfinished, axe, describeViolations, dropDatabase, launchBrowser,
  newDatabaseName, serious, unfinished, waitFor,
} from './harness.mjs';

const PASSWORD = 'correct horse battery';
const TIMEOUT = 10_000;
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

describe('the web client, as a person sees and hears it', () => {
  const db = newDatabaseName();
  let server;
  let browser;
  let page; // Ann's, on a desktop
  let ben; // a member of her board, through the API
  let roomID;
  const cards = {}; // title -> ID
  const problems = []; // page errors and CSP or Trusted Types refusals
  const report = {}; // state -> axe violations, for test-results/axe.json

  const newContext = async (options) => {
    const context = await browser.newContext(options);
    context.setDefaultTimeout(TIMEOUT);
    context.on('page', (p) => {
      p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      p.on('console', (m) => {
        if (/Content Security Policy|Trusted ?Type/i.test(m.text())) problems.push(`console: ${m.text()}`);
      });
    });
    return context;
  };

  // checkState runs axe on the page, prints every violation it finds,
  // fails on a serious or critical one, and keeps a screenshot.
  const checkState = async (p, state) => {
    const violations = await axe(p);
    report[state] = violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
    if (violations.length > 0) console.log(`axe, ${state}:\n${describeViolations(violations)}`);
    await p.screenshot({ path: `${RESULTS}/${state.replaceAll(' ', '-')}.png` });
    assert.deepEqual(serious(violations).map((v) => v.id), [], `axe finds serious problems on ${state}:\n${describeViolations(serious(violations))}`);
  };

  before(async () => {
    server = await new Server(db).start();
    browser = await launchBrowser();
    const ann = new Client(server.url);
    await ann.register('ann@example.com', 'Ann Lee');
    ben = new Client(server.url);
    await ben.register('ben@example.com', 'Ben Ode');
    roomID = (await ann.call('POST', '/api/rooms', { name: 'Launch plan' })).id;
    await ann.call('POST', `/api/rooms/${roomID}/members`, { email: 'ben@example.com' });
    const columns = {};
    for (const name of ['To do', 'Doing', 'Done']) columns[name] = (await ann.call('POST', `/api/rooms/${roomID}/columns`, { name })).id;
    for (const [column, title, description] of [
      ['To do', 'Write spec', 'Two pages, no more.'], ['To do', 'Review copy', ''], ['To do', 'Ship it', ''], ['Done', 'Celebrate', ''],
    ]) cards[title] = (await ann.call('POST', `/api/columns/${columns[column]}/cards`, { title, description })).id;
    cards.columns = columns;
    const context = await newContext(DESKTOP);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await context.newPage();
    // Each test below starts from a fresh load of this signed-in page, so
    // one that fails does not fail the others.
    await page.goto(server.url);
    await signIn(page, 'ann@example.com');
  });

  // Nothing unfinished on screen, after any test.
  afterEach(() => assertNothingUnfinished(browser));

  after(async () => {
    console.log(`axe, every state (serious and critical fail the tests):\n${Object.entries(report)
      .map(([state, vs]) => `  ${state}: ${vs.length === 0 ? 'none' : vs.map((v) => `${v.id} (${v.impact}, ${v.nodes})`).join(', ')}`).join('\n')}`);
    writeFileSync(`${RESULTS}/axe.json`, JSON.stringify(report, null, 2));
    await browser?.close();
    await server?.stop();
    server?.saveLog('server-a11y');
    dropDatabase(db);
  });

  it('says the password rule before a failure, in characters, and starts a new account with the focus on the page', async () => {
    const context = await newContext(DESKTOP);
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByLabel('Email').waitFor();
    await checkState(page, 'sign-in');
    await page.getByRole('button', { name: 'Create an account' }).click();
    const hint = page.getByText('At least 8 characters.');
    assert.ok(await hint.isVisible(), 'the password rule is not shown before the first attempt');
    assert.equal(await page.getByLabel('Password').getAttribute('aria-describedby'), await hint.getAttribute('id'));
    await checkState(page, 'register');
    await page.getByLabel('Email').fill('cat@example.com');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    const refusal = await page.getByRole('alert').filter({ hasText: /password/i }).textContent();
    assert.match(refusal, /8 characters/);
    assert.doesNotMatch(refusal, /bytes/);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Your boards' }).waitFor();
    assert.equal(await focused(page), 'h1 Your boards');
    await context.close();
  });

  it('signs in with the focus on the page, not on nothing', async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByLabel('Email').fill('ann@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Your boards' }).waitFor();
    assert.equal(await focused(page), 'h1 Your boards');
  });

  it('shows whose each board is, how busy and how old, and a new board takes the focus', async () => {
    await page.goto(server.url);
    const tile = page.locator('.room-tile', { hasText: 'Launch plan' });
    await tile.waitFor();
    const text = await tile.textContent();
    for (const want of [/yours/, /\d+ changes/, /created just now/]) assert.match(text, want);
    await checkState(page, 'boards');
    await page.getByLabel('New board name').fill('Scratch');
    await page.getByRole('button', { name: 'Create board' }).click();
    await page.getByRole('heading', { name: 'Scratch' }).waitFor();
    assert.equal(await focused(page), 'h1 Scratch');
  });

  it('makes each column of cards one Tab stop, with list items that read their description', async () => {
    await openBoard(page, server.url, roomID);
    await checkState(page, 'board');
    const tabbable = await page.evaluate(() => [...document.querySelectorAll('.cards *')].filter((el) => el.tabIndex >= 0 && el.checkVisibility()).length);
    assert.equal(tabbable, 2, 'the two columns with cards are one Tab stop each');
    assert.equal(await page.getByRole('list', { name: 'Cards in To do' }).getByRole('listitem').count(), 3);
    const spec = page.getByRole('button', { name: 'Write spec', exact: true });
    assert.equal(await spec.count(), 1, 'a card is named by its title');
    assert.equal(await spec.getAttribute('aria-pressed'), null, 'a card is not a toggle');
    assert.equal(await described(spec), 'Two pages, no more. In To do, 1 of 3. Arrow keys go from card to card. Space picks a card up, the arrow keys move it, Space drops it, Escape puts it back. Enter opens a card.');
    assert.equal(await column(page, 'To do').getByText('3 cards', { exact: true }).count(), 1, 'a count is heard as "3 cards"');

    await spec.focus();
    for (const [key, want] of [['ArrowDown', 'Review copy'], ['End', 'Ship it'], ['Home', 'Write spec'], ['ArrowRight', 'Celebrate']]) {
      await page.keyboard.press(key);
      assert.equal(await focused(page), `button ${want}`, `after ${key}`);
    }
    await page.keyboard.press('Shift+Tab');
    assert.doesNotMatch(await focused(page), /^button (Write spec|Review copy|Ship it|Celebrate)$/, 'Shift+Tab leaves the cards');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'button Celebrate', 'Tab comes back to the card focused last');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'button + Add a card', 'Tab leaves the column\'s cards');
  });

  it('keeps the focus on a card moved with the keyboard, put back with Escape or dropped', async () => {
    await openBoard(page, server.url, roomID);
    await cardButton(page, 'To do', 'Ship it').focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowRight');
    await expectCards(page, 'Doing', ['Ship it']);
    assert.equal(await focusedCard(page), 'Ship it');
    await page.keyboard.press('Escape');
    await expectCards(page, 'To do', ['Write spec', 'Review copy', 'Ship it']);
    assert.equal(await focusedCard(page), 'Ship it', 'Escape left the focus on the page');
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    await expectCards(page, 'Doing', ['Ship it']);
    assert.equal(await focusedCard(page), 'Ship it');
  });

  it('skips to the board\'s content without leaving the board', async () => {
    await openBoard(page, server.url, roomID);
    const url = page.url();
    await page.locator('.skip-link').focus();
    await page.keyboard.press('Enter');
    assert.equal(page.url(), url);
    assert.equal(await focused(page), 'main');
    await page.waitForTimeout(200); // a route would have replaced the board by now
    assert.ok(await page.getByRole('heading', { name: 'Launch plan' }).isVisible(), 'the board is gone');
  });

  it('closes the members panel with Escape or its button, and gives the focus back', async () => {
    await openBoard(page, server.url, roomID);
    const members = page.getByRole('button', { name: /^Members/ });
    await members.click();
    await page.getByLabel('Email of the person to add').waitFor();
    await checkState(page, 'members');
    await page.keyboard.press('Escape');
    await page.getByLabel('Email of the person to add').waitFor({ state: 'hidden' });
    assert.equal(await focused(page), 'button Members (2)');
    await members.click();
    await page.getByRole('button', { name: 'Close members' }).click();
    assert.equal(await focused(page), 'button Members (2)');
  });

  it('shows no stray text in its dialogs, and titles a card\'s by the card', async () => {
    await openBoard(page, server.url, roomID);
    const dialog = page.getByRole('dialog');
    for (const open of [
      () => page.getByRole('button', { name: 'Column To do; rename' }).click(),
      () => page.getByRole('button', { name: 'Rename', exact: true }).click(),
      () => page.getByRole('button', { name: /^Your account/ }).click(),
    ]) {
      await open();
      await dialog.waitFor();
      assert.deepEqual(await unfinished(page), []);
      if (await dialog.getByRole('heading', { name: 'Your account' }).count() > 0) {
        await dialog.locator('.session-list li').first().waitFor();
        await checkState(page, 'account');
      }
      await page.keyboard.press('Escape');
      await closed(page);
    }
    await cardButton(page, 'To do', 'Write spec').focus();
    await page.keyboard.press('Enter');
    await dialog.getByRole('heading', { name: 'Write spec' }).waitFor();
    assert.equal(await dialog.locator('.dialog-message').textContent(), 'In To do');
    assert.deepEqual(await unfinished(page), []);
    await checkState(page, 'card dialog');
  });

  it('keeps an open card dialog in step with other people, and keeps what was typed when the card goes', async () => {
    await openBoard(page, server.url, roomID);
    const dialog = page.getByRole('dialog');
    await card(page, 'To do', 'Write spec').click();
    await dialog.getByLabel('Title').waitFor();
    const title = dialog.getByLabel('Title');
    const description = dialog.getByLabel('Description');
    const notice = dialog.locator('.dialog-notice');
    await ben.login('ben@example.com');

    await ben.call('PATCH', `/api/cards/${cards['Write spec']}`, { title: 'Write the spec' });
    await waitFor(async () => await title.inputValue() === 'Write the spec', TIMEOUT, 'the untouched title to follow');
    await dialog.getByRole('heading', { name: 'Write the spec' }).waitFor();
    assert.match(await notice.textContent(), /changed the title/);

    await description.fill('My own words.');
    await ben.call('PATCH', `/api/cards/${cards['Write spec']}`, { description: 'Ben’s words.' });
    await waitFor(async () => /while you were typing/.test(await notice.textContent()), TIMEOUT, 'the dialog to say the description changed');
    assert.equal(await description.inputValue(), 'My own words.');

    await ben.call('POST', `/api/cards/${cards['Write spec']}/move`, { column_id: cards.columns.Done, position: 0 });
    await waitFor(async () => await dialog.locator('.dialog-message').textContent() === 'In Done', TIMEOUT, 'the dialog to say where the card is');

    await ben.call('DELETE', `/api/cards/${cards['Write spec']}`);
    await dialog.getByRole('alert').filter({ hasText: 'Someone deleted this card' }).waitFor();
    assert.equal(await description.inputValue(), 'My own words.');
    assert.equal(await dialog.getByRole('button', { name: 'Save' }).count(), 0, 'a deleted card offers no Save');
    await checkState(page, 'card dialog deleted');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await closed(page);
    assert.equal(await focused(page), 'button Celebrate', 'the focus went to the column the card was in');
  });

  it('gives every card a link that opens its board with the card open, copied in one action', async () => {
    await openBoard(page, server.url, roomID);
    const dialog = page.getByRole('dialog');
    const link = `${server.url}/#/rooms/${roomID}/cards/${cards['Review copy']}`;
    await card(page, 'To do', 'Review copy').click();
    await dialog.getByRole('heading', { name: 'Review copy' }).waitFor();
    assert.equal(await hash(page), new URL(link).hash);
    await dialog.getByRole('button', { name: 'Copy link' }).click();
    await dialog.getByText('Link copied.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await closed(page);
    assert.equal(await hash(page), `#/rooms/${roomID}`);
    assert.equal(await focused(page), 'button Review copy');

    const other = await page.context().newPage();
    await other.goto(link);
    await other.getByRole('dialog').getByRole('heading', { name: 'Review copy' }).waitFor();
    assert.ok(await other.getByRole('heading', { name: 'Launch plan', level: 1 }).isVisible(), 'the board is not behind the dialog');
    await other.keyboard.press('Escape');
    await closed(other);
    assert.equal(await hash(other), `#/rooms/${roomID}`);
    // A card's link in the same board, as a person pastes it.
    await other.evaluate((hash) => { window.location.hash = hash; }, `#/rooms/${roomID}/cards/${cards.Celebrate}`);
    await other.getByRole('dialog').getByRole('heading', { name: 'Celebrate' }).waitFor();
    await other.keyboard.press('Escape');
    await other.goto(`${server.url}/#/rooms/${roomID}/cards/00000000-0000-4000-8000-000000000000`);
    await other.getByRole('alert').filter({ hasText: 'That card is not on this board any more.' }).waitFor();
    assert.equal(await hash(other), `#/rooms/${roomID}`);
    await other.close();
  });

  it('opens one add-card box at a time', async () => {
    await openBoard(page, server.url, roomID);
    await column(page, 'To do').getByRole('button', { name: '+ Add a card' }).click();
    await column(page, 'Done').getByRole('button', { name: '+ Add a card' }).click();
    assert.equal(await page.getByLabel('New card title').filter({ visible: true }).count(), 1);
    assert.equal(await focused(page), 'textarea New card title');
    await page.keyboard.press('Escape');
  });

  it('draws controls and cards that stand out, a status that reads, and an offline board that cannot be missed', async () => {
    await openBoard(page, server.url, roomID);
    await checkContrast(page);
    await server.stop();
    const banner = page.getByText(/^Offline: this board may be out of date/);
    await banner.waitFor();
    assert.equal(await page.locator('#conn').getAttribute('data-status'), 'offline');
    await checkContrast(page);
    await checkState(page, 'board offline');
    await server.start();
    await liveOn(page);
    await banner.waitFor({ state: 'hidden' });
  });

  it('follows the system\'s dark mode, with the same contrast', async () => {
    const context = await newContext({ ...DESKTOP, colorScheme: 'dark' });
    const p = await context.newPage();
    await p.goto(server.url);
    await p.getByLabel('Email').waitFor();
    const background = await p.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    assert.ok(luminance(background) < 0.05, `the page is ${background} in dark mode`);
    await checkState(p, 'sign-in dark');
    await signIn(p, 'ann@example.com');
    await checkState(p, 'boards dark');
    await openBoard(p, server.url, roomID);
    await checkContrast(p);
    await checkState(p, 'board dark');
    await card(p, 'To do', 'Review copy').click();
    await p.getByRole('dialog').waitFor();
    await checkState(p, 'card dialog dark');
    await p.keyboard.press('Escape');
    await p.getByRole('button', { name: /^Members/ }).click();
    await checkState(p, 'members dark');
    await p.keyboard.press('Escape');
    await p.getByRole('button', { name: /^Your account/ }).click();
    await p.getByRole('dialog').locator('.session-list li').first().waitFor();
    await checkState(p, 'account dark');
    await context.close();
  });

  it('fits a phone: the board\'s buttons share a row, tap targets are 44 px, Save comes first', async () => {
    const context = await newContext(PHONE);
    const p = await context.newPage();
    await p.goto(server.url);
    await p.getByLabel('Email').waitFor();
    await checkState(p, 'sign-in phone');
    await signIn(p, 'ann@example.com');
    await openBoard(p, server.url, roomID);
    await checkState(p, 'board phone');
    // The top bar fits with the status at its longest: a page wider than
    // the phone would make it zoom out.
    await p.evaluate(() => { document.getElementById('conn').textContent = 'Offline, retrying…'; });
    assert.equal(await p.evaluate(() => document.documentElement.scrollWidth), 390);
    await p.evaluate(() => { document.getElementById('conn').textContent = 'Live'; });
    const tops = [];
    for (const name of [/^Members/, 'Rename', 'Delete board']) tops.push(Math.round((await p.getByRole('button', { name, exact: typeof name === 'string' }).boundingBox()).y));
    assert.equal(new Set(tops).size, 1, `the board's buttons are on rows at ${tops}`);
    for (const name of ['Move column left', 'Move column right', 'Delete column']) {
      const box = await column(p, 'To do').getByRole('button', { name }).boundingBox();
      assert.ok(box.width >= 44 && box.height >= 44, `${name} is ${box.width}×${box.height} px`);
    }
    await card(p, 'To do', 'Review copy').tap();
    await p.getByRole('dialog').waitFor();
    await checkState(p, 'card dialog phone');
    await p.getByRole('dialog').getByRole('button', { name: 'Cancel' }).tap();
    await p.getByRole('button', { name: /^Members/ }).tap();
    await checkState(p, 'members phone');
    await p.getByRole('button', { name: 'Close members' }).tap();
    await p.getByRole('button', { name: /^Your account/ }).tap();
    const dialog = p.getByRole('dialog');
    await dialog.locator('.session-list li').first().waitFor();
    await checkState(p, 'account phone');
    const save = await dialog.getByRole('button', { name: 'Save' }).boundingBox();
    const everywhere = await dialog.getByRole('button', { name: 'Sign out everywhere' }).boundingBox();
    assert.ok(save.y < everywhere.y, `Save (at ${save.y}) falls below Sign out everywhere (at ${everywhere.y})`);
    const [fill, surface] = await dialog.getByRole('button', { name: 'Sign out everywhere' })
      .evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el.closest('dialog')).backgroundColor]);
    assert.equal(fill, surface, 'Sign out everywhere is a large filled button');
    await context.close();
  });

  it('links to the API documents', async () => {
    await openBoard(page, server.url, roomID);
    const link = page.getByRole('link', { name: 'API docs' });
    assert.ok(await link.isVisible());
    assert.equal(await link.getAttribute('href'), '/docs');
    await page.getByRole('link', { name: 'Boards', exact: true }).click();
    assert.equal(await page.getByRole('link', { name: 'API documents' }).getAttribute('href'), '/docs');
  });

  it('shows card details that read and are heard: chips in their colors with their names, initials, due badges, comments; all keyboard reachable, light, dark and on a phone', async () => {
    const ann = new Client(server.url);
    await ann.login('ann@example.com');
    await ben.login('ben@example.com');
    const id = (await ann.call('POST', `/api/columns/${cards.columns.Done}/cards`, { title: 'Detailed' })).id;
    const colors = ['green', 'yellow', 'orange', 'red', 'purple', 'blue', 'sky', 'lime', 'pink', 'black'];
    for (const color of colors) {
      const label = await ann.call('POST', `/api/rooms/${roomID}/labels`, { name: `${color[0].toUpperCase()}${color.slice(1)} label`, color });
      await ann.call('PUT', `/api/cards/${id}/labels/${label.id}`);
    }
    const board = await ann.call('GET', `/api/rooms/${roomID}`);
    for (const m of board.members) await ann.call('PUT', `/api/cards/${id}/assignees/${m.user.id}`);
    await ann.call('PATCH', `/api/cards/${id}`, { due_at: '2020-03-01T09:00:00Z' });
    await ben.call('POST', `/api/cards/${id}/comments`, { body: 'Ben’s note.' });
    await ann.call('POST', `/api/cards/${id}/comments`, { body: 'Ann’s answer.' });

    const look = async (p, scheme) => {
      await openBoard(p, server.url, roomID);
      const detailed = p.getByRole('button', { name: 'Detailed', exact: true });
      assert.match(await described(detailed), /^Labels: Green label, Yellow label, .*Black label\. Assigned to Ann Lee and Ben Ode\. Due .*2020.*, overdue\. 2 comments\. In Done, 2 of 2\./);
      assert.equal(await detailed.getAttribute('aria-label'), null, 'the card is named by its title alone');
      await checkDetailContrast(p, scheme);
      await checkState(p, `board details${scheme}`);
      // The dialog, by keyboard alone: Enter opens it, Tab reaches every
      // part of it, Space ticks a box.
      await detailed.focus();
      await p.keyboard.press('Enter');
      const dialog = p.getByRole('dialog', { name: 'Detailed' });
      await dialog.getByText('Ann’s answer.').waitFor();
      const reached = [];
      for (let i = 0; i < 50; i++) {
        reached.push(await focused(p));
        await p.keyboard.press('Tab');
      }
      for (const want of ['input Due date', 'button No due date', 'input Done', 'input Green label', 'input Black label', 'input Ben Ode', 'input Ann Lee (you)',
        'button Copy link', 'button Save', 'button Delete card', 'textarea Add a comment', 'button Comment']) {
        assert.ok(reached.includes(want), `Tab never reaches ${want}: ${reached.join(', ')}`);
      }
      assert.ok(reached.some((r) => /^button Edit your comment of /.test(r)) && reached.some((r) => /^button Delete Ben Ode’s comment of /.test(r)),
        'an owner edits their own comment and deletes anyone\'s');
      assert.deepEqual(await unfinished(p), []);
      await checkState(p, `card dialog details${scheme}`);
      await p.keyboard.press('Escape');
      await closed(p);
      // The label manager, opened from the keyboard.
      await p.getByRole('button', { name: 'Labels', exact: true }).focus();
      await p.keyboard.press('Enter');
      assert.equal(await focused(p), 'input New label name');
      await p.getByLabel('Name of the label Black label').waitFor();
      await checkState(p, `labels${scheme}`);
      await p.keyboard.press('Escape');
      assert.equal(await focused(p), 'button Labels');
    };
    await look(page, '');
    const dark = await newContext({ ...DESKTOP, colorScheme: 'dark' });
    const p = await dark.newPage();
    await p.goto(server.url);
    await signIn(p, 'ann@example.com');
    await look(p, ' dark');
    await dark.close();

    const phone = await newContext(PHONE);
    const q = await phone.newPage();
    await q.goto(server.url);
    await signIn(q, 'ann@example.com');
    await openBoard(q, server.url, roomID);
    await card(q, 'Done', 'Detailed').tap();
    await q.getByRole('dialog').getByText('Ann’s answer.').waitFor();
    await checkState(q, 'card dialog details phone');
    assert.equal(await q.evaluate(() => document.documentElement.scrollWidth), 390, 'the dialog fits the phone');
    await phone.close();

    // Space on a focused label box takes the label off, at once.
    await page.getByRole('button', { name: 'Detailed', exact: true }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Detailed' });
    await dialog.getByRole('checkbox', { name: 'Pink label' }).focus();
    await page.keyboard.press('Space');
    await waitFor(async () => (await ann.call('GET', `/api/rooms/${roomID}`)).columns[2].cards.find((c) => c.id === id).label_ids.length === 9, TIMEOUT, 'the label to come off');
    await page.keyboard.press('Escape');
    await closed(page);
  });

  it('broke no content rule, with axe in the page too', () => {
    assert.deepEqual(problems, []);
  });

  async function signIn(p, email) {
    await p.getByLabel('Email').fill(email);
    await p.getByLabel('Password').fill(PASSWORD);
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
    await p.getByRole('heading', { name: 'Your boards' }).waitFor();
    await p.locator('.room-tile').first().waitFor();
  }
});

// openBoard loads the board afresh (by way of a blank page: a goto to the
// URL already shown would not load it again).
async function openBoard(page, baseURL, roomID) {
  await page.goto('about:blank');
  await page.goto(`${baseURL}/#/rooms/${roomID}`);
  await page.locator('.card').first().waitFor();
  await liveOn(page);
}

async function liveOn(page) {
  await waitFor(async () => (await page.locator('#conn').getAttribute('data-status')) === 'live', 20_000, 'the socket to be live');
}

// closed waits until the page's dialog is gone from the DOM: hidden (and
// so no longer found by role) at close(), it is removed, and the code
// after it run (the URL, the focus), only on its close event, a task later.
const closed = (page) => page.locator('dialog').waitFor({ state: 'detached' });

const hash = (page) => page.evaluate(() => window.location.hash);

// focused says where the focus is: "body", or the element's tag and its
// accessible text (aria-label, else its label's text heard, else its
// text), or its id.
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    if (el.tagName === 'MAIN') return 'main';
    const heard = (n) => [...n.childNodes].map((c) => (c.nodeType === Node.TEXT_NODE ? c.data
      : c.nodeType !== Node.ELEMENT_NODE || c.getAttribute('aria-hidden') === 'true' || c.matches('input, textarea, select') ? '' : heard(c))).join('');
    const label = el.labels?.[0] ? heard(el.labels[0]).trim() : '';
    const name = el.getAttribute('aria-label') ?? (label || el.textContent.trim() || el.id);
    return `${el.tagName.toLowerCase()} ${name}`.trim();
  });
}

// focusedCard is the title of the card that has the focus, or null.
function focusedCard(page) {
  return page.evaluate(() => document.activeElement?.closest('.card')?.querySelector('.card-title')?.textContent ?? null);
}

// described is an element's accessible description: the text of what its
// aria-describedby names.
function described(locator) {
  return locator.evaluate((el) => (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent.trim()).filter(Boolean).join(' '));
}

// checkContrast measures, on a board, the edge of an input and of a card
// (3:1, WCAG 1.4.11) and the text of the status pill (4.5:1).
async function checkContrast(page) {
  const c = await page.evaluate(() => {
    const style = (sel) => getComputedStyle(document.querySelector(sel));
    return {
      input: [style('.add-column input').borderTopColor, style('.add-column input').backgroundColor],
      card: [style('.card').borderTopColor, style('.column').backgroundColor],
      cardOnCard: [style('.card').borderTopColor, style('.card').backgroundColor],
      pill: [style('#conn').color, style('#conn').backgroundColor],
    };
  });
  for (const [what, [a, b], want] of [['an input\'s edge', c.input, 3], ['a card\'s edge on its column', c.card, 3], ['a card\'s edge', c.cardOnCard, 3], ['the status pill', c.pill, 4.5]]) {
    const got = contrast(a, b);
    assert.ok(got >= want, `${what}: ${a} on ${b} is ${got.toFixed(2)}:1, under ${want}:1`);
  }
}

// checkDetailContrast measures the text of every label chip and due
// badge and of the comment count and initials on the board: 4.5:1 on
// what each sits on (a chip is its own background).
async function checkDetailContrast(page, scheme) {
  const pairs = await page.evaluate(() => [...document.querySelectorAll('.card-meta .chip, .card-meta .due, .card-meta .comment-count, .card-meta .avatar')].map((el) => {
    let bg = getComputedStyle(el).backgroundColor;
    for (let n = el; /rgba\(0, 0, 0, 0\)|transparent/.test(bg) && n; n = n.parentElement) bg = getComputedStyle(n).backgroundColor;
    return { what: `${el.className} ${el.textContent}`, fg: getComputedStyle(el).color, bg };
  }));
  assert.ok(pairs.filter((x) => /chip-/.test(x.what)).length >= 10, `found ${pairs.length} details`);
  for (const { what, fg, bg } of pairs) {
    const got = contrast(fg, bg);
    assert.ok(got >= 4.5, `${what}${scheme}: ${fg} on ${bg} is ${got.toFixed(2)}:1, under 4.5:1`);
  }
}

function luminance(rgb) {
  const [r, g, b] = rgb.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

function column(page, name) {
  return page.locator('.column').filter({ has: page.getByRole('button', { name: `Column ${name}; rename`, exact: true }) });
}

function card(page, columnName, title) {
  return column(page, columnName).locator('.card').filter({ has: page.getByText(title, { exact: true }) });
}

// cardButton is what takes a card's focus: the button named by its title.
function cardButton(page, columnName, title) {
  return column(page, columnName).getByRole('button', { name: new RegExp(`^${title}`) });
}

async function expectCards(page, columnName, titles) {
  let got;
  await waitFor(async () => {
    got = await column(page, columnName).locator('.card-title').allTextContents();
    return JSON.stringify(got) === JSON.stringify(titles);
  }, TIMEOUT, `${columnName} to hold ${JSON.stringify(titles)}`).catch((err) => {
    throw new Error(`${err.message}; it holds ${JSON.stringify(got)}`);
  });
}
