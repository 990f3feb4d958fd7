// memberpanel.js: a board's members panel, a side panel like the label
// manager. Everyone sees who is in the board and with what role; an owner
// adds people by email with a role, changes anyone's role (a select per
// member; the server's refusals are shown on that member's row), removes
// people, and makes, copies and revokes invitation links. Anyone but the
// last owner may leave. The BoardController sends each change; the room's
// events redraw the list, for everyone.
import { describe } from './api.js';
import { roleWords } from './boardcontroller.js';
import { announce, confirmAction, h, reconcile } from './dom.js';
import { formatDue, initials } from './details.js';

const ROLE_NAMES = { owner: 'Owner', member: 'Member', viewer: 'Viewer' };
const ROLE_HINTS = {
  owner: 'Owners manage the board and its people.',
  member: 'Members change columns, cards and labels.',
  viewer: 'Viewers read the board and comment.',
};
// Links last from an hour to the API's limit of 720 hours.
const EXPIRIES = [[1, '1 hour'], [24, '1 day'], [168, '7 days'], [720, '30 days']];

function roleSelect(props, roles, value) {
  const select = h('select', props, roles.map((r) => h('option', { value: r, text: ROLE_NAMES[r] })));
  select.value = value;
  return select;
}

// roleRefusal says, in this page's words, why a role change was refused.
function roleRefusal(err) {
  if (err.code === 'last_owner') return 'A board needs an owner: make someone else an owner first.';
  if (err.status === 403) return 'Only an owner can change roles.';
  return `Could not change the role. ${describe(err)}`;
}

let panels = 0;

export class MemberPanel {
  // board: the BoardController; close(): the page closes the panel.
  constructor({ board, close }) {
    const n = ++panels;
    this.board = board;
    this.id = `members-${n}`;
    this.email = h('input', { name: 'email', type: 'email', placeholder: 'teammate@example.com', 'aria-label': 'Email of the person to add', autocomplete: 'off' });
    this.role = roleSelect({ name: 'role', 'aria-label': 'Role of the person to add' }, ['member', 'viewer', 'owner'], 'member');
    this.error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    this.offerButton = h('button', { type: 'button', class: 'btn btn-quiet', text: 'Create an invitation link', onclick: () => this.inviteInstead() });
    this.offer = h('div', { class: 'invite-offer', hidden: true },
      h('p', { class: 'field-hint', text: 'Send them an invitation link instead: they create their account on its page and join the board.' }),
      this.offerButton);
    this.form = h('form', { class: 'add-member', method: 'post', novalidate: true },
      this.email, this.role, h('button', { type: 'submit', class: 'btn btn-primary', text: 'Add' }));
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.add(); });
    this.list = h('ul', { class: 'member-list', 'aria-label': 'Members of this board' });
    this.closeBtn = h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Close members', text: '×', onclick: close });
    this.invites = this.makeInvites();
    this.node = h('aside', { class: 'members-panel', id: 'members-panel', hidden: true, 'aria-label': 'Members' },
      h('div', { class: 'panel-head' }, h('h2', { text: 'Members' }), this.closeBtn),
      this.form, this.error, this.offer, this.list, this.invites);
    this.node.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !e.defaultPrevented) { e.preventDefault(); close(); }
    });
    this.opened = false;
  }

  focusFirst() { (this.form.hidden ? this.closeBtn : this.email).focus(); }

  // open is called each time the panel opens: an owner's open links are
  // loaded afresh.
  open() {
    this.opened = true;
    this.render(this.board.shown());
    if (this.board.can.manage) this.loadInvites();
  }

  close() { this.opened = false; }

  async add() {
    this.error.hidden = true;
    this.offer.hidden = true;
    this.email.removeAttribute('aria-invalid');
    const email = this.email.value.trim();
    if (email === '') return this.email.focus();
    try {
      await this.board.addMember(email, this.role.value);
      this.email.value = '';
      announce(`${email} was added as ${roleWords(this.role.value)}.`);
    } catch (err) {
      let text = describe(err);
      if (err.code === 'not_found') text = 'No SyncBoard account uses that email.';
      if (err.code === 'already_member') text = 'That person is already a member.';
      if (err.code === 'validation_failed' && err.fields?.email) text = `That email ${err.fields.email}.`;
      this.error.textContent = text;
      this.error.hidden = false;
      this.email.setAttribute('aria-invalid', 'true');
      // No account: offer the link right there (links make members or
      // viewers; an owner is made later, from the list).
      if (err.code === 'not_found') {
        this.offerRole = this.role.value === 'owner' ? 'member' : this.role.value;
        this.offerEmail = email;
        this.offerButton.textContent = `Create an invitation link (${ROLE_NAMES[this.offerRole].toLowerCase()})`;
        this.offer.hidden = false;
      }
    }
  }

  async inviteInstead() {
    this.inviteRole.value = this.offerRole;
    if (await this.createInvite(this.offerRole, 168, this.offerEmail)) {
      this.offer.hidden = true;
      this.error.hidden = true;
      this.email.removeAttribute('aria-invalid');
    }
  }

  // render redraws the list from board b: one row per member, reused by
  // user ID so a select keeps the focus while other changes arrive.
  render(b) {
    const can = this.board.can;
    this.form.hidden = !can.manage;
    if (!can.manage) {
      this.error.hidden = true;
      this.offer.hidden = true;
    }
    const wasHidden = this.invites.hidden;
    this.invites.hidden = !can.manage;
    if (wasHidden && can.manage && this.opened) this.loadInvites();
    const owners = b.members.filter((m) => m.role === 'owner').length;
    reconcile(this.list, b.members, (m) => m.user.id, (m) => this.makeRow(m), (li, m) => this.updateRow(li, m, can, owners));
    // A control that had the focus may be gone with a role (mine, changed).
    const a = document.activeElement;
    if (a && this.node.contains(a) && a.closest('[hidden]')) this.closeBtn.focus();
  }

  makeRow(m) {
    const id = `${this.id}-${m.user.id}`;
    const name = h('span', { class: 'member-name' });
    const email = h('span', { class: 'member-email' });
    const badge = h('span', { class: 'badge' });
    const select = roleSelect({ id: `${id}-role`, class: 'member-role', 'aria-describedby': `${id}-error` }, ['owner', 'member', 'viewer'], m.role);
    const error = h('p', { class: 'form-error member-error', id: `${id}-error`, role: 'alert', hidden: true });
    const action = h('button', { type: 'button', class: 'btn btn-danger-quiet' });
    const li = h('li', { class: 'member' },
      h('span', { class: 'avatar', 'aria-hidden': 'true' }),
      h('span', { class: 'member-who' }, name, email),
      badge, select, action, error);
    li.refs = { avatar: li.firstChild, name, email, badge, select, action, error };
    select.addEventListener('change', () => this.changeRole(li));
    action.addEventListener('click', () => this.remove(li));
    return li;
  }

  updateRow(li, m, can, owners) {
    const r = li.refs;
    const self = m.user.id === this.board.me.id;
    const shownName = self ? `${m.user.display_name} (you)` : m.user.display_name;
    if (r.name.textContent !== shownName) {
      r.name.textContent = shownName;
      r.avatar.textContent = initials(m.user.display_name);
      r.select.setAttribute('aria-label', self ? 'Your role' : `Role of ${m.user.display_name}`);
    }
    r.email.textContent = m.user.email;
    r.badge.textContent = m.role;
    r.badge.className = `badge badge-${m.role}`;
    r.badge.hidden = can.manage;
    r.select.hidden = !can.manage;
    if (!li.changing && r.select.value !== m.role) r.select.value = m.role;
    // An owner removes others; anyone leaves, but the last owner.
    let action = null;
    if (self && !(m.role === 'owner' && owners <= 1)) action = { text: 'Leave', label: null };
    else if (!self && can.manage) action = { text: 'Remove', label: `Remove ${m.user.display_name}` };
    r.action.hidden = action === null;
    if (action) {
      r.action.textContent = action.text;
      if (action.label) r.action.setAttribute('aria-label', action.label);
      else r.action.removeAttribute('aria-label');
    }
    if (!can.manage) r.error.hidden = true;
    li.member = m;
  }

  async changeRole(li) {
    const r = li.refs;
    const m = li.member;
    const role = r.select.value;
    r.error.hidden = true;
    li.changing = true;
    try {
      await this.board.setRole(m.user.id, role);
      const self = m.user.id === this.board.me.id;
      if (!self) announce(`${m.user.display_name} is now ${roleWords(role)}.`);
    } catch (err) {
      // Back to the role the board has; the refusal is said on the row.
      r.select.value = this.board.confirmed.members.find((x) => x.user.id === m.user.id)?.role ?? m.role;
      r.error.textContent = roleRefusal(err);
      r.error.hidden = false;
    } finally {
      li.changing = false;
    }
  }

  async remove(li) {
    const m = li.member;
    const self = m.user.id === this.board.me.id;
    const name = this.board.confirmed.name;
    const ok = self
      ? await confirmAction(`Leave “${name}”?`, 'You will no longer see this board.', 'Leave board')
      : await confirmAction(`Remove ${m.user.display_name}?`, `${m.user.display_name} will no longer see this board.`, 'Remove');
    if (!ok) {
      li.refs.action.focus();
      return;
    }
    if (self) await this.board.leaveBoard();
    else await this.board.removeMember(m.user.id);
  }

  // ---- invitation links ----

  makeInvites() {
    const n = this.id;
    this.inviteRole = roleSelect({ id: `${n}-invite-role`, name: 'role' }, ['member', 'viewer'], 'member');
    this.inviteHours = h('select', { id: `${n}-invite-hours`, name: 'expires' }, EXPIRIES.map(([hours, text]) => h('option', { value: String(hours), text })));
    this.inviteHours.value = '168';
    this.inviteError = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const form = h('form', { class: 'invite-form', method: 'post', novalidate: true },
      h('label', { class: 'field', for: `${n}-invite-role` }, h('span', { text: 'Joins as' }), this.inviteRole),
      h('label', { class: 'field', for: `${n}-invite-hours` }, h('span', { text: 'Expires after' }), this.inviteHours),
      h('button', { type: 'submit', class: 'btn btn-primary', text: 'Create link' }));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.createInvite(this.inviteRole.value, Number(this.inviteHours.value));
    });
    // The link just made: the only time its address is known.
    this.linkInput = h('input', { id: `${n}-invite-link`, class: 'card-link', readonly: true });
    this.linkLabel = h('label', { for: `${n}-invite-link` });
    this.linkHint = h('p', { class: 'field-hint', hidden: true });
    this.copied = h('span', { class: 'copied', role: 'status' });
    this.copyBtn = h('button', { type: 'button', class: 'btn btn-quiet', text: 'Copy', onclick: () => this.copy() });
    this.newLink = h('div', { class: 'field new-link', hidden: true },
      this.linkLabel, h('div', { class: 'card-link-row' }, this.linkInput, this.copyBtn), this.linkHint, this.copied);
    this.inviteStatus = h('p', { class: 'field-hint', role: 'status' });
    this.inviteList = h('ul', { class: 'invite-list', 'aria-labelledby': `${n}-open-links` });
    return h('section', { class: 'invites', 'aria-labelledby': `${n}-invites` },
      h('h3', { id: `${n}-invites`, text: 'Invitation links' }),
      h('p', { class: 'field-hint', text: 'Anyone with a link can join this board, with the link’s role, until it expires or is revoked.' }),
      form, this.inviteError, this.newLink,
      h('h4', { id: `${n}-open-links`, text: 'Open links' }), this.inviteStatus, this.inviteList);
  }

  async createInvite(role, hours, forEmail = null) {
    this.inviteError.hidden = true;
    let invite;
    try {
      invite = await this.board.createInvite(role, hours);
    } catch (err) {
      this.inviteError.textContent = `Could not create the link. ${describe(err)}`;
      this.inviteError.hidden = false;
      return false;
    }
    this.linkLabel.textContent = `New ${ROLE_NAMES[invite.role].toLowerCase()} link, open until ${formatDue(invite.expires_at)}`;
    this.linkInput.value = invite.url;
    this.linkHint.textContent = forEmail ? `Send it to ${forEmail}. ${ROLE_HINTS[invite.role]}` : ROLE_HINTS[invite.role];
    this.linkHint.hidden = false;
    this.copied.textContent = '';
    this.newLink.hidden = false;
    this.copyBtn.focus();
    announce('Invitation link created. Copy it and send it.');
    this.loadInvites();
    return true;
  }

  async copy() {
    try {
      await navigator.clipboard.writeText(this.linkInput.value);
      this.copied.textContent = 'Link copied.';
    } catch {
      // No clipboard (plain HTTP on another host, or refused): the link
      // is selected for the person to copy.
      this.linkInput.focus();
      this.linkInput.select();
      this.copied.textContent = 'Copy the selected link with Ctrl+C (⌘C on a Mac).';
    }
  }

  async loadInvites(focusAt = -1) {
    let invites;
    try {
      invites = await this.board.invites();
    } catch (err) {
      this.inviteStatus.textContent = `Could not load the open links. ${describe(err)}`;
      return;
    }
    this.inviteStatus.textContent = invites.length === 0 ? 'No open links.' : '';
    reconcile(this.inviteList, invites, (i) => i.id, (i) => this.makeInviteRow(i), () => {});
    if (focusAt >= 0) (this.inviteList.querySelectorAll('button')[focusAt] ?? this.inviteList.querySelector('button') ?? this.inviteRole).focus();
  }

  makeInviteRow(invite) {
    const by = this.whoMade(invite.created_by);
    const role = ROLE_NAMES[invite.role] ?? invite.role;
    const expires = formatDue(invite.expires_at);
    const revoke = h('button', {
      type: 'button', class: 'btn btn-danger-quiet', text: 'Revoke',
      'aria-label': `Revoke the ${role.toLowerCase()} link made by ${by}, open until ${expires}`,
      onclick: () => this.revoke(invite, revoke),
    });
    return h('li', { class: 'invite' },
      h('span', { class: 'invite-who' },
        h('span', { class: 'invite-role', text: `${role} link` }),
        h('span', { class: 'member-email', text: `Open until ${expires} · made by ${by}` })),
      revoke);
  }

  whoMade(createdBy) {
    if (createdBy && typeof createdBy === 'object') return createdBy.display_name;
    if (createdBy === this.board.me.id) return 'you';
    return this.board.confirmed.members.find((m) => m.user.id === createdBy)?.user.display_name ?? 'a former member';
  }

  async revoke(invite, button) {
    const index = [...this.inviteList.querySelectorAll('button')].indexOf(button);
    if (await this.board.revokeInvite(invite.id)) {
      announce('The link is revoked: it no longer opens the board.');
      await this.loadInvites(index);
    }
  }
}
