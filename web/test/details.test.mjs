// Unit tests of details.js: what a card's labels, assignees, due date and
// comments look like on a tile and sound like to a screen reader.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cardDetails, describeDetails, dueState, dueText, fromLocalInput, initials, toLocalInput } from '../assets/details.js';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const card = (fields = {}) => ({ id: 'c', title: 'T', label_ids: [], assignee_ids: [], due_at: null, due_complete: false, comment_count: 0, ...fields });
const labels = new Map([['bug', { id: 'bug', name: 'Bug', color: 'red' }], ['ux', { id: 'ux', name: 'UX', color: 'sky' }]]);
const users = new Map([['u1', { id: 'u1', display_name: 'Ann Lee' }], ['u2', { id: 'u2', display_name: 'Ben' }], ['u3', { id: 'u3', display_name: 'Cy Di Ew' }]]);

describe('dueState', () => {
  for (const { name, fields, want } of [
    { name: 'no due date', fields: {}, want: null },
    { name: 'ahead', fields: { due_at: '2026-12-04T12:00:00Z' }, want: 'due' },
    { name: 'past and not done: overdue', fields: { due_at: '2026-12-03T11:59:00Z' }, want: 'overdue' },
    { name: 'past and done: done', fields: { due_at: '2026-12-01T00:00:00Z', due_complete: true }, want: 'done' },
    { name: 'ahead and done: done', fields: { due_at: '2026-12-09T00:00:00Z', due_complete: true }, want: 'done' },
  ]) {
    it(name, () => assert.equal(dueState(card(fields), NOW), want));
  }

  it('says overdue and done in words, never by color alone', () => {
    assert.match(dueText(card({ due_at: '2026-12-01T00:00:00Z' }), NOW), /, overdue$/);
    assert.match(dueText(card({ due_at: '2026-12-01T00:00:00Z', due_complete: true }), NOW), /, done$/);
    assert.doesNotMatch(dueText(card({ due_at: '2026-12-09T00:00:00Z' }), NOW), /overdue|done|2026/, 'this year goes unsaid');
    assert.match(dueText(card({ due_at: '2027-01-09T00:00:00Z' }), NOW), /2027/);
    assert.equal(dueText(card(), NOW), '');
  });
});

describe('cardDetails and describeDetails', () => {
  it('resolves labels and assignees in the card\'s order, leaving out unknown ones', () => {
    const d = cardDetails(card({ label_ids: ['ux', 'gone', 'bug'], assignee_ids: ['u2', 'u1', 'left'], comment_count: 3 }), labels, users, NOW);
    assert.deepEqual(d.labels.map((l) => l.name), ['UX', 'Bug']);
    assert.deepEqual(d.assignees.map((u) => u.display_name), ['Ben', 'Ann Lee']);
    assert.equal(d.due, null);
    assert.equal(describeDetails(d), 'Labels: UX, Bug. Assigned to Ben and Ann Lee. 3 comments.');
  });

  it('says one of each in the singular, and nothing for a bare card', () => {
    const d = cardDetails(card({ label_ids: ['bug'], assignee_ids: ['u1'], comment_count: 1, due_at: '2026-12-01T09:00:00Z' }), labels, users, NOW);
    assert.match(describeDetails(d), /^Label: Bug\. Assigned to Ann Lee\. Due .+, overdue\. 1 comment\.$/);
    assert.equal(describeDetails(cardDetails(card(), labels, users, NOW)), '');
    const three = cardDetails(card({ assignee_ids: ['u1', 'u2', 'u3'] }), labels, users, NOW);
    assert.equal(describeDetails(three), 'Assigned to Ann Lee, Ben and Cy Di Ew.');
  });
});

describe('initials', () => {
  for (const [name, want] of [['Ann Lee', 'AL'], ['ben', 'B'], ['Cy Di Ew', 'CD'], ['  ', '?'], ['élodie durand', 'ÉD']]) {
    it(JSON.stringify(name), () => assert.equal(initials(name), want));
  }
});

describe('toLocalInput and fromLocalInput', () => {
  it('round-trips a time to the minute, in the local time zone', () => {
    const local = toLocalInput('2026-12-03T12:34:56.789Z');
    assert.match(local, /^\d{4}-\d\d-\d\dT\d\d:\d\d$/);
    assert.equal(fromLocalInput(local), '2026-12-03T12:34:00.000Z');
  });

  it('turns none into \'\' and back into null; refuses what is not a time', () => {
    assert.equal(toLocalInput(null), '');
    assert.equal(fromLocalInput(''), null);
    assert.equal(fromLocalInput('unfinished'), undefined);
  });
});
