// dom.js: the only way this client builds the page. User content goes in
// as text (textContent, attributes, input values), never as markup; the
// page's Content-Security-Policy enforces that with Trusted Types.

// h creates an element. props: "class", "text", "dataset" (an object),
// "on<event>" handlers, booleans as attributes present or absent, and any
// other attribute by name. Children are nodes or strings (as text).
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value') el.value = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// replace empties el and appends children.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

// reconcile makes parent's children exactly the nodes for items, in order,
// reusing the node already there for each key: a node that stays keeps its
// focus, its scroll position and any half-typed text. make(item) builds a
// new node, update(node, item) refreshes one.
export function reconcile(parent, items, key, make, update) {
  const old = new Map();
  for (const node of parent.children) old.set(node.dataset.key, node);
  const active = document.activeElement;
  const wanted = items.map((item) => {
    const k = key(item);
    let node = old.get(k);
    old.delete(k);
    if (!node) {
      node = make(item);
      node.dataset.key = k;
    }
    update(node, item);
    return node;
  });
  for (const node of old.values()) node.remove();
  wanted.forEach((node, i) => {
    if (parent.children[i] !== node) parent.insertBefore(node, parent.children[i] ?? null);
  });
  // Moving a node blurs it; give the focus back.
  if (active && active !== document.activeElement && active.isConnected && parent.contains(active)) {
    active.focus({ preventScroll: true });
  }
}

const toastRoot = () => document.getElementById('toasts');

// toast shows a short message; kind "error" stays longer and is announced
// at once.
export function toast(message, kind = 'info') {
  const el = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('span', { text: message }),
    h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss', text: '×', onclick: () => el.remove() }));
  toastRoot().append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
  return el;
}

// announce tells screen readers what a keyboard action did.
export function announce(message) {
  const el = document.getElementById('announcer');
  el.textContent = '';
  // A new text node in a later task is announced even when it repeats.
  setTimeout(() => { el.textContent = message; }, 30);
}

// openDialog shows a modal dialog with a form and resolves with the
// form's values on submit, or null when dismissed. fields: [{name, label,
// type, value, required, maxlength, multiline, hint}]. content: nodes shown
// after the fields (the caller keeps them up to date); after: nodes shown
// below the form's buttons, outside the form (forms of their own: a form
// may not hold another). wide: a wider dialog. extra: buttons placed
// before the submit button, each {label, danger, value}; clicking one
// resolves with {action: value}. onOpen(parts) is called once the dialog
// shows, with {dialog, heading, message, inputs (by field name), submit,
// cancel, extra (by value)}, for a caller that keeps the dialog in step
// with the board. onSubmit(values), when given, runs before the dialog
// closes: it stays open, with everything typed, unless that resolves true.
let dialogs = 0; // for IDs that two dialogs (one closing) never share

export function openDialog({ title, fields = [], message, submit = 'Save', danger = false, extra = [], content = [], after = [], wide = false, onOpen, onSubmit }) {
  return new Promise((resolve) => {
    const n = ++dialogs;
    const form = h('form', { method: 'dialog', class: 'dialog-form', novalidate: true });
    const inputs = {};
    const labels = fields.map((f, i) => {
      const id = `dialog-${n}-field-${i}`;
      const hint = f.hint ? h('span', { class: 'field-hint', id: `${id}-hint`, text: f.hint }) : null;
      const described = hint ? `${id}-hint` : undefined;
      const input = f.multiline
        ? h('textarea', { id, name: f.name, rows: 6, maxlength: f.maxlength, value: f.value ?? '', 'aria-describedby': described })
        : h('input', { id, name: f.name, type: f.type ?? 'text', required: f.required, maxlength: f.maxlength, value: f.value ?? '', autocomplete: f.autocomplete ?? 'off', 'aria-describedby': described });
      inputs[f.name] = input;
      return h('label', { class: 'field', for: id }, h('span', { text: f.label }), input, hint);
    });
    const dialog = h('dialog', { class: wide ? 'dialog dialog-wide' : 'dialog', 'aria-labelledby': `dialog-${n}-title` });
    let result = null;
    const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const heading = h('h2', { id: `dialog-${n}-title`, text: title });
    const messageEl = message ? h('p', { class: 'dialog-message', text: message }) : null;
    const submitBtn = h('button', { type: 'submit', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, text: submit });
    const cancelBtn = h('button', { type: 'button', class: 'btn btn-quiet', text: 'Cancel', onclick: () => dialog.close() });
    const extraBtns = {};
    // The submit button comes first in the source, so a narrow screen
    // wraps the rarer (and dangerous) extra buttons below it, not above.
    const actions = h('div', { class: 'dialog-actions' },
      h('div', { class: 'dialog-main-actions' }, submitBtn, cancelBtn),
      extra.length > 0 ? h('div', { class: 'dialog-extra-actions' }, ...extra.map((b) => {
        extraBtns[b.value] = h('button', {
          type: 'button', class: `btn ${b.danger ? 'btn-danger-quiet' : 'btn-quiet'}`, text: b.label,
          onclick: () => { result = { action: b.value }; dialog.close(); },
        });
        return extraBtns[b.value];
      })) : null);
    // dom's own append: the platform's would show a null as the text "null".
    append(form, [heading, messageEl, ...labels, ...content, error, actions]);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const values = {};
      for (const f of fields) {
        const v = inputs[f.name].value;
        if (f.required && v.trim() === '') {
          error.textContent = `${f.label} is required.`;
          error.hidden = false;
          inputs[f.name].focus();
          return;
        }
        values[f.name] = v;
      }
      error.hidden = true;
      if (onSubmit) {
        submitBtn.disabled = true;
        let done = false;
        try {
          done = await onSubmit(values);
        } finally {
          submitBtn.disabled = false;
        }
        if (!done || !dialog.open) return;
      }
      result = { action: 'submit', values };
      dialog.close();
    });
    dialog.append(form);
    append(dialog, after);
    dialog.addEventListener('close', () => { dialog.remove(); resolve(result); });
    document.body.append(dialog);
    dialog.showModal();
    onOpen?.({ dialog, heading, message: messageEl, inputs, submit: submitBtn, cancel: cancelBtn, extra: extraBtns, error });
  });
}

// confirmAction asks before something that cannot be undone.
export async function confirmAction(title, message, submit) {
  const r = await openDialog({ title, message, submit, danger: true });
  return r?.action === 'submit';
}
