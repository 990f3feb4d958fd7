// boardcontroller.js: the board page's state and decisions, with no DOM.
// It keeps the server's board (confirmed), the moves still in flight
// (pending) and a keyboard move in progress (lift), applies the room's
// events in version order, and decides when to refetch. app.js builds the
// page and wires its gestures here; node --test runs it with fakes (web/test).
import { ApiError, describe } from './api.js';
import * as S from './state.js';

const GONE = 'This board is gone, or you are no longer a member.';

// BATCH_MS is how long one batch of events may take before the page gets
// its turn (a frame is 16 ms); on a board that takes longer than that to
// draw, a batch may run as long as the last drawing took, up to
// BATCH_MAX_MS, so that a catch-up is not mostly drawing.
const BATCH_MS = 12;
const BATCH_MAX_MS = 50;
// CHUNK is how many events share one copy of the board within a batch.
const CHUNK = 100;

// The events that change what a board's archive holds.
const ARCHIVE_EVENTS = new Set(['card.archived', 'card.restored', 'card.deleted', 'column.archived', 'column.restored', 'column.deleted']);

// permissions says what a role may do on a board: edit its columns, cards,
// labels, assignees and archive (owners and members), manage the room and
// its people (owners), comment (everyone in it; viewers too). The page
// draws its controls from it and the controller refuses the gestures it
// forbids; the server has the last word (403).
export function permissions(role) {
  const known = role === 'owner' || role === 'member' || role === 'viewer';
  return { role: role ?? null, edit: role === 'owner' || role === 'member', manage: role === 'owner', comment: known, viewOnly: role === 'viewer' };
}

// roleWords names a role as a sentence says it: "a viewer".
export function roleWords(role) {
  return { owner: 'an owner', member: 'a member', viewer: 'a viewer' }[role] ?? role;
}

// BoardController runs one board page. Its options:
//   api, roomID, me     the API client, the room, the signed-in user ({id})
//   live(callbacks)     makes the room's LiveRoom (live.js) with these
//                       callbacks; its live property says whether events
//                       are arriving
//   ui                  what the page does, all called while it runs:
//     render(board, liftedID)  draw board (confirmed, pending and lift in one)
//     status(status)           show the socket's status
//     leave(message, kind)     go back to the boards list, saying why
//     toast(message, kind), announce(message)
//     flash(cardIDs)           other people changed these cards (one batch)
//     comment(event)           a comment.* event was applied (an open card
//                              dialog shows the comment)
//     archive(events)          events that change the archive came, in one
//                              batch (an open archive panel loads it again)
//     presence(users)          who has the board open now ([{id,
//                              display_name}]), or null when not known
//     loadFailed(err)          the board could not be loaded at all
//   schedule(fn), now()  run fn on a later turn of the event loop, and a
//                        clock in ms: how events are batched (see flush);
//                        the tests pass their own
export class BoardController {
  constructor({ api, roomID, me, live, ui, schedule = (fn) => setTimeout(fn, 0), now = () => performance.now() }) {
    this.api = api;
    this.schedule = schedule;
    this.now = now;
    this.queue = []; // events received, not yet applied (see flush)
    this.renderMs = 0; // how long the last batch took to draw
    this.presence = null; // who has the board open: [{id, display_name}], or null
    this.roomID = roomID;
    this.me = me;
    this.ui = ui;
    this.confirmed = null; // the board as the server has told it, version included
    this.etag = null;
    this.cachedBody = null; // the body etag names, for a 304
    this.pending = new Map(); // card ID -> {columnID, position, seq, done}
    this.lift = null; // {cardID, columnID, position, fromColumnID, fromPosition}
    this.moveSeq = 0;
    this.stopped = false;
    this.liveRoom = live({
      version: () => this.confirmed.version,
      onStatus: (s) => {
        if (this.stopped) return;
        ui.status(s);
        // Offline, who else is here is not known.
        if (s === 'offline' && this.presence !== null) this.onPresence(null);
      },
      onResync: () => this.refetch(),
      onLost: (reason) => this.lost(reason),
      onEvent: (event) => this.onEvent(event),
      onPresence: (users) => this.onPresence(users),
    });
  }

  // start loads the board, then opens its socket.
  async start() {
    try {
      await this.load();
    } catch (err) {
      if (this.stopped) return;
      if (err instanceof ApiError && err.status === 404) this.leave('That board does not exist, or you are not a member of it.', 'error');
      else if (!(err instanceof ApiError && err.status === 401)) this.ui.loadFailed(err);
      return;
    }
    if (!this.stopped) this.liveRoom.start();
  }

  stop() {
    this.stopped = true;
    this.queue = [];
    this.liveRoom.stop();
  }

  // shown is the board on screen: the server's, with the moves in flight
  // and a keyboard move in progress on top.
  shown() {
    if (this.pending.size === 0 && !this.lift) return this.confirmed; // read only
    const b = S.copy(this.confirmed);
    for (const [id, p] of this.pending) S.moveCard(b, id, p.columnID, p.position);
    if (this.lift && !S.moveCard(b, this.lift.cardID, this.lift.columnID, this.lift.position)) this.lift = null;
    return b;
  }

  // can is what the signed-in user may do on this board now (permissions
  // of their role); a member.updated event about them changes it live.
  get can() {
    return permissions(this.confirmed?.role);
  }

  // card finds a card on screen: {card, column, index} or null.
  card(cardID) {
    return S.findCard(this.shown(), cardID);
  }

  // column finds a column of the server's board, or null.
  column(columnID) {
    return S.findColumn(this.confirmed, columnID);
  }

  render() {
    if (this.stopped || !this.confirmed) return;
    const b = this.shown();
    this.ui.render(b, this.lift?.cardID ?? null);
  }

  leave(message, kind = 'info') {
    if (this.stopped) return;
    this.ui.leave(message, kind);
  }

  // load fetches the board, revalidating with the ETag of the last fetch.
  async load() {
    const res = await this.api.get(`/api/rooms/${this.roomID}`, { etag: this.etag, withETag: true });
    if (this.stopped) return;
    let board;
    if (res.notModified) {
      board = JSON.parse(this.cachedBody);
    } else {
      this.cachedBody = res.text ?? JSON.stringify(res.body);
      this.etag = res.etag;
      board = res.body;
    }
    S.normalize(board);
    // Events that arrived while this request was out may be newer than the
    // snapshot; the newer board wins.
    if (!this.confirmed || board.version >= this.confirmed.version) {
      this.confirmed = board;
      for (const [id, p] of this.pending) if (p.done) this.pending.delete(id);
    }
    this.render();
  }

  async refetch() {
    try {
      await this.load();
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.leave(GONE, 'error');
      else throw err;
    }
  }

  lost(reason) {
    if (reason === 'gone') return this.leave(GONE, 'error');
    // The socket's access ended (4001): the refetch tells why. A 404 means
    // removed (leave the board). A 401 means the session ended: the API
    // client has already tried a refresh from the cookie, and a refused
    // one signed the page out. A board means the room is still open to a
    // session of this page (a password change here, or a refresh after
    // this tab's session was replaced): reopen.
    this.refetch().then(() => { if (!this.stopped) this.liveRoom.start(); }).catch(() => {});
  }

  // onEvent takes an event from the socket. Events are applied in batches:
  // after a drop the socket may bring thousands at once (a laptop that
  // slept through a busy afternoon), and drawing the board once per event
  // would freeze the page. A batch takes what has arrived, for at most
  // BATCH_MS, then draws once; what is left waits for the next turn of
  // the event loop, so the page answers clicks and keys in between.
  onEvent(event) {
    if (this.stopped || !this.confirmed) return;
    this.queue.push(event);
    if (this.queue.length === 1) this.schedule(() => this.flush());
  }

  // onPresence shows who has the board open now (not an event: no
  // version, nothing to apply); null when that is not known (offline).
  onPresence(users) {
    if (this.stopped) return;
    this.presence = users;
    this.ui.presence?.(users);
  }

  // flush applies the queued events, in order, for up to BATCH_MS, and
  // draws the board once for all of them. An event that cannot be applied
  // (a gap, one that does not fit, the room gone) ends the batch and drops
  // the rest of the queue: the reconnect or the refetch brings them again.
  flush() {
    if (this.stopped || !this.confirmed) {
      this.queue = [];
      return;
    }
    const started = this.now();
    const budget = Math.min(BATCH_MAX_MS, Math.max(BATCH_MS, this.renderMs));
    const was = this.confirmed.role;
    let roleEvent = null;
    let applied = 0;
    let stop = null; // {result, event} of the event that ended the batch
    const flashed = new Set();
    const archived = [];
    let i = 0;
    // Chunks of events with one copy of the board each (S.applyEvents),
    // until the batch's time is up.
    while (i < this.queue.length && !stop) {
      const chunk = this.queue.slice(i, i + CHUNK);
      const r = S.applyEvents(this.confirmed, chunk, this.me.id);
      i += r.event ? chunk.indexOf(r.event) + 1 : chunk.length;
      if (r.result) stop = { result: r.result, event: r.event };
      if (r.result === S.RESYNC && ARCHIVE_EVENTS.has(r.event.type)) archived.push(r.event);
      for (const event of r.applied) {
        applied++;
        if (ARCHIVE_EVENTS.has(event.type)) archived.push(event);
        const c = event.data?.card;
        if (c && event.actor_id === this.me.id && event.type === 'card.moved' && this.pending.get(c.id)?.done) this.pending.delete(c.id);
        if (event.type === 'member.updated' && event.data.member?.user?.id === this.me.id) roleEvent = event;
        const commented = event.type.startsWith('comment.');
        if (commented) this.ui.comment(event);
        const cardID = c?.id ?? (commented ? event.data.comment?.card_id ?? event.data.card_id : null);
        if (cardID && event.actor_id !== this.me.id) flashed.add(cardID);
      }
      if (this.now() - started >= budget) break;
    }
    this.queue = stop ? [] : this.queue.slice(i);
    if (archived.length > 0) this.ui.archive?.(archived);
    if (applied > 0 && stop?.result !== S.DELETED && stop?.result !== S.REMOVED) {
      // A card picked up by keyboard is put back when editing stops.
      if (!this.can.edit) this.lift = null;
      const drawing = this.now();
      this.render();
      this.renderMs = this.now() - drawing;
      if (roleEvent && this.confirmed.role !== was) this.roleChanged(roleEvent);
      if (flashed.size > 0) this.ui.flash([...flashed]);
    }
    if (this.queue.length > 0) this.schedule(() => this.flush());
    switch (stop?.result) {
      case S.GAP:
        this.liveRoom.reconnect(0);
        break;
      case S.RESYNC:
        this.refetch().catch(() => this.liveRoom.reconnect(1000));
        break;
      case S.DELETED:
        this.liveRoom.stop();
        this.leave(`“${this.confirmed.name}” was deleted by its owner.`, 'error');
        break;
      case S.REMOVED:
        this.liveRoom.stop();
        this.leave(`You were removed from “${this.confirmed.name}”.`, 'error');
        break;
      default:
    }
  }

  // roleChanged says what the signed-in user's new role means here; the
  // render before it has already redrawn the page for it.
  roleChanged(event) {
    const role = this.confirmed.role;
    const who = this.confirmed.members.find((m) => m.user.id === event.actor_id)?.user.display_name ?? 'An owner';
    const what = this.can.edit ? 'You can change this board.' : 'You can read this board and comment on its cards, but not change it.';
    const made = event.actor_id === this.me.id ? 'You are now' : `${who} made you`;
    const message = `${made} ${roleWords(role)} of “${this.confirmed.name}”. ${what}`;
    this.ui.toast(message, 'info');
    this.ui.announce(message);
  }

  fail(what, err) {
    if (err instanceof ApiError && err.status === 401) return; // signed out already
    this.ui.toast(`${what}. ${describe(err)}`, 'error');
  }

  // afterChange keeps the page true when the socket is not there to bring
  // the change's event.
  afterChange() {
    if (!this.liveRoom.live) this.refetch().catch(() => {});
  }

  // attempt sends one change; its event will redraw the board. It says
  // whether the server took it, and shows why not.
  async attempt(what, call) {
    try {
      await call();
      this.afterChange();
      return true;
    } catch (err) {
      this.fail(what, err);
      return false;
    }
  }

  // ---- cards ----

  // moveCard shows the move at once and sends it; a refused move is rolled
  // back with a message.
  async moveCard(cardID, columnID, position) {
    if (!this.can.edit) return;
    const before = S.findCard(this.shown(), cardID);
    if (!before) return;
    if (before.column.id === columnID && before.index === position) return;
    const seq = ++this.moveSeq;
    this.pending.set(cardID, { columnID, position, seq, done: false });
    this.render();
    try {
      await this.api.post(`/api/cards/${cardID}/move`, { column_id: columnID, position });
      const p = this.pending.get(cardID);
      if (p?.seq === seq) {
        // Keep showing the move until its event arrives (in version order,
        // so no earlier event can undo it on screen); without a socket,
        // the refetch brings it.
        p.done = true;
        if (!this.liveRoom.live) { this.pending.delete(cardID); this.afterChange(); }
      }
    } catch (err) {
      if (this.pending.get(cardID)?.seq === seq) this.pending.delete(cardID);
      this.render();
      if (!(err instanceof ApiError && err.status === 401)) {
        this.ui.toast(`Could not move “${before.card.title}”. ${describe(err)} It is back where it was.`, 'error');
        this.ui.announce(`Move refused. ${before.card.title} is back in ${before.column.name}.`);
      }
      if (err instanceof ApiError && err.status !== 0 && err.status !== 401) this.refetch().catch(() => {});
    }
  }

  addCard(columnID, title) {
    return this.attempt('Could not add the card', () => this.api.post(`/api/columns/${columnID}/cards`, { title }));
  }

  // updateCard sends body (any of title, description, due_at,
  // due_complete).
  updateCard(cardID, body) {
    return this.attempt('Could not change the card', () => this.api.patch(`/api/cards/${cardID}`, body));
  }

  deleteCard(cardID) {
    return this.attempt('Could not change the card', () => this.api.del(`/api/cards/${cardID}`));
  }

  // ---- the archive ----

  // archiveCard takes a card off the board, into the archive; restoreCard
  // puts it back (at the end of its column, or of the first column when
  // its own is archived). Their events redraw the board.
  archiveCard(cardID) {
    return this.attempt('Could not archive the card', () => this.api.post(`/api/cards/${cardID}/archive`));
  }

  restoreCard(cardID) {
    return this.attempt('Could not restore the card', () => this.api.post(`/api/cards/${cardID}/restore`));
  }

  archiveColumn(columnID) {
    return this.attempt('Could not archive the column', () => this.api.post(`/api/columns/${columnID}/archive`));
  }

  restoreColumn(columnID) {
    return this.attempt('Could not restore the column', () => this.api.post(`/api/columns/${columnID}/restore`));
  }

  // archived loads the room's archive: {columns, cards}, most recently
  // archived first. It throws.
  archived() {
    return this.api.get(`/api/rooms/${this.roomID}/archive`);
  }

  // Keyboard moves: lift, nudge, drop.

  liftCard(cardID) {
    const found = this.card(cardID);
    if (!found) return;
    if (!this.can.edit) {
      this.ui.announce('View only: cards on this board cannot be moved by you.');
      return;
    }
    this.lift = { cardID, columnID: found.column.id, position: found.index, fromColumnID: found.column.id, fromPosition: found.index };
    this.render();
    this.ui.announce(`Picked up ${found.card.title}. Arrow keys move it, Space drops it, Escape puts it back.`);
  }

  // nudge moves the lifted card dx columns or dy places.
  nudge(dx, dy) {
    const lift = this.lift;
    if (!lift) return;
    const b = this.shown();
    const ci = b.columns.findIndex((c) => c.id === lift.columnID);
    if (dx !== 0) {
      const target = b.columns[ci + dx];
      if (!target) return;
      lift.columnID = target.id;
      lift.position = Math.min(lift.position, target.cards.length);
    } else {
      lift.position = Math.max(0, Math.min(lift.position + dy, b.columns[ci].cards.length - 1));
    }
    this.render();
    const col = S.findColumn(this.shown(), lift.columnID);
    this.ui.announce(`${col.name}, position ${lift.position + 1} of ${col.cards.length}.`);
  }

  // drop puts the lifted card down and sends its move; it returns the
  // card's ID if it moved (for the page to keep focus on it), else null.
  drop() {
    const l = this.lift;
    if (!l) return null;
    this.lift = null;
    const col = S.findColumn(this.confirmed, l.columnID);
    if (l.columnID === l.fromColumnID && l.position === l.fromPosition) {
      this.render();
      this.ui.announce('Dropped where it was.');
      return null;
    }
    this.ui.announce(`Dropped in ${col?.name ?? 'the column'}, position ${l.position + 1}.`);
    this.moveCard(l.cardID, l.columnID, l.position);
    return l.cardID;
  }

  cancelLift() {
    if (!this.lift) return;
    this.lift = null;
    this.render();
    this.ui.announce('Move cancelled.');
  }

  // ---- card details ----

  // setLabel puts a label on a card (on) or takes it off.
  setLabel(cardID, labelID, on) {
    const path = `/api/cards/${cardID}/labels/${labelID}`;
    return this.attempt('Could not change the card\'s labels', () => (on ? this.api.put(path) : this.api.del(path)));
  }

  // setAssignee assigns a member to a card (on) or unassigns them.
  setAssignee(cardID, userID, on) {
    const path = `/api/cards/${cardID}/assignees/${userID}`;
    return this.attempt('Could not change who is assigned', () => (on ? this.api.put(path) : this.api.del(path)));
  }

  // comments loads a page of a card's comments (oldest first); cursor is
  // the last page's next_cursor, or null for the first. It throws.
  comments(cardID, cursor, limit) {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cursor) q.set('cursor', cursor);
    return this.api.get(`/api/cards/${cardID}/comments?${q}`);
  }

  // addComment and editComment return the Comment, or throw the refusal
  // for the dialog to show next to what was typed; like every change,
  // their event comes too.
  async addComment(cardID, body) {
    const comment = await this.api.post(`/api/cards/${cardID}/comments`, { body });
    this.afterChange();
    return comment;
  }

  async editComment(commentID, body) {
    const comment = await this.api.patch(`/api/comments/${commentID}`, { body });
    this.afterChange();
    return comment;
  }

  deleteComment(commentID) {
    return this.attempt('Could not delete the comment', () => this.api.del(`/api/comments/${commentID}`));
  }

  // ---- labels ----

  // createLabel and updateLabel ({name, color}, either or both) throw the
  // refusal (a name the board already has, say) for the form to show.
  async createLabel(name, color) {
    await this.api.post(`/api/rooms/${this.roomID}/labels`, { name, color });
    this.afterChange();
  }

  async updateLabel(labelID, body) {
    await this.api.patch(`/api/labels/${labelID}`, body);
    this.afterChange();
  }

  deleteLabel(labelID) {
    return this.attempt('Could not delete the label', () => this.api.del(`/api/labels/${labelID}`));
  }

  // ---- columns ----

  addColumn(name) {
    return this.attempt('Could not add the column', () => this.api.post(`/api/rooms/${this.roomID}/columns`, { name }));
  }

  renameColumn(id, name) {
    return this.attempt('Could not rename the column', () => this.api.patch(`/api/columns/${id}`, { name }));
  }

  // moveColumn moves a column delta places (-1 left, 1 right).
  async moveColumn(id, delta) {
    const col = this.column(id);
    if (!col) return false;
    return this.attempt('Could not move the column', () => this.api.patch(`/api/columns/${id}`, { position: col.position + delta }));
  }

  deleteColumn(id) {
    return this.attempt('Could not delete the column', () => this.api.del(`/api/columns/${id}`));
  }

  // ---- the board and its members ----

  renameBoard(name) {
    return this.attempt('Could not rename the board', () => this.api.patch(`/api/rooms/${this.roomID}`, { name }));
  }

  // deleteBoard closes the socket first, so the room's own room.deleted
  // event does not say that someone else deleted it.
  async deleteBoard() {
    try {
      this.liveRoom.stop();
      await this.api.del(`/api/rooms/${this.roomID}`);
      this.leave(`“${this.confirmed.name}” was deleted.`);
    } catch (err) {
      this.fail('Could not delete the board', err);
      this.liveRoom.start();
    }
  }

  // addMember adds the account with this email, with a role (owner,
  // member or viewer; the server's default, member, when not given);
  // unlike the other changes it throws the refusal, for the page to show
  // next to its form.
  async addMember(email, role) {
    await this.api.post(`/api/rooms/${this.roomID}/members`, role ? { email, role } : { email });
    this.afterChange();
  }

  // setRole changes a member's role; it throws the refusal (409 last_owner:
  // the room keeps an owner) for the page to show on that member's row.
  async setRole(userID, role) {
    const member = await this.api.patch(`/api/rooms/${this.roomID}/members/${userID}`, { role });
    this.afterChange();
    return member;
  }

  // ---- invitation links (owners) ----

  // createInvite makes a link that lets anyone join with role (member or
  // viewer) for hours; it returns the Invite, whose url is shown only
  // this once, or throws the refusal for the form to show.
  createInvite(role, hours) {
    return this.api.post(`/api/rooms/${this.roomID}/invites`, { role, expires_in_hours: hours });
  }

  // invites lists the room's open links; it throws.
  invites() {
    return this.api.get(`/api/rooms/${this.roomID}/invites`);
  }

  // revokeInvite ends a link; one already gone (revoked by another owner,
  // expired) counts as done.
  async revokeInvite(inviteID) {
    try {
      await this.api.del(`/api/invites/${inviteID}`);
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return true;
      this.fail('Could not revoke the link', err);
      return false;
    }
  }

  removeMember(userID) {
    return this.attempt('Could not remove the member', () => this.api.del(`/api/rooms/${this.roomID}/members/${userID}`));
  }

  // leaveBoard removes the signed-in user, closing the socket first as
  // deleteBoard does.
  async leaveBoard() {
    try {
      this.liveRoom.stop();
      await this.api.del(`/api/rooms/${this.roomID}/members/${this.me.id}`);
      this.leave(`You left “${this.confirmed.name}”.`);
    } catch (err) {
      this.liveRoom.start();
      this.fail('Could not leave the board', err);
    }
  }
}
