// Unit tests of follow.js: what an open card dialog does when the card
// changes under it, and what Save sends.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changes, followCard } from '../assets/follow.js';

const card = (title, description = '') => ({ id: 'c', title, description, column_id: 'col', position: 0 });

describe('followCard', () => {
  const base = { title: 'Spec', description: 'Two pages.' };
  for (const { name, typed, now, want } of [
    {
      name: 'nothing changed: nothing to do',
      typed: { title: 'Spec', description: 'Two pages.' }, now: card('Spec', 'Two pages.'),
      want: { gone: false, set: {}, conflicts: [], base },
    },
    {
      name: 'another person renamed it, the title untouched: the field follows',
      typed: { title: 'Spec', description: 'Two pages.' }, now: card('The spec', 'Two pages.'),
      want: { gone: false, set: { title: 'The spec' }, conflicts: [], base: { title: 'The spec', description: 'Two pages.' } },
    },
    {
      name: 'the person typed only in the title: the description still follows',
      typed: { title: 'Mine', description: 'Two pages.' }, now: card('Spec', 'Three pages.'),
      want: { gone: false, set: { description: 'Three pages.' }, conflicts: [], base: { title: 'Spec', description: 'Three pages.' } },
    },
    {
      name: 'both changed the description differently: the typed text stays, a conflict',
      typed: { title: 'Spec', description: 'Mine.' }, now: card('Spec', 'Theirs.'),
      want: { gone: false, set: {}, conflicts: ['description'], base: { title: 'Spec', description: 'Theirs.' } },
    },
    {
      name: 'both typed the same: no conflict, nothing to set',
      typed: { title: 'Same', description: 'Two pages.' }, now: card('Same', 'Two pages.'),
      want: { gone: false, set: {}, conflicts: [], base: { title: 'Same', description: 'Two pages.' } },
    },
    {
      name: 'the person typed, nobody else changed it: nothing to do',
      typed: { title: 'Mine', description: 'Mine.' }, now: card('Spec', 'Two pages.'),
      want: { gone: false, set: {}, conflicts: [], base },
    },
    {
      name: 'the card was deleted: gone, the base kept',
      typed: { title: 'Mine', description: 'Mine.' }, now: null,
      want: { gone: true, set: {}, conflicts: [], base },
    },
  ]) {
    it(name, () => assert.deepEqual(followCard(base, typed, now), want));
  }
});

describe('changes', () => {
  for (const { name, now, typed, want } of [
    { name: 'nothing typed: nothing to send', now: card('Spec', 'x'), typed: { title: 'Spec', description: 'x' }, want: null },
    { name: 'a title differing only in spaces is the same title', now: card('Spec', 'x'), typed: { title: ' Spec ', description: 'x' }, want: null },
    { name: 'a new title is sent as typed', now: card('Spec', 'x'), typed: { title: 'New ', description: 'x' }, want: { title: 'New ' } },
    { name: 'both fields', now: card('Spec', 'x'), typed: { title: 'New', description: 'y' }, want: { title: 'New', description: 'y' } },
    // Compared with the card as it is now: a field someone else changed
    // to what the person typed is not sent again.
    { name: 'against the card now', now: card('Theirs', 'x'), typed: { title: 'Theirs', description: 'x' }, want: null },
  ]) {
    it(name, () => assert.deepEqual(changes(now, typed), want));
  }
});
