// carddialog.js: the parts of a card's dialog beyond its title and
// description (app.js builds the dialog around them): the due date, the
// labels and assignees, and the comment thread. Each follows the card as
// the room's events change it; the BoardController sends every change.
import { describe } from './api.js';
import { confirmAction, h, reconcile } from './dom.js';
import { formatDue, initials, toLocalInput } from './details.js';
import { PAGE_SIZE, Thread } from './thread.js';

let made = 0; // for IDs that two dialogs (one closing) never share
const DUE_HINT = 'Your time zone. Saved with Save; past and not done shows as overdue.';
const NO_LABELS = 'This board has no labels yet: add them with Labels, above the board.';

// DetailsPart is the dialog's due date (saved with Save, as the text is)
// and its labels and assignees (check boxes that change the card at once,
// for everyone). nodes go inside the dialog's form, after the text.
export class DetailsPart {
  constructor({ board, cardID, card }) {
    const n = ++made;
    this.board = board;
    this.cardID = cardID;
    // What this page asked for and the card does not show yet: a label
    // (or member) ID -> on. A box shows the wish until the card agrees,
    // so an earlier event cannot flick it back meanwhile.
    this.wanted = { labels: new Map(), assignees: new Map() };
    this.gone = false;
    this.readOnly = false; // a viewer reads the details, and changes none

    const id = `part-${n}-due`;
    this.due = h('input', { id, name: 'due', type: 'datetime-local', 'aria-describedby': `${id}-hint` });
    this.done = h('input', { id: `${id}-done`, name: 'done', type: 'checkbox' });
    this.clear = h('button', {
      type: 'button', class: 'btn btn-quiet', text: 'No due date', 'aria-describedby': `${id}-hint`,
      onclick: () => { this.due.value = ''; this.done.checked = false; this.due.focus(); },
    });
    const dueGroup = h('div', { class: 'field-group' },
      h('label', { class: 'group-label', for: id, text: 'Due date' }),
      h('div', { class: 'due-row' }, this.due, this.clear,
        h('label', { class: 'check', for: `${id}-done` }, this.done, h('span', { text: 'Done' }))),
      this.dueHint = h('span', { class: 'field-hint', id: `${id}-hint`, text: DUE_HINT }));

    this.labelList = h('ul', { class: 'check-list', 'aria-labelledby': `part-${n}-labels` });
    this.noLabels = h('p', { class: 'field-hint', text: NO_LABELS, hidden: true });
    const labelsGroup = h('section', { class: 'field-group', 'aria-labelledby': `part-${n}-labels` },
      h('h3', { id: `part-${n}-labels`, text: 'Labels' }), this.noLabels, this.labelList);
    this.memberList = h('ul', { class: 'check-list', 'aria-labelledby': `part-${n}-assignees` });
    const assigneesGroup = h('section', { class: 'field-group', 'aria-labelledby': `part-${n}-assignees` },
      h('h3', { id: `part-${n}-assignees`, text: 'Assignees' }), this.memberList);
    this.note = h('p', { class: 'field-hint', text: 'Labels and assignees change as you tick them, for everyone.' });
    this.nodes = [dueGroup, h('div', { class: 'details-grid' }, labelsGroup, assigneesGroup), this.note];
    this.due.value = '';
    this.follow(board.shown(), card, true);
  }

  // values are the fields Save sends: {due, done}.
  values() {
    // A date typed half-way has the value ''; it must not clear the due
    // date, so it is a value that is no time (and is not sent).
    return { due: this.due.validity.badInput ? 'unfinished' : this.due.value, done: this.done.checked };
  }

  // set puts a value into an untouched field that followed the card.
  set(field, value) {
    if (field === 'due') this.due.value = value;
    if (field === 'done') this.done.checked = value;
  }

  // follow redraws the boxes from the board b and the card on it now.
  follow(b, card, first = false) {
    if (first) {
      this.due.value = toLocalInput(card.due_at);
      this.done.checked = Boolean(card.due_complete);
    }
    this.noLabels.hidden = b.labels.length > 0;
    this.drawBoxes(this.labelList, b.labels, 'labels', card.label_ids, (l) => h('span', { class: `chip chip-${l.color}`, text: l.name }));
    const me = this.board.me.id;
    this.drawBoxes(this.memberList, b.members.map((m) => m.user), 'assignees', card.assignee_ids,
      (u) => h('span', { class: 'who' },
        h('span', { class: 'avatar avatar-small', 'aria-hidden': 'true', text: initials(u.display_name) }),
        h('span', { text: u.id === me ? `${u.display_name} (you)` : u.display_name })));
  }

  // drawBoxes keeps one check box per item (a label, a member), in order,
  // reusing each node so the focus stays on the box it was on.
  drawBoxes(list, items, kind, has, face) {
    const wanted = this.wanted[kind];
    for (const [id, on] of wanted) if (has.includes(id) === on) wanted.delete(id);
    reconcile(list, items, (item) => item.id,
      (item) => {
        const box = h('input', { type: 'checkbox', onchange: () => this.toggle(kind, item.id, box) });
        const li = h('li', {}, h('label', { class: 'check' }, box, h('span', { class: 'check-face' })));
        li.refs = { box, face: li.querySelector('.check-face') };
        return li;
      },
      (li, item) => {
        const look = kind === 'labels' ? `${item.name}\u0000${item.color}` : item.display_name;
        if (li.look !== look) {
          li.look = look;
          li.refs.face.replaceChildren(face(item));
        }
        const on = wanted.has(item.id) ? wanted.get(item.id) : has.includes(item.id);
        if (li.refs.box.checked !== on) li.refs.box.checked = on;
        li.refs.box.disabled = this.gone || this.readOnly;
      });
  }

  async toggle(kind, id, box) {
    const on = box.checked;
    this.wanted[kind].set(id, on);
    const ok = kind === 'labels'
      ? await this.board.setLabel(this.cardID, id, on)
      : await this.board.setAssignee(this.cardID, id, on);
    if (!ok && this.wanted[kind].get(id) === on) {
      this.wanted[kind].delete(id);
      const now = this.board.card(this.cardID)?.card;
      box.checked = Boolean(now?.[kind === 'labels' ? 'label_ids' : 'assignee_ids'].includes(id));
    }
  }

  markGone() {
    this.gone = true;
    for (const box of [...this.labelList.querySelectorAll('input'), ...this.memberList.querySelectorAll('input')]) box.disabled = true;
    this.clear.disabled = true;
  }

  // setReadOnly shows the details without a way to change them (a
  // viewer), or with one again (a viewer made a member, live).
  setReadOnly(ro) {
    if (this.readOnly === ro) return;
    this.readOnly = ro;
    this.due.readOnly = ro;
    this.done.disabled = ro;
    this.clear.hidden = ro;
    this.note.hidden = ro;
    this.dueHint.textContent = ro ? 'In your time zone; past and not done shows as overdue.' : DUE_HINT;
    this.noLabels.textContent = ro ? 'This board has no labels.' : NO_LABELS;
    for (const box of [...this.labelList.querySelectorAll('input'), ...this.memberList.querySelectorAll('input')]) box.disabled = ro || this.gone;
  }
}

// CommentsPart is the card's comment thread, below the dialog's buttons:
// oldest first, the newest at the bottom, then a box to add one. A page
// of PAGE_SIZE comes first; "Show more comments" brings the next, where
// they belong. Each person may edit and delete their own comments, and
// an owner delete anyone's. Other people's comments appear as they come.
export class CommentsPart {
  constructor({ board, cardID, card }) {
    const n = ++made;
    this.board = board;
    this.cardID = cardID;
    this.count = card.comment_count;
    this.note = h('p', { class: 'comments-note', role: 'status' });
    this.say = (text) => { this.note.textContent = text; };
    this.thread = new Thread();
    this.editing = null; // {id, input} while a comment of mine is being edited
    this.gone = false;

    this.heading = h('h3', { id: `part-${n}-comments`, tabindex: '-1' });
    this.status = h('p', { class: 'comments-status', role: 'status' });
    this.retry = h('button', { type: 'button', class: 'btn btn-quiet', text: 'Try again', hidden: true, onclick: () => this.loadMore() });
    this.list = h('ol', { class: 'comment-list', 'aria-labelledby': `part-${n}-comments` });
    this.later = h('ol', { class: 'comment-list', 'aria-label': 'Newer comments' });
    this.more = h('button', { type: 'button', class: 'btn btn-quiet more-comments', hidden: true, onclick: () => this.loadMore() });
    this.input = h('textarea', { id: `part-${n}-comment`, name: 'body', rows: 3, maxlength: 5000, 'aria-describedby': `part-${n}-comment-hint` });
    this.error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    this.send = h('button', { type: 'submit', class: 'btn btn-primary', text: 'Comment' });
    this.form = h('form', { class: 'comment-form', method: 'post', novalidate: true },
      h('div', { class: 'field' }, h('label', { for: `part-${n}-comment`, text: 'Add a comment' }), this.input,
        h('span', { class: 'field-hint', id: `part-${n}-comment-hint`, text: 'Ctrl+Enter (⌘Enter on a Mac) sends it.' })),
      this.error, h('div', {}, this.send));
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.add(); });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); this.add(); }
    });
    this.node = h('section', { class: 'comments', 'aria-labelledby': `part-${n}-comments` },
      this.heading, this.status, this.retry, this.list, this.more, this.later, this.note, this.form);
    this.drawHeading();
    this.status.textContent = this.count > 0 ? 'Loading comments…' : '';
    this.loadMore();
  }

  drawHeading() {
    this.heading.textContent = this.count === 0 ? 'Comments' : `Comments (${this.count})`;
  }

  // loadMore loads the first page, or the next one.
  async loadMore() {
    if (this.loading) return;
    // Busy buttons are not disabled: a disabled button loses the focus.
    this.loading = true;
    this.retry.hidden = true;
    const hadFocus = document.activeElement === this.more;
    const shown = this.list.children.length;
    try {
      const page = await this.board.comments(this.cardID, this.thread.started ? this.thread.cursor : null, PAGE_SIZE);
      this.thread.addPage(page);
      this.status.textContent = '';
    } catch (err) {
      this.status.textContent = `Could not load the comments. ${describe(err)}`;
      this.retry.hidden = false;
      return;
    } finally {
      this.loading = false;
    }
    this.draw();
    // The focus goes to the first comment the page brought.
    if (hadFocus && this.more.hidden) this.list.children[shown]?.focus();
  }

  // follow takes the card as it is now (its comment count).
  follow(card) {
    if (card.comment_count === this.count) return;
    this.count = card.comment_count;
    this.drawHeading();
    this.draw();
  }

  // comment applies a comment.* event of this card.
  comment(event) {
    const d = event.data;
    const mine = event.actor_id === this.board.me.id;
    if (event.type === 'comment.deleted') {
      if (this.editing?.id === d.comment_id) {
        this.stopEditing(false);
        this.input.focus();
        this.say('Someone deleted the comment you were editing.');
      }
      this.thread.remove(d.comment_id);
    } else {
      const known = this.thread.items.has(d.comment.id);
      this.thread.put(d.comment);
      if (!mine && !known && event.type === 'comment.created') this.say(`${d.comment.author.display_name} commented.`);
    }
    this.count = d.comment_count;
    this.drawHeading();
    this.draw();
  }

  draw() {
    if (!this.thread.started) return;
    const v = this.thread.view(this.count);
    this.drawList(this.list, v.loaded);
    this.drawList(this.later, v.later);
    this.more.hidden = !v.gap;
    this.more.textContent = v.hidden > 0 ? `Show more comments (${v.hidden} not shown)` : 'Show more comments';
    if (!v.gap && this.count === 0 && this.thread.items.size === 0) this.status.textContent = 'No comments yet.';
    else if (this.status.textContent === 'No comments yet.') this.status.textContent = '';
  }

  drawList(list, comments) {
    reconcile(list, comments, (c) => c.id, (c) => this.makeComment(c), (li, c) => this.updateComment(li, c));
  }

  makeComment(c) {
    const id = `comment-${c.id}`;
    const who = h('span', { class: 'comment-author', id: `${id}-who` });
    const when = h('time', { class: 'comment-time' });
    const body = h('p', { class: 'comment-body' });
    const actions = h('span', { class: 'comment-actions' });
    const li = h('li', { class: 'comment', tabindex: '-1' },
      h('div', { class: 'comment-head' }, who, when, actions), body);
    li.refs = { who, when, body, actions };
    return li;
  }

  updateComment(li, c) {
    const me = this.board.me.id;
    const mine = c.author.id === me;
    const owner = this.board.confirmed.role === 'owner';
    const edited = c.updated_at !== c.created_at;
    const look = `${c.author.display_name}\u0000${c.body}\u0000${c.updated_at}\u0000${this.gone}\u0000${owner}`;
    if (li.look === look) return;
    li.look = look;
    const r = li.refs;
    r.who.textContent = mine ? `${c.author.display_name} (you)` : c.author.display_name;
    const at = formatDue(c.created_at);
    r.when.dateTime = c.created_at;
    r.when.textContent = edited ? `${at}, edited` : at;
    r.body.textContent = c.body; // out of the page while it is edited
    const whose = mine ? 'your comment' : `${c.author.display_name}’s comment`;
    r.actions.replaceChildren(...[
      mine && !this.gone ? h('button', { type: 'button', class: 'link', text: 'Edit', 'aria-label': `Edit ${whose} of ${at}`, onclick: () => this.edit(c.id) }) : null,
      (mine || owner) && !this.gone ? h('button', { type: 'button', class: 'link link-danger', text: 'Delete', 'aria-label': `Delete ${whose} of ${at}`, onclick: () => this.remove(c.id) }) : null,
    ].filter(Boolean));
  }

  async add() {
    if (this.gone || this.sending) return;
    const text = this.input.value;
    this.error.hidden = true;
    if (text.trim() === '') {
      this.error.textContent = 'Write something first.';
      this.error.hidden = false;
      this.input.focus();
      return;
    }
    this.sending = true;
    try {
      this.thread.put(await this.board.addComment(this.cardID, text));
      this.input.value = '';
      this.draw();
      this.say('Comment added.');
      (this.thread.cursor === null ? this.list : this.later).lastElementChild?.scrollIntoView({ block: 'nearest' });
    } catch (err) {
      this.error.textContent = `Could not add the comment. ${describe(err)}`;
      this.error.hidden = false;
    } finally {
      this.sending = false;
    }
  }

  // edit turns a comment of mine into a box with its text, Save and
  // Cancel (or Escape).
  edit(commentID) {
    if (this.editing) this.stopEditing(false);
    const c = this.thread.items.get(commentID);
    const li = this.node.querySelector(`.comment[data-key="${CSS.escape(commentID)}"]`);
    if (!c || !li) return;
    const input = h('textarea', { class: 'comment-edit', rows: 3, maxlength: 5000, value: c.body, 'aria-label': 'Edit your comment' });
    const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const save = h('button', { type: 'submit', class: 'btn btn-primary', text: 'Save comment' });
    const form = h('form', { class: 'comment-form', method: 'post', novalidate: true }, input, error,
      h('div', { class: 'comment-edit-actions' }, save,
        h('button', { type: 'button', class: 'btn btn-quiet', text: 'Cancel', onclick: () => this.stopEditing(true) })));
    input.addEventListener('keydown', (e) => {
      // Escape leaves the edit, not the dialog.
      if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); this.stopEditing(true); }
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
    });
    let saving = false;
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (input.value.trim() === '') {
        error.textContent = 'A comment cannot be empty; Delete removes it.';
        error.hidden = false;
        return;
      }
      if (saving) return;
      saving = true;
      try {
        const updated = await this.board.editComment(commentID, input.value);
        this.thread.put(updated);
        this.stopEditing(true);
        this.say('Comment saved.');
      } catch (err) {
        error.textContent = `Could not save the comment. ${describe(err)}`;
        error.hidden = false;
      } finally {
        saving = false;
      }
    });
    li.refs.body.replaceWith(form);
    li.refs.actions.hidden = true;
    this.editing = { id: commentID, li, form };
    input.focus();
  }

  // stopEditing puts the comment's text back in place of the box.
  stopEditing(focus) {
    const e = this.editing;
    if (!e) return;
    this.editing = null;
    const c = this.thread.items.get(e.id);
    e.form.replaceWith(e.li.refs.body);
    e.li.refs.actions.hidden = false;
    e.li.look = null;
    this.draw();
    if (focus) (e.li.isConnected ? e.li.querySelector('.comment-actions button') ?? e.li : this.input).focus();
    if (c) e.li.refs.body.textContent = c.body;
  }

  async remove(commentID) {
    const c = this.thread.items.get(commentID);
    if (!c) return;
    const mine = c.author.id === this.board.me.id;
    const li = this.node.querySelector(`.comment[data-key="${CSS.escape(commentID)}"]`);
    const next = li?.nextElementSibling ?? li?.previousElementSibling;
    const ok = await confirmAction('Delete this comment?',
      mine ? 'Your comment will be deleted for everyone.' : `${c.author.display_name}’s comment will be deleted for everyone.`, 'Delete comment');
    if (!ok) {
      li?.querySelector('.link-danger')?.focus();
      return;
    }
    if (await this.board.deleteComment(commentID)) {
      this.thread.remove(commentID);
      this.draw();
      this.say('Comment deleted.');
    }
    (next?.isConnected ? next : this.input).focus();
  }

  markGone() {
    this.gone = true;
    this.stopEditing(false);
    this.form.hidden = true;
    for (const li of this.node.querySelectorAll('.comment')) li.look = null;
    this.draw();
  }
}
