package models

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// ExplainSearch is EXPLAIN of the very statement Search runs, with its
// arguments, in the transaction (and plan mode) Search runs it in.
func (s *Store) ExplainSearch(ctx context.Context, userID uuid.UUID, q string, limit int, after *SearchCursor) (string, error) {
	var plan []string
	err := s.searchTx(ctx, func(tx *gorm.DB) error {
		sql, args := searchQuery(userID, q, limit, after)
		return tx.Raw("EXPLAIN "+sql, args).Scan(&plan).Error
	})
	return strings.Join(plan, "\n"), err
}
