// state.js: a board as the server last told it, and the events that change
// it. Pure functions over plain objects, no DOM: node --test runs them.
//
// A board is the API's Board: {id, name, version, role, created_by,
// created_at, members: [Member], labels: [Label], columns: [Column with
// cards: [Card]]}, columns and cards ordered by position, labels by
// creation. A card's label_ids and assignee_ids are arrays that are only
// ever replaced, never changed in place, so a copy may share them.

// Results of applyEvent.
export const APPLIED = 'applied'; // the board is at the event's version
export const STALE = 'stale'; // already applied (a replay, or older than a refetch)
export const GAP = 'gap'; // events are missing before this one: resume with since
export const RESYNC = 'resync'; // the event does not fit this board: refetch it
export const DELETED = 'deleted'; // the room was deleted
export const REMOVED = 'removed'; // the signed-in user was removed from the room

// normalize sorts a board fetched from the API (it already is sorted; a
// client that trusts nothing costs one sort).
export function normalize(board) {
  board.columns.sort((a, b) => a.position - b.position);
  for (const col of board.columns) {
    col.cards ??= [];
    col.cards.sort((a, b) => a.position - b.position);
    col.cards.forEach(normalizeCard);
  }
  board.members ??= [];
  board.labels ??= [];
  return board;
}

// normalizeCard gives a card the detail fields a client must not trip
// over (a card from a server without them, or from a test).
function normalizeCard(card) {
  card.label_ids ??= [];
  card.assignee_ids ??= [];
  card.due_at ??= null;
  card.due_complete ??= false;
  card.comment_count ??= 0;
  return card;
}

// copy returns a board that can be changed (by applyEvent, moveCard)
// without changing board: new board, column and card objects and arrays.
// Every field of theirs is a primitive or an array that is replaced, not
// changed (label_ids, assignee_ids), so one level deep is enough, and much
// cheaper than structuredClone on a board of thousands of cards.
export function copy(board) {
  return {
    ...board,
    members: [...board.members],
    labels: [...board.labels],
    columns: board.columns.map((col) => ({ ...col, cards: col.cards.map((card) => ({ ...card })) })),
  };
}

export function findColumn(board, columnID) {
  return board.columns.find((c) => c.id === columnID) ?? null;
}

// findCard returns {card, column, index} or null.
export function findCard(board, cardID) {
  for (const column of board.columns) {
    const index = column.cards.findIndex((c) => c.id === cardID);
    if (index >= 0) return { card: column.cards[index], column, index };
  }
  return null;
}

// applyEvent applies one event of this room to board, in place, and says
// what happened (one of the constants above). On anything but APPLIED the
// board is unchanged, except that DELETED and REMOVED leave it to be
// dropped.
export function applyEvent(board, event, myID) {
  // Work on a copy: an event that does not fit leaves the board as it was.
  const next = copy(board);
  const result = applyTo(next, event, myID);
  if (result === APPLIED) Object.assign(board, next);
  return result;
}

// applyEvents applies events, in order, to board, in place, with one copy
// for all of them rather than one each (a catch-up of thousands of events
// on a board of thousands of cards). It stops at the first event that is
// not APPLIED or STALE and says which, with what happened to it:
// {applied: [Event], result, event} (result and event null when every one
// was applied or stale). The board holds every applied event; on a
// DELETED or REMOVED it is to be dropped, as with applyEvent.
export function applyEvents(board, events, myID) {
  const next = copy(board);
  const applied = [];
  for (const event of events) {
    const result = applyTo(next, event, myID);
    if (result === STALE) continue;
    if (result === APPLIED) {
      applied.push(event);
      continue;
    }
    if (result === RESYNC) {
      // The event that did not fit may have changed next halfway: redo
      // the ones that fit, on a fresh copy (rare, and a refetch follows).
      const redo = copy(board);
      for (const e of applied) applyTo(redo, e, myID);
      Object.assign(board, redo);
    } else {
      Object.assign(board, next); // GAP, DELETED, REMOVED change nothing
    }
    return { applied, result, event };
  }
  Object.assign(board, next);
  return { applied, result: null, event: null };
}

// applyTo applies one event to next, in place; on anything but APPLIED,
// STALE and GAP it may leave next half changed (a copy to throw away).
function applyTo(next, event, myID) {
  if (event.type === 'room.deleted') return DELETED;
  if (event.version <= next.version) return STALE;
  if (event.version > next.version + 1) return GAP;
  const d = event.data ?? {};
  let ok = true;
  switch (event.type) {
    case 'room.updated':
      next.name = d.name;
      break;
    case 'member.added': {
      next.members = next.members.filter((m) => m.user.id !== d.member.user.id);
      next.members.push(d.member);
      break;
    }
    case 'member.updated': {
      // A new role: in the list, and the board's own role when it is mine.
      const i = next.members.findIndex((m) => m.user.id === d.member?.user?.id);
      if (i < 0) { ok = false; break; }
      next.members[i] = d.member;
      if (d.member.user.id === myID) next.role = d.member.role;
      break;
    }
    case 'member.removed': {
      if (d.user_id === myID) return REMOVED;
      next.members = next.members.filter((m) => m.user.id !== d.user_id);
      // They leave the cards they were assigned to.
      const known = cardsByID(next);
      for (const id of d.unassigned_card_ids ?? []) {
        const card = known.get(id);
        if (!card) { ok = false; break; }
        card.assignee_ids = card.assignee_ids.filter((u) => u !== d.user_id);
      }
      break;
    }
    case 'label.created':
    case 'label.updated': {
      const i = next.labels.findIndex((l) => l.id === d.label.id);
      if (i >= 0) next.labels[i] = d.label;
      else next.labels.push(d.label);
      break;
    }
    case 'label.deleted':
      next.labels = next.labels.filter((l) => l.id !== d.label_id);
      for (const col of next.columns) {
        for (const card of col.cards) {
          if (card.label_ids.includes(d.label_id)) card.label_ids = card.label_ids.filter((id) => id !== d.label_id);
        }
      }
      break;
    case 'comment.created':
    case 'comment.updated':
    case 'comment.deleted': {
      const found = findCard(next, d.comment?.card_id ?? d.card_id);
      if (!found) { ok = false; break; }
      found.card.comment_count = d.comment_count;
      break;
    }
    case 'column.created':
    case 'column.updated': {
      const existing = findColumn(next, d.column.id);
      if (existing) existing.name = d.column.name;
      else next.columns.push({ ...d.column, cards: [] });
      ok = orderColumns(next, d.columns);
      break;
    }
    case 'column.deleted':
    case 'column.archived':
      // An archived column leaves the board with its cards, as a deleted
      // one does; the archive keeps them.
      ok = Array.isArray(d.columns) && orderColumns(next, d.columns);
      break;
    case 'column.restored': {
      // It comes back with its cards (the event carries them); a column
      // restored while on the board (a repeat) only reorders.
      if (!d.column) { ok = false; break; }
      if (!findColumn(next, d.column.id)) {
        if (!Array.isArray(d.column.cards)) { ok = false; break; }
        next.columns.push({ ...d.column, cards: d.column.cards.map((c) => normalizeCard({ ...c })) });
      }
      ok = Array.isArray(d.columns) && orderColumns(next, d.columns);
      break;
    }
    case 'card.created':
    case 'card.moved':
    case 'card.updated':
    case 'card.deleted':
    case 'card.archived':
    case 'card.restored': {
      const known = cardsByID(next);
      // An archived card leaves its column (which the event lists without
      // it); a restored one comes back where the event lists it.
      if ((event.type === 'card.archived' || event.type === 'card.restored') && !(d.card && d.cards)) { ok = false; break; }
      if (d.card) {
        const old = known.get(d.card.id);
        if (!old && event.type === 'card.updated') { ok = false; break; }
        known.set(d.card.id, normalizeCard({ ...old, ...d.card }));
        if (event.type === 'card.updated') {
          const found = findCard(next, d.card.id);
          found.column.cards[found.index] = known.get(d.card.id);
        }
      }
      if (d.cards) ok = orderCards(next, d.cards, known);
      if (ok && event.type === 'card.archived') ok = !findCard(next, d.card.id);
      break;
    }
    default:
      // A type this client does not know: the board may now differ.
      ok = false;
  }
  if (!ok) return RESYNC;
  next.version = event.version;
  return APPLIED;
}

function cardsByID(board) {
  const m = new Map();
  for (const col of board.columns) for (const card of col.cards) m.set(card.id, card);
  return m;
}

// orderColumns makes the room's columns exactly ids, in order; false if an
// ID is unknown.
function orderColumns(board, ids) {
  const byID = new Map(board.columns.map((c) => [c.id, c]));
  const cols = [];
  for (const [i, id] of ids.entries()) {
    const col = byID.get(id);
    if (!col) return false;
    col.position = i;
    cols.push(col);
  }
  board.columns = cols;
  return true;
}

// orderCards makes each listed column hold exactly its listed cards, in
// order (order: column ID to card IDs); false if an ID is unknown. A card
// listed under a column leaves whichever column held it before.
function orderCards(board, order, known) {
  const placed = new Set();
  for (const [colID, ids] of Object.entries(order)) {
    const col = findColumn(board, colID);
    if (!col) return false;
    const cards = [];
    for (const [i, id] of ids.entries()) {
      const card = known.get(id);
      if (!card) return false;
      card.column_id = colID;
      card.position = i;
      cards.push(card);
      placed.add(id);
    }
    col.cards = cards;
  }
  for (const col of board.columns) {
    if (order[col.id]) continue;
    if (col.cards.some((c) => placed.has(c.id))) {
      col.cards = col.cards.filter((c) => !placed.has(c.id));
      col.cards.forEach((c, i) => { c.position = i; });
    }
  }
  return true;
}

// moveCard moves a card locally, with the server's rules: position is the
// card's index in the target column afterwards, clamped to its end. It
// returns false when the card or the column is not on the board.
export function moveCard(board, cardID, columnID, position) {
  const found = findCard(board, cardID);
  const target = findColumn(board, columnID);
  if (!found || !target) return false;
  found.column.cards.splice(found.index, 1);
  const at = Math.max(0, Math.min(position, target.cards.length));
  target.cards.splice(at, 0, found.card);
  found.card.column_id = columnID;
  for (const col of new Set([found.column, target])) col.cards.forEach((c, i) => { c.position = i; });
  return true;
}
