// app.js: SyncBoard's web client. Three views (sign in, the boards list, a
// board) chosen by the URL's hash; the board view builds its page and
// leaves the board's state to a BoardController (boardcontroller.js).
import { Api, ApiError, describe } from './api.js';
import { Session, deviceName, timeAgo } from './session.js';
import { announce, confirmAction, h, openDialog, replace, toast } from './dom.js';
import { LiveRoom } from './live.js';
import { BoardView } from './boardview.js';
import { BoardController } from './boardcontroller.js';

const session = new Session();
const api = new Api(session);
const main = document.getElementById('main');
const crumbs = document.getElementById('crumbs');
const conn = document.getElementById('conn');
let current = null; // the view on screen: {stop()}
let shownUserID = null; // whose page is on screen

// The server ended this page's session (signed out elsewhere, the
// password changed elsewhere, a stolen refresh token replayed): say so
// and show the sign-in view.
session.onEnded = (message) => {
  toast(message, 'error');
  route();
};
// A refresh from another tab's sign-in may bring another user: their page
// is not this one.
session.onChange = () => {
  showAccount();
  if (session.user && shownUserID !== null && session.user.id !== shownUserID) route();
};

const UUID = /^#\/rooms\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

function route() {
  current?.stop();
  current = null;
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
  setConnection(null);
  showAccount();
  main.replaceChildren();
  shownUserID = session.user?.id ?? null;
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

// signOut ends this session (everywhere: every session of the user) on
// the server, which clears the refresh cookie too, then shows the sign-in
// view. When the server cannot be told, the page stays signed in and says
// so: clearing only the page would leave the cookie to sign it back in.
async function signOut(everywhere = false) {
  try {
    await api.post(everywhere ? '/api/auth/logout-all' : '/api/auth/logout');
  } catch (err) {
    if (!session.signedIn) return; // the session had ended anyway; the page said so
    if (!(err instanceof ApiError && err.status === 401)) {
      toast(`Could not sign out. ${describe(err)}`, 'error');
      return;
    }
  }
  session.clear();
  route();
  toast(everywhere ? 'Signed out everywhere.' : 'Signed out.');
}

function showAccount() {
  const box = document.getElementById('account');
  box.hidden = !session.signedIn;
  if (!session.signedIn) return;
  const name = document.getElementById('account-name');
  name.textContent = session.user.display_name;
  name.setAttribute('aria-label', `Your account: ${session.user.display_name}, ${session.user.email}`);
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
      await api.post(mode === 'login' ? '/api/auth/login' : '/api/auth/register', body, { signIn: true });
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

// boardView builds the board page and wires it to a BoardController, which
// holds the board's state and decides; this function only draws and asks.
function boardView(roomID) {
  const me = session.user;
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

  const board = new BoardController({
    api,
    roomID,
    me,
    live: (callbacks) => new LiveRoom(api, roomID, callbacks),
    ui: {
      render,
      status: setConnection,
      leave: (message, kind) => {
        toast(message, kind);
        go('#/');
      },
      toast,
      announce,
      flash,
      loadFailed: (err) => replace(boardRoot,
        h('p', { class: 'notice', text: `The board could not be loaded. ${describe(err)}` }),
        h('button', { type: 'button', class: 'btn btn-primary', text: 'Try again', onclick: () => route() })),
    },
  });

  const view = new BoardView(boardRoot, {
    moveCard: (id, col, pos) => board.moveCard(id, col, pos),
    openCard,
    addCard: (columnID, title) => board.addCard(columnID, title),
    renameColumn,
    moveColumn: (id, delta) => board.moveColumn(id, delta),
    deleteColumn,
    addColumn: (columnName) => board.addColumn(columnName),
    lift: (cardID) => board.liftCard(cardID),
    nudge: (dx, dy) => board.nudge(dx, dy),
    drop: () => {
      const moved = board.drop();
      if (moved) view.focusCard(moved);
    },
    cancelLift: () => board.cancelLift(),
  });

  function render(b, liftedID) {
    page.setAttribute('aria-busy', 'false');
    document.title = `${b.name} · SyncBoard`;
    name.textContent = b.name;
    crumbName.textContent = b.name;
    role.textContent = b.role;
    role.className = `badge badge-${b.role}`;
    const owner = b.role === 'owner';
    renameBtn.hidden = !owner;
    deleteBtn.hidden = !owner;
    membersBtn.textContent = `Members (${b.members.length})`;
    view.render(b, liftedID);
    if (membersOpen) renderMembers(b);
  }

  function flash(cardID) {
    const el = view.cardNode(cardID);
    if (!el) return;
    el.classList.remove('flash');
    void el.offsetWidth; // restart the animation
    el.classList.add('flash');
  }

  // ---- dialogs: they ask, the controller sends ----

  async function openCard(cardID) {
    const found = board.card(cardID);
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
        await board.deleteCard(cardID);
      } else if (r?.action === 'submit') {
        const body = {};
        if (r.values.title.trim() !== card.title) body.title = r.values.title;
        if (r.values.description !== card.description) body.description = r.values.description;
        if (Object.keys(body).length === 0) return;
        await board.updateCard(cardID, body);
      }
    } finally {
      view.focusCard(cardID);
    }
  }

  async function renameColumn(id) {
    const col = board.column(id);
    if (!col) return;
    const r = await openDialog({ title: 'Rename column', fields: [{ name: 'name', label: 'Name', value: col.name, required: true, maxlength: 200 }] });
    if (r?.action !== 'submit') return;
    await board.renameColumn(id, r.values.name);
  }

  async function deleteColumn(id) {
    const col = board.column(id);
    if (!col) return;
    const n = col.cards.length;
    const ok = await confirmAction(`Delete “${col.name}”?`,
      n === 0 ? 'The column will be deleted for everyone.' : `The column and its ${n} card${n === 1 ? '' : 's'} will be deleted for everyone.`,
      'Delete column');
    if (!ok) return;
    await board.deleteColumn(id);
  }

  renameBtn.addEventListener('click', async () => {
    const r = await openDialog({ title: 'Rename board', fields: [{ name: 'name', label: 'Name', value: board.confirmed.name, required: true, maxlength: 200 }] });
    if (r?.action !== 'submit') return;
    await board.renameBoard(r.values.name);
  });

  deleteBtn.addEventListener('click', async () => {
    const ok = await confirmAction(`Delete “${board.confirmed.name}”?`, 'Its columns, cards and members go with it, for everyone. This cannot be undone.', 'Delete board');
    if (ok) await board.deleteBoard();
  });

  // ---- members ----

  membersBtn.addEventListener('click', () => {
    membersOpen = !membersOpen;
    panel.hidden = !membersOpen;
    membersBtn.setAttribute('aria-expanded', String(membersOpen));
    if (membersOpen) {
      renderMembers(board.shown());
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
      await board.addMember(memberEmail.value.trim());
      memberEmail.value = '';
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
      ? await confirmAction(`Leave “${board.confirmed.name}”?`, 'You will no longer see this board.', 'Leave board')
      : await confirmAction(`Remove ${m.user.display_name}?`, `${m.user.display_name} will no longer see this board.`, 'Remove');
    if (!ok) return;
    if (self) await board.leaveBoard();
    else await board.removeMember(m.user.id);
  }

  board.start();
  return { stop: () => board.stop() };
}

function initials(displayName) {
  const parts = displayName.trim().split(/\s+/).filter(Boolean);
  return parts.slice(0, 2).map((p) => [...p][0].toUpperCase()).join('') || '?';
}

// accountDialog changes the display name or the password, lists where the
// user is signed in (each other device can be signed out from here), and
// signs out everywhere. A password change ends every session, this one
// too, and answers with a new session for this page: its token is taken,
// and the server set its cookie.
async function accountDialog() {
  const status = h('p', { class: 'sessions-status', role: 'status', text: 'Loading where you are signed in…' });
  const list = h('ul', { class: 'session-list', 'aria-labelledby': 'sessions-title', tabindex: '-1' });
  const box = h('section', { class: 'sessions' },
    h('h3', { id: 'sessions-title', text: 'Where you are signed in' }), status, list);

  // showSessions loads the list; focusAt, after a device was signed out,
  // puts the focus on the row that took its place (or the list).
  const showSessions = async (focusAt = -1) => {
    let sessions;
    try {
      sessions = await api.get('/api/auth/sessions');
    } catch (err) {
      if (!session.signedIn) return;
      status.textContent = `Could not load where you are signed in. ${describe(err)}`;
      status.hidden = false;
      return;
    }
    status.hidden = true;
    replace(list, ...sessions.map((s) => {
      const name = deviceName(s.user_agent);
      const where = [`Last used ${timeAgo(s.last_used_at)}`, s.ip].filter(Boolean).join(' · ');
      return h('li', { class: 'session', dataset: { current: String(Boolean(s.current)) } },
        h('span', { class: 'session-who' },
          h('span', { class: 'session-name', text: name }),
          h('span', { class: 'session-meta', text: where })),
        s.current
          ? h('span', { class: 'badge', text: 'This device' })
          : h('button', {
            type: 'button', class: 'btn btn-danger-quiet', text: 'Sign out',
            'aria-label': `Sign out ${name}, ${where}`,
            onclick: (e) => signOutDevice(s, name, e.currentTarget),
          }));
    }));
    if (focusAt >= 0) (list.querySelectorAll('button')[focusAt] ?? list.querySelector('button') ?? list).focus();
  };

  const signOutDevice = async (s, name, button) => {
    const index = [...list.querySelectorAll('button')].indexOf(button);
    button.disabled = true;
    try {
      await api.del(`/api/auth/sessions/${s.id}`);
      announce(`${name} is signed out.`);
    } catch (err) {
      if (!session.signedIn) return;
      // 404: it had ended already; the list shows it gone.
      if (err.status !== 404) toast(`Could not sign that device out. ${describe(err)}`, 'error');
    }
    await showSessions(index);
  };

  showSessions();
  const r = await openDialog({
    title: 'Your account',
    message: session.user.email,
    fields: [
      { name: 'display_name', label: 'Display name', value: session.user.display_name, required: true, maxlength: 100 },
      { name: 'password', label: 'New password (optional)', type: 'password' },
      { name: 'current_password', label: 'Current password (to change it)', type: 'password' },
    ],
    content: [box],
    extra: [{ label: 'Sign out everywhere', danger: true, value: 'logout-all' }],
  });
  if (!session.signedIn) return;
  try {
    if (r?.action === 'logout-all') {
      if (!await confirmAction('Sign out everywhere?', 'Every session of this account ends, on every device, this one too.', 'Sign out everywhere')) return;
      await signOut(true);
    } else if (r?.action === 'submit') {
      const body = {};
      if (r.values.display_name.trim() !== session.user.display_name) body.display_name = r.values.display_name;
      if (r.values.password !== '') {
        body.password = r.values.password;
        body.current_password = r.values.current_password;
      }
      if (Object.keys(body).length === 0) return;
      // With a password the answer is an AuthResponse, which the session
      // takes (signIn); without, the User.
      const res = await api.patch('/api/auth/me', body, { signIn: body.password !== undefined });
      if (!res?.access_token) session.setUser(res);
      toast(body.password ? 'Password changed; your other sessions are signed out.' : 'Saved.');
    }
  } catch (err) {
    if (err.code === 'invalid_credentials') toast('The current password is wrong; nothing was changed.', 'error');
    else if (!(err instanceof ApiError && err.status === 401)) toast(`Could not change your account. ${describe(err)}`, 'error');
  }
}

// Start: a page with no token (a reload, a new tab) tries the refresh
// cookie once; only when that fails does it show the sign-in view.
session.restore().then(() => {
  window.addEventListener('hashchange', route);
  // A tab that slept may hold an old token: refresh it now.
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') session.wake(); });
  window.addEventListener('online', () => session.wake());
  route();
});
document.getElementById('sign-out').addEventListener('click', () => signOut());
document.getElementById('account-name').addEventListener('click', accountDialog);
