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
// without changing board: new board and column objects, new arrays of
// members, labels, columns and cards. The card objects are shared: a card
// is never changed in place, only replaced by a changed copy (put), so a
// copy of a board of thousands of cards costs a few array copies, not an
// object per card (an event on a 4,000-card board: 9 ms of copying before).
export function copy(board) {
  return {
    ...board,
    members: [...board.members],
    labels: [...board.labels],
    columns: board.columns.map((col) => ({ ...col, cards: [...col.cards] })),
  };
}

// put replaces the card at index of col by a copy with changes: cards are
// shared between a board and its copies (copy), never changed in place.
function put(col, index, changes) {
  col.cards[index] = { ...col.cards[index], ...changes };
  return col.cards[index];
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
      // They leave the cards they were assigned to, which must all be here.
      const ids = new Set(d.unassigned_card_ids ?? []);
      let seen = 0;
      for (const col of next.columns) {
        col.cards.forEach((card, i) => {
          if (!ids.has(card.id)) return;
          put(col, i, { assignee_ids: card.assignee_ids.filter((u) => u !== d.user_id) });
          seen++;
        });
      }
      ok = seen === ids.size;
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
        col.cards.forEach((card, i) => {
          if (card.label_ids.includes(d.label_id)) put(col, i, { label_ids: card.label_ids.filter((id) => id !== d.label_id) });
        });
      }
      break;
    case 'comment.created':
    case 'comment.updated':
    case 'comment.deleted': {
      const found = findCard(next, d.comment?.card_id ?? d.card_id);
      if (!found) { ok = false; break; }
      put(found.column, found.index, { comment_count: d.comment_count });
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
    case 'card.updated': {
      // Its text, details or due date: it stays where it is.
      if (!d.card) { ok = false; break; }
      const found = findCard(next, d.card.id);
      // An archived card, or one of an archived column, is not on the
      // board: nothing to change here.
      if (!found) { ok = Boolean(d.card.archived_at) || !findColumn(next, d.card.column_id); break; }
      // Where the server has it must be where this copy has it.
      if (d.card.column_id !== found.column.id || d.card.position !== found.index) { ok = false; break; }
      found.column.cards[found.index] = normalizeCard({ ...found.card, ...d.card });
      break;
    }
    case 'card.created':
    case 'card.moved':
    case 'card.deleted':
    case 'card.archived':
    case 'card.restored':
      ok = placeCard(next, event.type, d);
      break;
    default:
      // A type this client does not know: the board may now differ.
      ok = false;
  }
  if (!ok) return RESYNC;
  next.version = event.version;
  return APPLIED;
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

// placeCard applies a card event that may change positions: the card
// leaves its place on the board (d.from: its column and index there,
// absent when it was not on the board) and, unless it is archived or
// deleted now, takes its new one (d.card's column_id and position). The
// cards between shift by one, as the server's did: positions in a column
// are 0..n-1 over its unarchived cards. False when the board does not
// hold what the event says it held (the card is not at d.from, or is on
// the board when the event says it was not): this copy has drifted, and
// the board must be refetched.
function placeCard(board, type, d) {
  const id = type === 'card.deleted' ? d.card_id : d.card?.id;
  if (!id) return false;
  let old = null;
  if (d.from) {
    const col = findColumn(board, d.from.column_id);
    const at = d.from.position;
    if (!col || col.cards[at]?.id !== id) return false;
    [old] = col.cards.splice(at, 1);
    renumber(col, at);
  } else if (type === 'card.moved') {
    return false; // a move always comes from somewhere on the board
  }
  // Now off the board: it must be nowhere else on it.
  if (findCard(board, id)) return false;
  if (type === 'card.deleted' || type === 'card.archived') return true;
  const col = findColumn(board, d.card.column_id);
  // Restored while in an archived column (a repeat, or a race with the
  // column's archiving): it stays there, off the board.
  if (!col && !d.from && type === 'card.restored' && !d.card.archived_at) return true;
  const at = d.card.position;
  if (!col || !Number.isInteger(at) || at < 0 || at > col.cards.length || d.card.archived_at) return false;
  col.cards.splice(at, 0, normalizeCard({ ...old, ...d.card }));
  renumber(col, at);
  return true;
}

// renumber sets the positions of a column's cards from index from on.
function renumber(col, from) {
  for (let i = from; i < col.cards.length; i++) if (col.cards[i].position !== i) put(col, i, { position: i });
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
  target.cards.splice(at, 0, { ...found.card, column_id: columnID });
  for (const col of new Set([found.column, target])) renumber(col, 0);
  return true;
}
