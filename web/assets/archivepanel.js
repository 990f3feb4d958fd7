// archivepanel.js: a board's archive, a side panel like the label manager:
// its archived columns and cards, most recently archived first, each with
// Restore and Delete (after a confirmation) for those who may edit; a
// viewer reads it. It loads the archive when it opens and again as the
// room's archive events arrive, so it follows other people's changes.
import { describe } from './api.js';
import { announce, confirmAction, h, reconcile } from './dom.js';
import { timeAgo } from './session.js';

export class ArchivePanel {
  // board: the BoardController; close(): the page closes the panel.
  constructor({ board, close }) {
    this.board = board;
    this.loads = 0; // the newest load wins
    this.data = { columns: [], cards: [] };
    this.highlighted = null; // a card to show once it is drawn
    this.closeBtn = h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Close archive', text: '×', onclick: close });
    this.heading = h('h2', { text: 'Archive', tabindex: '-1' });
    this.note = h('p', { class: 'field-hint' });
    this.status = h('p', { class: 'field-hint archive-status', role: 'status' });
    this.retry = h('button', { type: 'button', class: 'btn btn-quiet', text: 'Try again', hidden: true, onclick: () => this.load() });
    this.columnList = h('ul', { class: 'archive-list', 'aria-labelledby': 'archive-columns' });
    this.cardList = h('ul', { class: 'archive-list', 'aria-labelledby': 'archive-cards' });
    this.columnPart = h('section', { class: 'archive-part', 'aria-labelledby': 'archive-columns' },
      h('h3', { id: 'archive-columns', text: 'Columns' }), this.columnList);
    this.cardPart = h('section', { class: 'archive-part', 'aria-labelledby': 'archive-cards' },
      h('h3', { id: 'archive-cards', text: 'Cards' }), this.cardList);
    this.node = h('aside', { class: 'members-panel archive-panel', id: 'archive-panel', hidden: true, 'aria-label': 'Archive' },
      h('div', { class: 'panel-head' }, this.heading, this.closeBtn),
      this.note, this.status, this.retry, this.columnPart, this.cardPart);
    this.node.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !e.defaultPrevented) { e.preventDefault(); close(); }
    });
  }

  focusFirst() { this.heading.focus(); }

  // open loads the archive; cardID, when given, is a card to show in it
  // (a search hit): it is scrolled to, marked and focused once drawn.
  open(cardID = null) {
    this.highlighted = cardID;
    this.render();
    return this.load();
  }

  async load() {
    const n = ++this.loads;
    if (this.data.columns.length + this.data.cards.length === 0) this.status.textContent = 'Loading the archive…';
    this.retry.hidden = true;
    let data;
    try {
      data = await this.board.archived();
    } catch (err) {
      if (n !== this.loads) return;
      this.status.textContent = `Could not load the archive. ${describe(err)}`;
      this.retry.hidden = false;
      return;
    }
    if (n !== this.loads) return;
    this.data = { columns: data.columns ?? [], cards: data.cards ?? [] };
    this.render();
  }

  // render draws the lists for the user's rights now (a role changed live
  // turns the buttons on or off).
  render() {
    const can = this.board.can;
    this.note.textContent = can.edit
      ? 'Archived columns and cards are off the board. Restore puts one back; a card goes to the end of its column.'
      : 'View only: archived columns and cards, to read.';
    const { columns, cards } = this.data;
    const empty = columns.length + cards.length === 0;
    if (this.loads > 0 && this.retry.hidden) this.status.textContent = empty ? 'Nothing is archived on this board.' : '';
    this.columnPart.hidden = columns.length === 0;
    this.cardPart.hidden = cards.length === 0;
    reconcile(this.columnList, columns, (c) => c.id, (c) => this.makeRow('column', c), (li, c) => this.updateRow(li, 'column', c, can));
    reconcile(this.cardList, cards, (c) => c.id, (c) => this.makeRow('card', c), (li, c) => this.updateRow(li, 'card', c, can));
    if (this.highlighted) {
      const li = this.cardList.querySelector(`[data-key="${CSS.escape(this.highlighted)}"]`);
      if (li) {
        this.highlighted = null;
        for (const el of this.node.querySelectorAll('.archive-item.highlight')) el.classList.remove('highlight');
        li.classList.add('highlight');
        li.scrollIntoView({ block: 'nearest' });
        li.focus();
      } else if (this.loads > 0 && this.retry.hidden && this.status.textContent !== 'Loading the archive…') {
        this.highlighted = null;
        this.status.textContent = 'That card is not in the archive any more.';
      }
    }
  }

  makeRow(kind, item) {
    const name = h('span', { class: 'archive-name' });
    const meta = h('span', { class: 'member-email' });
    const restore = h('button', { type: 'button', class: 'btn btn-quiet', text: 'Restore', onclick: () => this.restore(kind, li.dataset.key, restore) });
    const del = h('button', { type: 'button', class: 'btn btn-danger-quiet', text: 'Delete', onclick: () => this.remove(kind, li.dataset.key, del) });
    const li = h('li', { class: 'archive-item', tabindex: '-1' },
      h('span', { class: 'archive-who' }, name, meta), h('span', { class: 'archive-actions' }, restore, del));
    li.refs = { name, meta, restore, del };
    return li;
  }

  updateRow(li, kind, item, can) {
    const r = li.refs;
    const title = kind === 'card' ? item.title : item.name;
    r.name.textContent = title;
    const when = item.archived_at ? `archived ${timeAgo(item.archived_at)}` : 'archived';
    r.meta.textContent = kind === 'card' ? `From ${this.columnName(item.column_id)}, ${when}` : when;
    const what = kind === 'card' ? `the card ${title}` : `the column ${title}`;
    r.restore.setAttribute('aria-label', `Restore ${what}`);
    r.del.setAttribute('aria-label', `Delete ${what}`);
    r.restore.hidden = !can.edit;
    r.del.hidden = !can.edit;
  }

  columnName(columnID) {
    const col = this.board.confirmed.columns.find((c) => c.id === columnID) ?? this.data.columns.find((c) => c.id === columnID);
    return col ? col.name : 'a deleted column';
  }

  // nextFocus is where the focus goes when li leaves the list: the next
  // row's first button, else the previous row's, else the heading.
  nextFocus(li) {
    const next = li?.nextElementSibling ?? li?.previousElementSibling;
    return () => (next?.isConnected ? next.querySelector('button:not([hidden])') ?? next : this.heading).focus();
  }

  async restore(kind, id, button) {
    const li = button.closest('li');
    const title = li.refs.name.textContent;
    const focus = this.nextFocus(li);
    const ok = kind === 'card' ? await this.board.restoreCard(id) : await this.board.restoreColumn(id);
    if (!ok) return;
    announce(`${title} is back on the board.`);
    await this.load();
    focus();
  }

  async remove(kind, id, button) {
    const li = button.closest('li');
    const title = li.refs.name.textContent;
    const focus = this.nextFocus(li);
    const ok = kind === 'card'
      ? await confirmAction(`Delete “${title}” for good?`, 'The archived card and its comments will be deleted for everyone. This cannot be undone.', 'Delete card')
      : await confirmAction(`Delete the column “${title}” for good?`, 'The archived column and its cards will be deleted for everyone. This cannot be undone.', 'Delete column');
    if (!ok) {
      button.focus();
      return;
    }
    const done = kind === 'card' ? await this.board.deleteCard(id) : await this.board.deleteColumn(id);
    if (!done) return;
    announce(`${title} is deleted.`);
    await this.load();
    focus();
  }
}
