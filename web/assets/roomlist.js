// roomlist.js: the boards list as the page holds it, kept up to date by
// the user's own stream (GET /api/ws: room.added, room.updated,
// room.removed), with no DOM: node --test runs it.
//
// The list is what GET /api/rooms answered, page by page, newest room
// first (created_at, then id, both descending, as the server orders it).
// A room the stream brings is inserted in its place when that place is
// among the rooms loaded; one older than all of them, while there are more
// pages, is left to its page (the cursor marks a place in the list, so it
// comes then, once).

// timeKey makes an RFC 3339 time comparable as a string, to the
// nanosecond the server writes (Date.parse stops at the millisecond).
function timeKey(iso) {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const sub = (/\.(\d+)/.exec(iso)?.[1] ?? '').padEnd(9, '0').slice(3, 9);
  return `${String(ms).padStart(15, '0')}${sub}`;
}

// newestFirst orders rooms as GET /api/rooms does.
export function newestFirst(a, b) {
  const ta = timeKey(a.created_at);
  const tb = timeKey(b.created_at);
  if (ta !== tb) return ta < tb ? 1 : -1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? 1 : -1;
}

export class RoomList {
  constructor() {
    this.rooms = [];
    this.cursor = null; // the next page's cursor; null: every room is loaded
    this.loaded = false; // a page has come
    this.replay = null; // stream messages seen while a sync is on the way
  }

  // more says whether there are rooms not loaded yet.
  get more() { return this.cursor !== null; }

  // addPage takes the next page of GET /api/rooms ({items, next_cursor}).
  addPage(page) {
    const have = new Set(this.rooms.map((r) => r.id));
    this.rooms.push(...page.items.filter((r) => !have.has(r.id)));
    this.rooms.sort(newestFirst);
    this.cursor = page.next_cursor ?? null;
    this.loaded = true;
  }

  // fits says whether a room not in the list belongs among those loaded.
  fits(room) {
    if (!this.loaded || this.cursor === null) return true;
    const last = this.rooms.at(-1);
    return last !== undefined && newestFirst(room, last) < 0;
  }

  // apply takes one message of the user's stream and says what changed:
  // {type, room} (room.removed: the room as the list had it, if it had
  // it), or null when the list is the same.
  apply(msg) {
    this.replay?.push(msg);
    return this.applyOne(msg);
  }

  applyOne(msg) {
    switch (msg?.type) {
      case 'room.added':
      case 'room.updated': {
        const room = msg.room;
        if (!room?.id) return null;
        const i = this.rooms.findIndex((r) => r.id === room.id);
        if (i >= 0) this.rooms[i] = room;
        else if (this.fits(room)) this.rooms.push(room);
        else return null;
        this.rooms.sort(newestFirst);
        return { type: i >= 0 ? 'room.updated' : 'room.added', room };
      }
      case 'room.removed': {
        const i = this.rooms.findIndex((r) => r.id === msg.room_id);
        if (i < 0) return null;
        const [room] = this.rooms.splice(i, 1);
        return { type: 'room.removed', room };
      }
      default:
        return null;
    }
  }

  // A sync reloads the list after the stream (re)opens, since messages
  // may have been missed while it was closed: startSync before asking for
  // the first page, finishSync with it. Messages that come meanwhile are
  // applied at once, and again on top of the page, which may be older.
  startSync() {
    this.replay = [];
  }

  // syncLimit is how many rooms to ask for: as many as are shown.
  syncLimit(min = 24, max = 100) {
    return Math.max(min, Math.min(max, this.rooms.length));
  }

  finishSync(page) {
    const replay = this.replay ?? [];
    this.replay = null;
    this.rooms = [];
    this.loaded = false;
    this.addPage(page);
    for (const msg of replay) this.applyOne(msg);
  }

  cancelSync() {
    this.replay = null;
  }
}
