// Browser tests of who is on a board: Ann and Bob in two browser contexts
// see each other's avatars on the board they both have open, and Bob's
// goes when he leaves. axe on the avatars, light, dark and a phone.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Client, Server, assertNothingUnfinished, dropDatabase, launchBrowser, newDatabaseName, waitFor } from './harness.mjs';
import { DARK, PHONE, checkState, fitsPhone, openBoard, signIn, watched } from './pages.mjs';

const SOON = 8_000; // presence is sent within 2 s of a change

describe('who is on a board', () => {
  const db = newDatabaseName();
  let server;
  let browser;
  let ann; // {api, page, context}
  let bob;
  let roomID;
  const problems = [];
  const sockets = []; // every socket a page opened: {who, url, closed}

  before(async () => {
    server = await new Server(db).start();
    browser = await launchBrowser();
    const people = {};
    for (const [who, email, name] of [['ann', 'ann@example.com', 'Ann Lee'], ['bob', 'bob@example.com', 'Bob Jones']]) {
      const api = new Client(server.url);
      await api.register(email, name);
      const context = await watched(browser, problems);
      const page = await context.newPage();
      page.on('websocket', (ws) => {
        const s = { who, url: ws.url(), closed: false };
        sockets.push(s);
        ws.on('close', () => { s.closed = true; });
      });
      people[who] = { api, email, name, context, page };
    }
    ({ ann, bob } = people);
    roomID = (await ann.api.call('POST', '/api/rooms', { name: 'Roadmap' })).id;
    const todo = await ann.api.call('POST', `/api/rooms/${roomID}/columns`, { name: 'To do' });
    await ann.api.call('POST', `/api/columns/${todo.id}/cards`, { title: 'Plan' });
    await ann.api.call('POST', `/api/rooms/${roomID}/members`, { email: bob.email });
    for (const p of [ann, bob]) await signIn(p.page, server.url, p.email);
  });

  afterEach(() => assertNothingUnfinished(browser));

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.saveLog('server-presence');
    dropDatabase(db);
    assert.deepEqual(problems, []);
  });

  const viewers = (page) => page.locator('.presence .presence-item').evaluateAll((els) => els.map((el) => el.getAttribute('title')));
  const expectViewers = async (page, want) => {
    let got;
    await waitFor(async () => {
      got = await viewers(page);
      return JSON.stringify(got) === JSON.stringify(want);
    }, SOON, `the avatars to be ${JSON.stringify(want)}`).catch((err) => {
      throw new Error(`${err.message}; they are ${JSON.stringify(got)}`);
    });
  };

  it('shows who has the board open, on both pages, and forgets who left', async () => {
    await openBoard(ann.page, server.url, roomID);
    await expectViewers(ann.page, ['You (Ann Lee) are viewing']);
    await openBoard(bob.page, server.url, roomID);
    await expectViewers(bob.page, ['You (Bob Jones) are viewing', 'Ann Lee is viewing']);
    await expectViewers(ann.page, ['You (Ann Lee) are viewing', 'Bob Jones is viewing']);

    // A named list, its items heard as who is viewing.
    const list = ann.page.getByRole('list', { name: 'Viewing now: 2 people' });
    await list.waitFor();
    assert.equal(await list.getByRole('listitem').count(), 2);
    assert.deepEqual(await list.locator('.avatar').allTextContents(), ['AL', 'BJ']);
    assert.deepEqual(await list.locator('.sr-only').allTextContents(), ['You (Ann Lee) are viewing', 'Bob Jones is viewing']);
    await checkState(ann.page, 'board with who is viewing');

    // Presence is not an event: it made no page reconnect.
    assert.equal(sockets.filter((s) => s.who === 'ann' && s.url.includes(`/rooms/${roomID}/ws`)).length, 1, 'Ann\'s page opened one room socket');

    // Bob goes back to his boards: his avatar goes from Ann's page.
    await bob.page.getByRole('link', { name: 'Boards' }).click();
    await bob.page.getByRole('heading', { name: 'Your boards' }).waitFor();
    await expectViewers(ann.page, ['You (Ann Lee) are viewing']);
    assert.equal(await ann.page.getByRole('list', { name: 'Viewing now: only you' }).count(), 1);
  });

  it('the avatars read in dark mode and fit a phone', async () => {
    for (const [state, options] of [['dark', DARK], ['phone', PHONE]]) {
      const context = await watched(browser, problems, options);
      const page = await context.newPage();
      await signIn(page, server.url, bob.email);
      await openBoard(page, server.url, roomID);
      await expectViewers(page, ['You (Bob Jones) are viewing', 'Ann Lee is viewing']);
      await checkState(page, `board with who is viewing, ${state}`);
      if (state === 'phone') await fitsPhone(page);
      await context.close();
    }
  });
});
