// Unit tests of search.js, the search box's state without DOM: the pause
// before asking, stale requests aborted and their answers dropped, pages
// followed with the cursor. make e2e runs them with node --test.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../assets/api.js';
import { Search, searchHash } from '../assets/search.js';

// FakeTimers runs timeouts when the test says time has passed.
class FakeTimers {
  constructor() { this.now = 0; this.due = new Map(); this.seq = 0; }
  setTimeout(fn, ms) { const id = ++this.seq; this.due.set(id, { at: this.now + ms, fn }); return id; }
  clearTimeout(id) { this.due.delete(id); }
  tick(ms) {
    this.now += ms;
    for (const [id, t] of [...this.due]) if (t.at <= this.now) { this.due.delete(id); t.fn(); }
  }
}

// FakeApi answers each GET with a promise the test settles; it records
// the path and whether the request was aborted.
class FakeApi {
  constructor() { this.calls = []; }
  get(path, { signal }) {
    let resolve;
    let reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    const call = { path, query: new URL(path, 'http://x').searchParams, signal, resolve, reject };
    signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
    this.calls.push(call);
    return promise;
  }
}

const hit = (id, archived = false) => ({ card: { id, title: id, archived_at: archived ? 't' : null }, room: { id: 'r', name: 'R' }, column: { id: 'c', name: 'C' } });
const settle = () => new Promise((resolve) => setImmediate(resolve));

function setup() {
  const api = new FakeApi();
  const timers = new FakeTimers();
  const states = [];
  const s = new Search({ api, timers, onChange: (st) => states.push(st), limit: 2 });
  return { api, timers, states, s };
}

describe('Search', () => {
  it('waits for a pause in the typing, then asks once for what is typed', async () => {
    const { api, timers, s } = setup();
    s.type('s');
    timers.tick(100);
    s.type('sh');
    timers.tick(100);
    s.type('ship  ');
    assert.equal(api.calls.length, 0, 'nothing is asked while typing');
    assert.equal(s.state.loading, true);
    timers.tick(250);
    assert.equal(api.calls.length, 1);
    assert.equal(api.calls[0].query.get('q'), 'ship');
    assert.equal(api.calls[0].query.get('limit'), '2');
    assert.equal(api.calls[0].query.has('cursor'), false);
    api.calls[0].resolve({ items: [hit('a')], next_cursor: null });
    await settle();
    assert.deepEqual(s.state.items.map((x) => x.card.id), ['a']);
    assert.equal(s.state.loading, false);
    assert.equal(s.state.searched, true);
  });

  it('a newer query clears the old hits, aborts the older request, and a late answer to it is dropped', async () => {
    const { api, timers, s } = setup();
    s.type('sh');
    timers.tick(250);
    api.calls.shift().resolve({ items: [hit('sh')], next_cursor: 'n' });
    await settle();
    assert.equal(s.state.items.length, 1);
    s.type('ship');
    assert.deepEqual([s.state.items, s.state.next, s.state.searched], [[], null, false], 'no hits of sh under ship');
    timers.tick(250);
    const first = api.calls[0];
    s.type('spec');
    assert.equal(first.signal.aborted, true, 'typing aborts the request out');
    timers.tick(250);
    assert.deepEqual(s.state.items, [], 'the old hits are not shown under the new words');
    const second = api.calls[1];
    first.resolve({ items: [hit('old')], next_cursor: null }); // too late: already rejected
    second.resolve({ items: [hit('new')], next_cursor: null });
    await settle();
    assert.deepEqual(s.state.items.map((x) => x.card.id), ['new']);
    assert.equal(s.state.q, 'spec');
    assert.equal(s.state.error, null, 'an aborted request is not an error');
  });

  it('an answer for a query no longer typed is dropped even if it was not aborted', async () => {
    const api = { calls: [], get(path) { const d = {}; const p = new Promise((r) => { d.resolve = r; }); this.calls.push(d); return p; } };
    const timers = new FakeTimers();
    const s = new Search({ api, timers, onChange: () => {} });
    s.type('ship');
    timers.tick(250);
    s.type('spec');
    api.calls[0].resolve({ items: [hit('old')], next_cursor: null });
    await settle();
    assert.deepEqual(s.state.items, []);
    assert.equal(s.state.loading, true, 'still waiting for spec');
  });

  it('Load more follows the cursor and appends; clearing the box clears the results', async () => {
    const { api, timers, s } = setup();
    s.type('card');
    timers.tick(250);
    api.calls[0].resolve({ items: [hit('a'), hit('b')], next_cursor: 'c2' });
    await settle();
    assert.equal(s.state.next, 'c2');
    s.more();
    assert.equal(api.calls[1].query.get('cursor'), 'c2');
    assert.equal(api.calls[1].query.get('q'), 'card');
    s.more(); // one page at a time
    assert.equal(api.calls.length, 2);
    api.calls[1].resolve({ items: [hit('c', true)], next_cursor: null });
    await settle();
    assert.deepEqual(s.state.items.map((x) => x.card.id), ['a', 'b', 'c']);
    assert.equal(s.state.next, null);
    assert.equal(s.more(), undefined, 'no more to load');
    s.type('   ');
    assert.deepEqual(s.state, { q: '', items: [], next: null, loading: false, error: null, searched: false });
  });

  it('Enter searches at once; the same query again asks nothing', async () => {
    const { api, timers, s } = setup();
    s.type('plan');
    const done = s.now('plan');
    assert.equal(api.calls.length, 1);
    timers.tick(1000);
    assert.equal(api.calls.length, 1, 'the pending pause was cancelled');
    api.calls[0].resolve({ items: [], next_cursor: null });
    await done;
    s.now('plan');
    s.type('plan');
    assert.equal(api.calls.length, 1);
  });

  it('a refusal is kept for the box to show, and the query is cut to 200 characters', async () => {
    const { api, timers, s } = setup();
    s.type('x'.repeat(250));
    timers.tick(250);
    assert.equal(api.calls[0].query.get('q').length, 200);
    const err = new ApiError(503, 'unavailable', 'down');
    api.calls[0].reject(err);
    await settle();
    assert.equal(s.state.error, err);
    assert.equal(s.state.loading, false);
  });

  it('a hit leads to its card, or to the archive for an archived card', () => {
    assert.equal(searchHash(hit('a')), '#/rooms/r/cards/a');
    assert.equal(searchHash(hit('a', true)), '#/rooms/r/archive/a');
  });
});
