package middleware

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/syncboard/syncboard/internal/reqid"
)

// Trace makes a server span of each request, named by its method and route
// pattern, and puts it in the request's context, so the statements the
// request runs (the GORM plugin) are its children and the access log can
// name it. An incoming W3C traceparent (and tracestate) is continued.
//
// The span records the method, the route pattern, the status and the
// request ID, never the raw path, query or headers: paths hold invitation
// tokens, queries socket tickets. Installed only when tracing is on.
func Trace(tp trace.TracerProvider) gin.HandlerFunc {
	tracer := tp.Tracer("github.com/syncboard/syncboard/middleware")
	prop := propagation.TraceContext{}
	return func(c *gin.Context) {
		ctx := prop.Extract(c.Request.Context(), propagation.HeaderCarrier(c.Request.Header))
		// Gin has routed the request before any middleware runs, so the
		// pattern is known here ("" when no route matched).
		route := c.FullPath()
		name := c.Request.Method
		if route != "" {
			name += " " + route
		}
		ctx, span := tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(
				semconv.HTTPRequestMethodKey.String(c.Request.Method),
				semconv.HTTPRoute(route),
				attribute.String("request.id", reqid.From(ctx)),
			))
		defer span.End()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
		status := c.Writer.Status()
		span.SetAttributes(semconv.HTTPResponseStatusCode(status))
		if status >= http.StatusInternalServerError {
			span.SetStatus(codes.Error, http.StatusText(status))
		}
	}
}
