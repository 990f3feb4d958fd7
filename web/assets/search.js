// search.js: searching the cards of every board of the signed-in user,
// with no DOM (searchbox.js draws it; node --test runs this). Typing waits
// for a pause (DEBOUNCE_MS) before asking; a newer query aborts the
// request of an older one, and an answer that comes anyway for a query no
// longer typed is dropped; "Load more" follows next_cursor.
import { ApiError } from './api.js';

export const DEBOUNCE_MS = 250;
export const PAGE_SIZE = 20;
export const MAX_QUERY = 200; // the API's limit, in characters

// searchHash is where a hit leads: its card's dialog on its board, or an
// archived card in its board's archive panel.
export function searchHash(hit) {
  const room = hit.room.id;
  return hit.card.archived_at ? `#/rooms/${room}/archive/${hit.card.id}` : `#/rooms/${room}/cards/${hit.card.id}`;
}

// Search holds one search box's state: {q, items, next, loading, error,
// searched}. onChange(state) is called after every change of it. api is
// the Api (its get takes {signal}); timers are injectable for tests.
export class Search {
  constructor({ api, onChange, delay = DEBOUNCE_MS, limit = PAGE_SIZE, timers = globalThis }) {
    this.api = api;
    this.onChange = onChange;
    this.delay = delay;
    this.limit = limit;
    this.timers = timers;
    this.timer = null;
    this.controller = null; // the AbortController of the request out
    this.state = { q: '', items: [], next: null, loading: false, error: null, searched: false };
  }

  set(patch) {
    this.state = { ...this.state, ...patch };
    this.onChange(this.state);
  }

  // type takes what the box holds now; the search starts after a pause.
  type(text) {
    const q = text.trim().slice(0, MAX_QUERY);
    this.timers.clearTimeout(this.timer);
    if (q === this.state.q && (this.state.searched || this.state.loading)) return;
    if (q === '') {
      this.cancel();
      this.set({ q: '', items: [], next: null, loading: false, error: null, searched: false });
      return;
    }
    // What an older query asked, and found, is of no use any more: its
    // hits are not shown under the new words.
    this.controller?.abort();
    this.controller = null;
    this.set({ q, items: [], next: null, loading: true, error: null, searched: false });
    this.timer = this.timers.setTimeout(() => this.fetch(q, null), this.delay);
  }

  // now searches at once (Enter in the box), without waiting for the pause.
  now(text) {
    const q = text.trim().slice(0, MAX_QUERY);
    this.timers.clearTimeout(this.timer);
    if (q === '') return this.type('');
    if (q === this.state.q && this.state.searched && !this.state.loading) return undefined;
    if (q !== this.state.q) this.set({ q, items: [], next: null, searched: false });
    this.set({ loading: true, error: null });
    return this.fetch(q, null);
  }

  // more loads the next page of the current query.
  more() {
    if (!this.state.next || this.state.loading) return undefined;
    this.set({ loading: true, error: null });
    return this.fetch(this.state.q, this.state.next);
  }

  cancel() {
    this.timers.clearTimeout(this.timer);
    this.controller?.abort();
    this.controller = null;
  }

  async fetch(q, cursor) {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const params = new URLSearchParams({ q, limit: String(this.limit) });
    if (cursor) params.set('cursor', cursor);
    let page;
    try {
      page = await this.api.get(`/api/search?${params}`, { signal: controller.signal });
    } catch (err) {
      if (controller.signal.aborted || this.controller !== controller) return; // a newer query took over
      this.controller = null;
      this.set({ loading: false, error: err instanceof ApiError ? err : new ApiError(0, 'network', String(err?.message ?? err)) });
      return;
    }
    if (controller.signal.aborted || this.controller !== controller || q !== this.state.q) return;
    this.controller = null;
    this.set({
      items: cursor ? [...this.state.items, ...page.items] : page.items,
      next: page.next_cursor ?? null,
      loading: false,
      error: null,
      searched: true,
    });
  }
}
