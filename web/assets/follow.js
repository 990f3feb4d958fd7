// follow.js: what an open card dialog does when the card changes under
// it (another person edits, moves or deletes it), with no DOM. The dialog
// remembers base, the card's fields as it last showed them; a field the
// person has not touched follows the card, a field they typed in keeps
// their text and the dialog says the card changed meanwhile.
import { fromLocalInput, toLocalInput } from './details.js';

// FIELDS are the dialog's fields that Save sends: the text, and the due
// date (a datetime-local value, '' for none) with its done mark.
export const FIELDS = ['title', 'description', 'due', 'done'];

// fieldsOf is a card as the dialog's fields show it.
export function fieldsOf(card) {
  return { title: card.title, description: card.description, due: toLocalInput(card.due_at), done: Boolean(card.due_complete) };
}

// followCard decides, from base (fieldsOf the card as last shown), typed
// (the fields' values now) and card (the card on the board now, or null
// when it is gone), what the dialog does:
//   gone       the card was deleted: say so, keep the typed text, no Save
//   set        untouched fields to update, by name, to the card's value
//   conflicts  fields someone else changed while the person typed in them
//              something else (Save would replace their change)
//   base       the new base: the card's fields now
export function followCard(base, typed, card) {
  if (!card) return { gone: true, set: {}, conflicts: [], base };
  const now = fieldsOf(card);
  const set = {};
  const conflicts = [];
  for (const f of FIELDS) {
    if (now[f] === base[f]) continue; // nobody else changed it
    if (typed[f] === base[f]) set[f] = now[f];
    else if (typed[f] !== now[f]) conflicts.push(f);
  }
  return { gone: false, set, conflicts, base: now };
}

// changes is the body of the PATCH that saves typed over card: only the
// fields that differ (the title compared trimmed, as the server stores
// it; the due date to the minute, as the field shows it), or null when
// nothing does. A due date that is not a time is left out.
export function changes(card, typed) {
  const now = fieldsOf(card);
  const body = {};
  if (typed.title.trim() !== card.title) body.title = typed.title;
  if (typed.description !== card.description) body.description = typed.description;
  if (typed.due !== now.due) {
    const due = fromLocalInput(typed.due);
    if (due !== undefined) body.due_at = due;
  }
  if (typed.done !== now.done) body.due_complete = typed.done;
  return Object.keys(body).length === 0 ? null : body;
}
