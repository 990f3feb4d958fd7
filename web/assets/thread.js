// thread.js: the comments of one card as an open dialog knows them, with
// no DOM. They come from pages (GET .../comments, oldest first, a cursor
// to the next, newer, page), from this page's own requests and from the
// room's events, in any order and some more than once; a Thread keeps
// each comment once, in the server's order (created_at, then id), and
// knows where the comments not loaded yet would go. node --test runs it.

export const PAGE_SIZE = 50;

export class Thread {
  constructor() {
    this.items = new Map(); // comment ID -> Comment
    this.deleted = new Set(); // IDs deleted: a late answer does not bring one back
    this.cursor = null; // the next page's cursor, null when there is none
    this.started = false; // the first page has arrived
    this.last = null; // the newest comment of the pages loaded so far
  }

  // addPage takes a page of GET .../comments.
  addPage(page) {
    this.started = true;
    for (const c of page.items) this.put(c);
    if (page.items.length > 0) this.last = page.items.at(-1);
    this.cursor = page.next_cursor ?? null;
  }

  // put adds a comment, or takes a newer version of one (an edit).
  put(comment) {
    if (this.deleted.has(comment.id)) return;
    const had = this.items.get(comment.id);
    if (had && Date.parse(had.updated_at) > Date.parse(comment.updated_at)) return;
    this.items.set(comment.id, comment);
  }

  remove(commentID) {
    this.deleted.add(commentID);
    this.items.delete(commentID);
  }

  // view is what the dialog shows: the comments loaded through pages
  // (loaded), then, when more pages remain, a gap holding hidden comments
  // (about count - everything known), then the comments that arrived
  // live since (newer than every page loaded). Without a gap, every
  // comment is in loaded.
  view(count) {
    const all = [...this.items.values()].sort(compare);
    if (this.cursor === null) return { loaded: all, gap: false, hidden: 0, later: [] };
    const split = this.last ? all.findIndex((c) => compare(c, this.last) > 0) : 0;
    const at = split < 0 ? all.length : split;
    return { loaded: all.slice(0, at), gap: true, hidden: Math.max(0, count - all.length), later: all.slice(at) };
  }
}

// compare orders comments as the server does: created_at, then ID. A
// time's fraction has up to 9 digits (the server's has 6): they are
// compared as digits, not as a float that would lose them.
export function compare(a, b) {
  const [ta, fa] = timeKey(a.created_at);
  const [tb, fb] = timeKey(b.created_at);
  if (ta !== tb) return ta - tb;
  if (fa !== fb) return fa < fb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function timeKey(iso) {
  const whole = Date.parse(iso.replace(/\.\d+/, '')); // to the second
  const frac = (/\.(\d+)/.exec(iso)?.[1] ?? '').padEnd(9, '0');
  return [whole, frac];
}
