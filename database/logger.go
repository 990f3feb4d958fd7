package database

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"
	gormlogger "gorm.io/gorm/logger"

	"github.com/syncboard/syncboard/internal/reqid"
)

// Logger is a GORM logger writing to slog. Statements are logged with their
// placeholders only, never their bound values, so no password hash or token
// can reach a log. Slow statements are logged at warn, the rest at debug.
type Logger struct {
	log  *slog.Logger
	slow time.Duration
}

// NewLogger returns a GORM logger that reports statements slower than slow at
// warn level.
func NewLogger(log *slog.Logger, slow time.Duration) *Logger {
	return &Logger{log: log, slow: slow}
}

var (
	_ gormlogger.Interface = (*Logger)(nil)
	_ gorm.ParamsFilter    = (*Logger)(nil)
)

// LogMode implements gormlogger.Interface; the level comes from slog instead.
func (l *Logger) LogMode(gormlogger.LogLevel) gormlogger.Interface { return l }

// Info implements gormlogger.Interface.
func (l *Logger) Info(ctx context.Context, msg string, args ...any) {
	l.log.InfoContext(ctx, fmt.Sprintf(msg, args...), requestAttr(ctx))
}

// Warn implements gormlogger.Interface.
func (l *Logger) Warn(ctx context.Context, msg string, args ...any) {
	l.log.WarnContext(ctx, fmt.Sprintf(msg, args...), requestAttr(ctx))
}

// Error implements gormlogger.Interface.
func (l *Logger) Error(ctx context.Context, msg string, args ...any) {
	l.log.ErrorContext(ctx, fmt.Sprintf(msg, args...), requestAttr(ctx))
}

// ParamsFilter implements gorm.ParamsFilter: it drops every bound value, so
// the SQL handed to Trace keeps its placeholders.
func (l *Logger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}

// Trace implements gormlogger.Interface. A failed statement is logged at
// debug: the Store turns expected failures (a unique violation, a missing
// row) into error codes, and the handler logs unexpected ones once, with the
// request ID, so logging them here too would only double them.
func (l *Logger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	slow := l.slow > 0 && elapsed > l.slow
	if !slow && !l.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	sql, rows := fc()
	attrs := []slog.Attr{
		slog.String("sql", sql),
		slog.Int64("rows", rows),
		slog.Duration("duration", elapsed),
		requestAttr(ctx),
	}
	switch {
	case err != nil && !errors.Is(err, gorm.ErrRecordNotFound):
		attrs = append(attrs, slog.String("error", err.Error()))
		l.log.LogAttrs(ctx, slog.LevelDebug, "sql failed", attrs...)
	case slow:
		l.log.LogAttrs(ctx, slog.LevelWarn, "slow sql", attrs...)
	default:
		l.log.LogAttrs(ctx, slog.LevelDebug, "sql", attrs...)
	}
}

func requestAttr(ctx context.Context) slog.Attr {
	return slog.String("request_id", reqid.From(ctx))
}
