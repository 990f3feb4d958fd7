// Unit tests of boardcontroller.js, the board page's state and decisions,
// with a fake API and a fake live room (and, last, the real LiveRoom over
// a fake WebSocket): node --test runs them without a browser (make e2e).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError } from '../assets/api.js';
import { BoardController, permissions } from '../assets/boardcontroller.js';
import { LiveRoom } from '../assets/live.js';

const ME = 'u-me';
const ROOM = 'room';
const BOARD_PATH = `/api/rooms/${ROOM}`;

// board builds a Board from {column: [card IDs]}; IDs are the titles.
function board(version, columns) {
  return {
    id: ROOM, name: 'Room', version, role: 'owner', created_by: ME, created_at: 't',
    members: [{ user: { id: ME, email: 'me@x', display_name: 'Me' }, role: 'owner', joined_at: 't' }],
    columns: Object.entries(columns).map(([name, cards], i) => ({
      id: name, room_id: ROOM, name, position: i,
      cards: cards.map((title, j) => ({ id: title, column_id: name, title, description: '', position: j })),
    })),
  };
}

const layout = (b) => Object.fromEntries(b.columns.map((c) => [c.id, c.cards.map((card) => card.id)]));
const card = (id, column, position) => ({ id, column_id: column, title: id, description: '', position });
const ev = (version, type, data, actor = 'u-other') => ({ version, type, actor_id: actor, at: 't', data });
const from = (column, position) => ({ column_id: column, position });
const settle = () => new Promise((resolve) => setImmediate(resolve));

// deferred is a promise the test settles.
function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

// FakeApi answers GET of the room with server.board (ETag "v<version>",
// a 304 when it matches) and anything else with {}; queue(method, path,
// answer) makes the next such call return answer instead: a value, an
// Error to throw, or a promise.
class FakeApi {
  constructor(serverBoard) {
    this.board = serverBoard;
    this.calls = [];
    this.queued = new Map();
  }

  queue(method, path, answer) {
    const key = `${method} ${path}`;
    this.queued.set(key, [...(this.queued.get(key) ?? []), answer]);
  }

  async request(method, path, body, options) {
    this.calls.push({ method, path, body, options });
    const queued = this.queued.get(`${method} ${path}`);
    if (queued?.length) {
      const answer = queued.shift();
      if (answer instanceof Error) throw answer;
      return await answer;
    }
    if (method === 'GET' && path === BOARD_PATH) {
      const etag = `"v${this.board.version}"`;
      if (options?.etag === etag) return { notModified: true };
      return { body: structuredClone(this.board), etag };
    }
    return {};
  }

  get(path, options) { return this.request('GET', path, undefined, options); }
  post(path, body = {}) { return this.request('POST', path, body); }
  patch(path, body) { return this.request('PATCH', path, body); }
  put(path) { return this.request('PUT', path); }
  del(path) { return this.request('DELETE', path); }

  // refetches counts the board's GETs after the first load.
  get refetches() { return this.calls.filter((c) => c.method === 'GET' && c.path === BOARD_PATH).length - 1; }
}

// FakeLive stands for a LiveRoom: the test sets live and calls cb.
class FakeLive {
  constructor(callbacks) {
    this.cb = callbacks;
    this.live = false;
    this.log = [];
  }

  start() { this.log.push('start'); }
  stop() { this.log.push('stop'); this.live = false; }
  reconnect(delay) { this.log.push(`reconnect ${delay}`); }
}

// page starts a controller on a server board; it records what the page
// was told to do.
// Events are applied as they come unless the test passes its own
// schedule (and clock) to see them batched.
async function page(serverBoard, { live = true, start = true, schedule = (fn) => fn(), now } = {}) {
  const api = new FakeApi(serverBoard);
  const ui = { renders: [], toasts: [], announced: [], left: [], flashed: [], statuses: [], failed: [], comments: [], archived: [], presence: [] };
  let room;
  const c = new BoardController({
    api,
    roomID: ROOM,
    me: { id: ME },
    schedule,
    now,
    live: (callbacks) => { room = new FakeLive(callbacks); return room; },
    ui: {
      render: (b, liftedID) => ui.renders.push({ layout: layout(b), version: b.version, liftedID, board: b }),
      status: (s) => ui.statuses.push(s),
      leave: (message, kind) => ui.left.push({ message, kind }),
      toast: (message, kind) => ui.toasts.push({ message, kind }),
      announce: (message) => ui.announced.push(message),
      flash: (cardIDs) => ui.flashed.push(...cardIDs),
      comment: (event) => ui.comments.push(event),
      archive: (events) => ui.archived.push(...events),
      presence: (users) => ui.presence.push(users),
      loadFailed: (err) => ui.failed.push(err),
    },
  });
  if (start) await c.start();
  room.live = live;
  const shown = () => ui.renders.at(-1);
  return { c, api, ui, room, shown };
}

describe('BoardController', () => {
  it('loads the board, draws it, then opens the socket at its version', async () => {
    const { c, ui, room, shown } = await page(board(5, { a: ['x', 'y'], b: [] }));
    assert.deepEqual(shown().layout, { a: ['x', 'y'], b: [] });
    assert.equal(shown().liftedID, null);
    assert.deepEqual(room.log, ['start']);
    assert.equal(room.cb.version(), 5);
    room.cb.onStatus('live');
    c.stop();
    room.cb.onStatus('offline');
    assert.deepEqual(ui.statuses, ['live'], 'a stopped page shows no status');
    assert.deepEqual(room.log, ['start', 'stop']);
  });

  const loadFailures = [
    { name: 'a 404 leaves, saying so', err: new ApiError(404, 'not_found', 'not found'), left: 1, failed: 0 },
    { name: 'a 401 has signed out already', err: new ApiError(401, 'unauthorized', 'no'), left: 0, failed: 0 },
    { name: 'a 503 is shown', err: new ApiError(503, 'unavailable', 'down'), left: 0, failed: 1 },
    { name: 'no network is shown', err: new ApiError(0, 'network', 'unreachable'), left: 0, failed: 1 },
  ];
  for (const f of loadFailures) {
    it(`a first load that fails: ${f.name}, and no socket opens`, async () => {
      const { c, api, ui, room } = await page(board(5, { a: [] }), { start: false });
      api.queue('GET', BOARD_PATH, f.err);
      await c.start();
      assert.equal(ui.left.length, f.left, `left: ${JSON.stringify(ui.left)}`);
      if (f.left) assert.match(ui.left[0].message, /does not exist/);
      assert.deepEqual(ui.failed, f.failed ? [f.err] : []);
      assert.deepEqual(ui.renders, []);
      assert.deepEqual(room.log, []);
    });
  }

  it('applies events in version order: skips a replay, resumes after a gap', async () => {
    const { c, ui, room, shown } = await page(board(5, { a: ['x', 'y'], b: [] }));
    room.cb.onEvent(ev(6, 'card.moved', { card: card('x', 'b', 0), from: from('a', 0) }));
    assert.deepEqual(shown().layout, { a: ['y'], b: ['x'] });
    assert.equal(shown().version, 6);
    assert.deepEqual(ui.flashed, ['x'], 'another person’s change flashes');
    const drawn = ui.renders.length;
    room.cb.onEvent(ev(6, 'card.moved', { card: card('x', 'a', 0), from: from('b', 0) }));
    assert.equal(ui.renders.length, drawn, 'a replay draws nothing');
    room.cb.onEvent(ev(8, 'card.moved', { card: card('y', 'b', 1), from: from('a', 0) }));
    assert.equal(ui.renders.length, drawn, 'an event after a gap draws nothing');
    assert.deepEqual(room.log, ['start', 'reconnect 0']);
    assert.equal(room.cb.version(), 6, 'it resumes from the last applied version');
    room.cb.onEvent(ev(7, 'card.created', { card: card('n', 'a', 1) }, ME));
    assert.deepEqual(shown().layout, { a: ['y', 'n'], b: ['x'] });
    assert.deepEqual(ui.flashed, ['x'], 'my own change does not flash');
    assert.equal(c.confirmed.version, 7);
  });

  // manual is a schedule the test runs by hand, and a clock that moves
  // 1 ms each time it is read.
  function manual() {
    const jobs = [];
    let t = 0;
    return {
      jobs,
      schedule: (fn) => jobs.push(fn),
      now: () => t++,
      run() { let n = 0; while (jobs.length) { jobs.shift()(); n++; } return n; },
    };
  }

  it('applies thousands of events in a few batches, drawing once per batch, without a refetch', async () => {
    const m = manual();
    const { ui, room, shown, api } = await page(board(5, { a: ['x', 'y'], b: [] }), m);
    const drawn = ui.renders.length;
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const v = 6 + i;
      // x goes back and forth; y is renamed each time.
      const toB = i % 2 === 0;
      room.cb.onEvent(i % 4 < 2
        ? ev(v, 'card.moved', { card: card('x', toB ? 'b' : 'a', 0), from: from(toB ? 'a' : 'b', 0) })
        : ev(v, 'card.updated', { card: { ...card('y', 'a', 1), title: `y ${i}` } }));
    }
    assert.equal(ui.renders.length, drawn, 'nothing is drawn before the page gets its turn');
    assert.equal(m.jobs.length, 1, 'one batch is scheduled for all of them');
    const batches = m.run();
    assert.equal(shown().version, 5 + n);
    assert.equal(api.refetches, 0);
    const renders = ui.renders.length - drawn;
    assert.equal(renders, batches, 'one drawing per batch');
    assert.ok(batches > 1 && batches < n / 5, `${batches} batches of at most 12 ms for ${n} events`);
    assert.deepEqual(shown().layout, { a: ['x', 'y'], b: [] });
    assert.equal(shown().board.columns[0].cards[1].title, `y ${n - 1}`);
    assert.ok(ui.flashed.filter((id) => id === 'x').length <= batches, 'a card flashes at most once per batch');
  });

  it('a gap in the middle of a batch keeps what came before it, draws once, and resumes from there', async () => {
    const m = manual();
    const { ui, room, shown } = await page(board(5, { a: ['x'], b: [] }), m);
    const drawn = ui.renders.length;
    room.cb.onEvent(ev(6, 'room.updated', { name: 'Six' }));
    room.cb.onEvent(ev(7, 'room.updated', { name: 'Seven' }));
    room.cb.onEvent(ev(9, 'room.updated', { name: 'Nine' }));
    room.cb.onEvent(ev(10, 'room.updated', { name: 'Ten' }));
    m.run();
    assert.equal(shown().version, 7);
    assert.equal(shown().board.name, 'Seven');
    assert.equal(ui.renders.length, drawn + 1);
    assert.deepEqual(room.log, ['start', 'reconnect 0']);
    assert.equal(room.cb.version(), 7);
    // The reconnected socket sends 8 on; what was queued after the gap is gone.
    room.cb.onEvent(ev(8, 'room.updated', { name: 'Eight' }));
    m.run();
    assert.equal(shown().version, 8);
  });

  it('events queued when the page stops are dropped', async () => {
    const m = manual();
    const { c, ui, room } = await page(board(5, { a: [] }), m);
    const drawn = ui.renders.length;
    room.cb.onEvent(ev(6, 'room.updated', { name: 'Six' }));
    c.stop();
    m.run();
    assert.equal(ui.renders.length, drawn);
    assert.equal(c.confirmed.version, 5);
  });

  it('shows who has the board open, and forgets it offline', async () => {
    const { c, ui, room } = await page(board(5, { a: [] }));
    const users = [{ id: ME, display_name: 'Me' }, { id: 'u-ann', display_name: 'Ann Lee' }];
    room.cb.onPresence(users);
    assert.deepEqual(ui.presence, [users]);
    assert.equal(c.confirmed.version, 5, 'presence is not an event');
    room.cb.onStatus('connecting');
    assert.equal(ui.presence.length, 1, 'reconnecting keeps the last list');
    room.cb.onStatus('offline');
    assert.deepEqual(ui.presence.at(-1), null);
    c.stop();
    room.cb.onPresence(users);
    assert.equal(ui.presence.length, 2, 'a stopped page shows nothing');
  });

  it('an event that does not fit refetches the board with its ETag, and a 304 reuses the last body', async () => {
    const server = board(5, { a: ['x'], b: [] });
    const { api, room, shown } = await page(server);
    server.version = 7;
    server.columns[1].cards.push(card('ghost', 'b', 0), card('x', 'b', 1));
    server.columns[0].cards = [];
    room.cb.onEvent(ev(6, 'card.moved', { card: card('x', 'b', 1), from: from('a', 1) }));
    await settle();
    assert.equal(api.refetches, 1);
    assert.equal(api.calls.at(-1).options.etag, '"v5"');
    assert.deepEqual(shown().layout, { a: [], b: ['ghost', 'x'] });
    assert.equal(shown().version, 7);
    await room.cb.onResync();
    assert.equal(api.calls.at(-1).options.etag, '"v7"');
    assert.deepEqual(shown().layout, { a: [], b: ['ghost', 'x'] }, 'the 304 keeps the board');
    assert.equal(shown().version, 7);
  });

  it('an event that does not fit, with a refetch that fails, retries the socket later', async () => {
    const { api, room } = await page(board(5, { a: ['x'] }));
    api.queue('GET', BOARD_PATH, new ApiError(503, 'unavailable', 'down'));
    room.cb.onEvent(ev(6, 'card.archived', {}));
    await settle();
    assert.deepEqual(room.log, ['start', 'reconnect 1000']);
  });

  it('a snapshot older than the events applied while it was out is ignored', async () => {
    const { c, api, room, shown } = await page(board(5, { a: ['x', 'y'] }));
    const slow = deferred();
    api.queue('GET', BOARD_PATH, slow.promise);
    const refetched = room.cb.onResync();
    room.cb.onEvent(ev(6, 'card.moved', { card: card('x', 'a', 1), from: from('a', 0) }));
    slow.resolve({ body: board(5, { a: ['x', 'y'] }), etag: '"v5"' });
    await refetched;
    assert.equal(c.confirmed.version, 6);
    assert.deepEqual(shown().layout, { a: ['y', 'x'] });
  });

  it('a move shows at once and stays until its own event, whatever comes first', async () => {
    const { c, api, room, shown } = await page(board(5, { a: ['x', 'y'], b: ['z'] }));
    const sent = deferred();
    api.queue('POST', '/api/cards/x/move', sent.promise);
    const moved = c.moveCard('x', 'b', 1);
    assert.deepEqual(shown().layout, { a: ['y'], b: ['z', 'x'] }, 'shown before the server answers');
    assert.deepEqual(api.calls.at(-1).body, { column_id: 'b', position: 1 });
    sent.resolve({});
    await moved;
    // Another person's earlier event still has x in a: x stays in b.
    room.cb.onEvent(ev(6, 'card.created', { card: card('n', 'a', 2) }));
    assert.deepEqual(shown().layout, { a: ['y', 'n'], b: ['z', 'x'] });
    assert.deepEqual(c.confirmed.columns.map((col) => col.cards.map((k) => k.id)), [['x', 'y', 'n'], ['z']]);
    room.cb.onEvent(ev(7, 'card.moved', { card: card('x', 'b', 1), from: from('a', 0) }, ME));
    assert.equal(c.pending.size, 0, 'its own event confirms it');
    assert.equal(shown().board, c.confirmed, 'nothing pending: the server’s board is drawn');
    assert.deepEqual(shown().layout, { a: ['y', 'n'], b: ['z', 'x'] });
    assert.equal(api.refetches, 0, 'a live page does not refetch');
  });

  it('the refusal of an older move of a card does not undo its newer move', async () => {
    const { c, api, ui, shown } = await page(board(5, { a: ['x'], b: [], c: [] }));
    const first = deferred();
    const second = deferred();
    api.queue('POST', '/api/cards/x/move', first.promise);
    api.queue('POST', '/api/cards/x/move', second.promise);
    const one = c.moveCard('x', 'b', 0);
    const two = c.moveCard('x', 'c', 0);
    first.reject(new ApiError(409, 'conflict', 'moved meanwhile'));
    await one;
    await settle();
    assert.equal(ui.toasts.length, 1);
    assert.deepEqual(shown().layout, { a: [], b: [], c: ['x'] });
    second.resolve({});
    await two;
    assert.deepEqual(shown().layout, { a: [], b: [], c: ['x'] });
    assert.equal(c.pending.get('x').done, true);
  });

  const refusals = [
    { name: 'a 409 is rolled back, said and refetched', err: new ApiError(409, 'conflict', 'the column is gone'), told: true, refetch: 1 },
    { name: 'a 422 is rolled back, said and refetched', err: new ApiError(422, 'validation_failed', 'invalid'), told: true, refetch: 1 },
    { name: 'no network is rolled back and said', err: new ApiError(0, 'network', 'unreachable'), told: true, refetch: 0 },
    { name: 'a 401 is rolled back in silence (signed out)', err: new ApiError(401, 'unauthorized', 'no'), told: false, refetch: 0 },
  ];
  for (const r of refusals) {
    it(`a refused move: ${r.name}`, async () => {
      const { c, api, ui, shown } = await page(board(5, { a: ['x', 'y'], b: [] }));
      api.queue('POST', '/api/cards/x/move', r.err);
      const moved = c.moveCard('x', 'b', 0);
      assert.deepEqual(shown().layout, { a: ['y'], b: ['x'] });
      await moved;
      await settle();
      assert.deepEqual(shown().layout, { a: ['x', 'y'], b: [] }, 'back where it was');
      assert.equal(c.pending.size, 0);
      assert.equal(ui.toasts.length, r.told ? 1 : 0, JSON.stringify(ui.toasts));
      if (r.told) {
        assert.match(ui.toasts[0].message, /^Could not move “x”\. .* It is back where it was\.$/);
        assert.equal(ui.toasts[0].kind, 'error');
        assert.deepEqual(ui.announced, ['Move refused. x is back in a.']);
      }
      assert.equal(api.refetches, r.refetch);
    });
  }

  it('a move to where the card is sends nothing', async () => {
    const { c, api } = await page(board(5, { a: ['x', 'y'] }));
    const before = api.calls.length;
    await c.moveCard('y', 'a', 1);
    await c.moveCard('ghost', 'a', 0);
    assert.equal(api.calls.length, before);
  });

  // Every change the page makes, and the request it sends.
  const changes = [
    { name: 'addCard', run: (c) => c.addCard('a', 'New'), call: ['POST', '/api/columns/a/cards', { title: 'New' }] },
    { name: 'updateCard', run: (c) => c.updateCard('x', { title: 'T' }), call: ['PATCH', '/api/cards/x', { title: 'T' }] },
    { name: 'deleteCard', run: (c) => c.deleteCard('x'), call: ['DELETE', '/api/cards/x', undefined] },
    { name: 'addColumn', run: (c) => c.addColumn('c'), call: ['POST', `/api/rooms/${ROOM}/columns`, { name: 'c' }] },
    { name: 'renameColumn', run: (c) => c.renameColumn('a', 'A'), call: ['PATCH', '/api/columns/a', { name: 'A' }] },
    { name: 'moveColumn', run: (c) => c.moveColumn('a', 1), call: ['PATCH', '/api/columns/a', { position: 1 }] },
    { name: 'deleteColumn', run: (c) => c.deleteColumn('b'), call: ['DELETE', '/api/columns/b', undefined] },
    { name: 'renameBoard', run: (c) => c.renameBoard('R'), call: ['PATCH', BOARD_PATH, { name: 'R' }] },
    { name: 'addMember', run: (c) => c.addMember('ann@x'), call: ['POST', `/api/rooms/${ROOM}/members`, { email: 'ann@x' }] },
    { name: 'removeMember', run: (c) => c.removeMember('u-ann'), call: ['DELETE', `/api/rooms/${ROOM}/members/u-ann`, undefined] },
    { name: 'moveCard', run: (c) => c.moveCard('x', 'b', 0), call: ['POST', '/api/cards/x/move', { column_id: 'b', position: 0 }] },
    { name: 'updateCard (due date)', run: (c) => c.updateCard('x', { due_at: null, due_complete: true }), call: ['PATCH', '/api/cards/x', { due_at: null, due_complete: true }] },
    { name: 'setLabel on', run: (c) => c.setLabel('x', 'bug', true), call: ['PUT', '/api/cards/x/labels/bug', undefined] },
    { name: 'setLabel off', run: (c) => c.setLabel('x', 'bug', false), call: ['DELETE', '/api/cards/x/labels/bug', undefined] },
    { name: 'setAssignee on', run: (c) => c.setAssignee('x', 'u-ann', true), call: ['PUT', '/api/cards/x/assignees/u-ann', undefined] },
    { name: 'setAssignee off', run: (c) => c.setAssignee('x', 'u-ann', false), call: ['DELETE', '/api/cards/x/assignees/u-ann', undefined] },
    { name: 'createLabel', run: (c) => c.createLabel('Bug', 'red'), call: ['POST', `/api/rooms/${ROOM}/labels`, { name: 'Bug', color: 'red' }] },
    { name: 'updateLabel', run: (c) => c.updateLabel('bug', { color: 'sky' }), call: ['PATCH', '/api/labels/bug', { color: 'sky' }] },
    { name: 'deleteLabel', run: (c) => c.deleteLabel('bug'), call: ['DELETE', '/api/labels/bug', undefined] },
    { name: 'addComment', run: (c) => c.addComment('x', 'Hi'), call: ['POST', '/api/cards/x/comments', { body: 'Hi' }] },
    { name: 'editComment', run: (c) => c.editComment('c1', 'Hello'), call: ['PATCH', '/api/comments/c1', { body: 'Hello' }] },
    { name: 'deleteComment', run: (c) => c.deleteComment('c1'), call: ['DELETE', '/api/comments/c1', undefined] },
  ];
  for (const ch of changes) {
    for (const live of [true, false]) {
      it(`${ch.name} ${live ? 'on a live page waits for its event' : 'without a live socket refetches the board'}`, async () => {
        const { c, api, shown } = await page(board(5, { a: ['x'], b: [] }), { live });
        await ch.run(c);
        await settle();
        const sent = api.calls.find((k) => k.method !== 'GET');
        assert.deepEqual([sent.method, sent.path, sent.body], ch.call);
        assert.equal(api.refetches, live ? 0 : 1);
        if (ch.name === 'moveCard') {
          // Not live: the refetch brings the move; nothing stays pending.
          assert.equal(c.pending.size, live ? 1 : 0);
          assert.deepEqual(shown().layout, live ? { a: [], b: ['x'] } : { a: ['x'], b: [] });
        }
      });
    }
  }

  it('liveness is read from the live room when the answer arrives, not when the change was sent', async () => {
    const { c, api, room } = await page(board(5, { a: ['x'] }), { live: true });
    const slow = deferred();
    api.queue('POST', '/api/columns/a/cards', slow.promise);
    const added = c.addCard('a', 'New');
    room.live = false; // the socket dropped meanwhile
    slow.resolve({});
    assert.equal(await added, true);
    await settle();
    assert.equal(api.refetches, 1);
  });

  it('a refused change says why, unless it was a 401, and draws nothing new', async () => {
    const { c, api, ui } = await page(board(5, { a: [] }), { live: false });
    const drawn = ui.renders.length;
    api.queue('POST', '/api/columns/a/cards', new ApiError(422, 'validation_failed', 'invalid', { title: 'is required' }));
    assert.equal(await c.addCard('a', ''), false);
    assert.deepEqual(ui.toasts, [{ message: 'Could not add the card. Title is required.', kind: 'error' }]);
    api.queue('DELETE', '/api/columns/a', new ApiError(401, 'unauthorized', 'no'));
    assert.equal(await c.deleteColumn('a'), false);
    assert.equal(ui.toasts.length, 1);
    await settle();
    assert.equal(api.refetches, 0);
    assert.equal(ui.renders.length, drawn);
  });

  it('applies every card-details event without a refetch, and tells an open dialog of comments', async () => {
    const server = board(5, { a: ['x', 'y'] });
    server.labels = [{ id: 'bug', room_id: ROOM, name: 'Bug', color: 'red' }];
    server.members.push({ user: { id: 'u-ann', email: 'ann@x', display_name: 'Ann' }, role: 'member', joined_at: 't' });
    Object.assign(server.columns[0].cards[0], { label_ids: ['bug'], assignee_ids: ['u-ann'], due_at: null, due_complete: false, comment_count: 0 });
    const { c, api, ui, room, shown } = await page(server);
    const x = () => shown().board.columns[0].cards[0];
    const comment = { id: 'c1', card_id: 'x', author: { id: 'u-ann' }, body: 'Hi', created_at: 't', updated_at: 't' };
    const events = [
      ev(6, 'label.created', { label: { id: 'ux', room_id: ROOM, name: 'UX', color: 'sky' } }),
      ev(7, 'label.updated', { label: { id: 'bug', room_id: ROOM, name: 'Defect', color: 'red' } }),
      ev(8, 'card.updated', { card: { ...x(), label_ids: ['bug', 'ux'], due_at: '2026-12-03T12:00:00Z' } }),
      ev(9, 'label.deleted', { label_id: 'bug' }),
      ev(10, 'comment.created', { comment, comment_count: 1 }),
      ev(11, 'comment.updated', { comment: { ...comment, body: 'Hello' }, comment_count: 1 }, ME),
      ev(12, 'comment.deleted', { comment_id: 'c1', card_id: 'x', comment_count: 0 }),
      ev(13, 'member.removed', { user_id: 'u-ann', unassigned_card_ids: ['x'] }),
    ];
    for (const e of events) room.cb.onEvent(e);
    assert.equal(shown().version, 13);
    assert.equal(api.refetches, 0, 'no event needed the board again');
    assert.deepEqual(shown().board.labels.map((l) => l.name), ['UX']);
    assert.deepEqual([x().label_ids, x().assignee_ids, x().due_at, x().comment_count], [['ux'], [], '2026-12-03T12:00:00Z', 0]);
    assert.deepEqual(ui.comments.map((e) => e.version), [10, 11, 12], 'each comment event reaches the page');
    assert.deepEqual(ui.flashed, ['x', 'x', 'x'], 'other people’s card and comment changes flash the card; my own do not');
    assert.equal(c.confirmed.version, 13);
  });

  it('loads a card\'s comments a page at a time, with the cursor', async () => {
    const { c, api } = await page(board(5, { a: ['x'] }));
    await c.comments('x', null, 50);
    await c.comments('x', 'abc', 50);
    assert.deepEqual(api.calls.filter((k) => k.path.includes('comments')).map((k) => k.path), ['/api/cards/x/comments?limit=50', '/api/cards/x/comments?limit=50&cursor=abc']);
  });

  it('label and comment forms get their refusal thrown, to show beside what was typed', async () => {
    const { c, api } = await page(board(5, { a: ['x'] }), { live: false });
    for (const [method, path, run] of [
      ['POST', `/api/rooms/${ROOM}/labels`, () => c.createLabel('Bug', 'red')],
      ['PATCH', '/api/labels/bug', () => c.updateLabel('bug', { name: 'Bug' })],
      ['POST', '/api/cards/x/comments', () => c.addComment('x', 'Hi')],
      ['PATCH', '/api/comments/c1', () => c.editComment('c1', 'Hi')],
    ]) {
      const err = new ApiError(409, 'label_exists', 'taken');
      api.queue(method, path, err);
      await assert.rejects(run(), err);
    }
  });

  it('addMember throws its refusal for the form to show', async () => {
    const { c, api } = await page(board(5, { a: [] }), { live: false });
    const err = new ApiError(409, 'already_member', 'already a member');
    api.queue('POST', `/api/rooms/${ROOM}/members`, err);
    await assert.rejects(c.addMember('me@x'), err);
    await settle();
    assert.equal(api.refetches, 0);
  });

  it('a keyboard move: lift, nudge across and down, drop sends one move', async () => {
    const { c, api, ui, shown } = await page(board(5, { a: ['x', 'y'], b: ['z', 'w'] }));
    c.liftCard('x');
    assert.equal(shown().liftedID, 'x');
    c.nudge(0, -1);
    assert.deepEqual(shown().layout, { a: ['x', 'y'], b: ['z', 'w'] }, 'the top is the top');
    c.nudge(1, 0);
    assert.deepEqual(shown().layout, { a: ['y'], b: ['x', 'z', 'w'] });
    c.nudge(0, 1);
    c.nudge(0, 1);
    c.nudge(0, 1);
    assert.deepEqual(shown().layout, { a: ['y'], b: ['z', 'w', 'x'] }, 'the bottom is the bottom');
    c.nudge(1, 0);
    assert.deepEqual(shown().layout, { a: ['y'], b: ['z', 'w', 'x'] }, 'no column past the last');
    assert.equal(api.calls.length, 1, 'nothing is sent before the drop');
    assert.equal(c.drop(), 'x');
    assert.equal(shown().liftedID, null);
    assert.deepEqual(shown().layout, { a: ['y'], b: ['z', 'w', 'x'] });
    assert.deepEqual(api.calls.at(-1).body, { column_id: 'b', position: 2 });
    assert.deepEqual(ui.announced, [
      'Picked up x. Arrow keys move it, Space drops it, Escape puts it back.',
      'a, position 1 of 2.',
      'b, position 1 of 3.',
      'b, position 2 of 3.',
      'b, position 3 of 3.',
      'b, position 3 of 3.',
      'Dropped in b, position 3.',
    ]);
  });

  it('a keyboard move put back, or dropped where it was, sends nothing', async () => {
    const { c, api, ui, shown } = await page(board(5, { a: ['x', 'y'], b: [] }));
    c.liftCard('y');
    c.nudge(1, 0);
    c.cancelLift();
    assert.deepEqual(shown().layout, { a: ['x', 'y'], b: [] });
    assert.equal(shown().liftedID, null);
    c.liftCard('x');
    c.nudge(1, 0);
    c.nudge(-1, 0);
    assert.equal(c.drop(), null);
    assert.equal(c.drop(), null, 'nothing lifted, nothing dropped');
    assert.equal(api.calls.length, 1);
    assert.deepEqual(ui.announced.filter((m) => !m.includes('position')), [
      'Picked up y. Arrow keys move it, Space drops it, Escape puts it back.',
      'Move cancelled.',
      'Picked up x. Arrow keys move it, Space drops it, Escape puts it back.',
      'Dropped where it was.',
    ]);
  });

  it('a lifted card that another person deletes is let go', async () => {
    const { c, room, shown } = await page(board(5, { a: ['x', 'y'] }));
    c.liftCard('x');
    room.cb.onEvent(ev(6, 'card.deleted', { card_id: 'x', column_id: 'a', from: from('a', 0) }));
    assert.equal(shown().liftedID, null);
    assert.deepEqual(shown().layout, { a: ['y'] });
    assert.equal(c.drop(), null);
  });

  const losses = [
    { name: 'the room deleted by its owner', lose: (room) => room.cb.onEvent(ev(6, 'room.deleted', {})), left: '“Room” was deleted by its owner.', stopped: true },
    { name: 'me removed by the owner', lose: (room) => room.cb.onEvent(ev(6, 'member.removed', { user_id: ME })), left: 'You were removed from “Room”.', stopped: true },
    { name: 'the socket finding the room gone', lose: (room) => room.cb.onLost('gone'), left: 'This board is gone, or you are no longer a member.', stopped: false },
  ];
  for (const l of losses) {
    it(`leaves the board on ${l.name}`, async () => {
      const { room, ui } = await page(board(5, { a: [] }));
      l.lose(room);
      assert.deepEqual(ui.left, [{ message: l.left, kind: 'error' }]);
      assert.deepEqual(room.log, l.stopped ? ['start', 'stop'] : ['start']);
    });
  }

  it('a socket whose own access was revoked refetches, then opens again; a 404 leaves', async () => {
    const { api, room, ui } = await page(board(5, { a: [] }));
    room.cb.onLost('removed');
    await settle();
    assert.equal(api.refetches, 1);
    assert.deepEqual(room.log, ['start', 'start']);
    api.queue('GET', BOARD_PATH, new ApiError(404, 'not_found', 'no'));
    room.cb.onLost('removed');
    await settle();
    assert.deepEqual(ui.left, [{ message: 'This board is gone, or you are no longer a member.', kind: 'error' }]);
  });

  it('deleting the board closes the socket first; a refusal opens it again', async () => {
    const { c, api, room, ui } = await page(board(5, { a: [] }));
    api.queue('DELETE', BOARD_PATH, new ApiError(503, 'unavailable', 'down'));
    await c.deleteBoard();
    assert.deepEqual(room.log, ['start', 'stop', 'start']);
    assert.equal(ui.toasts.length, 1);
    assert.deepEqual(ui.left, []);
    await c.deleteBoard();
    assert.deepEqual(room.log, ['start', 'stop', 'start', 'stop']);
    assert.deepEqual(ui.left, [{ message: '“Room” was deleted.', kind: 'info' }]);
  });

  it('leaving the board removes me, with the socket closed first', async () => {
    const { c, api, room, ui } = await page(board(5, { a: [] }));
    await c.leaveBoard();
    assert.deepEqual(api.calls.at(-1), { method: 'DELETE', path: `/api/rooms/${ROOM}/members/${ME}`, body: undefined, options: undefined });
    assert.deepEqual(room.log, ['start', 'stop']);
    assert.deepEqual(ui.left, [{ message: 'You left “Room”.', kind: 'info' }]);
  });

  it('decides what each role may do: owners manage, owners and members edit, everyone comments', () => {
    assert.deepEqual(permissions('owner'), { role: 'owner', edit: true, manage: true, comment: true, viewOnly: false });
    assert.deepEqual(permissions('member'), { role: 'member', edit: true, manage: false, comment: true, viewOnly: false });
    assert.deepEqual(permissions('viewer'), { role: 'viewer', edit: false, manage: false, comment: true, viewOnly: true });
    assert.deepEqual(permissions(undefined), { role: null, edit: false, manage: false, comment: false, viewOnly: false }, 'no board yet, no rights');
  });

  it('a viewer cannot move a card, by keyboard or pointer: nothing is sent, and a screen reader hears why', async () => {
    const b = board(5, { a: ['x'], b: [] });
    b.role = 'viewer';
    const { c, api, ui, shown } = await page(b);
    assert.equal(c.can.edit, false);
    c.liftCard('x');
    assert.equal(shown().liftedID, null);
    assert.match(ui.announced.at(-1), /View only/);
    await c.moveCard('x', 'b', 0);
    assert.deepEqual(shown().layout, { a: ['x'], b: [] });
    assert.equal(api.calls.filter((call) => call.method !== 'GET').length, 0);
  });

  it('member.updated about me changes what I may do at once, drops a keyboard move, and says so', async () => {
    const b = board(5, { a: ['x'], b: [] });
    const ann = { user: { id: 'u-ann', email: 'ann@x', display_name: 'Ann' }, role: 'owner', joined_at: 't' };
    b.members[0].role = 'member';
    b.role = 'member';
    b.members.push(ann);
    const { c, api, ui, room, shown } = await page(b);
    c.liftCard('x');
    c.nudge(1, 0);
    assert.equal(shown().liftedID, 'x');
    room.cb.onEvent(ev(6, 'member.updated', { member: { ...b.members[0], role: 'viewer' } }, 'u-ann'));
    assert.equal(c.can.edit, false);
    assert.equal(shown().board.role, 'viewer', 'the page is drawn for the new role');
    assert.equal(shown().liftedID, null, 'the lifted card is put back');
    assert.deepEqual(shown().layout, { a: ['x'], b: [] });
    assert.equal(c.drop(), null);
    assert.match(ui.toasts.at(-1).message, /^Ann made you a viewer of “Room”\. You can read this board and comment/);
    assert.equal(ui.announced.at(-1), ui.toasts.at(-1).message);
    assert.equal(api.refetches, 0, 'applied from the event, no refetch');

    // Someone else's new role changes the list, not my rights.
    const toasts = ui.toasts.length;
    room.cb.onEvent(ev(7, 'member.updated', { member: { ...ann, role: 'member' } }, ME));
    assert.equal(c.can.edit, false);
    assert.equal(ui.toasts.length, toasts);
    assert.deepEqual(c.confirmed.members.map((m) => m.role), ['viewer', 'member']);

    room.cb.onEvent(ev(8, 'member.updated', { member: { ...b.members[0], role: 'member' } }, 'u-ann'));
    assert.equal(c.can.edit, true);
    assert.match(ui.toasts.at(-1).message, /made you a member of “Room”\. You can change this board\.$/);
    c.liftCard('x');
    assert.equal(shown().liftedID, 'x', 'editable again, live');
  });

  it('setRole and addMember send the role, and throw the refusal for the row or form to show', async () => {
    const { c, api } = await page(board(5, { a: [] }));
    await c.addMember('ann@x', 'viewer');
    assert.deepEqual(api.calls.at(-1).body, { email: 'ann@x', role: 'viewer' });
    const err = new ApiError(409, 'last_owner', 'the room must keep an owner');
    api.queue('PATCH', `/api/rooms/${ROOM}/members/${ME}`, err);
    await assert.rejects(c.setRole(ME, 'member'), err);
    api.queue('PATCH', `/api/rooms/${ROOM}/members/u-ann`, { user: { id: 'u-ann' }, role: 'owner' });
    assert.equal((await c.setRole('u-ann', 'owner')).role, 'owner');
    assert.deepEqual(api.calls.at(-1).body, { role: 'owner' });
  });

  it('archive events apply without a refetch and tell an open archive panel; the archive calls go where they should', async () => {
    const { c, api, ui, room, shown } = await page(board(5, { a: ['x', 'y'], b: ['z'] }));
    room.cb.onEvent(ev(6, 'card.archived', { card: { ...card('y', 'a', 1), archived_at: 't' }, from: from('a', 1) }));
    assert.deepEqual(shown().layout, { a: ['x'], b: ['z'] });
    room.cb.onEvent(ev(7, 'column.archived', { column: { id: 'b', room_id: ROOM, name: 'b', position: 1, archived_at: 't' }, columns: ['a'] }));
    assert.deepEqual(shown().layout, { a: ['x'] });
    room.cb.onEvent(ev(8, 'column.restored', { column: { id: 'b', room_id: ROOM, name: 'b', position: 1, archived_at: null, cards: [card('z', 'b', 0)] }, columns: ['a', 'b'] }));
    room.cb.onEvent(ev(9, 'card.restored', { card: card('y', 'a', 1) }));
    assert.deepEqual(shown().layout, { a: ['x', 'y'], b: ['z'] });
    room.cb.onEvent(ev(10, 'room.updated', { name: 'R' }));
    assert.deepEqual(ui.archived.map((e) => e.type), ['card.archived', 'column.archived', 'column.restored', 'card.restored'], 'only archive events reach the panel');
    assert.equal(api.refetches, 0);

    // An archive event that does not fit refetches, and tells the panel too.
    room.cb.onEvent(ev(11, 'card.archived', { card: { ...card('ghost', 'a', 0), archived_at: 't' }, from: from('a', 0) }));
    await settle();
    assert.equal(api.refetches, 1);
    assert.equal(ui.archived.length, 5);

    for (const [call, method, path] of [
      [() => c.archiveCard('x'), 'POST', '/api/cards/x/archive'],
      [() => c.restoreCard('x'), 'POST', '/api/cards/x/restore'],
      [() => c.archiveColumn('a'), 'POST', '/api/columns/a/archive'],
      [() => c.restoreColumn('a'), 'POST', '/api/columns/a/restore'],
      [() => c.archived(), 'GET', `/api/rooms/${ROOM}/archive`],
    ]) {
      await call();
      const last = api.calls.filter((x) => x.path !== BOARD_PATH).at(-1);
      assert.deepEqual([last.method, last.path], [method, path]);
    }
  });

  it('a refused archive says why, and a viewer\'s page is told so by the server', async () => {
    const { c, api, ui } = await page(board(5, { a: ['x'] }));
    api.queue('POST', '/api/cards/x/archive', new ApiError(403, 'forbidden', 'viewers cannot change the board'));
    assert.equal(await c.archiveCard('x'), false);
    assert.match(ui.toasts.at(-1).message, /^Could not archive the card\. Viewers cannot change the board\.$/);
  });

  it('a stopped page draws nothing and leaves nothing', async () => {
    const { c, room, ui } = await page(board(5, { a: ['x'] }));
    const drawn = ui.renders.length;
    c.stop();
    room.cb.onEvent(ev(6, 'room.updated', { name: 'New' }));
    await room.cb.onResync();
    room.cb.onLost('gone');
    assert.equal(ui.renders.length, drawn);
    assert.deepEqual(ui.left, []);
    assert.equal(c.confirmed.name, 'Room');
  });
});

// FakeSocket stands for the browser's WebSocket.
class FakeSocket extends EventTarget {
  static opened = [];

  constructor(url) {
    super();
    this.url = new URL(url);
    this.closedWith = null;
    FakeSocket.opened.push(this);
  }

  close(code) { this.closedWith = code; }
  open() { this.dispatchEvent(new Event('open')); }
  send(event) { this.dispatchEvent(new MessageEvent('message', { data: JSON.stringify(event) })); }
  drop(code) { this.dispatchEvent(Object.assign(new Event('close'), { code })); }
}

describe('BoardController with a real LiveRoom', () => {
  before(() => {
    globalThis.window = Object.assign(new EventTarget(), { location: { href: 'http://syncboard.test/' } });
    globalThis.WebSocket = FakeSocket;
  });
  after(() => {
    delete globalThis.window;
    delete globalThis.WebSocket;
  });

  it('is live only while the socket is open, and refetches after a change when it is not', async () => {
    const api = new FakeApi(board(5, { a: [] }));
    api.queue('POST', `/api/rooms/${ROOM}/ws-ticket`, { ticket: 't1' });
    const statuses = [];
    let room;
    const c = new BoardController({
      api, roomID: ROOM, me: { id: ME }, schedule: (fn) => fn(),
      live: (callbacks) => { room = new LiveRoom(api, ROOM, callbacks); return room; },
      ui: { render() {}, status: (s) => statuses.push(s), leave() {}, toast() {}, announce() {}, flash() {}, loadFailed() {} },
    });
    try {
      assert.equal(room.live, false);
      await c.start();
      await settle();
      const ws = FakeSocket.opened.at(-1);
      assert.equal(ws.url.pathname, `/api/rooms/${ROOM}/ws`);
      assert.equal(ws.url.searchParams.get('ticket'), 't1');
      assert.equal(ws.url.searchParams.get('since'), '5');
      assert.equal(room.live, false, 'connecting is not live');
      ws.open();
      assert.equal(room.live, true);
      assert.deepEqual(statuses, ['connecting', 'live']);

      ws.send({ type: 'presence', users: [{ id: ME, display_name: 'Me' }] });
      assert.equal(c.confirmed.version, 5, 'presence is not an event');
      ws.send(ev(6, 'room.updated', { name: 'Renamed' }));
      assert.equal(c.confirmed.name, 'Renamed');
      // Presence has no version: it is not a gap, and changes nothing.
      ws.send({ type: 'presence', users: [{ id: ME, display_name: 'Me' }] });
      assert.deepEqual(c.presence, [{ id: ME, display_name: 'Me' }]);
      assert.equal(c.confirmed.version, 6);
      assert.equal(FakeSocket.opened.at(-1), ws, 'no reconnect');
      await c.addColumn('b');
      await settle();
      assert.equal(api.refetches, 0, 'live: the event brings the change (and presence refetches nothing)');

      ws.drop(1006);
      assert.equal(room.live, false);
      assert.equal(statuses.at(-1), 'offline');
      await c.addColumn('c');
      await settle();
      assert.equal(api.refetches, 1, 'not live: the page refetches');
    } finally {
      c.stop();
    }
    assert.equal(room.live, false, 'a stopped room is not live');
  });
});
