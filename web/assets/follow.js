// follow.js: what an open card dialog does when the card changes under
// it (another person edits, moves or deletes it), with no DOM. The dialog
// remembers base, the card's fields as it last showed them; a field the
// person has not touched follows the card, a field they typed in keeps
// their text and the dialog says the card changed meanwhile.

export const FIELDS = ['title', 'description'];

// followCard decides, from base ({title, description} as last shown),
// typed (the fields' values now) and card (the card on the board now, or
// null when it is gone), what the dialog does:
//   gone       the card was deleted: say so, keep the typed text, no Save
//   set        untouched fields to update, by name, to the card's value
//   conflicts  fields someone else changed while the person typed in them
//              something else (Save would replace their change)
//   base       the new base: the card's fields now
export function followCard(base, typed, card) {
  if (!card) return { gone: true, set: {}, conflicts: [], base };
  const set = {};
  const conflicts = [];
  for (const f of FIELDS) {
    if (card[f] === base[f]) continue; // nobody else changed it
    if (typed[f] === base[f]) set[f] = card[f];
    else if (typed[f] !== card[f]) conflicts.push(f);
  }
  return { gone: false, set, conflicts, base: { title: card.title, description: card.description } };
}

// changes is the body of the PATCH that saves typed over card: only the
// fields that differ (the title compared trimmed, as the server stores
// it), or null when nothing does.
export function changes(card, typed) {
  const body = {};
  if (typed.title.trim() !== card.title) body.title = typed.title;
  if (typed.description !== card.description) body.description = typed.description;
  return Object.keys(body).length === 0 ? null : body;
}
