// Unit tests of state.js, the client's board logic: node --test runs them
// without a browser (make e2e).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as S from '../assets/state.js';

const ME = 'u-me';

// board builds a Board from {column: [card titles]}; IDs are the names.
function board(version, columns) {
  return S.normalize({
    id: 'room', name: 'Room', version, role: 'owner',
    members: [{ user: { id: ME, email: 'me@x', display_name: 'Me' }, role: 'owner', joined_at: 't' }],
    columns: Object.entries(columns).map(([name, cards], i) => ({
      id: name, room_id: 'room', name, position: i,
      cards: cards.map((title, j) => ({ id: title, column_id: name, title, description: '', position: j })),
    })),
  });
}

// layout is {column: [card IDs]}, checking that positions are 0..n-1.
function layout(b) {
  const out = {};
  b.columns.forEach((col, i) => {
    assert.equal(col.position, i, `column ${col.id} position`);
    col.cards.forEach((c, j) => {
      assert.equal(c.position, j, `card ${c.id} position`);
      assert.equal(c.column_id, col.id, `card ${c.id} column_id`);
    });
    out[col.id] = col.cards.map((c) => c.id);
  });
  return out;
}

const card = (id, column, position) => ({ id, column_id: column, title: id, description: '', position });
const ev = (version, type, data, actor = 'u-other') => ({ version, type, actor_id: actor, at: 't', data });
const from = (column, position) => ({ column_id: column, position });

describe('applyEvent', () => {
  const cases = [
    {
      name: 'a move across columns: out of its place, into its new one, the cards after each shifting',
      start: { a: ['x', 'y', 'z'], b: ['w'] },
      event: ev(6, 'card.moved', { card: card('y', 'b', 0), from: from('a', 1) }),
      result: S.APPLIED, want: { a: ['x', 'z'], b: ['y', 'w'] },
    },
    {
      name: 'a move within a column',
      start: { a: ['x', 'y', 'z'] },
      event: ev(6, 'card.moved', { card: card('x', 'a', 2), from: from('a', 0) }),
      result: S.APPLIED, want: { a: ['y', 'z', 'x'] },
    },
    {
      name: 'a new card takes its place',
      start: { a: ['x', 'y'] },
      event: ev(6, 'card.created', { card: card('n', 'a', 1) }),
      result: S.APPLIED, want: { a: ['x', 'n', 'y'] },
    },
    {
      name: 'a deleted card leaves no gap',
      start: { a: ['x', 'y', 'z'] },
      event: ev(6, 'card.deleted', { card_id: 'y', column_id: 'a', from: from('a', 1) }),
      result: S.APPLIED, want: { a: ['x', 'z'] },
    },
    {
      name: 'a new column, in the middle',
      start: { a: ['x'], b: [] },
      event: ev(6, 'column.created', { column: { id: 'c', room_id: 'room', name: 'c', position: 1 }, columns: ['a', 'c', 'b'] }),
      result: S.APPLIED, want: { a: ['x'], c: [], b: [] },
    },
    {
      name: 'a column moved keeps its cards',
      start: { a: ['x'], b: ['y'] },
      event: ev(6, 'column.updated', { column: { id: 'a', room_id: 'room', name: 'a', position: 1 }, columns: ['b', 'a'] }),
      result: S.APPLIED, want: { b: ['y'], a: ['x'] },
    },
    {
      name: 'a deleted column goes with its cards',
      start: { a: ['x'], b: ['y'] },
      event: ev(6, 'column.deleted', { column_id: 'a', columns: ['b'] }),
      result: S.APPLIED, want: { b: ['y'] },
    },
    {
      name: 'an event already applied is stale',
      start: { a: ['x', 'y'] },
      event: ev(5, 'card.moved', { card: card('x', 'a', 1), from: from('a', 0) }),
      result: S.STALE, want: { a: ['x', 'y'] },
    },
    {
      name: 'a missed event is a gap',
      start: { a: ['x', 'y'] },
      event: ev(7, 'card.moved', { card: card('x', 'a', 1), from: from('a', 0) }),
      result: S.GAP, want: { a: ['x', 'y'] },
    },
    {
      name: 'a card this board has never seen asks for a refetch, and changes nothing',
      start: { a: ['x'], b: [] },
      event: ev(6, 'card.moved', { card: card('ghost', 'b', 0), from: from('a', 0) }),
      result: S.RESYNC, want: { a: ['x'], b: [] },
    },
    {
      name: 'a card that is not where the event says it was asks for a refetch',
      start: { a: ['x', 'y'], b: [] },
      event: ev(6, 'card.moved', { card: card('x', 'b', 0), from: from('a', 1) }),
      result: S.RESYNC, want: { a: ['x', 'y'], b: [] },
    },
    {
      name: 'a move without where it came from asks for a refetch',
      start: { a: ['x'], b: [] },
      event: ev(6, 'card.moved', { card: card('x', 'b', 0) }),
      result: S.RESYNC, want: { a: ['x'], b: [] },
    },
    {
      name: 'a new card past the end of its column asks for a refetch',
      start: { a: ['x'] },
      event: ev(6, 'card.created', { card: card('n', 'a', 2) }),
      result: S.RESYNC, want: { a: ['x'] },
    },
    {
      name: 'a new card that the board holds already asks for a refetch',
      start: { a: ['x'], b: ['n'] },
      event: ev(6, 'card.created', { card: card('n', 'a', 0) }),
      result: S.RESYNC, want: { a: ['x'], b: ['n'] },
    },
    {
      name: 'a deleted card that was not on the board must not be on it',
      start: { a: ['x'] },
      event: ev(6, 'card.deleted', { card_id: 'x', column_id: 'a', from: null }),
      result: S.RESYNC, want: { a: ['x'] },
    },
    {
      name: 'a deleted card that was not on the board (archived) changes nothing but the version',
      start: { a: ['x'] },
      event: ev(6, 'card.deleted', { card_id: 'gone', column_id: 'a', from: null }),
      result: S.APPLIED, want: { a: ['x'] },
    },
    {
      name: 'an unknown event type asks for a refetch',
      start: { a: ['x'] },
      event: ev(6, 'card.teleported', {}),
      result: S.RESYNC, want: { a: ['x'] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const b = board(5, c.start);
      assert.equal(S.applyEvent(b, c.event, ME), c.result);
      assert.deepEqual(layout(b), c.want);
      assert.equal(b.version, c.result === S.APPLIED ? c.event.version : 5);
    });
  }

  it('a move keeps the details the board has and takes the ones the event brings', () => {
    const b = board(5, { a: ['x', 'y'], b: ['z'] });
    S.findCard(b, 'x').card.label_ids = ['bug'];
    assert.equal(S.applyEvent(b, ev(6, 'card.moved', { card: { ...card('x', 'b', 1), title: 'New' }, from: from('a', 0) }), ME), S.APPLIED);
    assert.deepEqual(layout(b), { a: ['y'], b: ['z', 'x'] });
    assert.equal(S.findCard(b, 'x').card.title, 'New');
  });

  it('a card update somewhere else than the board has it asks for a refetch', () => {
    const b = board(5, { a: ['x', 'y'] });
    assert.equal(S.applyEvent(b, ev(6, 'card.updated', { card: card('y', 'a', 0) }), ME), S.RESYNC);
    assert.equal(S.applyEvent(b, ev(6, 'card.updated', { card: card('ghost', 'a', 0) }), ME), S.RESYNC);
    // An archived card's update: not on the board, nothing to change.
    assert.equal(S.applyEvent(b, ev(6, 'card.updated', { card: { ...card('old', 'a', 0), archived_at: 't' } }), ME), S.APPLIED);
    assert.deepEqual(layout(b), { a: ['x', 'y'] });
  });

  it('events of thousands of random changes leave the board exactly as the server has it', () => {
    // A model of the server: positions 0..n-1 per column; each change
    // makes the event it would record. The client applies only events.
    const server = { a: [], b: [], c: [] };
    const cols = Object.keys(server);
    const client = board(5, server);
    let version = 5;
    let n = 0;
    const rand = (k) => Math.floor(Math.random() * k);
    const placeOf = (id) => {
      for (const c of cols) { const i = server[c].indexOf(id); if (i >= 0) return { column_id: c, position: i }; }
      return null;
    };
    const all = () => cols.flatMap((c) => server[c]);
    const archived = [];
    for (let step = 0; step < 3000; step++) {
      const op = rand(10);
      const ids = all();
      let e;
      if (op < 3 || ids.length === 0) {
        const c = cols[rand(3)];
        const at = rand(server[c].length + 1);
        const id = `n${n++}`;
        server[c].splice(at, 0, id);
        e = ev(++version, 'card.created', { card: card(id, c, at) });
      } else if (op < 7) {
        const id = ids[rand(ids.length)];
        const was = placeOf(id);
        server[was.column_id].splice(was.position, 1);
        const c = cols[rand(3)];
        const at = Math.min(rand(server[c].length + 2), server[c].length);
        server[c].splice(at, 0, id);
        e = ev(++version, 'card.moved', { card: card(id, c, at), from: was });
      } else if (op < 8) {
        const id = ids[rand(ids.length)];
        const was = placeOf(id);
        server[was.column_id].splice(was.position, 1);
        e = ev(++version, 'card.deleted', { card_id: id, column_id: was.column_id, from: was });
      } else if (op < 9) {
        const id = ids[rand(ids.length)];
        const was = placeOf(id);
        server[was.column_id].splice(was.position, 1);
        archived.push(id);
        e = ev(++version, 'card.archived', { card: { ...card(id, was.column_id, was.position), archived_at: 't' }, from: was });
      } else {
        if (archived.length === 0) continue;
        const id = archived.splice(rand(archived.length), 1)[0];
        const c = cols[rand(3)];
        server[c].push(id);
        e = ev(++version, 'card.restored', { card: card(id, c, server[c].length - 1) });
      }
      assert.equal(S.applyEvent(client, e, ME), S.APPLIED, `step ${step}: ${JSON.stringify(e)}`);
    }
    assert.deepEqual(layout(client), server);
    assert.equal(client.version, version);
  });

  it('a card update changes the text, not the place', () => {
    const b = board(5, { a: ['x', 'y'] });
    assert.equal(S.applyEvent(b, ev(6, 'card.updated', { card: { ...card('y', 'a', 1), title: 'Renamed', description: 'd' } }), ME), S.APPLIED);
    assert.equal(b.columns[0].cards[1].title, 'Renamed');
    assert.equal(b.columns[0].cards[1].description, 'd');
    assert.deepEqual(layout(b), { a: ['x', 'y'] });
  });

  it('members come and go; losing my own membership says so', () => {
    const b = board(5, { a: [] });
    const ann = { user: { id: 'u-ann', email: 'ann@x', display_name: 'Ann' }, role: 'member', joined_at: 't' };
    assert.equal(S.applyEvent(b, ev(6, 'member.added', { member: ann }), ME), S.APPLIED);
    assert.deepEqual(b.members.map((m) => m.user.id), [ME, 'u-ann']);
    assert.equal(S.applyEvent(b, ev(7, 'member.removed', { user_id: 'u-ann' }), ME), S.APPLIED);
    assert.deepEqual(b.members.map((m) => m.user.id), [ME]);
    assert.equal(S.applyEvent(b, ev(8, 'member.removed', { user_id: ME }), ME), S.REMOVED);
    assert.equal(S.applyEvent(b, ev(8, 'room.updated', { name: 'New' }), ME), S.APPLIED);
    assert.equal(b.name, 'New');
    assert.equal(S.applyEvent(b, { ...ev(9, 'room.deleted', {}) }, ME), S.DELETED);
  });
});

describe('applyEvent: roles', () => {
  it('member.updated changes that member\'s role, and the board\'s own role when it is mine', () => {
    const b = board(5, { a: [] });
    const ann = { user: { id: 'u-ann', email: 'ann@x', display_name: 'Ann' }, role: 'member', joined_at: 't' };
    b.members.push(ann);
    const before = S.copy(b);
    assert.equal(S.applyEvent(b, ev(6, 'member.updated', { member: { ...ann, role: 'viewer' } }), ME), S.APPLIED);
    assert.deepEqual(b.members.map((m) => m.role), ['owner', 'viewer']);
    assert.equal(b.role, 'owner', 'someone else\'s role is not mine');
    assert.equal(before.members[1].role, 'member', 'a copy keeps its own members');
    assert.equal(S.applyEvent(b, ev(7, 'member.updated', { member: { ...b.members[0], role: 'viewer' } }), ME), S.APPLIED);
    assert.equal(b.role, 'viewer');
    assert.equal(b.members[0].role, 'viewer');
    assert.equal(b.version, 7);
  });

  it('member.updated about someone the board lacks asks for a refetch, and changes nothing', () => {
    const b = board(5, { a: [] });
    const stranger = { user: { id: 'u-x', email: 'x@x', display_name: 'X' }, role: 'viewer', joined_at: 't' };
    assert.equal(S.applyEvent(b, ev(6, 'member.updated', { member: stranger }), ME), S.RESYNC);
    assert.equal(S.applyEvent(b, ev(6, 'member.updated', {}), ME), S.RESYNC);
    assert.equal(b.version, 5);
    assert.equal(b.members.length, 1);
  });
});

describe('applyEvent: the archive', () => {
  const column = (id, cards = []) => ({ id, room_id: 'room', name: id, position: 0, archived_at: null, cards });

  it('an archived card leaves its column; restored, it comes back where the event says, with its details', () => {
    const b = board(5, { a: ['x', 'y', 'z'], b: ['w'] });
    S.findCard(b, 'y').card.label_ids = ['bug'];
    assert.equal(S.applyEvent(b, ev(6, 'card.archived', { card: { ...card('y', 'a', 1), archived_at: 't' }, from: from('a', 1) }), ME), S.APPLIED);
    assert.deepEqual(layout(b), { a: ['x', 'z'], b: ['w'] });
    assert.equal(S.findCard(b, 'y'), null);
    const back = { ...card('y', 'a', 2), archived_at: null, label_ids: ['bug'], comment_count: 3 };
    assert.equal(S.applyEvent(b, ev(7, 'card.restored', { card: back }), ME), S.APPLIED);
    assert.deepEqual(layout(b), { a: ['x', 'z', 'y'], b: ['w'] });
    assert.deepEqual(S.findCard(b, 'y').card.label_ids, ['bug']);
    assert.equal(S.findCard(b, 'y').card.comment_count, 3);
    // Restored to another column (its own was archived): there it lands.
    assert.equal(S.applyEvent(b, ev(8, 'card.archived', { card: { ...card('x', 'a', 0), archived_at: 't' }, from: from('a', 0) }), ME), S.APPLIED);
    assert.equal(S.applyEvent(b, ev(9, 'card.restored', { card: card('x', 'b', 1) }), ME), S.APPLIED);
    assert.deepEqual(layout(b), { a: ['z', 'y'], b: ['w', 'x'] });
    // Restored while on the board (a repeat): from its place to the same.
    assert.equal(S.applyEvent(b, ev(10, 'card.restored', { card: card('x', 'b', 1), from: from('b', 1) }), ME), S.APPLIED);
    assert.deepEqual(layout(b), { a: ['z', 'y'], b: ['w', 'x'] });
    // Archived again (a repeat): it was not on the board, and is not.
    assert.equal(S.applyEvent(b, ev(11, 'card.archived', { card: { ...card('y', 'a', 1), archived_at: 't' }, from: from('a', 1) }), ME), S.APPLIED);
    assert.equal(S.applyEvent(b, ev(12, 'card.archived', { card: { ...card('y', 'a', 1), archived_at: 't' } }), ME), S.APPLIED);
    assert.deepEqual(layout(b), { a: ['z'], b: ['w', 'x'] });
  });

  it('an archived column leaves with its cards; restored, it comes back with the cards the event carries', () => {
    const b = board(5, { a: ['x'], b: ['y', 'z'], c: [] });
    assert.equal(S.applyEvent(b, ev(6, 'column.archived', { column: { ...column('b'), archived_at: 't' }, columns: ['a', 'c'] }), ME), S.APPLIED);
    assert.deepEqual(layout(b), { a: ['x'], c: [] });
    assert.equal(S.findCard(b, 'y'), null);
    const restored = column('b', [{ ...card('y', 'b', 0), label_ids: ['l'] }, card('z', 'b', 1)]);
    assert.equal(S.applyEvent(b, ev(7, 'column.restored', { column: restored, columns: ['a', 'c', 'b'] }), ME), S.APPLIED);
    assert.deepEqual(layout(b), { a: ['x'], c: [], b: ['y', 'z'] });
    assert.deepEqual(S.findCard(b, 'y').card.label_ids, ['l']);
    assert.deepEqual(S.findCard(b, 'z').card.assignee_ids, [], 'a card from the event gets empty details where it has none');
    // Restoring a column on the board (a repeat) only reorders.
    assert.equal(S.applyEvent(b, ev(8, 'column.restored', { column: restored, columns: ['b', 'a', 'c'] }), ME), S.APPLIED);
    assert.deepEqual(layout(b), { b: ['y', 'z'], a: ['x'], c: [] });
  });

  it('archive events without what they must carry ask for a refetch, and change nothing', () => {
    for (const [type, data] of [
      ['card.archived', { card: card('x', 'a', 0) }],
      ['card.archived', {}],
      ['card.archived', { card: { ...card('ghost', 'a', 0), archived_at: 't' }, from: from('a', 0) }],
      ['card.restored', {}],
      ['card.restored', { card: card('n', 'a', 2) }],
      ['card.restored', { card: card('x', 'a', 1) }],
      ['card.restored', { card: card('n', 'ghost', 0), from: from('a', 0) }],
      ['column.archived', { column: column('a') }],
      ['column.restored', { column: { id: 'n', room_id: 'room', name: 'n', position: 1 }, columns: ['a', 'n'] }],
      ['column.restored', { column: column('n'), columns: ['a', 'n', 'ghost'] }],
    ]) {
      const b = board(5, { a: ['x'] });
      assert.equal(S.applyEvent(b, ev(6, type, data), ME), S.RESYNC, `${type} ${JSON.stringify(data)}`);
      assert.deepEqual(layout(b), { a: ['x'] });
      assert.equal(b.version, 5);
    }
  });

  it('a card restored in an archived column (a repeat) stays off the board', () => {
    const b = board(5, { a: ['x'] });
    assert.equal(S.applyEvent(b, ev(6, 'card.restored', { card: card('n', 'archived-column', 0) }), ME), S.APPLIED);
    assert.deepEqual(layout(b), { a: ['x'] });
  });

  it('a card archived that is still listed on the board asks for a refetch', () => {
    const b = board(5, { a: ['x', 'y'] });
    assert.equal(S.applyEvent(b, ev(6, 'card.archived', { card: { ...card('y', 'a', 1), archived_at: 't' } }), ME), S.RESYNC);
    assert.deepEqual(layout(b), { a: ['x', 'y'] });
  });
});

describe('applyEvent: card details', () => {
  const label = (id, name, color = 'green') => ({ id, room_id: 'room', name, color });
  // detailed is a board whose cards x and y carry labels and assignees.
  const detailed = () => {
    const b = board(5, { a: ['x', 'y'] });
    b.labels = [label('bug', 'Bug', 'red'), label('ux', 'UX')];
    b.members.push({ user: { id: 'u-ann', email: 'ann@x', display_name: 'Ann' }, role: 'member', joined_at: 't' });
    Object.assign(b.columns[0].cards[0], { label_ids: ['bug', 'ux'], assignee_ids: ['u-ann', ME] });
    Object.assign(b.columns[0].cards[1], { label_ids: ['ux'], assignee_ids: [ME], comment_count: 2 });
    return b;
  };
  const cardOf = (b, id) => S.findCard(b, id).card;

  it('a board or card without details gets empty ones', () => {
    const b = board(5, { a: ['x'] });
    assert.deepEqual(b.labels, []);
    const x = cardOf(b, 'x');
    assert.deepEqual([x.label_ids, x.assignee_ids, x.due_at, x.due_complete, x.comment_count], [[], [], null, false, 0]);
  });

  it('a new label goes last; an updated one changes in place', () => {
    const b = detailed();
    assert.equal(S.applyEvent(b, ev(6, 'label.created', { label: label('new', 'New', 'sky') }), ME), S.APPLIED);
    assert.deepEqual(b.labels.map((l) => l.id), ['bug', 'ux', 'new']);
    assert.equal(S.applyEvent(b, ev(7, 'label.updated', { label: label('bug', 'Defect', 'purple') }), ME), S.APPLIED);
    assert.deepEqual(b.labels.map((l) => `${l.id} ${l.name} ${l.color}`), ['bug Defect purple', 'ux UX green', 'new New sky']);
    assert.equal(b.version, 7);
  });

  it('a deleted label leaves the board and every card, and the board it was copied from keeps it', () => {
    const b = detailed();
    const before = S.copy(b);
    assert.equal(S.applyEvent(b, ev(6, 'label.deleted', { label_id: 'ux' }), ME), S.APPLIED);
    assert.deepEqual(b.labels.map((l) => l.id), ['bug']);
    assert.deepEqual(cardOf(b, 'x').label_ids, ['bug']);
    assert.deepEqual(cardOf(b, 'y').label_ids, []);
    assert.deepEqual(cardOf(before, 'x').label_ids, ['bug', 'ux'], 'a copy shares arrays, so they are replaced, not changed');
  });

  it('card.updated brings the whole card: due date, labels, assignees, in place', () => {
    const b = detailed();
    const updated = { ...cardOf(b, 'y'), due_at: '2026-12-03T12:00:00Z', due_complete: true, label_ids: ['bug', 'ux'], assignee_ids: ['u-ann'] };
    assert.equal(S.applyEvent(b, ev(6, 'card.updated', { card: updated }), ME), S.APPLIED);
    const y = cardOf(b, 'y');
    assert.deepEqual([y.due_at, y.due_complete, y.label_ids, y.assignee_ids, y.comment_count], ['2026-12-03T12:00:00Z', true, ['bug', 'ux'], ['u-ann'], 2]);
    assert.deepEqual(layout(b), { a: ['x', 'y'] });
    assert.equal(S.applyEvent(b, ev(7, 'card.updated', { card: { ...updated, due_at: null, due_complete: false } }), ME), S.APPLIED);
    assert.equal(cardOf(b, 'y').due_at, null, 'a cleared due date');
  });

  it('comment events set the card\'s count, from either shape of their data', () => {
    const b = detailed();
    const comment = { id: 'c1', card_id: 'x', author: { id: 'u-ann' }, body: 'Hi', created_at: 't', updated_at: 't' };
    assert.equal(S.applyEvent(b, ev(6, 'comment.created', { comment, comment_count: 1 }), ME), S.APPLIED);
    assert.equal(cardOf(b, 'x').comment_count, 1);
    assert.equal(S.applyEvent(b, ev(7, 'comment.updated', { comment: { ...comment, body: 'Hello' }, comment_count: 1 }), ME), S.APPLIED);
    assert.equal(cardOf(b, 'x').comment_count, 1);
    assert.equal(S.applyEvent(b, ev(8, 'comment.deleted', { comment_id: 'c9', card_id: 'y', comment_count: 1 }), ME), S.APPLIED);
    assert.equal(cardOf(b, 'y').comment_count, 1);
    assert.equal(b.version, 8);
    assert.equal(S.applyEvent(b, ev(9, 'comment.created', { comment: { ...comment, card_id: 'ghost' }, comment_count: 1 }), ME), S.RESYNC,
      'a comment on a card this board lacks');
    assert.equal(b.version, 8);
  });

  it('a member who leaves leaves the cards listed, and no one else does', () => {
    const b = detailed();
    assert.equal(S.applyEvent(b, ev(6, 'member.removed', { user_id: 'u-ann', unassigned_card_ids: ['x'] }), ME), S.APPLIED);
    assert.deepEqual(b.members.map((m) => m.user.id), [ME]);
    assert.deepEqual(cardOf(b, 'x').assignee_ids, [ME]);
    assert.deepEqual(cardOf(b, 'y').assignee_ids, [ME]);
  });

  it('a member.removed listing a card this board lacks asks for a refetch, and changes nothing', () => {
    const b = detailed();
    assert.equal(S.applyEvent(b, ev(6, 'member.removed', { user_id: 'u-ann', unassigned_card_ids: ['x', 'ghost'] }), ME), S.RESYNC);
    assert.equal(b.members.length, 2);
    assert.deepEqual(cardOf(b, 'x').assignee_ids, ['u-ann', ME]);
  });
});

describe('copies share cards, which are replaced, never changed', () => {
  it('every change leaves a copy taken before it as it was', () => {
    const b = board(5, { a: ['x', 'y', 'z'], b: ['w'] });
    b.labels = [{ id: 'bug', room_id: 'room', name: 'Bug', color: 'red' }];
    b.members.push({ user: { id: 'u-ann', email: 'ann@x', display_name: 'Ann' }, role: 'member', joined_at: 't' });
    Object.assign(S.findCard(b, 'y').card, { label_ids: ['bug'], assignee_ids: ['u-ann'] });
    const before = S.copy(b);
    const snapshot = JSON.stringify(before);
    assert.equal(before.columns[0].cards[1], b.columns[0].cards[1], 'a copy shares the card objects');
    for (const e of [
      ev(6, 'card.moved', { card: card('x', 'b', 0), from: from('a', 0) }),
      ev(7, 'comment.created', { comment: { id: 'c', card_id: 'y' }, comment_count: 1 }),
      ev(8, 'label.deleted', { label_id: 'bug' }),
      ev(9, 'member.removed', { user_id: 'u-ann', unassigned_card_ids: ['y'] }),
      ev(10, 'card.updated', { card: { ...card('z', 'a', 1), title: 'Zed' } }),
      ev(11, 'card.deleted', { card_id: 'y', column_id: 'a', from: from('a', 0) }),
    ]) assert.equal(S.applyEvent(b, e, ME), S.APPLIED, e.type);
    assert.deepEqual(layout(b), { a: ['z'], b: ['x', 'w'] });
    assert.equal(JSON.stringify(before), snapshot);
    assert.equal(S.moveCard(b, 'w', 'a', 0), true);
    assert.equal(JSON.stringify(before), snapshot);
  });
});

describe('moveCard', () => {
  const cases = [
    { name: 'to another column', start: { a: ['x', 'y'], b: ['z'] }, move: ['x', 'b', 1], want: { a: ['y'], b: ['z', 'x'] } },
    { name: 'down its own column', start: { a: ['x', 'y', 'z'] }, move: ['x', 'a', 2], want: { a: ['y', 'z', 'x'] } },
    { name: 'past the end is the end', start: { a: ['x'], b: ['z'] }, move: ['x', 'b', 99], want: { a: [], b: ['z', 'x'] } },
    { name: 'to where it is', start: { a: ['x', 'y'] }, move: ['y', 'a', 1], want: { a: ['x', 'y'] } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const b = board(1, c.start);
      assert.equal(S.moveCard(b, ...c.move), true);
      assert.deepEqual(layout(b), c.want);
    });
  }

  it('refuses a card or a column that is not there', () => {
    const b = board(1, { a: ['x'] });
    assert.equal(S.moveCard(b, 'x', 'gone', 0), false);
    assert.equal(S.moveCard(b, 'gone', 'a', 0), false);
    assert.deepEqual(layout(b), { a: ['x'] });
  });
});

describe('applyEvents', () => {
  const events = [
    ev(6, 'card.moved', { card: card('x', 'b', 0), from: from('a', 0) }),
    ev(6, 'room.updated', { name: 'a replay' }),
    ev(7, 'card.updated', { card: { ...card('y', 'a', 0), title: 'Why' } }),
    ev(8, 'column.created', { column: { id: 'c', room_id: 'room', name: 'c', position: 2 }, columns: ['a', 'b', 'c'] }),
    ev(9, 'card.moved', { card: card('y', 'c', 0), from: from('a', 0) }),
  ];

  it('ends where applying them one by one ends, with one copy', () => {
    const one = board(5, { a: ['x', 'y'], b: [] });
    for (const e of events) S.applyEvent(one, e, ME);
    const all = board(5, { a: ['x', 'y'], b: [] });
    const before = all.columns;
    const r = S.applyEvents(all, events, ME);
    assert.deepEqual(r.applied.map((e) => e.version), [6, 7, 8, 9]);
    assert.equal(r.result, null);
    assert.deepEqual(all, one);
    assert.deepEqual(layout(all), { a: [], b: ['x'], c: ['y'] });
    assert.deepEqual(before.map((c) => c.cards.map((k) => k.id)), [['x', 'y'], []], 'the board it was given is not changed in place');
  });

  it('stops at a gap, keeping what came before', () => {
    const b = board(5, { a: ['x', 'y'], b: [] });
    const r = S.applyEvents(b, [events[0], events[2], events[4]], ME);
    assert.equal(r.result, S.GAP);
    assert.equal(r.event.version, 9);
    assert.equal(b.version, 7);
    assert.equal(b.columns[0].cards[0].title, 'Why');
  });

  it('stops at an event that does not fit, keeping what came before it and nothing of it', () => {
    const b = board(5, { a: ['x', 'y'], b: [] });
    const r = S.applyEvents(b, [events[0], ev(7, 'card.moved', { card: card('y', 'b', 1), from: from('ghost', 0) })], ME);
    assert.equal(r.result, S.RESYNC);
    assert.deepEqual(r.applied.map((e) => e.version), [6]);
    assert.equal(b.version, 6);
    assert.deepEqual(layout(b), { a: ['y'], b: ['x'] });
  });

  it('says when the room is deleted or I am removed', () => {
    assert.equal(S.applyEvents(board(5, { a: [] }), [ev(6, 'room.deleted', {})], ME).result, S.DELETED);
    assert.equal(S.applyEvents(board(5, { a: [] }), [ev(6, 'member.removed', { user_id: ME })], ME).result, S.REMOVED);
  });
});
