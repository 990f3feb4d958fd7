// presence.js: who has a board open now, as the board's header shows it,
// with no DOM: node --test runs it. The room's socket sends the list
// ({"type": "presence", "users": [{id, display_name}]}) on open and after
// each change; this turns it into avatars and what they say.
import { initials } from './details.js';

// MAX_SHOWN avatars, then "+N" for the rest.
export const MAX_SHOWN = 5;

// presenceView returns {shown: [{id, initials, label, me}], more: {count,
// label} or null, summary}: me first (marked "you"), then the others by
// name; each user once, however many sockets they have open. label is
// what a person hears (and sees on hover); summary names the list.
export function presenceView(users, meID, max = MAX_SHOWN) {
  const seen = new Set();
  const people = [];
  for (const u of users ?? []) {
    if (!u?.id || seen.has(u.id)) continue;
    seen.add(u.id);
    people.push({ id: u.id, name: (u.display_name ?? '').trim() || 'Someone', me: u.id === meID });
  }
  people.sort((a, b) => (b.me - a.me) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  // Room for "+N" within max when there are more.
  const cut = people.length > max ? max - 1 : people.length;
  const shown = people.slice(0, cut).map((p) => ({
    id: p.id,
    initials: initials(p.name),
    me: p.me,
    label: p.me ? `You (${p.name}) are viewing` : `${p.name} is viewing`,
  }));
  const rest = people.slice(cut);
  const more = rest.length === 0 ? null : {
    count: rest.length,
    label: `${rest.length} more viewing: ${rest.map((p) => p.name).join(', ')}`,
  };
  const alone = people.length === 1 && people[0].me;
  const summary = alone ? 'Viewing now: only you' : `Viewing now: ${people.length} ${people.length === 1 ? 'person' : 'people'}`;
  return { shown, more, summary };
}
