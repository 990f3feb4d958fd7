// Unit tests of presence.js: who has the board open, as the header shows it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { presenceView } from '../assets/presence.js';

const u = (id, display_name) => ({ id, display_name });

describe('presenceView', () => {
  it('puts me first, marked, then the others by name, each once', () => {
    const v = presenceView([u('b', 'Bob Jones'), u('me', 'Ann Lee'), u('c', 'alice'), u('b', 'Bob Jones')], 'me');
    assert.deepEqual(v.shown.map((p) => [p.initials, p.label, p.me]), [
      ['AL', 'You (Ann Lee) are viewing', true],
      ['A', 'alice is viewing', false],
      ['BJ', 'Bob Jones is viewing', false],
    ]);
    assert.equal(v.more, null);
    assert.equal(v.summary, 'Viewing now: 3 people');
  });

  it('shows at most five, the last place saying how many more and who', () => {
    const users = ['Ann', 'Bea', 'Cy', 'Dee', 'Eve', 'Fay', 'Gus'].map((n) => u(n.toLowerCase(), n));
    const v = presenceView(users, 'ann');
    assert.deepEqual(v.shown.map((p) => p.initials), ['A', 'B', 'C', 'D']);
    assert.deepEqual(v.more, { count: 3, label: '3 more viewing: Eve, Fay, Gus' });
    const five = presenceView(users.slice(0, 5), 'ann');
    assert.equal(five.shown.length, 5);
    assert.equal(five.more, null);
  });

  it('says when I am alone, and survives an empty or odd list', () => {
    assert.equal(presenceView([u('me', 'Ann')], 'me').summary, 'Viewing now: only you');
    assert.deepEqual(presenceView([], 'me').shown, []);
    assert.deepEqual(presenceView(null, 'me').shown, []);
    assert.deepEqual(presenceView([u('x', '  '), null, { display_name: 'no id' }], 'me').shown.map((p) => p.label), ['Someone is viewing']);
  });
});
