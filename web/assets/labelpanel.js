// labelpanel.js: a board's label manager, a side panel like the members
// one: create a label (a name and one of the API's colors), rename or
// recolor one (Save on its row), delete one after a confirmation. Every
// member may; the BoardController sends each change and the room's
// events redraw the panel, for everyone.
import { describe } from './api.js';
import { confirmAction, h, reconcile } from './dom.js';
import { LABEL_COLORS } from './details.js';

// colorPicker is a select of the label colors, each named (a color is
// never told by its look alone).
function colorPicker(props, value) {
  const select = h('select', props, LABEL_COLORS.map((c) => h('option', { value: c, text: c })));
  select.value = value;
  return select;
}

export class LabelPanel {
  // board: the BoardController; close(): the page closes the panel.
  constructor({ board, close }) {
    this.board = board;
    this.name = h('input', { name: 'name', maxlength: 50, 'aria-label': 'New label name', placeholder: 'New label name', autocomplete: 'off' });
    this.color = colorPicker({ name: 'color', 'aria-label': 'Color of the new label' }, 'green');
    this.preview = h('span', { class: 'chip chip-green', 'aria-hidden': 'true', text: 'Label' });
    const showPreview = () => {
      this.preview.className = `chip chip-${this.color.value}`;
      this.preview.textContent = this.name.value.trim() || 'Label';
    };
    this.name.addEventListener('input', showPreview);
    this.color.addEventListener('change', showPreview);
    this.error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    this.form = h('form', { class: 'add-label', method: 'post', novalidate: true },
      this.name, this.color, h('button', { type: 'submit', class: 'btn btn-primary', text: 'Add label' }), this.preview);
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.create(showPreview); });
    this.list = h('ul', { class: 'label-list', 'aria-label': 'Labels of this board' });
    this.empty = h('p', { class: 'field-hint', text: 'No labels yet. A label is a name and a color that cards can carry.' });
    this.closeBtn = h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Close labels', text: '×', onclick: close });
    this.node = h('aside', { class: 'members-panel labels-panel', id: 'labels-panel', hidden: true, 'aria-label': 'Labels' },
      h('div', { class: 'panel-head' }, h('h2', { text: 'Labels' }), this.closeBtn),
      this.form, this.error, this.empty, this.list);
    this.node.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') { e.preventDefault(); close(); }
    });
  }

  focusFirst() { this.name.focus(); }

  async create(showPreview) {
    this.error.hidden = true;
    this.name.removeAttribute('aria-invalid');
    if (this.name.value.trim() === '') return this.name.focus();
    try {
      await this.board.createLabel(this.name.value.trim(), this.color.value);
      this.name.value = '';
      showPreview();
      this.name.focus();
    } catch (err) {
      this.fail(this.error, this.name, err);
    }
  }

  fail(box, input, err) {
    if (err.code === 'label_exists') err.message = 'This board already has a label of that name.';
    box.textContent = describe(err);
    box.hidden = false;
    input.setAttribute('aria-invalid', 'true');
  }

  // render redraws the rows from board b: a row keeps what was typed in
  // it, and its fields follow other people's changes while untouched.
  render(b) {
    this.empty.hidden = b.labels.length > 0;
    const uses = new Map();
    for (const col of b.columns) for (const card of col.cards) for (const id of card.label_ids) uses.set(id, (uses.get(id) ?? 0) + 1);
    reconcile(this.list, b.labels, (l) => l.id, (l) => this.makeRow(l), (li, l) => this.updateRow(li, l, uses.get(l.id) ?? 0));
  }

  makeRow(label) {
    const id = `label-${label.id}`;
    const chip = h('span', { class: 'chip', 'aria-hidden': 'true' });
    const name = h('input', { id: `${id}-name`, name: 'name', maxlength: 50, autocomplete: 'off' });
    const color = colorPicker({ id: `${id}-color`, name: 'color' }, label.color);
    const save = h('button', { type: 'submit', class: 'btn btn-quiet' , text: 'Save' });
    const del = h('button', { type: 'button', class: 'btn btn-danger-quiet', text: 'Delete', onclick: () => this.remove(li.dataset.key) });
    const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const uses = h('span', { class: 'field-hint' });
    const form = h('form', { class: 'label-row', method: 'post', novalidate: true },
      h('div', { class: 'label-row-head' }, chip, uses), name, color, h('div', { class: 'label-row-actions' }, save, del), error);
    const li = h('li', { class: 'label-item' }, form);
    li.refs = { chip, name, color, save, del, error, uses };
    form.addEventListener('submit', (e) => { e.preventDefault(); this.save(li); });
    return li;
  }

  updateRow(li, label, n) {
    const r = li.refs;
    const was = li.shown ?? { name: '', color: '' };
    // A field follows the label while it still shows what was shown.
    if (r.name.value === was.name) r.name.value = label.name;
    if (r.color.value === was.color) r.color.value = label.color;
    r.chip.className = `chip chip-${label.color}`;
    r.chip.textContent = label.name;
    r.uses.textContent = n === 0 ? 'on no cards' : `on ${n} card${n === 1 ? '' : 's'}`;
    if (was.name !== label.name) {
      r.name.setAttribute('aria-label', `Name of the label ${label.name}`);
      r.color.setAttribute('aria-label', `Color of the label ${label.name}`);
      r.save.setAttribute('aria-label', `Save the label ${label.name}`);
      r.del.setAttribute('aria-label', `Delete the label ${label.name}`);
    }
    li.shown = { name: label.name, color: label.color };
  }

  async save(li) {
    const r = li.refs;
    const label = this.board.confirmed.labels.find((l) => l.id === li.dataset.key);
    if (!label) return;
    r.error.hidden = true;
    r.name.removeAttribute('aria-invalid');
    const body = {};
    if (r.name.value.trim() === '') {
      r.name.focus();
      return;
    }
    if (r.name.value.trim() !== label.name) body.name = r.name.value.trim();
    if (r.color.value !== label.color) body.color = r.color.value;
    if (Object.keys(body).length === 0) return;
    try {
      await this.board.updateLabel(label.id, body);
    } catch (err) {
      this.fail(r.error, r.name, err);
    }
  }

  async remove(labelID) {
    const b = this.board.confirmed;
    const label = b.labels.find((l) => l.id === labelID);
    if (!label) return;
    let n = 0;
    for (const col of b.columns) for (const card of col.cards) if (card.label_ids.includes(labelID)) n++;
    const li = this.list.querySelector(`[data-key="${CSS.escape(labelID)}"]`);
    const next = li?.nextElementSibling ?? li?.previousElementSibling;
    const ok = await confirmAction(`Delete the label “${label.name}”?`,
      n === 0 ? 'No card carries it. It will be deleted for everyone.' : `It comes off ${n} card${n === 1 ? '' : 's'}, for everyone.`, 'Delete label');
    if (!ok) {
      li?.refs.del.focus();
      return;
    }
    await this.board.deleteLabel(labelID);
    // The focus goes to the next row, or the new label's name.
    (next?.isConnected ? next.refs.name : this.name).focus();
  }
}
