// roving.js: the keyboard model of the board's cards, with no DOM. Each
// column's list of cards is one Tab stop (a "roving tabindex", as the ARIA
// Authoring Practices describe for composite widgets): one card of the
// column has tabindex 0, the others -1, and the arrow keys move the focus
// among them. Columns are the board's ([{id, cards: [{id}]}]).

// tabStop is the card of column that takes Tab: the one focused there last
// (remembered) while it is still in the column, else the first card; null
// for a column without cards.
export function tabStop(column, remembered) {
  if (column.cards.length === 0) return null;
  if (remembered && column.cards.some((c) => c.id === remembered)) return remembered;
  return column.cards[0].id;
}

// focusTarget is the card the focus goes to from cardID when key is
// pressed, or null when it stays. ArrowUp and ArrowDown move within the
// column, Home and End to its first and last card; ArrowLeft and
// ArrowRight go to the nearest column that has cards, to the card at the
// same place (or its last card).
export function focusTarget(columns, cardID, key) {
  const ci = columns.findIndex((c) => c.cards.some((card) => card.id === cardID));
  if (ci < 0) return null;
  const cards = columns[ci].cards;
  const index = cards.findIndex((c) => c.id === cardID);
  switch (key) {
    case 'ArrowUp': return cards[index - 1]?.id ?? null;
    case 'ArrowDown': return cards[index + 1]?.id ?? null;
    case 'Home': return index === 0 ? null : cards[0].id;
    case 'End': return index === cards.length - 1 ? null : cards[cards.length - 1].id;
    case 'ArrowLeft':
    case 'ArrowRight': {
      const step = key === 'ArrowLeft' ? -1 : 1;
      for (let i = ci + step; i >= 0 && i < columns.length; i += step) {
        const other = columns[i].cards;
        if (other.length > 0) return other[Math.min(index, other.length - 1)].id;
      }
      return null;
    }
    default: return null;
  }
}
