// Unit tests of roomlist.js (the boards list kept live by the user's
// stream) and userstream.js (that stream's socket, over a fake WebSocket).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RoomList, newestFirst } from '../assets/roomlist.js';
import { UserStream } from '../assets/userstream.js';

// room n was created n minutes after the first; newer rooms sort first.
const room = (n, name = `Board ${n}`, role = 'member') => ({
  id: `r${String(n).padStart(2, '0')}`, name, role, version: 1, created_by: 'u', created_at: new Date(Date.UTC(2026, 11, 1, 9, n)).toISOString(),
});
const ids = (list) => list.rooms.map((r) => r.id);
const page = (rooms, next = null) => ({ items: rooms, next_cursor: next });

describe('RoomList', () => {
  it('orders as the server does: newest first, then by id, to the microsecond', () => {
    const a = { id: 'a', created_at: '2026-12-01T09:00:00.123456Z' };
    const b = { id: 'b', created_at: '2026-12-01T09:00:00.123457Z' };
    const c = { id: 'c', created_at: '2026-12-01T09:00:00.123457Z' };
    assert.deepEqual([a, b, c].sort(newestFirst).map((r) => r.id), ['c', 'b', 'a']);
  });

  it('inserts an added room in its place, renames one, and drops a removed one', () => {
    const list = new RoomList();
    list.addPage(page([room(5), room(3), room(1)]));
    assert.deepEqual(list.apply({ type: 'room.added', room: room(4) }), { type: 'room.added', room: room(4) });
    assert.deepEqual(ids(list), ['r05', 'r04', 'r03', 'r01']);
    list.apply({ type: 'room.added', room: room(9) });
    assert.deepEqual(ids(list), ['r09', 'r05', 'r04', 'r03', 'r01']);
    const renamed = list.apply({ type: 'room.updated', room: room(3, 'Renamed', 'viewer') });
    assert.equal(renamed.type, 'room.updated');
    assert.deepEqual([list.rooms[3].name, list.rooms[3].role], ['Renamed', 'viewer']);
    assert.deepEqual(list.apply({ type: 'room.removed', room_id: 'r04' }), { type: 'room.removed', room: room(4) });
    assert.deepEqual(ids(list), ['r09', 'r05', 'r03', 'r01']);
    assert.equal(list.apply({ type: 'room.removed', room_id: 'r04' }), null, 'removing it again changes nothing');
    assert.equal(list.apply({ type: 'room.added', room: room(9, 'Again') }).type, 'room.updated', 'an added room it has is replaced, once');
    assert.equal(list.rooms.filter((r) => r.id === 'r09').length, 1);
    assert.equal(list.apply({ type: 'presence', users: [] }), null);
    assert.equal(list.apply({ type: 'room.added' }), null);
  });

  it('leaves a room older than every loaded one to its page, and takes each room once', () => {
    const list = new RoomList();
    list.addPage(page([room(9), room(8)], 'cursor-1'));
    assert.equal(list.more, true);
    assert.equal(list.apply({ type: 'room.added', room: room(2) }), null, 'its page brings it');
    assert.equal(list.apply({ type: 'room.updated', room: room(3) }), null);
    list.apply({ type: 'room.added', room: room(10) });
    list.addPage(page([room(8), room(3), room(2)]));
    assert.deepEqual(ids(list), ['r10', 'r09', 'r08', 'r03', 'r02']);
    assert.equal(list.more, false);
    list.apply({ type: 'room.added', room: room(0) });
    assert.deepEqual(ids(list).at(-1), 'r00', 'with every page loaded, any room fits');
  });

  it('a sync replaces the list with a fresh page and replays what came meanwhile on top', () => {
    const list = new RoomList();
    list.addPage(page([room(5), room(3)]));
    list.startSync();
    assert.equal(list.syncLimit(), 24);
    list.apply({ type: 'room.added', room: room(7) });
    list.apply({ type: 'room.removed', room_id: 'r05' });
    assert.deepEqual(ids(list), ['r07', 'r03'], 'applied at once');
    // The page was read before both messages, and after a change missed
    // while the stream was closed (room 4 added).
    list.finishSync(page([room(5), room(4), room(3)]));
    assert.deepEqual(ids(list), ['r07', 'r04', 'r03']);
    list.apply({ type: 'room.removed', room_id: 'r04' });
    assert.equal(list.replay, null, 'no sync: nothing kept');
    assert.equal(new RoomList().syncLimit(), 24);
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
  send(msg) { this.dispatchEvent(new MessageEvent('message', { data: JSON.stringify(msg) })); }
  drop(code) { this.dispatchEvent(Object.assign(new Event('close'), { code })); }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const tick = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('UserStream', () => {
  before(() => {
    globalThis.window = Object.assign(new EventTarget(), { location: { href: 'https://syncboard.test/' } });
    globalThis.WebSocket = FakeSocket;
  });
  after(() => {
    delete globalThis.window;
    delete globalThis.WebSocket;
  });

  function stream({ ticket = () => ({ ticket: `t${FakeSocket.opened.length + 1}` }), refresh = async () => true } = {}) {
    const log = [];
    const api = { post: async (path) => { log.push(`POST ${path}`); return ticket(); } };
    const session = { refresh: async () => { log.push('refresh'); return refresh(); } };
    const got = { opens: 0, messages: [], statuses: [] };
    const s = new UserStream(api, session, {
      onOpen: () => got.opens++,
      onMessage: (m) => got.messages.push(m),
      onStatus: (st) => got.statuses.push(st),
    });
    return { s, log, got };
  }

  it('opens with a ticket, passes messages on, and says when it is open', async () => {
    const { s, log, got } = stream();
    s.start();
    await settle();
    const ws = FakeSocket.opened.at(-1);
    assert.equal(ws.url.href, `wss://syncboard.test/api/ws?ticket=t${FakeSocket.opened.length}`);
    assert.deepEqual(log, ['POST /api/ws-ticket']);
    ws.open();
    assert.equal(got.opens, 1);
    assert.equal(s.live, true);
    ws.send({ type: 'room.removed', room_id: 'r1' });
    assert.deepEqual(got.messages, [{ type: 'room.removed', room_id: 'r1' }]);
    s.stop();
    assert.equal(ws.closedWith, 1000);
    assert.equal(s.live, false);
  });

  it('reconnects after a drop, with backoff, and says it opened again', async () => {
    const { s, got } = stream();
    s.start();
    await settle();
    const first = FakeSocket.opened.at(-1);
    first.open();
    first.drop(1006);
    assert.equal(got.statuses.at(-1), 'offline');
    await tick(600); // the first backoff is 250 to 500 ms
    const second = FakeSocket.opened.at(-1);
    assert.notEqual(second, first);
    second.open();
    assert.equal(got.opens, 2);
    first.send({ type: 'room.added', room: {} });
    assert.deepEqual(got.messages, [], 'an old socket is not heard');
    s.stop();
  });

  it('after 4001 refreshes the token, then reconnects; a refused refresh stops it', async () => {
    const refused = { ok: true };
    const { s, log } = stream({ refresh: async () => refused.ok });
    s.start();
    await settle();
    FakeSocket.opened.at(-1).open();
    FakeSocket.opened.at(-1).drop(4001);
    await settle();
    await tick(5);
    assert.deepEqual(log, ['POST /api/ws-ticket', 'refresh', 'POST /api/ws-ticket']);
    refused.ok = false;
    FakeSocket.opened.at(-1).open();
    FakeSocket.opened.at(-1).drop(4001);
    await settle();
    await tick(5);
    assert.equal(s.stopped, true);
    assert.equal(log.filter((l) => l.startsWith('POST')).length, 2);
  });

  it('stops when the ticket is refused with 401, and backs off on anything else', async () => {
    const answers = [Object.assign(new Error('busy'), { status: 429 }), Object.assign(new Error('no'), { status: 401 })];
    const { s, got } = stream({ ticket: () => { throw answers.shift(); } });
    s.start();
    await settle();
    assert.equal(got.statuses.at(-1), 'offline');
    assert.equal(s.stopped, false);
    await tick(600);
    assert.equal(s.stopped, true);
  });
});
