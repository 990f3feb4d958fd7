// app.js: SyncBoard's web client. Three views (sign in, the boards list, a
// board) chosen by the URL's hash; the board view builds its page and
// leaves the board's state to a BoardController (boardcontroller.js).
import { Api, ApiError, describe, passwordProblem } from './api.js';
import { Session, deviceName, timeAgo } from './session.js';
import { announce, confirmAction, h, openDialog, reconcile, replace, toast } from './dom.js';
import { LiveRoom } from './live.js';
import { BoardView } from './boardview.js';
import { BoardController, roleWords } from './boardcontroller.js';
import { changes, fieldsOf, followCard } from './follow.js';
import { CommentsPart, DetailsPart } from './carddialog.js';
import { formatDue, initials } from './details.js';
import { ArchivePanel } from './archivepanel.js';
import { LabelPanel } from './labelpanel.js';
import { MemberPanel } from './memberpanel.js';
import { presenceView } from './presence.js';
import { RoomList } from './roomlist.js';
import { UserStream } from './userstream.js';
import { SearchBox } from './searchbox.js';
import * as S from './state.js';

const session = new Session();
const api = new Api(session);
const main = document.getElementById('main');
const crumbs = document.getElementById('crumbs');
const conn = document.getElementById('conn');
const searchBox = new SearchBox(document.getElementById('search'), api);
let current = null; // the view on screen: {stop(), and a board's roomID and show(route)}
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

// Routes: #/ (the boards), #/rooms/<id> (a board),
// #/rooms/<id>/cards/<card id> (a board with that card's dialog open) and
// #/rooms/<id>/archive[/<card id>] (a board with its archive open, at
// that card).
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const BOARD_ROUTE = new RegExp(`^#/rooms/(${UUID})(?:/cards/(${UUID})|/(archive)(?:/(${UUID}))?)?$`, 'i');

function parseRoute(hash) {
  const m = hash.match(BOARD_ROUTE);
  return m ? {
    roomID: m[1].toLowerCase(),
    cardID: m[2]?.toLowerCase() ?? null,
    archive: Boolean(m[3]),
    archiveCardID: m[4]?.toLowerCase() ?? null,
  } : null;
}

// #/invite/<token>: an invitation link, open signed in or not.
const INVITE_ROUTE = /^#\/invite\/([A-Za-z0-9_~.=-]+)$/;

const boardHash = (roomID) => `#/rooms/${roomID}`;
const cardHash = (roomID, cardID) => `#/rooms/${roomID}/cards/${cardID}`;

function route() {
  current?.stop();
  current = null;
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
  setConnection(null);
  showAccount();
  main.replaceChildren();
  shownUserID = session.user?.id ?? null;
  const invite = window.location.hash.match(INVITE_ROUTE);
  if (invite) {
    current = inviteView(invite[1]);
    return;
  }
  if (!session.signedIn) {
    current = authView();
    return;
  }
  const r = parseRoute(window.location.hash);
  current = r ? boardView(r.roomID, r) : roomsView();
}

// onHashChange routes, except between a board and one of its cards: the
// board stays and only the card's dialog opens or closes.
function onHashChange() {
  const r = parseRoute(window.location.hash);
  if (r && current?.roomID === r.roomID && session.user?.id === shownUserID) current.show(r);
  else route();
}

// settleFocus puts the focus on el (a view's heading, say) when the page
// change left it nowhere: on the body, or on a node no longer there.
function settleFocus(el) {
  const a = document.activeElement;
  if (!a || a === document.body || !a.isConnected) el.focus();
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
  searchBox.show(session.signedIn);
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

// showProblems shows a 422's problems next to the form's fields. A
// password's problem is said in this page's words (the server counts
// bytes; a person counts characters).
function showProblems(form, errorBox, err) {
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const pw = err.fields?.password;
  errorBox.textContent = pw ? passwordProblem(form.elements.password?.value ?? '') ?? describe(err) : describe(err);
  errorBox.hidden = false;
  for (const name of Object.keys(err.fields ?? {})) form.elements[name]?.setAttribute('aria-invalid', 'true');
}

// ---- sign in / register -------------------------------------------------

const PASSWORD_HINT = 'At least 8 characters.';

function authView() {
  document.title = 'Sign in · SyncBoard';
  setCrumbs();
  const auth = authForm({ onSignedIn: () => route() });
  main.append(h('section', { class: 'auth' },
    h('div', { class: 'auth-intro' },
      h('p', { class: 'eyebrow', text: 'Real-time Kanban' }),
      h('p', { class: 'lede', text: 'Boards your whole team edits at once. Every move shows up on everyone’s screen as it happens.' })),
    auth.form));
  auth.email.focus();
  return { stop() {} };
}

// authForm is the form that signs in or creates an account (mode "login"
// or "register" first; a link switches). onSignedIn runs once the server
// took it and the session holds the new token; titles names the form in
// each mode. The sign-in view and the invitation page both use it.
function authForm({ mode: first = 'login', onSignedIn, titles = { login: 'Sign in to SyncBoard', register: 'Create your SyncBoard account' }, headingLevel = 'h1' }) {
  let mode = first;
  const title = h(headingLevel, {});
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'email', required: true, maxlength: 254 });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, minlength: 8, 'aria-describedby': 'password-hint' });
  const passwordHint = h('span', { class: 'field-hint', id: 'password-hint', text: PASSWORD_HINT });
  const displayName = h('input', { name: 'display_name', autocomplete: 'nickname', maxlength: 100 });
  const nameField = h('label', { class: 'field' }, h('span', { text: 'Display name (optional)' }), displayName);
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-wide' });
  const switcher = h('button', { type: 'button', class: 'link' });
  const switchText = h('span', {});
  const form = h('form', { class: 'auth-form', method: 'post', novalidate: true },
    title,
    h('label', { class: 'field' }, h('span', { text: 'Email' }), email),
    h('label', { class: 'field' }, h('span', { text: 'Password' }), password, passwordHint),
    nameField, error, submit,
    h('p', { class: 'auth-switch' }, switchText, ' ', switcher));
  const setMode = (m) => {
    mode = m;
    const login = mode === 'login';
    title.textContent = login ? titles.login : titles.register;
    submit.textContent = login ? 'Sign in' : 'Create account';
    switchText.textContent = login ? 'New here?' : 'Already have an account?';
    switcher.textContent = login ? 'Create an account' : 'Sign in';
    password.autocomplete = login ? 'current-password' : 'new-password';
    nameField.hidden = login;
    // The rule is shown before a new password is typed, not after a failure.
    passwordHint.hidden = login;
    if (login) password.removeAttribute('aria-describedby');
    else password.setAttribute('aria-describedby', 'password-hint');
    error.hidden = true;
  };
  switcher.addEventListener('click', () => setMode(mode === 'login' ? 'register' : 'login'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    const body = { email: email.value.trim(), password: password.value };
    if (mode === 'register' && displayName.value.trim() !== '') body.display_name = displayName.value.trim();
    const problem = mode === 'register' ? passwordProblem(password.value) : null;
    if (problem) {
      showProblems(form, error, new ApiError(422, 'validation_failed', problem, { password: problem }));
      password.focus();
      return;
    }
    submit.disabled = true;
    try {
      await api.post(mode === 'login' ? '/api/auth/login' : '/api/auth/register', body, { signIn: true });
    } catch (err) {
      showProblems(form, error, err);
      return;
    } finally {
      submit.disabled = false;
    }
    await onSignedIn();
  });
  setMode(first);
  return { form, email };
}

// ---- an invitation ------------------------------------------------------

const ROLE_MEANS = {
  member: 'Members change its columns, cards and labels.',
  viewer: 'Viewers read it and comment on its cards.',
  owner: 'Owners manage the board and its people.',
};

// inviteView is the page of an invitation link: the board's name, who
// invited and with what role. Signed in, Join board accepts it; signed
// out, the page has the forms to create an account or sign in, and joins
// as soon as one works. Either way the board opens after, live. A link
// that no longer works says why (the server's words) and leads on.
function inviteView(token) {
  document.title = 'Invitation · SyncBoard';
  setCrumbs(h('a', { href: '#/', text: 'Boards' }), h('span', { text: 'Invitation' }));
  let stopped = false;
  const heading = h('h1', { tabindex: '-1', text: 'Invitation' });
  const status = h('p', { class: 'invite-status', role: 'status', text: 'Loading the invitation…' });
  const intro = h('div', { class: 'invite-intro' }, heading, status);
  const box = h('section', { class: 'invite-page', 'aria-busy': 'true' }, intro);
  main.append(box);
  settleFocus(heading);
  const path = `/api/invites/by-token/${encodeURIComponent(token)}`;

  const dead = (err) => {
    heading.textContent = 'This invitation link does not work';
    box.classList.add('invite-dead');
    box.classList.remove('invite-page-auth');
    status.textContent = err instanceof ApiError && err.status === 404 ? describe(err) : `The invitation could not be loaded. ${describe(err)}`;
    intro.append(h('p', {}, h('a', { href: '#/', text: session.signedIn ? 'Go to your boards' : 'Go to SyncBoard' })));
    box.setAttribute('aria-busy', 'false');
  };

  // join accepts the invitation as the signed-in user and opens the board
  // (its socket live from the start); it says whether it did.
  const join = async (room, errorBox) => {
    try {
      await api.post(`${path}/accept`);
    } catch (err) {
      if (stopped) return false;
      if (err instanceof ApiError && err.status === 404) {
        replace(box, intro);
        for (const el of [...intro.children].slice(2)) el.remove();
        dead(err);
        heading.focus();
        return false;
      }
      errorBox.textContent = `Could not join the board. ${describe(err)}`;
      errorBox.hidden = false;
      return false;
    }
    toast(`You joined “${room.name}”.`);
    go(boardHash(room.id));
    return true;
  };

  (async () => {
    let invite;
    try {
      invite = await api.get(path);
    } catch (err) {
      if (!stopped) dead(err);
      return;
    }
    if (stopped) return;
    const { room, inviter, role } = invite;
    document.title = `Join ${room.name} · SyncBoard`;
    heading.textContent = `Join “${room.name}”`;
    status.textContent = '';
    intro.append(
      h('p', { class: 'invite-lede' }, h('strong', { text: inviter.display_name }), ` (${inviter.email}) invited you to this board as ${roleWords(role)}. ${ROLE_MEANS[role] ?? ''}`),
      h('p', { class: 'field-hint', text: `The invitation is open until ${formatDue(invite.expires_at)}.` }));
    box.setAttribute('aria-busy', 'false');
    if (session.signedIn) {
      const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
      const button = h('button', { type: 'button', class: 'btn btn-primary', text: 'Join board' });
      button.addEventListener('click', async () => {
        button.disabled = true;
        await join(room, error);
        button.disabled = false;
      });
      intro.append(
        h('p', {}, `You are signed in as ${session.user.display_name} (${session.user.email}).`),
        error,
        h('div', { class: 'invite-actions' }, button,
          h('button', { type: 'button', class: 'btn btn-quiet', text: 'Use another account', onclick: () => signOut() })));
      button.focus();
    } else {
      const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
      const auth = authForm({
        mode: 'register',
        headingLevel: 'h2',
        titles: { register: 'Create your account to join', login: 'Sign in to join' },
        // Signed in but not joined (the server could not be reached, say):
        // the page shows itself again, signed in, with Join board.
        onSignedIn: async () => {
          if (!await join(room, error) && !stopped && !box.classList.contains('invite-dead')) {
            const message = error.hidden ? null : error.textContent;
            route();
            if (message) toast(message, 'error');
          }
        },
      });
      auth.form.querySelector('.auth-switch').before(error);
      box.append(auth.form);
      box.classList.add('invite-page-auth');
    }
  })();
  return { stop() { stopped = true; } };
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
  const list = new RoomList();
  let stopped = false;
  let syncs = 0; // a page asked for before the latest sync began is dropped

  // A tile says whose board it is, how busy it has been (the room's
  // version counts its changes) and when it was made.
  const tileContent = (room) => {
    const changed = room.version - 1;
    return h('a', { class: 'room-tile', href: boardHash(room.id) },
      h('span', { class: 'room-name', text: room.name }),
      h('span', { class: 'room-meta' },
        h('span', { class: `badge badge-${room.role}`, text: { owner: 'yours', viewer: 'view only' }[room.role] ?? 'shared with you' }),
        h('span', { text: changed === 0 ? 'no changes yet' : `${changed} change${changed === 1 ? '' : 's'}` }),
        h('span', { text: `created ${timeAgo(room.created_at)}` })));
  };

  // draw shows the list; a tile is redrawn only when its room changed, so
  // a focused tile keeps the focus when others come and go.
  const draw = () => {
    if (stopped) return;
    reconcile(grid, list.rooms, (r) => r.id, () => h('li', {}), (li, room) => {
      if (li.room === room) return;
      const focused = li.contains(document.activeElement);
      li.replaceChildren(tileContent(room));
      li.room = room;
      if (focused) li.firstChild.focus();
    });
    more.hidden = !list.more;
    empty.hidden = list.rooms.length > 0 || !list.loaded;
  };

  const load = async () => {
    more.disabled = true;
    const gen = syncs;
    try {
      const q = new URLSearchParams({ limit: '24' });
      if (list.cursor) q.set('cursor', list.cursor);
      const page = await api.get(`/api/rooms?${q}`);
      if (stopped || gen !== syncs) return;
      list.addPage(page);
      draw();
    } catch (err) {
      if (!stopped && gen === syncs) toast(`Could not load your boards. ${describe(err)}`, 'error');
    } finally {
      more.disabled = false;
    }
  };

  // sync reloads the rooms shown when the user's stream (re)opens: what
  // changed while it was closed did not come through it.
  // The first page may still be on its way: this one replaces it.
  const sync = async () => {
    const gen = ++syncs;
    list.startSync();
    try {
      const page = await api.get(`/api/rooms?${new URLSearchParams({ limit: String(list.syncLimit()) })}`);
      if (stopped || gen !== syncs) return;
      list.finishSync(page);
      draw();
    } catch (err) {
      if (gen !== syncs) return;
      list.cancelSync(); // the list stays as it was, still following the stream
      if (!stopped && !list.loaded) toast(`Could not load your boards. ${describe(err)}`, 'error');
    }
  };

  // The user's stream: boards added to the list, renamed or with another
  // role for me, and taken off it, as it happens.
  const stream = new UserStream(api, session, {
    onOpen: () => sync(),
    onMessage: (msg) => {
      if (stopped) return;
      const change = list.apply(msg);
      if (!change) return;
      draw();
      const mine = change.room.created_by === session.user?.id;
      if (change.type === 'room.added' && !mine) announce(`“${change.room.name}” was shared with you.`);
      if (change.type === 'room.removed') announce(`“${change.room.name}” is no longer in your boards.`);
    },
  });

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
    h('div', { class: 'rooms-head' }, h('h1', { text: 'Your boards', tabindex: '-1' }), form),
    error, grid, empty, h('div', { class: 'more' }, more),
    h('p', { class: 'rooms-foot' }, 'Building on SyncBoard? Read the ', h('a', { href: '/docs', text: 'API documents' }), '.')));
  settleFocus(main.querySelector('h1'));
  load();
  stream.start();
  return {
    stop() {
      stopped = true;
      stream.stop();
    },
  };
}

// ---- a board ------------------------------------------------------------

const EDIT_HELP = 'Arrow keys go from card to card. Space picks a card up, the arrow keys move it, Space drops it, Escape puts it back. Enter opens a card.';
const VIEW_HELP = 'View only. Arrow keys go from card to card. Enter opens a card, to read it and comment.';

// boardView builds the board page and wires it to a BoardController, which
// holds the board's state and decides; this function only draws and asks.
// want (the route) may name a card whose dialog opens once the board
// shows, or ask for the archive, at a card.
function boardView(roomID, want = null) {
  const me = session.user;
  let openPanel = null; // the side panel open: 'members', 'labels', 'archive' or null
  let drawn = false; // the board has been drawn once
  let shownEdit = null; // whether the page was last drawn for editing
  let wantedCard = want?.cardID ?? null; // a card to open once it is
  let wantedArchive = want?.archive ? { cardID: want.archiveCardID } : null; // the archive, once drawn
  let cardDialog = null; // the open card dialog: {cardID, follow(board), close()}

  const name = h('h1', { class: 'board-name', tabindex: '-1' });
  const role = h('span', { class: 'badge' });
  // A viewer's page says so next to the name, seen and heard.
  const viewOnly = h('span', { class: 'badge badge-view-only', id: 'view-only', hidden: true },
    'View only', h('span', { class: 'sr-only', text: ': you can read this board and comment on its cards, but not change it' }));
  const membersBtn = h('button', { type: 'button', class: 'btn btn-quiet', 'aria-expanded': 'false', 'aria-controls': 'members-panel' });
  const labelsBtn = h('button', { type: 'button', class: 'btn btn-quiet', text: 'Labels', 'aria-expanded': 'false', 'aria-controls': 'labels-panel' });
  const archiveBtn = h('button', { type: 'button', class: 'btn btn-quiet', text: 'Archive', 'aria-expanded': 'false', 'aria-controls': 'archive-panel' });
  const renameBtn = h('button', { type: 'button', class: 'btn btn-quiet', text: 'Rename' });
  const deleteBtn = h('button', { type: 'button', class: 'btn btn-danger-quiet', text: 'Delete board' });
  const boardRoot = h('div', { class: 'board' });
  const crumbName = h('span', {});
  // The pill in the top bar announces the status; this says what it means
  // for the board, where it cannot be missed.
  const offline = h('p', { class: 'offline-banner', hidden: true, text: 'Offline: this board may be out of date, and changes made now may not be saved. Reconnecting…' });
  const help = h('p', { class: 'sr-only', id: 'board-help' });
  // Who has the board open now: a list of avatars, me first.
  const presence = h('ul', { class: 'presence', hidden: true });
  const page = h('section', { class: 'board-page', 'aria-busy': 'true' },
    h('div', { class: 'board-head' }, name, role, viewOnly, h('span', { class: 'spacer' }), presence,
      h('div', { class: 'board-actions' }, membersBtn, labelsBtn, archiveBtn, renameBtn, deleteBtn)),
    offline,
    help,
    h('div', { class: 'board-body' }, boardRoot));
  main.append(page);
  setCrumbs(h('a', { href: '#/', text: 'Boards' }), crumbName);

  const board = new BoardController({
    api,
    roomID,
    me,
    live: (callbacks) => new LiveRoom(api, roomID, callbacks),
    ui: {
      render,
      status: (status) => {
        setConnection(status);
        offline.hidden = status !== 'offline';
      },
      leave: (message, kind) => {
        toast(message, kind);
        go('#/');
      },
      toast,
      announce,
      flash,
      presence: showPresence,
      comment: (event) => cardDialog?.comment(event),
      archive: (events) => {
        // Applied before the board is drawn: an open dialog of the card
        // then says it was archived, not deleted.
        for (const event of events) {
          if (event.type === 'card.archived' && cardDialog?.cardID === event.data?.card?.id) cardDialog.archived = true;
        }
        if (openPanel === 'archive') archivePanel.load();
      },
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
    archiveColumn,
    deleteColumn,
    addColumn: (columnName) => board.addColumn(columnName),
    lift: (cardID) => board.liftCard(cardID),
    nudge: (dx, dy) => board.nudge(dx, dy),
    drop: () => {
      const moved = board.drop();
      if (moved) view.focusCard(moved);
    },
    cancelLift: () => board.cancelLift(),
    redraw: () => board.render(),
  });

  function render(b, liftedID) {
    page.setAttribute('aria-busy', 'false');
    document.title = `${b.name} · SyncBoard`;
    name.textContent = b.name;
    crumbName.textContent = b.name;
    role.textContent = b.role;
    role.className = `badge badge-${b.role}`;
    // What this page offers follows the role, which may change live.
    const can = board.can;
    viewOnly.hidden = !can.viewOnly;
    renameBtn.hidden = !can.manage;
    deleteBtn.hidden = !can.manage;
    labelsBtn.hidden = !can.edit;
    if (openPanel === 'labels' && !can.edit) setPanel('labels', false);
    help.textContent = can.edit ? EDIT_HELP : VIEW_HELP;
    // A control that held the focus may be gone with the role.
    if (drawn && can.edit !== shownEdit) setTimeout(() => settleFocus(name));
    shownEdit = can.edit;
    membersBtn.textContent = `Members (${b.members.length})`;
    view.render(b, liftedID, can.edit);
    if (openPanel === 'members') memberPanel.render(b);
    if (openPanel === 'labels') labelPanel.render(b);
    if (openPanel === 'archive') archivePanel.render();
    cardDialog?.follow(b);
    if (!drawn) {
      drawn = true;
      if (!wantedCard && !wantedArchive) settleFocus(name);
    }
    if (wantedArchive) {
      const w = wantedArchive;
      wantedArchive = null;
      setTimeout(() => showArchive(w.cardID));
    }
    if (wantedCard) {
      const id = wantedCard;
      wantedCard = null;
      setTimeout(() => openLinked(id));
    }
  }

  // showPresence draws who has the board open (users from the socket), or
  // nothing when that is not known (offline).
  function showPresence(users) {
    if (!users || users.length === 0) {
      presence.hidden = true;
      presence.replaceChildren();
      return;
    }
    const v = presenceView(users, me.id);
    const item = (text, label, cls) => h('li', { class: `presence-item ${cls}`, title: label },
      h('span', { class: 'avatar avatar-presence', 'aria-hidden': 'true', text }),
      h('span', { class: 'sr-only', text: label }));
    presence.setAttribute('aria-label', v.summary);
    presence.replaceChildren(
      ...v.shown.map((p) => item(p.initials, p.label, p.me ? 'presence-me' : '')),
      ...(v.more ? [item(`+${v.more.count}`, v.more.label, 'presence-more')] : []));
    presence.hidden = false;
  }

  // flash marks the cards other people changed; one layout for all of
  // them (a catch-up may bring hundreds).
  function flash(cardIDs) {
    const els = cardIDs.map((id) => view.cardNode(id)).filter(Boolean);
    if (els.length === 0) return;
    for (const el of els) el.classList.remove('flash');
    void boardRoot.offsetWidth; // restart the animation
    for (const el of els) el.classList.add('flash');
  }

  // show follows the URL within this board: a card's link opens its
  // dialog, the board's own closes it, the archive's opens the archive.
  function show(r) {
    if (!drawn) {
      wantedCard = r.cardID;
      wantedArchive = r.archive ? { cardID: r.archiveCardID } : null;
      return;
    }
    if (r.archive) {
      cardDialog?.close();
      showArchive(r.archiveCardID);
      return;
    }
    const cardID = r.cardID;
    if (cardID === (cardDialog?.cardID ?? null)) return;
    cardDialog?.close();
    if (cardID) openLinked(cardID);
  }

  // showArchive opens the archive panel (at a card, from a search hit);
  // the URL goes back to the board's, so the same link works again.
  function showArchive(cardID) {
    if (window.location.hash !== boardHash(roomID)) history.replaceState(null, '', boardHash(roomID));
    setPanel('archive', true, cardID);
  }

  function openLinked(cardID) {
    if (board.card(cardID)) {
      openCard(cardID);
      flash([cardID]);
      return;
    }
    toast('That card is not on this board any more.', 'error');
    if (window.location.hash !== boardHash(roomID)) history.replaceState(null, '', boardHash(roomID));
    settleFocus(name);
  }

  // ---- dialogs: they ask, the controller sends ----

  // openCard shows a card's dialog, and the card's link in the URL while
  // it is open (replaced, not pushed: Back leaves the board, as before). The
  // dialog follows the card live (follow.js): untouched fields take other
  // people's changes, typed ones keep the person's text and say that the
  // card changed; a card deleted meanwhile leaves the text to copy.
  async function openCard(cardID) {
    if (cardDialog) return;
    const found = board.card(cardID);
    if (!found) return;
    let base = fieldsOf(found.card);
    let column = { id: found.column.id, name: found.column.name };
    const details = new DetailsPart({ board, cardID, card: found.card });
    const comments = new CommentsPart({ board, cardID, card: found.card });
    let parts = null;
    let gone = false;
    const conflicts = new Set();
    const hash = cardHash(roomID, cardID);
    const url = new URL(hash, window.location.href).href;
    const notice = h('p', { class: 'dialog-notice', role: 'status' });
    const goneNote = h('p', { class: 'dialog-gone', role: 'alert' });
    const copied = h('span', { class: 'copied', role: 'status' });
    const link = h('input', { id: 'card-link', class: 'card-link', readonly: true, value: url });
    const copy = h('button', {
      type: 'button', class: 'btn btn-quiet', text: 'Copy link',
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(url);
          copied.textContent = 'Link copied.';
        } catch {
          // No clipboard (plain HTTP on another host, or refused): the
          // link is selected for the person to copy.
          link.focus();
          link.select();
          copied.textContent = 'Copy the selected link with Ctrl+C (⌘C on a Mac).';
        }
      },
    });
    const linkRow = h('div', { class: 'field' },
      h('label', { for: 'card-link', text: 'Link to this card' }),
      h('div', { class: 'card-link-row' }, link, copy), copied);

    const viewNote = h('p', { class: 'field-hint view-note', hidden: true, text: 'View only: you can read this card and comment on it, but not change it.' });
    // rights shows the dialog for what the user may do now: a viewer's
    // fields are read-only, with no Save, Archive or Delete; the comment
    // box stays. It follows a role changed live.
    const rights = () => {
      if (!parts || gone) return;
      const ro = !board.can.edit;
      parts.inputs.title.readOnly = ro;
      parts.inputs.description.readOnly = ro;
      parts.submit.hidden = ro;
      parts.extra.delete.hidden = ro;
      parts.extra.archive.hidden = ro;
      parts.cancel.textContent = ro ? 'Close' : 'Cancel';
      viewNote.hidden = !ro;
      details.setReadOnly(ro);
    };
    const say = (text) => { notice.textContent = text; };
    const words = { title: 'title', description: 'description', due: 'due date', done: 'done mark' };
    const fieldNames = (fields) => fields.map((f) => words[f]).join(' and ');
    const typedNow = () => ({ title: parts.inputs.title.value, description: parts.inputs.description.value, ...details.values() });
    const markGone = () => {
      if (gone) return;
      gone = true;
      details.markGone();
      comments.markGone();
      goneNote.textContent = cardDialog?.archived
        ? 'Someone archived this card. What you typed is still here to copy; Archive, above the board, restores the card.'
        : 'Someone deleted this card. What you typed is still here to copy, but it can no longer be saved.';
      notice.textContent = '';
      parts.submit.hidden = true;
      parts.extra.delete.hidden = true;
      parts.extra.archive.hidden = true;
      copy.disabled = true;
      parts.cancel.textContent = 'Close';
    };
    cardDialog = {
      cardID,
      close: () => parts?.dialog.close(),
      follow(b) {
        if (!parts || gone) return;
        const now = S.findCard(b, cardID);
        const d = followCard(base, typedNow(), now?.card ?? null);
        if (d.gone) {
          markGone();
          return;
        }
        for (const [f, v] of Object.entries(d.set)) {
          if (parts.inputs[f]) parts.inputs[f].value = v;
          else details.set(f, v);
        }
        details.follow(b, now.card);
        comments.follow(now.card);
        rights();
        if (d.base.title !== base.title) parts.heading.textContent = d.base.title;
        const followed = Object.keys(d.set);
        for (const f of d.conflicts) conflicts.add(f);
        base = d.base;
        const moved = now.column.id !== column.id;
        if (moved || now.column.name !== column.name) {
          column = { id: now.column.id, name: now.column.name };
          parts.message.textContent = `In ${column.name}`;
        }
        if (d.conflicts.length > 0) {
          say(`Someone else changed the ${fieldNames([...conflicts])} while you were typing. Save puts yours in place of theirs; Cancel keeps theirs.`);
        } else if (moved) {
          say(`Someone moved this card to ${column.name}.`);
        } else if (followed.length > 0 && conflicts.size === 0) {
          say(`Someone else changed the ${fieldNames(followed)}; it shows their change.`);
        }
      },
      comment(event) {
        if (!gone && (event.data.comment?.card_id ?? event.data.card_id) === cardID) comments.comment(event);
      },
    };

    if (window.location.hash !== hash) history.replaceState(null, '', hash);
    let r;
    try {
      r = await openDialog({
        title: found.card.title,
        message: `In ${found.column.name}`,
        fields: [
          { name: 'title', label: 'Title', value: found.card.title, required: true, maxlength: 200 },
          { name: 'description', label: 'Description', value: found.card.description, multiline: true, maxlength: 10000 },
        ],
        content: [viewNote, ...details.nodes, linkRow, notice, goneNote],
        after: [comments.node],
        wide: true,
        extra: [{ label: 'Archive card', value: 'archive' }, { label: 'Delete card', danger: true, value: 'delete' }],
        onOpen: (p) => { parts = p; rights(); },
        onSubmit: async (values) => {
          if (gone || !board.can.edit) return false;
          const now = board.card(cardID);
          if (!now) {
            markGone();
            return false;
          }
          const body = changes(now.card, { ...values, ...details.values() });
          return body === null || board.updateCard(cardID, body);
        },
      });
    } finally {
      cardDialog = null;
      if (window.location.hash === hash) history.replaceState(null, '', boardHash(roomID));
    }
    try {
      if (r?.action === 'archive' && board.can.edit) {
        const title = board.card(cardID)?.card.title ?? base.title;
        if (await board.archiveCard(cardID)) toast(`“${title}” is archived. Archive, above the board, restores it.`);
      }
      if (r?.action === 'delete' && board.can.edit) {
        const title = board.card(cardID)?.card.title ?? base.title;
        if (!await confirmAction('Delete this card?', `“${title}” will be deleted for everyone.`, 'Delete card')) return;
        await board.deleteCard(cardID);
      }
    } finally {
      if (board.card(cardID)) view.focusCard(cardID);
      else view.focusColumn(column.id);
    }
  }

  async function renameColumn(id) {
    const col = board.column(id);
    if (!col) return;
    const r = await openDialog({ title: 'Rename column', fields: [{ name: 'name', label: 'Name', value: col.name, required: true, maxlength: 200 }] });
    if (r?.action !== 'submit') return;
    await board.renameColumn(id, r.values.name);
  }

  async function archiveColumn(id) {
    const col = board.column(id);
    if (!col) return;
    const cols = board.confirmed.columns;
    const at = cols.indexOf(col);
    const next = cols[at + 1] ?? cols[at - 1] ?? null; // takes the focus after
    if (!await board.archiveColumn(id)) return;
    toast(`The column “${col.name}” is archived, with its cards. Archive, above the board, restores it.`);
    if (next && board.column(next.id)) view.focusColumn(next.id);
    else settleFocus(name);
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

  // ---- the side panels: members, labels, the archive ----

  const memberPanel = new MemberPanel({ board, close: () => setPanel('members', false) });
  const labelPanel = new LabelPanel({ board, close: () => setPanel('labels', false) });
  const archivePanel = new ArchivePanel({ board, close: () => setPanel('archive', false) });
  boardRoot.after(memberPanel.node, labelPanel.node, archivePanel.node);
  const panels = {
    members: {
      node: memberPanel.node, button: membersBtn,
      open: () => { memberPanel.open(); memberPanel.focusFirst(); },
      close: () => memberPanel.close(),
    },
    labels: {
      node: labelPanel.node, button: labelsBtn,
      open: () => { labelPanel.render(board.shown()); labelPanel.focusFirst(); },
      close: () => {},
    },
    archive: {
      node: archivePanel.node, button: archiveBtn,
      open: (cardID) => { archivePanel.open(cardID); if (!cardID) archivePanel.focusFirst(); },
      close: () => {},
    },
  };

  // setPanel opens or closes a side panel; one is open at a time. Closed
  // from inside (its close button, Escape), the focus goes back to the
  // button that opened it. arg goes to the panel's open (the archive's
  // card to show).
  function setPanel(which, open, arg) {
    const p = panels[which];
    if (open && openPanel && openPanel !== which) setPanel(openPanel, false);
    if (!open && openPanel !== which) return;
    const inside = p.node.contains(document.activeElement);
    openPanel = open ? which : null;
    p.node.hidden = !open;
    p.button.setAttribute('aria-expanded', String(open));
    if (open) {
      p.open(arg);
    } else {
      p.close();
      if (inside || document.activeElement === document.body) p.button.focus();
    }
  }
  for (const which of Object.keys(panels)) {
    panels[which].button.addEventListener('click', () => setPanel(which, openPanel !== which));
  }

  board.start();
  return { roomID, show, stop: () => board.stop() };
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
  let parts = null;
  const r = await openDialog({
    title: 'Your account',
    message: session.user.email,
    fields: [
      { name: 'display_name', label: 'Display name', value: session.user.display_name, required: true, maxlength: 100 },
      { name: 'password', label: 'New password (optional)', type: 'password', autocomplete: 'new-password', hint: PASSWORD_HINT },
      { name: 'current_password', label: 'Current password (to change it)', type: 'password' },
    ],
    content: [box],
    extra: [{ label: 'Sign out everywhere', danger: true, value: 'logout-all' }],
    onOpen: (p) => { parts = p; },
    // A new password that the server would refuse is said here, in
    // characters, with everything typed still in place.
    onSubmit: async (values) => {
      const problem = values.password === '' ? null : passwordProblem(values.password);
      if (problem === null) return true;
      parts.inputs.password.setAttribute('aria-invalid', 'true');
      parts.error.textContent = problem;
      parts.error.hidden = false;
      parts.inputs.password.focus();
      return false;
    },
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
  window.addEventListener('hashchange', onHashChange);
  // A tab that slept may hold an old token: refresh it now.
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') session.wake(); });
  window.addEventListener('online', () => session.wake());
  route();
});
document.getElementById('sign-out').addEventListener('click', () => signOut());
// "Skip to content" moves the focus to the main region; followed as a
// link, its #main would be routed like any other hash.
document.querySelector('.skip-link').addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});
document.getElementById('account-name').addEventListener('click', accountDialog);
