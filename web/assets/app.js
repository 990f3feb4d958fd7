// app.js: SyncBoard's web client. Three views (sign in, the boards list, a
// board) chosen by the URL's hash; the board view keeps the server's board
// (confirmed), the moves still in flight (pending) and a keyboard move in
// progress (lift), and draws their combination.
import { Api, ApiError, Session, describe } from './api.js';
import { announce, confirmAction, h, openDialog, replace, toast } from './dom.js';
import * as S from './state.js';
import { LiveRoom } from './live.js';
import { BoardView } from './boardview.js';

const session = new Session();
const api = new Api(session, () => signOut('Your session has ended. Sign in again.'));
const main = document.getElementById('main');
const crumbs = document.getElementById('crumbs');
const conn = document.getElementById('conn');
let current = null; // the view on screen: {stop()}
let expiryTimer = null;

const UUID = /^#\/rooms\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

function route() {
  current?.stop();
  current = null;
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
  setConnection(null);
  showAccount();
  main.replaceChildren();
  if (!session.signedIn) {
    current = authView();
    return;
  }
  const m = window.location.hash.match(UUID);
  current = m ? boardView(m[1].toLowerCase()) : roomsView();
}

function go(hash) {
  if (window.location.hash === hash) route();
  else window.location.hash = hash;
}

function signOut(message) {
  // Several requests may learn of an expired token at once: act once.
  if (session.token === null) return;
  session.clear();
  if (message) toast(message, 'error');
  route();
}

function showAccount() {
  const box = document.getElementById('account');
  box.hidden = !session.signedIn;
  clearTimeout(expiryTimer);
  if (!session.signedIn) return;
  const name = document.getElementById('account-name');
  name.textContent = session.user.display_name;
  name.setAttribute('aria-label', `Your account: ${session.user.display_name}, ${session.user.email}`);
  const left = Math.min(session.expiresAt - Date.now(), 2 ** 31 - 1);
  expiryTimer = setTimeout(() => signOut('Your session has expired. Sign in again.'), left);
}

function setCrumbs(...parts) {
  replace(crumbs, ...parts.flatMap((p, i) => [i > 0 ? h('span', { class: 'crumb-sep', 'aria-hidden': 'true', text: '/' }) : null, p]));
}

function setConnection(status) {
  conn.hidden = status === null;
  const labels = { live: 'Live', connecting: 'Connecting…', offline: 'Offline, retrying…' };
  conn.textContent = labels[status] ?? '';
  conn.dataset.status = status ?? '';
}

// showProblems shows a 422's problems next to the form's fields.
function showProblems(form, errorBox, err) {
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  errorBox.textContent = describe(err);
  errorBox.hidden = false;
  for (const name of Object.keys(err.fields ?? {})) form.elements[name]?.setAttribute('aria-invalid', 'true');
}

// ---- sign in / register -------------------------------------------------

function authView() {
  document.title = 'Sign in · SyncBoard';
  setCrumbs();
  let mode = 'login';
  const title = h('h1', {});
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'email', required: true, maxlength: 254 });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, minlength: 8 });
  const displayName = h('input', { name: 'display_name', autocomplete: 'nickname', maxlength: 100 });
  const nameField = h('label', { class: 'field' }, h('span', { text: 'Display name (optional)' }), displayName);
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-wide' });
  const switcher = h('button', { type: 'button', class: 'link' });
  const switchText = h('span', {});
  const form = h('form', { class: 'auth-form', method: 'post', novalidate: true },
    title,
    h('label', { class: 'field' }, h('span', { text: 'Email' }), email),
    h('label', { class: 'field' }, h('span', { text: 'Password' }), password),
    nameField, error, submit,
    h('p', { class: 'auth-switch' }, switchText, ' ', switcher));
  const setMode = (m) => {
    mode = m;
    const login = mode === 'login';
    title.textContent = login ? 'Sign in to SyncBoard' : 'Create your SyncBoard account';
    submit.textContent = login ? 'Sign in' : 'Create account';
    switchText.textContent = login ? 'New here?' : 'Already have an account?';
    switcher.textContent = login ? 'Create an account' : 'Sign in';
    password.autocomplete = login ? 'current-password' : 'new-password';
    nameField.hidden = login;
    error.hidden = true;
  };
  switcher.addEventListener('click', () => setMode(mode === 'login' ? 'register' : 'login'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    const body = { email: email.value.trim(), password: password.value };
    if (mode === 'register' && displayName.value.trim() !== '') body.display_name = displayName.value.trim();
    submit.disabled = true;
    try {
      const auth = await api.post(mode === 'login' ? '/api/auth/login' : '/api/auth/register', body);
      session.set(auth);
      route();
    } catch (err) {
      showProblems(form, error, err);
    } finally {
      submit.disabled = false;
    }
  });
  setMode('login');
  main.append(h('section', { class: 'auth' },
    h('div', { class: 'auth-intro' },
      h('p', { class: 'eyebrow', text: 'Real-time Kanban' }),
      h('p', { class: 'lede', text: 'Boards your whole team edits at once. Every move shows up on everyone’s screen as it happens.' })),
    form));
  email.focus();
  return { stop() {} };
}

// ---- the boards list ----------------------------------------------------

function roomsView() {
  document.title = 'Your boards · SyncBoard';
  setCrumbs(h('span', { text: 'Boards' }));
  const grid = h('ul', { class: 'room-grid', 'aria-label': 'Your boards' });
  const more = h('button', { type: 'button', class: 'btn btn-quiet', text: 'Show more', hidden: true });
  const empty = h('p', { class: 'empty', text: 'No boards yet. Create your first one above.', hidden: true });
  const name = h('input', { name: 'name', maxlength: 200, placeholder: 'New board name', 'aria-label': 'New board name', autocomplete: 'off' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'create-room', method: 'post', novalidate: true },
    name, h('button', { type: 'submit', class: 'btn btn-primary', text: 'Create board' }));
  let cursor = null;
  let stopped = false;

  const tile = (room) => h('li', {},
    h('a', { class: 'room-tile', href: `#/rooms/${room.id}` },
      h('span', { class: 'room-name', text: room.name }),
      h('span', { class: 'room-meta' },
        h('span', { class: `badge badge-${room.role}`, text: room.role }),
        h('span', { text: `Created ${new Date(room.created_at).toLocaleDateString()}` }))));

  const load = async () => {
    more.disabled = true;
    try {
      const q = new URLSearchParams({ limit: '24' });
      if (cursor) q.set('cursor', cursor);
      const page = await api.get(`/api/rooms?${q}`);
      if (stopped) return;
      grid.append(...page.items.map(tile));
      cursor = page.next_cursor;
      more.hidden = cursor === null;
      empty.hidden = grid.children.length > 0;
    } catch (err) {
      if (!stopped) toast(`Could not load your boards. ${describe(err)}`, 'error');
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', load);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    if (name.value.trim() === '') return name.focus();
    try {
      const room = await api.post('/api/rooms', { name: name.value });
      go(`#/rooms/${room.id}`);
    } catch (err) {
      showProblems(form, error, err);
    }
  });
  main.append(h('section', { class: 'rooms' },
    h('div', { class: 'rooms-head' }, h('h1', { text: 'Your boards' }), form),
    error, grid, empty, h('div', { class: 'more' }, more)));
  load();
  return { stop() { stopped = true; } };
}

// ---- a board ------------------------------------------------------------

function boardView(roomID) {
  const me = session.user;
  let confirmed = null; // the board as the server has told it, version included
  let etag = null;
  let cachedBody = null; // the body etag names, for a 304
  const pending = new Map(); // card ID -> {columnID, position, seq, done}
  let lift = null; // {cardID, columnID, position, fromColumnID, fromPosition}
  let moveSeq = 0;
  let stopped = false;
  let membersOpen = false;

  const name = h('h1', { class: 'board-name' });
  const role = h('span', { class: 'badge' });
  const membersBtn = h('button', { type: 'button', class: 'btn btn-quiet', 'aria-expanded': 'false', 'aria-controls': 'members-panel' });
  const renameBtn = h('button', { type: 'button', class: 'btn btn-quiet', text: 'Rename' });
  const deleteBtn = h('button', { type: 'button', class: 'btn btn-danger-quiet', text: 'Delete board' });
  const boardRoot = h('div', { class: 'board', 'aria-describedby': 'board-help' });
  const panel = h('aside', { class: 'members-panel', id: 'members-panel', hidden: true, 'aria-label': 'Members' });
  const crumbName = h('span', {});
  const page = h('section', { class: 'board-page', 'aria-busy': 'true' },
    h('div', { class: 'board-head' }, name, role, h('span', { class: 'spacer' }), membersBtn, renameBtn, deleteBtn),
    h('p', { class: 'sr-only', id: 'board-help', text: 'Cards: Space picks a card up, the arrow keys move it, Space drops it, Escape puts it back. Enter opens a card.' }),
    h('div', { class: 'board-body' }, boardRoot, panel));
  main.append(page);
  setCrumbs(h('a', { href: '#/', text: 'Boards' }), crumbName);

  const view = new BoardView(boardRoot, {
    moveCard: (id, col, pos) => moveCard(id, col, pos),
    openCard,
    addCard,
    renameColumn,
    moveColumn,
    deleteColumn,
    addColumn,
    lift: liftCard,
    nudge,
    drop,
    cancelLift,
  });

  // shown is the board on screen: the server's, with the moves in flight
  // and a keyboard move in progress on top.
  const shown = () => {
    if (pending.size === 0 && !lift) return confirmed; // read only
    const b = S.copy(confirmed);
    for (const [id, p] of pending) S.moveCard(b, id, p.columnID, p.position);
    if (lift && !S.moveCard(b, lift.cardID, lift.columnID, lift.position)) lift = null;
    return b;
  };

  const render = () => {
    if (stopped || !confirmed) return;
    const b = shown();
    document.title = `${b.name} · SyncBoard`;
    name.textContent = b.name;
    crumbName.textContent = b.name;
    role.textContent = b.role;
    role.className = `badge badge-${b.role}`;
    const owner = b.role === 'owner';
    renameBtn.hidden = !owner;
    deleteBtn.hidden = !owner;
    membersBtn.textContent = `Members (${b.members.length})`;
    view.render(b, lift?.cardID ?? null);
    if (membersOpen) renderMembers(b);
  };

  const leave = (message, kind = 'info') => {
    if (stopped) return;
    toast(message, kind);
    go('#/');
  };

  // load fetches the board, revalidating with the ETag of the last fetch.
  const load = async () => {
    const res = await api.get(`/api/rooms/${roomID}`, { etag, withETag: true });
    if (stopped) return;
    let board;
    if (res.notModified) {
      board = JSON.parse(cachedBody);
    } else {
      cachedBody = JSON.stringify(res.body);
      etag = res.etag;
      board = res.body;
    }
    S.normalize(board);
    // Events that arrived while this request was out may be newer than the
    // snapshot; the newer board wins.
    if (!confirmed || board.version >= confirmed.version) {
      confirmed = board;
      for (const [id, p] of pending) if (p.done) pending.delete(id);
    }
    page.setAttribute('aria-busy', 'false');
    render();
  };

  const refetch = async () => {
    try {
      await load();
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) leave('This board is gone, or you are no longer a member.', 'error');
      else throw err;
    }
  };

  const live = new LiveRoom(api, roomID, {
    version: () => confirmed.version,
    onStatus: (s) => { if (!stopped) setConnection(s); },
    onResync: refetch,
    onLost: (reason) => {
      if (reason === 'gone') return leave('This board is gone, or you are no longer a member.', 'error');
      // The socket's access ended: a 404 means removed and a 401 signed out
      // (both leave the view); a board means only the socket's own
      // credentials were revoked (a password change in this tab): go on.
      refetch().then(() => { if (!stopped) live.start(); }).catch(() => {});
    },
    onEvent,
  });

  function onEvent(event) {
    if (stopped || !confirmed) return;
    const result = S.applyEvent(confirmed, event, me.id);
    switch (result) {
      case S.APPLIED: {
        const c = event.data?.card;
        if (c && event.actor_id === me.id && event.type === 'card.moved' && pending.get(c.id)?.done) pending.delete(c.id);
        render();
        if (c && event.actor_id !== me.id) flash(c.id);
        break;
      }
      case S.GAP:
        live.reconnect(0);
        break;
      case S.RESYNC:
        refetch().catch(() => live.reconnect(1000));
        break;
      case S.DELETED:
        live.stop();
        leave(`“${confirmed.name}” was deleted by its owner.`, 'error');
        break;
      case S.REMOVED:
        live.stop();
        leave(`You were removed from “${confirmed.name}”.`, 'error');
        break;
      default: // STALE
    }
  }

  function flash(cardID) {
    const el = view.cardNode(cardID);
    if (!el) return;
    el.classList.remove('flash');
    void el.offsetWidth; // restart the animation
    el.classList.add('flash');
  }

  const fail = (what, err) => {
    if (err instanceof ApiError && err.status === 401) return; // signed out already
    toast(`${what}. ${describe(err)}`, 'error');
  };

  // afterChange keeps the page true when the socket is not there to bring
  // the change's event.
  const afterChange = () => {
    if (conn.dataset.status !== 'live') refetch().catch(() => {});
  };

  // attempt sends one change; its event will redraw the board. It says
  // whether the server took it, and shows why not.
  const attempt = async (what, call) => {
    try {
      await call();
      afterChange();
      return true;
    } catch (err) {
      fail(what, err);
      return false;
    }
  };

  // ---- cards ----

  async function moveCard(cardID, columnID, position) {
    const before = S.findCard(shown(), cardID);
    if (!before) return;
    if (before.column.id === columnID && before.index === position) return;
    const seq = ++moveSeq;
    pending.set(cardID, { columnID, position, seq, done: false });
    render();
    try {
      await api.post(`/api/cards/${cardID}/move`, { column_id: columnID, position });
      const p = pending.get(cardID);
      if (p?.seq === seq) {
        // Keep showing the move until its event arrives (in version order,
        // so no earlier event can undo it on screen); without a socket,
        // the refetch brings it.
        p.done = true;
        if (conn.dataset.status !== 'live') { pending.delete(cardID); afterChange(); }
      }
    } catch (err) {
      if (pending.get(cardID)?.seq === seq) pending.delete(cardID);
      render();
      if (!(err instanceof ApiError && err.status === 401)) {
        toast(`Could not move “${before.card.title}”. ${describe(err)} It is back where it was.`, 'error');
        announce(`Move refused. ${before.card.title} is back in ${before.column.name}.`);
      }
      if (err instanceof ApiError && err.status !== 0 && err.status !== 401) refetch().catch(() => {});
    }
  }

  function addCard(columnID, title) {
    return attempt('Could not add the card', () => api.post(`/api/columns/${columnID}/cards`, { title }));
  }

  async function openCard(cardID) {
    const found = S.findCard(shown(), cardID);
    if (!found) return;
    const { card } = found;
    const r = await openDialog({
      title: 'Card',
      fields: [
        { name: 'title', label: 'Title', value: card.title, required: true, maxlength: 200 },
        { name: 'description', label: 'Description', value: card.description, multiline: true, maxlength: 10000 },
      ],
      extra: [{ label: 'Delete card', danger: true, value: 'delete' }],
    });
    try {
      if (r?.action === 'delete') {
        if (!await confirmAction('Delete this card?', `“${card.title}” will be deleted for everyone.`, 'Delete card')) return;
        await api.del(`/api/cards/${cardID}`);
        afterChange();
      } else if (r?.action === 'submit') {
        const body = {};
        if (r.values.title.trim() !== card.title) body.title = r.values.title;
        if (r.values.description !== card.description) body.description = r.values.description;
        if (Object.keys(body).length === 0) return;
        await api.patch(`/api/cards/${cardID}`, body);
        afterChange();
      }
    } catch (err) {
      fail('Could not change the card', err);
    } finally {
      view.focusCard(cardID);
    }
  }

  // Keyboard moves: lift, nudge, drop.
  function liftCard(cardID) {
    const found = S.findCard(shown(), cardID);
    if (!found) return;
    lift = { cardID, columnID: found.column.id, position: found.index, fromColumnID: found.column.id, fromPosition: found.index };
    render();
    announce(`Picked up ${found.card.title}. Arrow keys move it, Space drops it, Escape puts it back.`);
  }

  function nudge(dx, dy) {
    if (!lift) return;
    const b = shown();
    const ci = b.columns.findIndex((c) => c.id === lift.columnID);
    if (dx !== 0) {
      const target = b.columns[ci + dx];
      if (!target) return;
      lift.columnID = target.id;
      lift.position = Math.min(lift.position, target.cards.length);
    } else {
      lift.position = Math.max(0, Math.min(lift.position + dy, b.columns[ci].cards.length - 1));
    }
    render();
    const col = S.findColumn(shown(), lift.columnID);
    announce(`${col.name}, position ${lift.position + 1} of ${col.cards.length}.`);
  }

  function drop() {
    if (!lift) return;
    const l = lift;
    lift = null;
    const col = S.findColumn(confirmed, l.columnID);
    if (l.columnID === l.fromColumnID && l.position === l.fromPosition) {
      render();
      announce('Dropped where it was.');
      return;
    }
    announce(`Dropped in ${col?.name ?? 'the column'}, position ${l.position + 1}.`);
    moveCard(l.cardID, l.columnID, l.position);
    view.focusCard(l.cardID);
  }

  function cancelLift() {
    if (!lift) return;
    lift = null;
    render();
    announce('Move cancelled.');
  }

  // ---- columns ----

  function addColumn(columnName) {
    return attempt('Could not add the column', () => api.post(`/api/rooms/${roomID}/columns`, { name: columnName }));
  }

  async function renameColumn(id) {
    const col = S.findColumn(confirmed, id);
    if (!col) return;
    const r = await openDialog({ title: 'Rename column', fields: [{ name: 'name', label: 'Name', value: col.name, required: true, maxlength: 200 }] });
    if (r?.action !== 'submit') return;
    await attempt('Could not rename the column', () => api.patch(`/api/columns/${id}`, { name: r.values.name }));
  }

  async function moveColumn(id, delta) {
    const col = S.findColumn(confirmed, id);
    if (!col) return;
    await attempt('Could not move the column', () => api.patch(`/api/columns/${id}`, { position: col.position + delta }));
  }

  async function deleteColumn(id) {
    const col = S.findColumn(confirmed, id);
    if (!col) return;
    const n = col.cards.length;
    const ok = await confirmAction(`Delete “${col.name}”?`,
      n === 0 ? 'The column will be deleted for everyone.' : `The column and its ${n} card${n === 1 ? '' : 's'} will be deleted for everyone.`,
      'Delete column');
    if (!ok) return;
    await attempt('Could not delete the column', () => api.del(`/api/columns/${id}`));
  }

  // ---- the board itself ----

  renameBtn.addEventListener('click', async () => {
    const r = await openDialog({ title: 'Rename board', fields: [{ name: 'name', label: 'Name', value: confirmed.name, required: true, maxlength: 200 }] });
    if (r?.action !== 'submit') return;
    await attempt('Could not rename the board', () => api.patch(`/api/rooms/${roomID}`, { name: r.values.name }));
  });

  deleteBtn.addEventListener('click', async () => {
    const ok = await confirmAction(`Delete “${confirmed.name}”?`, 'Its columns, cards and members go with it, for everyone. This cannot be undone.', 'Delete board');
    if (!ok) return;
    try {
      live.stop();
      await api.del(`/api/rooms/${roomID}`);
      leave(`“${confirmed.name}” was deleted.`);
    } catch (err) {
      fail('Could not delete the board', err);
      live.start();
    }
  });

  // ---- members ----

  membersBtn.addEventListener('click', () => {
    membersOpen = !membersOpen;
    panel.hidden = !membersOpen;
    membersBtn.setAttribute('aria-expanded', String(membersOpen));
    if (membersOpen) {
      renderMembers(shown());
      panel.querySelector('input, button')?.focus();
    }
  });

  const memberEmail = h('input', { name: 'email', type: 'email', placeholder: 'teammate@example.com', 'aria-label': 'Email of the person to add', autocomplete: 'off' });
  const memberError = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const memberForm = h('form', { class: 'add-member', method: 'post', novalidate: true },
    memberEmail, h('button', { type: 'submit', class: 'btn btn-primary', text: 'Add' }));
  memberForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    memberError.hidden = true;
    if (memberEmail.value.trim() === '') return memberEmail.focus();
    try {
      await api.post(`/api/rooms/${roomID}/members`, { email: memberEmail.value.trim() });
      memberEmail.value = '';
      afterChange();
    } catch (err) {
      if (err.code === 'not_found') err.message = 'No SyncBoard account uses that email.';
      if (err.code === 'already_member') err.message = 'That person is already a member.';
      showProblems(memberForm, memberError, err);
    }
  });
  const memberList = h('ul', { class: 'member-list' });
  const closePanel = h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Close members', text: '×', onclick: () => membersBtn.click() });
  panel.append(h('div', { class: 'panel-head' }, h('h2', { text: 'Members' }), closePanel), memberForm, memberError, memberList);

  function renderMembers(b) {
    const owner = b.role === 'owner';
    memberForm.hidden = !owner;
    replace(memberList, ...b.members.map((m) => {
      const self = m.user.id === me.id;
      let action = null;
      if (self && m.role !== 'owner') action = h('button', { type: 'button', class: 'btn btn-danger-quiet', text: 'Leave', onclick: () => removeMember(m, true) });
      else if (owner && !self) action = h('button', { type: 'button', class: 'btn btn-danger-quiet', text: 'Remove', 'aria-label': `Remove ${m.user.display_name}`, onclick: () => removeMember(m, false) });
      return h('li', { class: 'member' },
        h('span', { class: 'avatar', 'aria-hidden': 'true', text: initials(m.user.display_name) }),
        h('span', { class: 'member-who' },
          h('span', { class: 'member-name', text: self ? `${m.user.display_name} (you)` : m.user.display_name }),
          h('span', { class: 'member-email', text: m.user.email })),
        h('span', { class: `badge badge-${m.role}`, text: m.role }),
        action);
    }));
  }

  async function removeMember(m, self) {
    const ok = self
      ? await confirmAction(`Leave “${confirmed.name}”?`, 'You will no longer see this board.', 'Leave board')
      : await confirmAction(`Remove ${m.user.display_name}?`, `${m.user.display_name} will no longer see this board.`, 'Remove');
    if (!ok) return;
    try {
      if (self) live.stop();
      await api.del(`/api/rooms/${roomID}/members/${m.user.id}`);
      if (self) leave(`You left “${confirmed.name}”.`);
      else afterChange();
    } catch (err) {
      if (self) live.start();
      fail(self ? 'Could not leave the board' : 'Could not remove the member', err);
    }
  }

  // ---- start ----

  load().then(() => { if (!stopped) live.start(); }).catch((err) => {
    if (err instanceof ApiError && err.status === 404) leave('That board does not exist, or you are not a member of it.', 'error');
    else if (!(err instanceof ApiError && err.status === 401)) {
      replace(boardRoot, h('p', { class: 'notice', text: `The board could not be loaded. ${describe(err)}` }),
        h('button', { type: 'button', class: 'btn btn-primary', text: 'Try again', onclick: () => route() }));
    }
  });

  return {
    stop() {
      stopped = true;
      live.stop();
    },
  };
}

function initials(displayName) {
  const parts = displayName.trim().split(/\s+/).filter(Boolean);
  return parts.slice(0, 2).map((p) => [...p][0].toUpperCase()).join('') || '?';
}

// accountDialog changes the display name or the password (which signs out
// every other session: the API refuses tokens issued before the change and
// answers with a new one), or signs out everywhere.
async function accountDialog() {
  const r = await openDialog({
    title: 'Your account',
    message: session.user.email,
    fields: [
      { name: 'display_name', label: 'Display name', value: session.user.display_name, required: true, maxlength: 100 },
      { name: 'password', label: 'New password (optional)', type: 'password' },
      { name: 'current_password', label: 'Current password (to change it)', type: 'password' },
    ],
    extra: [{ label: 'Sign out everywhere', danger: true, value: 'logout-all' }],
  });
  try {
    if (r?.action === 'logout-all') {
      if (!await confirmAction('Sign out everywhere?', 'Every session of this account ends, on every device, this one too.', 'Sign out everywhere')) return;
      await api.post('/api/auth/logout-all');
      signOut();
      toast('Signed out everywhere.');
    } else if (r?.action === 'submit') {
      const body = {};
      if (r.values.display_name.trim() !== session.user.display_name) body.display_name = r.values.display_name;
      if (r.values.password !== '') {
        body.password = r.values.password;
        body.current_password = r.values.current_password;
      }
      if (Object.keys(body).length === 0) return;
      session.set(await api.patch('/api/auth/me', body));
      showAccount();
      toast(body.password ? 'Password changed; your other sessions are signed out.' : 'Saved.');
    }
  } catch (err) {
    if (err.code === 'invalid_credentials') toast('The current password is wrong; nothing was changed.', 'error');
    else if (!(err instanceof ApiError && err.status === 401)) toast(`Could not change your account. ${describe(err)}`, 'error');
  }
}

window.addEventListener('hashchange', route);
document.getElementById('sign-out').addEventListener('click', () => signOut());
document.getElementById('account-name').addEventListener('click', accountDialog);
route();
