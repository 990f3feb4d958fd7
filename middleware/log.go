package middleware

import (
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/trace"

	"github.com/syncboard/syncboard/internal/reqid"
)

// AccessLog writes one structured line per request: method, route pattern,
// status, duration, size, client IP and request ID, and the trace and span
// IDs when tracing is on. It logs the route
// pattern, not the raw path and never the query string or headers, so no
// token can reach the log.
func AccessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		route := c.FullPath()
		if route == "" {
			route = "(no route)"
		}
		attrs := []slog.Attr{
			slog.String("method", c.Request.Method),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Duration("duration", time.Since(start)),
			slog.Int("bytes", max(c.Writer.Size(), 0)),
			slog.String("client_ip", c.ClientIP()),
			slog.String("request_id", reqid.From(c.Request.Context())),
		}
		// With tracing on, the line names the request's trace and span, so
		// a log line leads to its trace and back.
		if sc := trace.SpanContextFromContext(c.Request.Context()); sc.IsValid() {
			attrs = append(attrs, slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
		}
		log.LogAttrs(c.Request.Context(), level, "request", attrs...)
	}
}

// Recover turns a panic in a later handler into a logged stack trace and the
// response that respond writes, so one bad request cannot take the server
// down. A panic with http.ErrAbortHandler is re-raised: it is net/http's way
// to abort a response on purpose.
func Recover(log *slog.Logger, respond gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(p)
			}
			log.ErrorContext(c.Request.Context(), "panic",
				"panic", p, "stack", string(debug.Stack()),
				"request_id", reqid.From(c.Request.Context()),
				"method", c.Request.Method, "route", c.FullPath())
			if c.Writer.Written() {
				c.Abort()
				return
			}
			respond(c)
		}()
		c.Next()
	}
}
