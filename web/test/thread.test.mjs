// Unit tests of thread.js: a card's comments from pages, this page's own
// requests and the room's events, each once, in the server's order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Thread, compare } from '../assets/thread.js';

// comment n was written at second n; edits carry a later updated_at.
const at = (n, frac = '') => `2026-12-03T12:00:${String(n).padStart(2, '0')}${frac}Z`;
const comment = (n, body = `c${n}`, updated = at(n)) => ({ id: `id${n}`, card_id: 'x', author: { id: 'u' }, body, created_at: at(n), updated_at: updated });
const ids = (list) => list.map((c) => c.id);

describe('Thread', () => {
  it('shows one page with nothing more to load as one list', () => {
    const t = new Thread();
    t.addPage({ items: [comment(1), comment(2)], next_cursor: null });
    assert.deepEqual(t.view(2), { loaded: [comment(1), comment(2)], gap: false, hidden: 0, later: [] });
  });

  it('puts comments that came live after the pages loaded so far, past a gap, and fills it page by page', () => {
    const t = new Thread();
    t.addPage({ items: [comment(1), comment(2)], next_cursor: 'p2' });
    t.put(comment(9)); // written by someone while the rest is not loaded
    let v = t.view(6);
    assert.deepEqual([ids(v.loaded), v.gap, v.hidden, ids(v.later)], [['id1', 'id2'], true, 3, ['id9']]);
    t.addPage({ items: [comment(3), comment(4), comment(5)], next_cursor: 'p3' });
    v = t.view(6);
    assert.deepEqual([ids(v.loaded), v.hidden, ids(v.later)], [['id1', 'id2', 'id3', 'id4', 'id5'], 0, ['id9']]);
    t.addPage({ items: [comment(9)], next_cursor: null }); // the live one again, from its page
    v = t.view(6);
    assert.deepEqual([ids(v.loaded), v.gap, ids(v.later)], [['id1', 'id2', 'id3', 'id4', 'id5', 'id9'], false, []]);
  });

  it('keeps the newest edit of a comment, whichever arrives last', () => {
    const t = new Thread();
    t.addPage({ items: [comment(1)], next_cursor: null });
    t.put(comment(1, 'edited', at(30)));
    t.put(comment(1, 'older', at(20)));
    assert.equal(t.view(1).loaded[0].body, 'edited');
  });

  it('does not bring back a deleted comment from a late answer or page', () => {
    const t = new Thread();
    t.put(comment(1));
    t.remove('id1');
    t.put(comment(1));
    t.addPage({ items: [comment(1), comment(2)], next_cursor: null });
    assert.deepEqual(ids(t.view(1).loaded), ['id2']);
  });
});

describe('compare', () => {
  it('orders by time, fraction digit by digit, then ID', () => {
    const a = { id: 'b', created_at: at(1, '.5') };
    const b = { id: 'a', created_at: at(1, '.45') };
    const c = { id: 'a', created_at: at(1, '.500001') };
    const d = { id: 'c', created_at: at(1, '.500001') };
    assert.deepEqual([d, c, a, b].sort(compare).map((x) => `${x.created_at} ${x.id}`), [b, a, c, d].map((x) => `${x.created_at} ${x.id}`));
  });
});
