package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/syncboard/syncboard/internal/testdb"
)

// TestTracingExportsOnShutdown: with OTEL_EXPORTER_OTLP_ENDPOINT set, the
// server sends its spans over OTLP/HTTP to <endpoint>/v1/traces, and
// stopping it flushes the batch: a request made just before the stop
// reaches the collector although the batch's 5 s delay has not passed, and
// its server span is named by the route. The access log carries trace IDs.
func TestTracingExportsOnShutdown(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path == "/v1/traces" {
			bodies = append(bodies, string(b))
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer collector.Close()
	env := baseEnv(testdb.New(t))
	env["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.URL
	env["OTEL_SERVICE_NAME"] = "syncboard-test"
	s := start(t, env)
	if code, body := get(t, s.url+"/readyz"); code != http.StatusOK {
		t.Fatalf("readyz = %d %s", code, body)
	}
	s.stop()
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("run = %v, want nil", err)
		}
		s.done <- err // for the cleanup
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
	mu.Lock()
	sent := strings.Join(bodies, "")
	mu.Unlock()
	// The protobuf holds the span's name and the service's as plain bytes.
	for _, want := range []string{"GET /readyz", "syncboard-test"} {
		if !strings.Contains(sent, want) {
			t.Errorf("the collector got %d export(s) without %q: the batch was not flushed on shutdown", len(bodies), want)
		}
	}
	if !strings.Contains(s.logs.String(), "trace_id=") {
		t.Errorf("no access log line with a trace_id:\n%s", s.logs)
	}
}
