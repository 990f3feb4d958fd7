// boardview.js: draws a board and turns pointer and keyboard gestures into
// intents (move this card there, rename that column). It owns no state:
// app.js hands the intents to the BoardController (boardcontroller.js),
// which decides and has render called again.
import { h, reconcile } from './dom.js';

const DRAG_THRESHOLD_PX = 5;
const TOUCH_HOLD_MS = 300;

// BoardView renders into root. handlers: {moveCard(cardID, columnID,
// position), openCard(cardID), addCard(columnID, title), renameColumn(id),
// moveColumn(id, delta), deleteColumn(id), addColumn(name),
// lift(cardID), nudge(dx, dy), drop(), cancelLift()}.
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
    this.listenForDrags();
  }

  // render draws board; liftedID is the card being moved by keyboard.
  render(board, liftedID) {
    this.liftedID = liftedID;
    this.scroller.hidden = false;
    const count = board.columns.length;
    this.emptyHint.hidden = count > 0;
    reconcile(this.list, board.columns, (c) => c.id,
      (col) => this.makeColumn(col),
      (node, col) => this.updateColumn(node, col, count));
    if (liftedID) {
      const el = this.cardNode(liftedID);
      if (el && document.activeElement !== el) el.focus({ preventScroll: false });
      el?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    }
  }

  cardNode(cardID) {
    return this.list.querySelector(`.card[data-key="${CSS.escape(cardID)}"]`);
  }

  focusCard(cardID) {
    this.cardNode(cardID)?.focus();
  }

  makeColumn(col) {
    const title = h('button', { type: 'button', class: 'column-title', title: 'Rename column', onclick: () => this.handlers.renameColumn(col.id) });
    const count = h('span', { class: 'column-count' });
    const left = h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Move column left', title: 'Move column left', text: '‹', onclick: () => this.handlers.moveColumn(col.id, -1) });
    const right = h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Move column right', title: 'Move column right', text: '›', onclick: () => this.handlers.moveColumn(col.id, 1) });
    const del = h('button', { type: 'button', class: 'icon-btn icon-danger', 'aria-label': 'Delete column', title: 'Delete column', text: '×', onclick: () => this.handlers.deleteColumn(col.id) });
    const cards = h('ol', { class: 'cards', dataset: { columnId: col.id } });
    const input = h('textarea', { name: 'title', rows: 2, maxlength: 200, placeholder: 'Card title', 'aria-label': 'New card title' });
    const composer = h('form', { class: 'composer', method: 'post', hidden: true },
      input,
      h('div', { class: 'composer-actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', text: 'Add card' }),
        h('button', { type: 'button', class: 'btn btn-quiet', text: 'Close', onclick: () => closeComposer() })));
    const open = h('button', { type: 'button', class: 'add-card', text: '+ Add a card' });
    const closeComposer = () => { composer.hidden = true; open.hidden = false; open.focus(); };
    open.addEventListener('click', () => { composer.hidden = false; open.hidden = true; input.focus(); });
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
      h('header', { class: 'column-head' }, title, count, h('span', { class: 'spacer' }), left, right, del),
      cards, composer, open);
    node.refs = { title, count, left, right, cards };
    return node;
  }

  updateColumn(node, col, columnCount) {
    const { title, count, left, right, cards } = node.refs;
    if (node.shownName !== col.name) {
      node.shownName = col.name;
      title.textContent = col.name;
      title.setAttribute('aria-label', `Column ${col.name}; rename`);
      cards.setAttribute('aria-label', `Cards in ${col.name}`);
    }
    if (count.textContent !== String(col.cards.length)) {
      count.textContent = String(col.cards.length);
      count.setAttribute('aria-label', `${col.cards.length} cards`);
    }
    left.disabled = col.position === 0;
    right.disabled = col.position === columnCount - 1;
    reconcile(cards, col.cards, (c) => c.id,
      (card) => this.makeCard(card),
      (el, card) => this.updateCard(el, card, col));
  }

  makeCard(card) {
    const title = h('span', { class: 'card-title' });
    const desc = h('span', { class: 'card-desc' });
    const el = h('li', { class: 'card', tabindex: 0, role: 'button', 'aria-roledescription': 'card', dataset: { cardId: card.id } }, title, desc);
    el.refs = { title, desc };
    el.addEventListener('keydown', (e) => this.cardKey(e, el.dataset.cardId));
    return el;
  }

  updateCard(el, card, col) {
    // Touch the DOM only where something changed: on a board of thousands
    // of cards, rewriting every card on every event costs frames.
    const lifted = this.liftedID === card.id;
    const label = `${card.title}, in ${col.name}, ${card.position + 1} of ${col.cards.length}`;
    const was = el.shown ?? {};
    if (was.title !== card.title) el.refs.title.textContent = card.title;
    if (was.description !== card.description) {
      el.refs.desc.textContent = card.description;
      el.refs.desc.hidden = card.description === '';
    }
    if (was.lifted !== lifted) {
      el.classList.toggle('lifted', lifted);
      el.setAttribute('aria-pressed', lifted ? 'true' : 'false');
    }
    if (was.label !== label) el.setAttribute('aria-label', label);
    el.shown = { title: card.title, description: card.description, lifted, label };
  }

  // Keyboard: Space lifts the card and drops it; arrows move it while it
  // is lifted (and move the focus otherwise); Enter drops, or opens the
  // card; Escape puts it back.
  cardKey(e, cardID) {
    const hd = this.handlers;
    const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (this.liftedID === cardID) {
      if (arrows[e.key]) { e.preventDefault(); hd.nudge(...arrows[e.key]); return; }
      if (e.key === ' ' || e.key === 'Enter') { e.preventDefault(); hd.drop(); return; }
      if (e.key === 'Escape' || e.key === 'Tab') { if (e.key === 'Escape') e.preventDefault(); hd.cancelLift(); }
      return;
    }
    if (e.key === ' ') { e.preventDefault(); hd.lift(cardID); return; }
    if (e.key === 'Enter') { e.preventDefault(); hd.openCard(cardID); return; }
    if (arrows[e.key]) {
      e.preventDefault();
      this.moveFocus(cardID, ...arrows[e.key]);
    }
  }

  moveFocus(cardID, dx, dy) {
    const el = this.cardNode(cardID);
    const colNode = el.closest('.column');
    if (dy !== 0) {
      const sib = dy < 0 ? el.previousElementSibling : el.nextElementSibling;
      sib?.focus();
      return;
    }
    let col = dx < 0 ? colNode.previousElementSibling : colNode.nextElementSibling;
    while (col && col.refs.cards.children.length === 0) col = dx < 0 ? col.previousElementSibling : col.nextElementSibling;
    if (!col) return;
    const index = [...el.parentElement.children].indexOf(el);
    const cards = col.refs.cards.children;
    cards[Math.min(index, cards.length - 1)].focus();
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
    d.active = true;
    const rect = d.el.getBoundingClientRect();
    d.offsetX = d.startX - rect.left;
    d.offsetY = d.startY - rect.top;
    d.ghost = d.el.cloneNode(true);
    d.ghost.className = 'card drag-ghost';
    d.ghost.removeAttribute('tabindex');
    d.ghost.setAttribute('aria-hidden', 'true');
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
