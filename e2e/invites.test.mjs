// Browser tests of invitation links in the web client: an owner makes a
// link in the members panel (right where adding someone without an
// account fails), copies it, sees and revokes open links; someone without
// an account opens the link, signs up on its page and is on the board,
// live; a signed-in person joins with one button; a dead link says why.
// make e2e runs them.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Client, Server, assertNothingUnfinished, dropDatabase, launchBrowser, newDatabaseName, sql, waitFor } from './harness.mjs';
import {
  DARK, PASSWORD, PHONE, TIMEOUT, checkState, column, expectCards, fitsPhone, liveOn, openBoard, signIn, watched,
} from './pages.mjs';

describe('invitation links in the web client', () => {
  const db = newDatabaseName();
  let server;
  let browser;
  let ann; // the owner: {api, page}
  let roomID;
  let memberLink; // the link Bob will use
  let revokedLink;
  const problems = [];

  before(async () => {
    server = await new Server(db).start();
    browser = await launchBrowser();
    const api = new Client(server.url);
    await api.register('ann@example.com', 'Ann Lee');
    roomID = (await api.call('POST', '/api/rooms', { name: 'Launch' })).id;
    const todo = (await api.call('POST', `/api/rooms/${roomID}/columns`, { name: 'To do' })).id;
    await api.call('POST', `/api/columns/${todo}/cards`, { title: 'Draft the plan' });
    const context = await watched(browser, problems);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    ann = { api, page: await context.newPage() };
    await signIn(ann.page, server.url, 'ann@example.com');
  });

  afterEach(() => assertNothingUnfinished(browser));

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.saveLog('server-invites');
    dropDatabase(db);
  });

  it('an owner makes a link where adding someone without an account fails, copies it, and revokes another', async () => {
    const { page } = ann;
    await openBoard(page, server.url, roomID);
    await page.getByRole('button', { name: /^Members/ }).click();
    const panel = page.getByRole('complementary', { name: 'Members' });
    await panel.getByLabel('Email of the person to add').fill('bob@example.com');
    await panel.getByRole('button', { name: 'Add', exact: true }).click();
    await panel.getByRole('alert').filter({ hasText: 'No SyncBoard account uses that email.' }).waitFor();
    await panel.getByRole('button', { name: 'Create an invitation link (member)' }).click();
    const link = panel.getByLabel(/^New member link, open until /);
    await link.waitFor();
    memberLink = await link.inputValue();
    assert.match(memberLink, new RegExp(`^${server.url}/#/invite/[A-Za-z0-9_~.-]+$`));
    assert.match(await panel.locator('.new-link').textContent(), /Send it to bob@example\.com\./);
    await panel.getByRole('button', { name: 'Copy', exact: true }).click();
    await panel.getByText('Link copied.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), memberLink);

    // A viewer link for a day, from the form.
    await panel.getByLabel('Joins as').selectOption('viewer');
    await panel.getByLabel('Expires after').selectOption('24');
    await panel.getByRole('button', { name: 'Create link' }).click();
    await panel.getByLabel(/^New viewer link, open until /).waitFor();
    revokedLink = await panel.getByLabel(/^New viewer link/).inputValue();
    const open = panel.getByRole('list', { name: 'Open links' }).getByRole('listitem');
    await waitFor(async () => await open.count() === 2, TIMEOUT, 'two open links');
    const texts = await open.allTextContents();
    assert.ok(texts.some((t) => /^Member link.*made by you/.test(t)), texts.join(' | '));
    assert.ok(texts.some((t) => /^Viewer link.*made by you/.test(t)), texts.join(' | '));
    await checkState(page, 'members with links');
    const invites = await ann.api.call('GET', `/api/rooms/${roomID}/invites`);
    const viewer = invites.find((i) => i.role === 'viewer');
    const hours = (Date.parse(viewer.expires_at) - Date.parse(viewer.created_at)) / 3_600_000;
    assert.ok(Math.abs(hours - 24) < 0.1, `the viewer link lasts ${hours} hours`);

    await panel.getByRole('button', { name: /^Revoke the viewer link made by you/ }).click();
    await waitFor(async () => await open.count() === 1, TIMEOUT, 'one open link left');
    assert.match(await open.first().textContent(), /^Member link/);
    assert.deepEqual((await ann.api.call('GET', `/api/rooms/${roomID}/invites`)).map((i) => i.role), ['member']);
  });

  it('someone without an account opens the link, signs up on its page, and is on the board, live', async () => {
    const context = await watched(browser, problems);
    const page = await context.newPage();
    await page.goto(memberLink);
    await page.getByRole('heading', { name: 'Join “Launch”', level: 1 }).waitFor();
    assert.match(await page.locator('.invite-lede').textContent(), /^Ann Lee \(ann@example\.com\) invited you to this board as a member\./);
    await page.getByRole('heading', { name: 'Create your account to join' }).waitFor();
    await checkState(page, 'invite signed out');
    await page.getByLabel('Email').fill('bob@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Display name (optional)').fill('Bob Stone');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByRole('heading', { name: 'Launch', level: 1, exact: true }).waitFor();
    assert.equal(new URL(page.url()).hash, `#/rooms/${roomID}`);
    await liveOn(page);
    await expectCards(page, 'To do', ['Draft the plan']);
    await ann.page.getByRole('button', { name: 'Members (2)' }).waitFor(); // Ann's page hears Bob join
    const board = await ann.api.call('GET', `/api/rooms/${roomID}`);
    assert.deepEqual(board.members.map((m) => [m.user.email, m.role]), [['ann@example.com', 'owner'], ['bob@example.com', 'member']]);

    // A change Ann makes appears on Bob's page.
    const todo = column(ann.page, 'To do');
    await todo.getByRole('button', { name: '+ Add a card' }).click();
    await todo.getByLabel('New card title').fill('Welcome Bob');
    await todo.getByLabel('New card title').press('Enter');
    await expectCards(page, 'To do', ['Draft the plan', 'Welcome Bob']);
    await context.close();
  });

  it('a signed-in person joins with one button', async () => {
    const cat = new Client(server.url);
    await cat.register('cat@example.com', 'Cat Ray');
    const invite = await ann.api.call('POST', `/api/rooms/${roomID}/invites`, { role: 'viewer' });
    const context = await watched(browser, problems);
    const page = await context.newPage();
    await signIn(page, server.url, 'cat@example.com');
    await page.goto(invite.url);
    await page.getByText('invited you to this board as a viewer').waitFor();
    await page.getByText('You are signed in as Cat Ray (cat@example.com).').waitFor();
    await checkState(page, 'invite signed in');
    await page.getByRole('button', { name: 'Join board' }).click();
    await page.getByRole('heading', { name: 'Launch', level: 1, exact: true }).waitFor();
    await page.locator('#view-only').waitFor();
    await liveOn(page);
    await context.close();
  });

  it('the invitation page reads in dark mode and on a phone', async () => {
    const invite = await ann.api.call('POST', `/api/rooms/${roomID}/invites`, { role: 'member' });
    for (const [options, name] of [[DARK, 'invite signed out dark'], [PHONE, 'invite signed out phone']]) {
      const context = await watched(browser, problems, options);
      const page = await context.newPage();
      await page.goto(invite.url);
      await page.getByRole('heading', { name: 'Create your account to join' }).waitFor();
      await checkState(page, name);
      if (options === PHONE) await fitsPhone(page);
      await context.close();
    }
    await ann.api.call('DELETE', `/api/invites/${invite.id}`);
  });

  it('a revoked, expired or unknown link says which, and leads on', async () => {
    const expired = await ann.api.call('POST', `/api/rooms/${roomID}/invites`, { role: 'member', expires_in_hours: 1 });
    sql(db, `UPDATE invites SET expires_at = now() - interval '1 minute' WHERE id = '${expired.id}'`);
    const context = await watched(browser, problems);
    const page = await context.newPage();
    for (const [url, why] of [[revokedLink, /revoked/i], [expired.url, /expired/i], [`${server.url}/#/invite/no-such-token`, /no such|unknown/i]]) {
      await page.goto('about:blank');
      await page.goto(url);
      await page.getByRole('heading', { name: 'This invitation link does not work' }).waitFor();
      const said = await page.locator('.invite-status').textContent();
      assert.match(said, why, said);
      await page.getByRole('link', { name: 'Go to SyncBoard' }).waitFor();
    }
    await checkState(page, 'invite dead');
    await page.getByRole('link', { name: 'Go to SyncBoard' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await context.close();
  });

  it('broke no content rule', () => {
    assert.deepEqual(problems, []);
  });
});
