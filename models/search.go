package models

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Full-text search over the cards of every room the caller belongs to.
// cards.search_vector is a generated tsvector of the title (weight A), the
// description (B) and comments_text (C), the copy of the card's comments
// that the comment writes keep (commentWritten); idx_cards_search is a GIN
// index on it. See docs/DESIGN.md, "Search".

// SearchHit is one card Search found, with its room and column.
type SearchHit struct {
	Card
	RoomID     uuid.UUID
	RoomName   string
	ColumnName string
	// Rank is ts_rank's float4, exactly: the cursor carries it.
	Rank float32
}

// SearchCursor is the position after the last hit of a page: hits come by
// rank, best first, then by card ID, both descending.
type SearchCursor struct {
	Rank float32
	ID   uuid.UUID
}

// Encode makes the cursor opaque for clients. The rank travels as its
// float32 bits: a decimal rounding could make the next page repeat or skip
// the hits that share the last one's rank.
func (c SearchCursor) Encode() string {
	raw := fmt.Sprintf("%08x|%s", math.Float32bits(c.Rank), c.ID)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// DecodeSearchCursor reads a cursor made by Encode; anything else is
// ErrBadCursor.
func DecodeSearchCursor(s string) (SearchCursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return SearchCursor{}, ErrBadCursor
	}
	bits, id, ok := strings.Cut(string(raw), "|")
	if !ok || len(bits) != 8 {
		return SearchCursor{}, ErrBadCursor
	}
	b, err1 := strconv.ParseUint(bits, 16, 32)
	u, err2 := uuid.Parse(id)
	if err1 != nil || err2 != nil || len(id) != 36 {
		return SearchCursor{}, ErrBadCursor
	}
	rank := math.Float32frombits(uint32(b))
	// ts_rank is finite and never negative; any other rank is not ours.
	if math.IsNaN(float64(rank)) || math.IsInf(float64(rank), 0) || rank < 0 {
		return SearchCursor{}, ErrBadCursor
	}
	return SearchCursor{Rank: rank, ID: u}, nil
}

// searchOnlyColumns are the cards' columns only search reads; card loads
// leave them out.
var searchOnlyColumns = []string{"comments_text", "search_vector"}

// searchSQL finds the caller's matching cards. The membership join is part
// of the query (rooms the caller is not a member of, or has left, never
// produce a row), the GIN index finds the matches, and the keyset
// (rank, id) pages them. The columns are listed: comments_text and the
// vector are not needed in the answer.
const searchSQL = `SELECT cards.id, cards.column_id, cards.title, cards.description, cards.position,
  cards.created_by, cards.created_at, cards.updated_at, cards.due_at, cards.due_complete,
  cards.archived_at, cards.comment_count,
  columns.room_id, rooms.name AS room_name, columns.name AS column_name, ranked.rank
FROM websearch_to_tsquery('english', @q) AS query
CROSS JOIN websearch_to_tsquery('english', @rankq) AS rankq
JOIN cards ON cards.search_vector @@ query
JOIN columns ON columns.id = cards.column_id
JOIN room_members ON room_members.room_id = columns.room_id AND room_members.user_id = @user
JOIN rooms ON rooms.id = columns.room_id
CROSS JOIN LATERAL (SELECT ts_rank(cards.search_vector, rankq) AS rank) AS ranked
%s
ORDER BY ranked.rank DESC, cards.id DESC
LIMIT @limit`

// searchQuery is the statement Search runs and its arguments; the EXPLAIN
// test runs the very same.
func searchQuery(userID uuid.UUID, q string, limit int, after *SearchCursor) (string, map[string]any) {
	args := map[string]any{"q": q, "rankq": rankTerms(q), "user": userID, "limit": limit + 1} // one more: is there a next page
	where := ""
	if after != nil {
		// The rank goes as the text of the float32, which float4 reads
		// back to the same bits, so the comparison is exact whatever the
		// protocol sends.
		where = "WHERE (ranked.rank, cards.id) < (CAST(@rank AS real), @after)"
		args["rank"] = strconv.FormatFloat(float64(after.Rank), 'g', -1, 32)
		args["after"] = after.ID
	}
	return fmt.Sprintf(searchSQL, where), args
}

// searchTx runs fn in the read-only transaction Search uses. Custom plans
// only: the pool caches prepared statements, and a generic plan, made
// without knowing the query text, may scan every card of the caller's
// rooms instead of asking the GIN index.
func (s *Store) searchTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("SET LOCAL plan_cache_mode = force_custom_plan").Error; err != nil {
			return fmt.Errorf("search plan mode: %w", err)
		}
		return fn(tx)
	}, readOnly)
}

// Search finds the cards of every room userID is a member of whose title,
// description or comments match q (websearch_to_tsquery syntax: words,
// "quoted phrases", -excluded; English stemming), best match first,
// archived cards included, limit at a time after cursor (nil for the first
// page). next is nil on the last page. A q of only stop words matches
// nothing.
//
// Errors: CodeUnavailable.
func (s *Store) Search(ctx context.Context, userID uuid.UUID, q string, limit int, after *SearchCursor) (hits []SearchHit, next *SearchCursor, err error) {
	err = s.searchTx(ctx, func(tx *gorm.DB) error {
		sql, args := searchQuery(userID, q, limit, after)
		if err := tx.Raw(sql, args).Scan(&hits).Error; err != nil {
			return fmt.Errorf("search: %w", err)
		}
		cards := make([]*Card, len(hits))
		for i := range hits {
			cards[i] = &hits[i].Card
		}
		return cardDetails(tx, cards...)
	})
	if err != nil {
		return nil, nil, err
	}
	if len(hits) > limit {
		hits = hits[:limit]
		last := hits[limit-1]
		next = &SearchCursor{Rank: last.Rank, ID: last.ID}
	}
	return hits, next, nil
}

// ExplainSearch is the plan of the very statement Search runs, with its
// arguments, in the transaction (and plan mode) Search runs it in: for the
// test that holds the GIN index to its use and for bench/search. With
// analyze, the statement runs (EXPLAIN (ANALYZE, BUFFERS)).
//
// Errors: CodeUnavailable.
func (s *Store) ExplainSearch(ctx context.Context, userID uuid.UUID, q string, limit int, after *SearchCursor, analyze bool) (string, error) {
	explain := "EXPLAIN "
	if analyze {
		explain = "EXPLAIN (ANALYZE, BUFFERS) "
	}
	var plan []string
	err := s.searchTx(ctx, func(tx *gorm.DB) error {
		sql, args := searchQuery(userID, q, limit, after)
		return tx.Raw(explain+sql, args).Scan(&plan).Error
	})
	return strings.Join(plan, "\n"), err
}

// rankTerms is q without its exclusions (-word, -"a phrase"), for ranking:
// ts_rank scores any query with a NOT as 1e-20 whatever the card holds,
// which would rank a title match and a comment match alike. The full q
// still decides what matches. It follows websearch_to_tsquery's reading:
// a '-' at the start of a word (not inside quotes) negates that word or
// the quoted phrase it opens.
func rankTerms(q string) string {
	var b strings.Builder
	inQuote, atStart := false, true
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c == '-' && atStart && !inQuote {
			j := i + 1
			if j < len(q) && q[j] == '"' {
				end := strings.IndexByte(q[j+1:], '"')
				if end < 0 {
					return b.String()
				}
				i = j + 1 + end
			} else {
				for j < len(q) && !unicode.IsSpace(rune(q[j])) {
					j++
				}
				i = j - 1
			}
			continue
		}
		if c == '"' {
			inQuote = !inQuote
		}
		atStart = unicode.IsSpace(rune(c))
		b.WriteByte(c)
	}
	return b.String()
}
