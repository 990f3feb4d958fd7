// details.js: what a card's details (labels, assignees, due date,
// comments) look like and sound like, with no DOM: the words and states
// the board's tiles and the card dialog show. node --test runs it.

// LABEL_COLORS are the API's label colors, in the order a picker offers
// them; app.css gives each a chip whose text reads 4.5:1, light and dark.
export const LABEL_COLORS = ['green', 'yellow', 'orange', 'red', 'purple', 'blue', 'sky', 'lime', 'pink', 'black'];

// initials are up to two letters of a name, for an avatar.
export function initials(displayName) {
  const parts = displayName.trim().split(/\s+/).filter(Boolean);
  return parts.slice(0, 2).map((p) => [...p][0].toUpperCase()).join('') || '?';
}

// dueState says what a card's due date means now: null (no due date),
// 'done' (marked complete), 'overdue' (past and not complete) or 'due'.
export function dueState(card, now = Date.now()) {
  if (!card.due_at) return null;
  if (card.due_complete) return 'done';
  return Date.parse(card.due_at) < now ? 'overdue' : 'due';
}

const dueFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' });
const dueFormatYear = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: 'numeric', minute: '2-digit' });

// formatDue is a due date as a person reads it, in their time zone and
// language, with the year only when it is not this year's.
export function formatDue(iso, now = Date.now()) {
  const d = new Date(iso);
  return (d.getFullYear() === new Date(now).getFullYear() ? dueFormat : dueFormatYear).format(d);
}

// dueText is the due badge's text: the date, and what it means.
export function dueText(card, now = Date.now()) {
  const state = dueState(card, now);
  if (state === null) return '';
  const date = formatDue(card.due_at, now);
  if (state === 'done') return `${date}, done`;
  if (state === 'overdue') return `${date}, overdue`;
  return date;
}

// cardDetails is what a tile shows of a card besides its title and
// description, resolved against the board: {labels: [Label], assignees:
// [User], due: {state, text} or null, comments}. A label or member the
// board does not know (an event not yet applied) is left out.
export function cardDetails(card, labelsByID, usersByID, now = Date.now()) {
  const labels = [];
  for (const id of card.label_ids) {
    const l = labelsByID.get(id);
    if (l) labels.push(l);
  }
  const assignees = [];
  for (const id of card.assignee_ids) {
    const u = usersByID.get(id);
    if (u) assignees.push(u);
  }
  const state = dueState(card, now);
  return {
    labels, assignees,
    due: state === null ? null : { state, text: dueText(card, now) },
    comments: card.comment_count,
  };
}

// describeDetails is the details as one sentence for a screen reader, the
// card's description after its own: "Labels: Bug, Urgent. Assigned to Ann
// Lee. Due 3 Dec, 14:00, overdue. 2 comments." ('' when there are none).
export function describeDetails(details) {
  const parts = [];
  if (details.labels.length > 0) parts.push(`${details.labels.length === 1 ? 'Label' : 'Labels'}: ${details.labels.map((l) => l.name).join(', ')}.`);
  if (details.assignees.length > 0) parts.push(`Assigned to ${listed(details.assignees.map((u) => u.display_name))}.`);
  if (details.due) parts.push(`Due ${details.due.text}.`);
  if (details.comments > 0) parts.push(plural(details.comments, 'comment'));
  return parts.join(' ');
}

// plural is "1 comment", "3 comments", with a full stop.
export function plural(n, noun) {
  return `${n} ${noun}${n === 1 ? '' : 's'}.`;
}

function listed(names) {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

// toLocalInput turns an RFC 3339 time into a datetime-local input's value
// (the person's own time zone, to the minute); null is ''.
export function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

// fromLocalInput turns a datetime-local value into RFC 3339 (UTC) for the
// API; '' is null, and a value that is not a time is undefined.
export function fromLocalInput(value) {
  if (value === '') return null;
  const t = new Date(value).getTime(); // a value without a zone is local time
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}
