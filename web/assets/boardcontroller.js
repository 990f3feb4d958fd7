// boardcontroller.js: the board page's state and decisions, with no DOM.
// It keeps the server's board (confirmed), the moves still in flight
// (pending) and a keyboard move in progress (lift), applies the room's
// events in version order, and decides when to refetch. app.js builds the
// page and wires its gestures here; node --test runs it with fakes (web/test).
import { ApiError, describe } from './api.js';
import * as S from './state.js';

const GONE = 'This board is gone, or you are no longer a member.';

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
//     flash(cardID)            another person changed this card
//     comment(event)           a comment.* event was applied (an open card
//                              dialog shows the comment)
//     loadFailed(err)          the board could not be loaded at all
export class BoardController {
  constructor({ api, roomID, me, live, ui }) {
    this.api = api;
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
      onStatus: (s) => { if (!this.stopped) ui.status(s); },
      onResync: () => this.refetch(),
      onLost: (reason) => this.lost(reason),
      onEvent: (event) => this.onEvent(event),
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
      this.cachedBody = JSON.stringify(res.body);
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

  onEvent(event) {
    if (this.stopped || !this.confirmed) return;
    const result = S.applyEvent(this.confirmed, event, this.me.id);
    switch (result) {
      case S.APPLIED: {
        const c = event.data?.card;
        if (c && event.actor_id === this.me.id && event.type === 'card.moved' && this.pending.get(c.id)?.done) this.pending.delete(c.id);
        this.render();
        const commented = event.type.startsWith('comment.');
        if (commented) this.ui.comment(event);
        const cardID = c?.id ?? (commented ? event.data.comment?.card_id ?? event.data.card_id : null);
        if (cardID && event.actor_id !== this.me.id) this.ui.flash(cardID);
        break;
      }
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
      default: // STALE
    }
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

  // Keyboard moves: lift, nudge, drop.

  liftCard(cardID) {
    const found = this.card(cardID);
    if (!found) return;
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

  // addMember adds the account with this email; unlike the other changes
  // it throws the refusal, for the page to show next to its form.
  async addMember(email) {
    await this.api.post(`/api/rooms/${this.roomID}/members`, { email });
    this.afterChange();
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
