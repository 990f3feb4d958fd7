package handlers

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/syncboard/syncboard/database"
	"github.com/syncboard/syncboard/internal/testdb"
)

// TestTracing: with a tracer provider (here one that keeps spans in
// memory), a request is a server span named by its route pattern, with the
// method, route and status; the statements it runs are its children, with
// their SQL but not their bound values; an incoming traceparent is
// continued; and the access log line names the trace and the span. Without
// one, neither the middleware nor the SQL plugin is installed and the log
// line names no trace.
func TestTracing(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	db, err := database.Open(context.Background(), testdb.New(t), database.Options{
		MaxOpenConns: 4, MaxIdleConns: 2, Logger: quietLogger(), TracerProvider: tp})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = database.Close(db) })
	var logs logBuffer
	env := &boardEnv{newAuthEnvOn(t, db, Deps{TracerProvider: tp, Log: logs.logger()})}
	ann := env.user(t, "ann")

	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	tests := []struct {
		name              string
		path, traceparent string
		wantName          string
		wantRoute         string
		wantStatus        int
		wantSQL           bool
	}{
		{"a route, continuing a trace", "/api/rooms", "00-" + traceID + "-" + parentID + "-01", "GET /api/rooms", "/api/rooms", http.StatusOK, true},
		{"a route, a new trace", "/api/rooms/" + ann.ID.String(), "", "GET /api/rooms/:room_id", "/api/rooms/:room_id", http.StatusNotFound, true},
		{"no route", "/api/nowhere", "", "GET", "", http.StatusNotFound, false},
	}
	for _, tt := range tests {
		exp.Reset()
		logs.buf.Reset()
		c := apiCall(http.MethodGet, tt.path, ann, nil)
		if tt.traceparent != "" {
			c.header = http.Header{"Traceparent": {tt.traceparent}}
		}
		requireStatus(t, c, c.do(env.router), tt.wantStatus)

		spans := exp.GetSpans()
		var server *tracetest.SpanStub
		for i, s := range spans {
			if s.SpanKind == trace.SpanKindServer {
				if server != nil {
					t.Fatalf("%s: two server spans", tt.name)
				}
				server = &spans[i]
			}
		}
		if server == nil {
			t.Fatalf("%s: no server span among %d spans", tt.name, len(spans))
		}
		attrs := map[string]string{}
		for _, a := range server.Attributes {
			attrs[string(a.Key)] = a.Value.Emit()
		}
		if server.Name != tt.wantName || attrs["http.route"] != tt.wantRoute || attrs["http.request.method"] != "GET" ||
			attrs["http.response.status_code"] != strconv.Itoa(tt.wantStatus) || attrs["request.id"] == "" {
			t.Errorf("%s: server span %q %v; want %q with route %q, method GET, status %d and the request ID",
				tt.name, server.Name, attrs, tt.wantName, tt.wantRoute, tt.wantStatus)
		}
		sc := server.SpanContext
		switch {
		case tt.traceparent != "" && (sc.TraceID().String() != traceID || server.Parent.SpanID().String() != parentID || !server.Parent.IsRemote()):
			t.Errorf("%s: server span in trace %s under %s; want the incoming trace %s under %s", tt.name, sc.TraceID(), server.Parent.SpanID(), traceID, parentID)
		case tt.traceparent == "" && server.Parent.IsValid():
			t.Errorf("%s: server span has a parent %s; want a new trace", tt.name, server.Parent.SpanID())
		}

		var statements int
		for _, s := range spans {
			if s.Parent.SpanID() != sc.SpanID() {
				continue
			}
			statements++
			for _, a := range s.Attributes {
				if v := a.Value.Emit(); strings.Contains(v, ann.ID.String()) || strings.Contains(v, ann.Email) {
					t.Errorf("%s: statement span %q carries a bound value in %s: %s", tt.name, s.Name, a.Key, v)
				}
			}
		}
		if tt.wantSQL && statements == 0 {
			t.Errorf("%s: no statement span under the server span (%d spans)", tt.name, len(spans))
		}

		lines := logs.accessLines(t)
		if len(lines) != 1 {
			t.Fatalf("%s: %d access log lines, want 1", tt.name, len(lines))
		}
		if lines[0]["trace_id"] != sc.TraceID().String() || lines[0]["span_id"] != sc.SpanID().String() {
			t.Errorf("%s: access log trace_id=%v span_id=%v; want %s and %s", tt.name, lines[0]["trace_id"], lines[0]["span_id"], sc.TraceID(), sc.SpanID())
		}
	}

	// Off: no span, no trace in the log, no SQL plugin.
	plain, err := database.Open(context.Background(), testdb.New(t), database.Options{MaxOpenConns: 2, MaxIdleConns: 1, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = database.Close(plain) })
	if plain.Callback().Query().Get("otel:before:select") != nil {
		t.Error("the SQL tracing plugin is installed without a tracer provider")
	}
	if db.Callback().Query().Get("otel:before:select") == nil {
		t.Error("the SQL tracing plugin is not installed with a tracer provider: this test checks the wrong callback name")
	}
	var offLogs logBuffer
	off := &boardEnv{newAuthEnvOn(t, plain, Deps{Log: offLogs.logger()})}
	bob := off.user(t, "bob")
	c := apiCall(http.MethodGet, "/api/rooms", bob, nil)
	c.header = http.Header{"Traceparent": {"00-" + traceID + "-" + parentID + "-01"}}
	requireStatus(t, c, c.do(off.router), http.StatusOK)
	for _, line := range offLogs.accessLines(t) {
		if _, ok := line["trace_id"]; ok {
			t.Errorf("tracing off: the access log names a trace: %v", line)
		}
	}
}
