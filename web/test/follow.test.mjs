// Unit tests of follow.js: what an open card dialog does when the card
// changes under it, and what Save sends.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toLocalInput } from '../assets/details.js';
import { changes, followCard } from '../assets/follow.js';

const card = (title, description = '', due = {}) => ({
  id: 'c', title, description, column_id: 'col', position: 0, due_at: null, due_complete: false, label_ids: [], assignee_ids: [], comment_count: 0, ...due,
});
const NOON = '2026-12-03T12:00:00Z';
const EVENING = '2026-12-03T18:30:00Z';

describe('followCard', () => {
  const base = { title: 'Spec', description: 'Two pages.', due: '', done: false };
  for (const { name, typed, now, want } of [
    {
      name: 'nothing changed: nothing to do',
      typed: { title: 'Spec', description: 'Two pages.', due: '', done: false }, now: card('Spec', 'Two pages.'),
      want: { gone: false, set: {}, conflicts: [], base },
    },
    {
      name: 'another person renamed it, the title untouched: the field follows',
      typed: { title: 'Spec', description: 'Two pages.', due: '', done: false }, now: card('The spec', 'Two pages.'),
      want: { gone: false, set: { title: 'The spec' }, conflicts: [], base: { title: 'The spec', description: 'Two pages.', due: '', done: false } },
    },
    {
      name: 'the person typed only in the title: the description still follows',
      typed: { title: 'Mine', description: 'Two pages.', due: '', done: false }, now: card('Spec', 'Three pages.'),
      want: { gone: false, set: { description: 'Three pages.' }, conflicts: [], base: { title: 'Spec', description: 'Three pages.', due: '', done: false } },
    },
    {
      name: 'both changed the description differently: the typed text stays, a conflict',
      typed: { title: 'Spec', description: 'Mine.', due: '', done: false }, now: card('Spec', 'Theirs.'),
      want: { gone: false, set: {}, conflicts: ['description'], base: { title: 'Spec', description: 'Theirs.', due: '', done: false } },
    },
    {
      name: 'both typed the same: no conflict, nothing to set',
      typed: { title: 'Same', description: 'Two pages.', due: '', done: false }, now: card('Same', 'Two pages.'),
      want: { gone: false, set: {}, conflicts: [], base: { title: 'Same', description: 'Two pages.', due: '', done: false } },
    },
    {
      name: 'the person typed, nobody else changed it: nothing to do',
      typed: { title: 'Mine', description: 'Mine.', due: '', done: false }, now: card('Spec', 'Two pages.'),
      want: { gone: false, set: {}, conflicts: [], base },
    },
    {
      name: 'the card was deleted: gone, the base kept',
      typed: { title: 'Mine', description: 'Mine.', due: '', done: false }, now: null,
      want: { gone: true, set: {}, conflicts: [], base },
    },
  ]) {
    it(name, () => assert.deepEqual(followCard(base, typed, now), want));
  }

  it('a due date set elsewhere follows an untouched field, in local time; a typed one is a conflict', () => {
    const noon = toLocalInput(NOON);
    assert.match(noon, /^2026-12-0[34]T\d\d:\d\d$/);
    const untouched = followCard(base, { ...base }, card('Spec', 'Two pages.', { due_at: NOON }));
    assert.deepEqual(untouched.set, { due: noon });
    assert.equal(untouched.base.due, noon);
    const typed = followCard(base, { ...base, due: toLocalInput(EVENING) }, card('Spec', 'Two pages.', { due_at: NOON, due_complete: true }));
    assert.deepEqual(typed.set, { done: true });
    assert.deepEqual(typed.conflicts, ['due']);
  });
});

describe('changes', () => {
  for (const { name, now, typed, want } of [
    { name: 'nothing typed: nothing to send', now: card('Spec', 'x'), typed: { title: 'Spec', description: 'x', due: '', done: false }, want: null },
    { name: 'a title differing only in spaces is the same title', now: card('Spec', 'x'), typed: { title: ' Spec ', description: 'x', due: '', done: false }, want: null },
    { name: 'a new title is sent as typed', now: card('Spec', 'x'), typed: { title: 'New ', description: 'x', due: '', done: false }, want: { title: 'New ' } },
    { name: 'both fields', now: card('Spec', 'x'), typed: { title: 'New', description: 'y', due: '', done: false }, want: { title: 'New', description: 'y' } },
    // Compared with the card as it is now: a field someone else changed
    // to what the person typed is not sent again.
    { name: 'against the card now', now: card('Theirs', 'x'), typed: { title: 'Theirs', description: 'x', due: '', done: false }, want: null },
    { name: 'a due date, in UTC', now: card('Spec', 'x'), typed: { title: 'Spec', description: 'x', due: toLocalInput(NOON), done: false }, want: { due_at: NOON.replace('Z', '.000Z') } },
    { name: 'the same due date to the minute sends nothing', now: card('Spec', 'x', { due_at: '2026-12-03T12:00:30.5Z' }), typed: { title: 'Spec', description: 'x', due: toLocalInput(NOON), done: false }, want: null },
    { name: 'an emptied due date clears it, with done', now: card('Spec', 'x', { due_at: NOON }), typed: { title: 'Spec', description: 'x', due: '', done: true }, want: { due_at: null, due_complete: true } },
    { name: 'a due date that is not a time is not sent', now: card('Spec', 'x'), typed: { title: 'Spec', description: 'x', due: 'soon', done: false }, want: null },
  ]) {
    it(name, () => assert.deepEqual(changes(now, typed), want));
  }
});
