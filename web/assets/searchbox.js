// searchbox.js: the search box in the top bar and its results, drawn from
// a Search (search.js). Each hit is a link to its card (or, archived, to
// its board's archive), with the card's title, board and column; the
// arrow keys go from the box down the hits and back, Escape closes them.
import { describe } from './api.js';
import { h, replace } from './dom.js';
import { MAX_QUERY, Search, searchHash } from './search.js';

export class SearchBox {
  // form: the top bar's <form role="search">; api: the Api.
  constructor(form, api) {
    this.form = form;
    this.input = h('input', {
      id: 'search-input', type: 'search', name: 'q', maxlength: MAX_QUERY, placeholder: 'Search cards',
      autocomplete: 'off', spellcheck: 'false', 'aria-controls': 'search-results', 'aria-describedby': 'search-help',
    });
    this.status = h('p', { class: 'search-status', role: 'status' });
    this.list = h('ul', { class: 'search-list', 'aria-label': 'Cards found' });
    this.moreBtn = h('button', { type: 'button', class: 'btn btn-quiet search-more', text: 'Load more', hidden: true, onclick: () => this.loadMore() });
    this.panel = h('div', { class: 'search-results', id: 'search-results', hidden: true }, this.status, this.list, this.moreBtn);
    replace(form,
      h('label', { class: 'sr-only', for: 'search-input', text: 'Search the cards of all your boards' }),
      h('span', { class: 'sr-only', id: 'search-help', text: 'Words, "a phrase" in quotes, -word to leave out. Down arrow goes to the results.' }),
      this.input, this.panel);
    this.search = new Search({ api, onChange: (s) => this.draw(s) });
    this.input.addEventListener('input', () => this.search.type(this.input.value));
    this.input.addEventListener('focus', () => { if (this.search.state.q !== '') this.open(); });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.open();
      this.search.now(this.input.value);
    });
    form.addEventListener('keydown', (e) => this.key(e));
    // The results close when the focus or a click goes elsewhere.
    form.addEventListener('focusout', (e) => { if (!form.contains(e.relatedTarget)) this.close(); });
    document.addEventListener('pointerdown', (e) => { if (!form.contains(e.target)) this.close(); });
    this.list.addEventListener('click', (e) => { if (e.target.closest('a')) this.close(); });
  }

  // show or hide the box (signed in or not); hidden, it is emptied.
  show(on) {
    this.form.hidden = !on;
    if (!on) {
      this.input.value = '';
      this.search.type('');
      this.close();
    }
  }

  open() { this.panel.hidden = this.search.state.q === ''; }

  close() { this.panel.hidden = true; }

  hits() { return [...this.list.querySelectorAll('a')]; }

  key(e) {
    const hits = this.hits();
    const at = hits.indexOf(document.activeElement);
    if (e.key === 'Escape') {
      if (this.panel.hidden && e.target === this.input) return; // the input's own Escape clears it
      e.preventDefault();
      this.close();
      this.input.focus();
      return;
    }
    if (e.target === this.input) {
      if (e.key === 'ArrowDown' && hits.length > 0) {
        e.preventDefault();
        this.open();
        hits[0].focus();
      }
      return;
    }
    if (at < 0) return;
    let next = null;
    if (e.key === 'ArrowDown') next = hits[at + 1] ?? (this.moreBtn.hidden ? hits[at] : this.moreBtn);
    else if (e.key === 'ArrowUp') next = at === 0 ? this.input : hits[at - 1];
    else if (e.key === 'Home') next = hits[0];
    else if (e.key === 'End') next = hits.at(-1);
    if (next) {
      e.preventDefault();
      next.focus();
    }
  }

  async loadMore() {
    const from = this.hits().length;
    await this.search.more();
    // The focus goes to the first hit the page brought.
    this.open();
    (this.hits()[from] ?? this.input).focus();
  }

  draw(s) {
    if (document.activeElement === this.input || this.form.contains(document.activeElement)) this.open();
    if (s.q === '') {
      this.close();
      this.list.replaceChildren();
      this.status.textContent = '';
      this.moreBtn.hidden = true;
      return;
    }
    this.form.setAttribute('aria-busy', String(s.loading));
    if (s.error) this.status.textContent = `The search failed. ${describe(s.error)}`;
    else if (s.loading && s.items.length === 0) this.status.textContent = 'Searching…';
    else if (s.searched) this.status.textContent = s.items.length === 0 ? `No cards match “${s.q}”.` : `${s.items.length}${s.next ? '+' : ''} card${s.items.length === 1 && !s.next ? '' : 's'} found.`;
    this.list.replaceChildren(...s.items.map((hit) => this.makeHit(hit)));
    // Not disabled while loading (Search ignores a second click): a
    // disabled button would lose the focus, and the focus leaving closes
    // the results.
    this.moreBtn.hidden = !s.next;
  }

  makeHit(hit) {
    const archived = Boolean(hit.card.archived_at);
    return h('li', {},
      h('a', { class: 'search-hit', href: searchHash(hit), dataset: { cardId: hit.card.id, roomId: hit.room.id } },
        h('span', { class: 'search-title', text: hit.card.title }),
        h('span', { class: 'search-where' },
          h('span', { class: 'sr-only', text: ', in ' }),
          h('span', { text: hit.room.name }),
          h('span', { 'aria-hidden': 'true', text: ' · ' }),
          h('span', { class: 'sr-only', text: ', column ' }),
          h('span', { text: hit.column.name })),
        archived ? h('span', { class: 'badge badge-archived' }, h('span', { class: 'sr-only', text: ', ' }), 'archived') : null));
  }
}
