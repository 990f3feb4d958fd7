// Unit tests of roving.js, the board's keyboard model: which card of a
// column is its one Tab stop, and where each key moves the focus.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { focusTarget, tabStop } from '../assets/roving.js';

// columns builds [{id, cards: [{id}]}] from {column: [card IDs]}.
const columns = (layout) => Object.entries(layout).map(([id, cards]) => ({ id, cards: cards.map((c) => ({ id: c })) }));

describe('tabStop', () => {
  const [todo, empty] = columns({ todo: ['a', 'b', 'c'], empty: [] });
  for (const { name, column, remembered, want } of [
    { name: 'the first card when none was focused', column: todo, remembered: undefined, want: 'a' },
    { name: 'the card focused last', column: todo, remembered: 'b', want: 'b' },
    { name: 'the first card when the one focused last left the column', column: todo, remembered: 'gone', want: 'a' },
    { name: 'none in a column without cards', column: empty, remembered: 'a', want: null },
  ]) {
    it(name, () => assert.equal(tabStop(column, remembered), want));
  }
});

describe('focusTarget', () => {
  const board = columns({ todo: ['a', 'b', 'c'], doing: [], done: ['x', 'y'], later: ['z'] });
  for (const [from, key, want] of [
    ['a', 'ArrowDown', 'b'],
    ['c', 'ArrowDown', null], // the last card stays
    ['b', 'ArrowUp', 'a'],
    ['a', 'ArrowUp', null],
    ['a', 'End', 'c'],
    ['c', 'End', null],
    ['c', 'Home', 'a'],
    ['a', 'Home', null],
    ['b', 'ArrowRight', 'y'], // skips the empty column, keeps the place (clamped)
    ['a', 'ArrowRight', 'x'],
    ['y', 'ArrowLeft', 'b'],
    ['x', 'ArrowRight', 'z'],
    ['z', 'ArrowRight', null], // the last column
    ['a', 'ArrowLeft', null],
    ['a', 'Enter', null], // not a focus key
    ['nope', 'ArrowDown', null], // not on the board
  ]) {
    it(`${key} from ${from} goes to ${want}`, () => assert.equal(focusTarget(board, from, key), want));
  }
});
