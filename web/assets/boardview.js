// boardview.js: draws a board and turns pointer and keyboard gestures into
// intents (move this card there, rename that column). It owns no state:
// app.js hands the intents to the BoardController (boardcontroller.js),
// which decides and has render called again.
import { h, reconcile } from './dom.js';
import { focusTarget, tabStop } from './roving.js';
import { cardDetails, describeDetails, initials, plural } from './details.js';

const DRAG_THRESHOLD_PX = 5;
let cardTemplate = null; // makeCard's, built on first use
const TOUCH_HOLD_MS = 300;

// BoardView renders into root. handlers: {moveCard(cardID, columnID,
// position), openCard(cardID), addCard(columnID, title), renameColumn(id),
// moveColumn(id, delta), archiveColumn(id), deleteColumn(id), addColumn(name),
// lift(cardID), nudge(dx, dy), drop(), cancelLift(), redraw()}; redraw
// asks for a render when a due date falls past.
export class BoardView {
  constructor(root, handlers) {
    this.handlers = handlers;
    this.root = root;
    this.list = h('ol', { class: 'columns', 'aria-label': 'Columns' });
    const nameInput = h('input', { name: 'name', maxlength: 200, placeholder: 'Column name', 'aria-label': 'New column name', autocomplete: 'off' });
    this.addColumnForm = h('form', { class: 'add-column', method: 'post' },
      nameInput, h('button', { type: 'submit', class: 'btn btn-primary', text: 'Add column' }));
    this.addColumnForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      const name = nameInput.value.trim();
      if (name === '') return nameInput.focus();
      if (await handlers.addColumn(name)) nameInput.value = '';
    });
    // Hidden until the first render: on a phone, scroll snapping would
    // otherwise hold on to the add-column form as the columns arrive.
    this.emptyHint = h('p', { class: 'empty-board', text: 'This board has no columns yet. Add one, say “To do”, and then cards to it.' });
    this.scroller = h('div', { class: 'board-scroller', hidden: true }, this.list, this.emptyHint, this.addColumnForm);
    root.append(this.scroller);
    this.drag = null;
    this.liftedID = null;
    this.editable = true; // the signed-in user may change the board (the controller decides)
    this.board = null; // the board last drawn
    this.stops = new Map(); // column ID -> the card focused there last
    this.closeComposer = null; // the open add-card box's close, if one is open
    this.names = { key: null, epoch: 0, labels: new Map(), users: new Map() }; // the board's labels and members, by ID
    this.dueTimer = null;
    this.listenForDrags();
    // A card that takes the focus becomes its column's Tab stop.
    this.list.addEventListener('focusin', (e) => {
      const button = e.target.closest?.('.card-button');
      if (button) this.setStop(button.closest('.cards').dataset.columnId, button.closest('.card').dataset.cardId);
    });
    // The cards' keys and clicks, for all of them: one listener each on
    // the list rather than two on each of thousands of cards.
    this.list.addEventListener('keydown', (e) => {
      const button = e.target.closest?.('.card-button');
      if (button) this.cardKey(e, button.closest('.card').dataset.cardId);
    });
    // A click with no pointer (detail 0) is a screen reader's "activate";
    // keys and pointers are handled above and in listenForDrags.
    this.list.addEventListener('click', (e) => {
      const button = e.target.closest?.('.card-button');
      if (!button || e.detail !== 0) return;
      const id = button.closest('.card').dataset.cardId;
      if (this.liftedID !== id) this.handlers.openCard(id);
    });
  }

  // render draws board; liftedID is the card being moved by keyboard;
  // editable says whether to offer changes (drags, moves, add, rename,
  // delete): a viewer's board has none of them, and only opens cards.
  render(board, liftedID, editable = true) {
    this.liftedID = liftedID;
    this.board = board;
    this.scroller.hidden = false;
    if (editable !== this.editable) {
      this.editable = editable;
      this.root.classList.toggle('read-only', !editable);
      if (!editable) {
        this.closeComposer?.();
        if (this.drag) this.endDrag(false);
      }
    }
    this.addColumnForm.hidden = !editable;
    const count = board.columns.length;
    this.emptyHint.hidden = count > 0;
    this.emptyHint.textContent = editable ? 'This board has no columns yet. Add one, say “To do”, and then cards to it.' : 'This board has no columns yet.';
    // The card with the focus, if any: a render that moves its node (a
    // move across columns, by this page or another) blurs it, and one
    // that removes it leaves the focus nowhere; it is given back below.
    const focused = document.activeElement?.closest?.('.card');
    const had = focused && this.list.contains(focused)
      ? { cardID: focused.dataset.cardId, columnID: focused.closest('.cards').dataset.columnId } : null;
    if (liftedID) {
      const col = board.columns.find((c) => c.cards.some((card) => card.id === liftedID));
      if (col) this.stops.set(col.id, liftedID);
    }
    this.lookUpNames(board);
    this.now = Date.now();
    this.nextDue = Infinity; // the soonest due date still ahead, seen while drawing
    reconcile(this.list, board.columns, (c) => c.id,
      (col) => this.makeColumn(col),
      (node, col) => this.updateColumn(node, col, count));
    const lost = () => !document.activeElement || document.activeElement === document.body || !document.activeElement.isConnected;
    if (liftedID) {
      const el = this.cardNode(liftedID);
      if (el && !el.contains(document.activeElement)) this.focusCard(liftedID);
      el?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    } else if (had && lost()) {
      if (this.cardNode(had.cardID)) this.focusCard(had.cardID);
      else this.focusColumn(had.columnID);
    }
    // A card's due date that falls past turns its badge to overdue then.
    clearTimeout(this.dueTimer);
    if (this.nextDue !== Infinity) {
      this.dueTimer = setTimeout(() => this.handlers.redraw(), Math.min(this.nextDue - this.now + 250, 2 ** 31 - 1));
    }
  }

  // lookUpNames indexes the board's labels and members by ID; the epoch
  // changes only when one of them looks different, so the cards are
  // redrawn only then.
  lookUpNames(board) {
    let key = '';
    for (const l of board.labels) key += `${l.id}\u0000${l.name}\u0000${l.color}\u0001`;
    key += '\u0002';
    for (const m of board.members) key += `${m.user.id}\u0000${m.user.display_name}\u0001`;
    if (key === this.names.key) return;
    this.names = {
      key,
      epoch: this.names.epoch + 1,
      labels: new Map(board.labels.map((l) => [l.id, l])),
      users: new Map(board.members.map((m) => [m.user.id, m.user])),
    };
  }

  cardNode(cardID) {
    return this.list.querySelector(`.card[data-key="${CSS.escape(cardID)}"]`);
  }

  focusCard(cardID) {
    this.cardNode(cardID)?.refs.button.focus({ preventScroll: true });
    this.cardNode(cardID)?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }

  // focusColumn puts the focus on a column's Tab stop, or on its add-card
  // button when it has no cards; a card whose column is gone too leaves
  // the focus on the board's first column, or the add-column form.
  focusColumn(columnID) {
    const node = this.list.querySelector(`.column[data-key="${CSS.escape(columnID)}"]`) ?? this.list.firstElementChild;
    if (!node) {
      this.addColumnForm.querySelector('input').focus();
      return;
    }
    const stop = node.refs.cards.querySelector('.card-button[tabindex="0"]');
    (stop ?? node.refs.open).focus({ preventScroll: true });
  }

  // setStop makes cardID its column's Tab stop, at once.
  setStop(columnID, cardID) {
    this.stops.set(columnID, cardID);
    const list = this.list.querySelector(`.cards[data-column-id="${CSS.escape(columnID)}"]`);
    if (!list) return;
    for (const el of list.children) {
      const tab = el.dataset.cardId === cardID ? 0 : -1;
      if (el.refs.button.tabIndex !== tab) el.refs.button.tabIndex = tab;
      el.shown = { ...el.shown, tab };
    }
  }

  makeColumn(col) {
    const title = h('button', { type: 'button', class: 'column-title', title: 'Rename column', onclick: () => this.handlers.renameColumn(col.id) });
    // A viewer sees the name as text: nothing to rename.
    const label = h('span', { class: 'column-label', hidden: true });
    // The count is seen as a number and heard as "3 cards".
    const count = h('span', { class: 'column-count' });
    const countShown = h('span', { 'aria-hidden': 'true' });
    const countHeard = h('span', { class: 'sr-only' });
    count.append(countShown, countHeard);
    const left = h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Move column left', title: 'Move column left', text: '‹', onclick: () => this.handlers.moveColumn(col.id, -1) });
    const right = h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Move column right', title: 'Move column right', text: '›', onclick: () => this.handlers.moveColumn(col.id, 1) });
    const archive = h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Archive column', title: 'Archive column', text: '⤓', onclick: () => this.handlers.archiveColumn(col.id) });
    const del = h('button', { type: 'button', class: 'icon-btn icon-danger', 'aria-label': 'Delete column', title: 'Delete column', text: '×', onclick: () => this.handlers.deleteColumn(col.id) });
    const cards = h('ol', { class: 'cards', dataset: { columnId: col.id } });
    const input = h('textarea', { name: 'title', rows: 2, maxlength: 200, placeholder: 'Card title', 'aria-label': 'New card title' });
    const composer = h('form', { class: 'composer', method: 'post', hidden: true },
      input,
      h('div', { class: 'composer-actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', text: 'Add card' }),
        h('button', { type: 'button', class: 'btn btn-quiet', text: 'Close', onclick: () => closeComposer() })));
    const open = h('button', { type: 'button', class: 'add-card', text: '+ Add a card' });
    // One add-card box at a time: opening one closes the other, which
    // keeps what was typed in it for the next time it opens.
    const hide = () => {
      composer.hidden = true;
      open.hidden = false;
      if (this.closeComposer === hide) this.closeComposer = null;
    };
    const closeComposer = () => { hide(); open.focus(); };
    open.addEventListener('click', () => {
      if (this.closeComposer && this.closeComposer !== hide) this.closeComposer();
      this.closeComposer = hide;
      composer.hidden = false;
      open.hidden = true;
      input.focus();
    });
    const submit = async () => {
      const text = input.value.trim();
      if (text === '') return input.focus();
      if (await this.handlers.addCard(col.id, text)) {
        input.value = '';
        input.focus();
      }
    };
    composer.addEventListener('submit', (e) => { e.preventDefault(); submit(); });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); submit(); }
      if (e.key === 'Escape') { e.preventDefault(); closeComposer(); }
    });
    const node = h('li', { class: 'column', dataset: { columnId: col.id } },
      h('header', { class: 'column-head' }, title, label, count, h('span', { class: 'spacer' }), left, right, archive, del),
      cards, composer, open);
    node.refs = { title, label, count, countShown, countHeard, left, right, archive, del, cards, open, hide };
    return node;
  }

  updateColumn(node, col, columnCount) {
    const { title, label, countShown, countHeard, left, right, archive, del, cards, open } = node.refs;
    if (node.shownEditable !== this.editable) {
      node.shownEditable = this.editable;
      const ro = !this.editable;
      if (ro) node.refs.hide(); // an open add-card box closes (its text kept)
      for (const el of [title, left, right, archive, del, open]) el.hidden = ro;
      label.hidden = !ro;
    }
    if (node.shownName !== col.name) {
      node.shownName = col.name;
      title.textContent = col.name;
      label.textContent = col.name;
      title.setAttribute('aria-label', `Column ${col.name}; rename`);
      cards.setAttribute('aria-label', `Cards in ${col.name}`);
    }
    const n = col.cards.length;
    if (countShown.textContent !== String(n)) {
      countShown.textContent = String(n);
      countHeard.textContent = n === 1 ? '1 card' : `${n} cards`;
    }
    left.disabled = col.position === 0;
    right.disabled = col.position === columnCount - 1;
    const stop = tabStop(col, this.stops.get(col.id));
    // A column whose cards are the very objects drawn last time (a board's
    // copies share unchanged cards: state.js), with the same name, Tab
    // stop, lifted card, role and names, and no due date fallen past since,
    // looks the same: an event on a 4,000-card board redraws only the
    // columns it touched.
    const last = node.drawn;
    const same = last && last.name === col.name && last.stop === stop && last.lifted === this.liftedID
      && last.editable === this.editable && last.epoch === this.names.epoch && !(last.nextDue <= this.now)
      && last.cards.length === col.cards.length && last.cards.every((c, i) => c === col.cards[i]);
    if (same) {
      this.nextDue = Math.min(this.nextDue, last.nextDue);
      return;
    }
    const outside = this.nextDue;
    this.nextDue = Infinity;
    reconcile(cards, col.cards, (c) => c.id,
      (card) => this.makeCard(card),
      (el, card) => this.updateCard(el, card, col, stop));
    node.drawn = { cards: col.cards.slice(), name: col.name, stop, lifted: this.liftedID, editable: this.editable, epoch: this.names.epoch, nextDue: this.nextDue };
    this.nextDue = Math.min(outside, this.nextDue);
  }

  // A card is a list item holding a button named by the card's title (its
  // content, so what is seen is what is heard) and described by its
  // description, its details ("Labels: Bug. Assigned to Ann Lee. Due 3
  // Dec, 14:00, overdue. 2 comments.") and its place ("In Doing, 2 of 3").
  // Only the button takes the focus; the item is what a pointer drags.
  makeCard(card) {
    // Cloned from one built once: a clone is far cheaper than building a
    // card element by element, thousands of times.
    cardTemplate ??= h('li', { class: 'card' },
      h('button', { type: 'button', class: 'card-button', tabindex: -1 }, h('span', { class: 'card-title' })),
      // Hidden (display: none), which a description may name: a visually
      // hidden span in each of thousands of cards would cost layout.
      h('span', { class: 'card-desc' }), h('span', { hidden: true }), h('span', { hidden: true }));
    const id = `card-${card.id}`;
    const el = cardTemplate.cloneNode(true);
    const [button, desc, details, where] = el.children;
    el.dataset.cardId = card.id;
    button.setAttribute('aria-describedby', `${id}-desc ${id}-details ${id}-where board-help`);
    desc.id = `${id}-desc`;
    details.id = `${id}-details`;
    where.id = `${id}-where`;
    el.refs = { button, title: button.firstChild, desc, details, where, meta: null };
    return el;
  }

  updateCard(el, card, col, stop) {
    // Touch the DOM only where something changed: on a board of thousands
    // of cards, rewriting every card on every event costs frames.
    const lifted = this.liftedID === card.id;
    const where = `${lifted ? 'Picked up. ' : ''}In ${col.name}, ${card.position + 1} of ${col.cards.length}.`;
    const tab = card.id === stop ? 0 : -1;
    const was = el.shown ?? {};
    if (was.title !== card.title) el.refs.title.textContent = card.title;
    if (was.description !== card.description) {
      el.refs.desc.textContent = card.description;
      el.refs.desc.hidden = card.description === '';
    }
    if (was.lifted !== lifted) el.classList.toggle('lifted', lifted);
    if (was.where !== where) el.refs.where.textContent = where;
    if (was.tab !== tab) el.refs.button.tabIndex = tab;
    // The details: redrawn only when the card's, the board's labels and
    // members, or the due date's meaning changed. The arrays are replaced,
    // never changed in place (state.js), so identity says enough.
    const due = card.due_at && !card.due_complete ? Date.parse(card.due_at) : null;
    if (due !== null && due > this.now) this.nextDue = Math.min(this.nextDue, due);
    const overdue = due !== null && due < this.now;
    const same = was.labelIDs === card.label_ids && was.assigneeIDs === card.assignee_ids && was.dueAt === card.due_at
      && was.done === card.due_complete && was.overdue === overdue && was.comments === card.comment_count && was.epoch === this.names.epoch;
    if (!same) this.drawDetails(el, card);
    el.shown = {
      title: card.title, description: card.description, lifted, where, tab,
      labelIDs: card.label_ids, assigneeIDs: card.assignee_ids, dueAt: card.due_at, done: card.due_complete, overdue,
      comments: card.comment_count, epoch: this.names.epoch,
    };
  }

  // drawDetails draws a card's labels (colored chips with their names),
  // due badge, comment count and assignees' initials, seen; a screen
  // reader hears them once, in the button's description, so the drawing
  // itself is hidden from it. A card with none has no row at all.
  drawDetails(el, card) {
    const d = cardDetails(card, this.names.labels, this.names.users, this.now);
    el.refs.details.textContent = describeDetails(d);
    const empty = d.labels.length === 0 && d.assignees.length === 0 && !d.due && d.comments === 0;
    if (empty) {
      el.refs.meta?.remove();
      el.refs.meta = null;
      return;
    }
    const meta = h('div', { class: 'card-meta', 'aria-hidden': 'true' },
      d.labels.length > 0 ? h('span', { class: 'chips' }, d.labels.map((l) => h('span', { class: `chip chip-${l.color}`, text: l.name }))) : null,
      d.due ? h('span', { class: `due due-${d.due.state}`, text: d.due.text }) : null,
      d.comments > 0 ? h('span', { class: 'comment-count', text: plural(d.comments, 'comment').slice(0, -1) }) : null,
      d.assignees.length > 0 ? h('span', { class: 'assignees' }, d.assignees.map((u) => h('span', { class: 'avatar avatar-small', title: u.display_name, text: initials(u.display_name) }))) : null);
    if (el.refs.meta) el.refs.meta.replaceWith(meta);
    else el.refs.desc.after(meta);
    el.refs.meta = meta;
  }

  // Keyboard: Space lifts the card and drops it; arrows move it while it
  // is lifted (and move the focus otherwise); Enter drops, or opens the
  // card; Escape puts it back.
  cardKey(e, cardID) {
    const hd = this.handlers;
    const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (this.liftedID === cardID) {
      if (arrows[e.key]) { e.preventDefault(); hd.nudge(...arrows[e.key]); return; }
      if (e.key === ' ' || e.key === 'Enter') { e.preventDefault(); hd.drop(); return; }
      if (e.key === 'Escape' || e.key === 'Tab') { if (e.key === 'Escape') e.preventDefault(); hd.cancelLift(); }
      return;
    }
    if (e.key === ' ') { e.preventDefault(); hd.lift(cardID); return; }
    if (e.key === 'Enter') { e.preventDefault(); hd.openCard(cardID); return; }
    if (arrows[e.key] || e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      const target = this.board && focusTarget(this.board.columns, cardID, e.key);
      if (target) this.focusCard(target);
    }
  }

  // Pointer drags work for a mouse (after a few pixels of movement), a pen
  // and a finger (after holding still briefly, so a swipe still scrolls).
  listenForDrags() {
    this.list.addEventListener('pointerdown', (e) => {
      const el = e.target.closest('.card');
      if (!el || e.button !== 0 || this.drag) return;
      this.drag = {
        el, id: el.dataset.cardId, pointerID: e.pointerId, startX: e.clientX, startY: e.clientY,
        x: e.clientX, y: e.clientY, active: false, mouse: e.pointerType === 'mouse', holdTimer: null,
      };
      if (!this.drag.mouse) this.drag.holdTimer = setTimeout(() => this.startDrag(), TOUCH_HOLD_MS);
    });
    window.addEventListener('pointermove', (e) => {
      const d = this.drag;
      if (!d || e.pointerId !== d.pointerID) return;
      d.x = e.clientX;
      d.y = e.clientY;
      const moved = Math.hypot(d.x - d.startX, d.y - d.startY);
      if (!d.active) {
        if (d.mouse && moved > DRAG_THRESHOLD_PX) this.startDrag();
        else if (!d.mouse && moved > 10) this.endDrag(false); // a scroll, not a drag
        return;
      }
      e.preventDefault();
      this.trackDrag();
    });
    window.addEventListener('pointerup', (e) => {
      const d = this.drag;
      if (!d || e.pointerId !== d.pointerID) return;
      if (!d.active) {
        this.endDrag(false);
        if (e.target.closest('.card') === d.el) this.handlers.openCard(d.id);
        return;
      }
      this.endDrag(true);
    });
    window.addEventListener('pointercancel', () => this.drag && this.endDrag(false));
    window.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.drag?.active) { e.preventDefault(); this.endDrag(false); }
    });
    // While a finger drags, the page must not scroll under it.
    window.addEventListener('touchmove', (e) => { if (this.drag?.active) e.preventDefault(); }, { passive: false });
  }

  startDrag() {
    const d = this.drag;
    if (!d || d.active || !d.el.isConnected) return;
    if (!this.editable) return; // a viewer's press only opens the card
    d.active = true;
    const rect = d.el.getBoundingClientRect();
    d.offsetX = d.startX - rect.left;
    d.offsetY = d.startY - rect.top;
    d.ghost = d.el.cloneNode(true);
    d.ghost.className = 'card drag-ghost';
    d.ghost.setAttribute('aria-hidden', 'true');
    d.ghost.removeAttribute('data-key');
    d.ghost.removeAttribute('data-card-id');
    for (const n of d.ghost.querySelectorAll('[id]')) n.removeAttribute('id');
    for (const n of d.ghost.querySelectorAll('button')) n.disabled = true;
    d.ghost.style.width = `${rect.width}px`;
    d.marker = h('div', { class: 'drop-marker', 'aria-hidden': 'true' });
    document.body.append(d.ghost, d.marker);
    d.el.classList.add('dragging');
    document.body.classList.add('is-dragging');
    this.trackDrag();
  }

  trackDrag() {
    const d = this.drag;
    d.ghost.style.transform = `translate(${d.x - d.offsetX}px, ${d.y - d.offsetY}px) rotate(2deg)`;
    d.target = this.dropTarget(d.x, d.y, d.el);
    if (!d.target) { d.marker.hidden = true; return; }
    const { list, index } = d.target;
    const others = [...list.children].filter((c) => c !== d.el);
    const listRect = list.getBoundingClientRect();
    let y;
    if (others.length === 0) y = listRect.top + 4;
    else if (index < others.length) y = others[index].getBoundingClientRect().top - 4;
    else y = others[others.length - 1].getBoundingClientRect().bottom + 4;
    d.marker.hidden = false;
    d.marker.style.transform = `translate(${listRect.left}px, ${y - 2}px)`;
    d.marker.style.width = `${listRect.width}px`;
    this.autoScroll(d.x);
  }

  // dropTarget finds the column under the pointer and the index the card
  // would take there, counting the other cards only.
  dropTarget(x, y, dragged) {
    const under = document.elementFromPoint(x, y);
    const colNode = under?.closest('.column');
    if (!colNode || !this.list.contains(colNode)) return null;
    const list = colNode.refs.cards;
    const others = [...list.children].filter((c) => c !== dragged);
    let index = others.length;
    for (const [i, c] of others.entries()) {
      const r = c.getBoundingClientRect();
      if (y < r.top + r.height / 2) { index = i; break; }
    }
    return { list, columnID: list.dataset.columnId, index };
  }

  autoScroll(x) {
    const r = this.scroller.getBoundingClientRect();
    const edge = 48;
    if (x < r.left + edge) this.scroller.scrollLeft -= 12;
    else if (x > r.right - edge) this.scroller.scrollLeft += 12;
  }

  endDrag(commit) {
    const d = this.drag;
    this.drag = null;
    if (!d) return;
    clearTimeout(d.holdTimer);
    if (!d.active) return;
    d.ghost.remove();
    d.marker.remove();
    d.el.classList.remove('dragging');
    document.body.classList.remove('is-dragging');
    if (commit && d.target) this.handlers.moveCard(d.id, d.target.columnID, d.target.index);
  }
}
