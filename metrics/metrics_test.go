package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/syncboard/syncboard/realtime"
)

func init() { gin.SetMode(gin.TestMode) }

// newRouter is a small router measured by m, with /metrics on it.
func newRouter(t *testing.T, m *Metrics) *gin.Engine {
	t.Helper()
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(m.HTTP.Middleware())
	r.GET("/api/rooms/:room_id", func(c *gin.Context) { c.String(http.StatusOK, "board") })
	r.POST("/api/rooms", func(c *gin.Context) { c.String(http.StatusCreated, "made") })
	r.GET("/boom", func(c *gin.Context) { c.String(http.StatusInternalServerError, "boom") })
	r.GET("/moved", func(c *gin.Context) { c.Redirect(http.StatusFound, "/") })
	r.GET("/api/ws", func(c *gin.Context) { c.Status(http.StatusSwitchingProtocols) })
	r.GET("/metrics", gin.WrapH(m.Handler()))
	m.HTTP.Resolve(r.Routes())
	return r
}

func do(t *testing.T, h http.Handler, method, path string) int {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec.Code
}

func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics = %d %s", rec.Code, rec.Body)
	}
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

// TestRequestSeries: requests are counted and timed by method, route
// pattern and status class; unmatched paths and odd methods collapse into
// fixed labels; WebSocket upgrades stay out.
func TestRequestSeries(t *testing.T) {
	t.Parallel()
	m, err := New(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	r := newRouter(t, m)
	for _, req := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/api/rooms/0b8a3c1e-1111-4111-8111-111111111111", 200},
		{"GET", "/api/rooms/0b8a3c1e-2222-4222-8222-222222222222", 200},
		{"POST", "/api/rooms", 201},
		{"GET", "/boom", 500},
		{"GET", "/moved", 302},
		{"GET", "/no/such/path/42", 404},
		{"GET", "/no/such/path/43", 404},
		{"DELETE", "/api/rooms", 405},
		{"BREW", "/coffee", 404},
		{"GET", "/api/ws", 101},
	} {
		if got := do(t, r, req.method, req.path); got != req.want {
			t.Fatalf("%s %s = %d, want %d", req.method, req.path, got, req.want)
		}
	}
	page := scrape(t, r)
	for _, want := range []string{
		`syncboard_http_requests_total{method="GET",route="/api/rooms/:room_id",status="2xx"} 2`,
		`syncboard_http_requests_total{method="POST",route="/api/rooms",status="2xx"} 1`,
		`syncboard_http_requests_total{method="GET",route="/boom",status="5xx"} 1`,
		`syncboard_http_requests_total{method="GET",route="/moved",status="3xx"} 1`,
		`syncboard_http_requests_total{method="GET",route="unmatched",status="4xx"} 2`,
		`syncboard_http_requests_total{method="DELETE",route="unmatched",status="4xx"} 1`,
		`syncboard_http_requests_total{method="other",route="unmatched",status="4xx"} 1`,
		`syncboard_http_request_duration_seconds_count{method="GET",route="/api/rooms/:room_id",status="2xx"} 2`,
		`syncboard_http_request_duration_seconds_bucket{method="GET",route="/api/rooms/:room_id",status="2xx",le="+Inf"} 2`,
		`syncboard_http_request_duration_seconds_bucket{method="GET",route="/boom",status="5xx",le="15"} 1`,
	} {
		if !strings.Contains(page, want+"\n") {
			t.Errorf("the scrape lacks %s", want)
		}
	}
	for _, never := range []string{"0b8a3c1e", "/no/such", "BREW", "/coffee", `route="/api/ws"`, `status="1xx"`} {
		if strings.Contains(page, never) {
			t.Errorf("the scrape holds %q: a raw path, raw method or WebSocket upgrade became a label", never)
		}
	}
	for _, family := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes",
		"syncboard_hub_event_delay_seconds_count", "syncboard_hub_events_delivered_total"} {
		if !strings.Contains(page, "\n"+family) {
			t.Errorf("the scrape lacks %s", family)
		}
	}
}

// TestUnresolvedRouteIsMeasured: a route Resolve never listed is still
// measured, by its pattern.
func TestUnresolvedRouteIsMeasured(t *testing.T) {
	t.Parallel()
	m, err := New(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	r := newRouter(t, m)
	r.GET("/late/:id", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	do(t, r, "GET", "/late/7")
	if page := scrape(t, r); !strings.Contains(page, `syncboard_http_requests_total{method="GET",route="/late/:id",status="2xx"} 1`) {
		t.Errorf("a route added after Resolve is not measured by its pattern:\n%s", page)
	}
}

// TestMeasuringDoesNotAllocate: once a route and status class have been
// seen, measuring a request allocates nothing.
func TestMeasuringDoesNotAllocate(t *testing.T) {
	m, err := New(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	m.HTTP.Resolve(gin.RoutesInfo{{Method: "GET", Path: "/api/rooms/:room_id"}})
	measure := func(method, path string, status int) {
		s := m.HTTP.series(method, path, status)
		s.count.Inc()
		s.duration.Observe(0.003)
	}
	for _, c := range []struct {
		method, path string
		status       int
	}{{"GET", "/api/rooms/:room_id", 200}, {"GET", "", 404}, {"BREW", "", 405}} {
		measure(c.method, c.path, c.status) // creates the series
		if n := testing.AllocsPerRun(1000, func() { measure(c.method, c.path, c.status) }); n != 0 {
			t.Errorf("measuring %s %q %d allocates %.1f times, want 0", c.method, c.path, c.status, n)
		}
	}
}

// TestPoolAndBcrypt: the pool's and the bcrypt queue's gauges are read at
// scrape time.
func TestPoolAndBcrypt(t *testing.T) {
	t.Parallel()
	m, err := New(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	q := &fakeQueue{queued: 3, busy: 2, slots: 2}
	if err := m.WatchBcrypt(q); err != nil {
		t.Fatal(err)
	}
	stats := realtime.Stats{RoomSockets: 4, UserSockets: 1, Rooms: 2}
	if err := m.WatchHub(func() realtime.Stats { return stats }); err != nil {
		t.Fatal(err)
	}
	page := scrape(t, m.Handler())
	for _, want := range []string{
		"syncboard_bcrypt_queue_length 3", "syncboard_bcrypt_busy 2", "syncboard_bcrypt_slots 2",
		`syncboard_hub_sockets{stream="room"} 4`, `syncboard_hub_sockets{stream="user"} 1`, "syncboard_hub_rooms 2",
	} {
		if !strings.Contains(page, want+"\n") {
			t.Errorf("the scrape lacks %s", want)
		}
	}
	q.queued, stats.Rooms = 0, 0
	page = scrape(t, m.Handler())
	for _, want := range []string{"syncboard_bcrypt_queue_length 0", "syncboard_hub_rooms 0"} {
		if !strings.Contains(page, want+"\n") {
			t.Errorf("the gauges did not follow: the scrape lacks %s", want)
		}
	}
	if err := m.WatchBcrypt(q); err == nil {
		t.Error("registering the bcrypt gauges twice succeeded, want an error")
	}
}

type fakeQueue struct{ queued, busy, slots int }

func (q *fakeQueue) Queued() int { return q.queued }
func (q *fakeQueue) Busy() int   { return q.busy }
func (q *fakeQueue) Slots() int  { return q.slots }

// TestHubDelay: live events' delays are observed, negative ones (clock
// skew) as zero; replays are counted but not timed.
func TestHubDelay(t *testing.T) {
	t.Parallel()
	m, err := New(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	m.Hub.EventDelivered(20*time.Millisecond, true)
	m.Hub.EventDelivered(-5*time.Millisecond, true)
	m.Hub.EventDelivered(time.Hour, false)
	m.Hub.SocketOpened(realtime.StreamRoom)
	m.Hub.SlowClosed(realtime.StreamUser)
	page := scrape(t, m.Handler())
	for _, want := range []string{
		"syncboard_hub_events_delivered_total 3",
		"syncboard_hub_event_delay_seconds_count 2",
		"syncboard_hub_event_delay_seconds_sum 0.02",
		`syncboard_hub_event_delay_seconds_bucket{le="0.001"} 1`,
		`syncboard_hub_sockets_opened_total{stream="room"} 1`,
		`syncboard_hub_sockets_opened_total{stream="user"} 0`,
		`syncboard_hub_slow_closes_total{stream="user"} 1`,
	} {
		if !strings.Contains(page, want+"\n") {
			t.Errorf("the scrape lacks %s", want)
		}
	}
}

// BenchmarkMiddleware is what measuring adds to a request through gin:
// compare with BenchmarkNoMiddleware.
func BenchmarkMiddleware(b *testing.B) {
	m, _ := New(prometheus.NewRegistry())
	benchRouter(b, m.HTTP.Middleware(), func(r *gin.Engine) { m.HTTP.Resolve(r.Routes()) })
}

func BenchmarkNoMiddleware(b *testing.B) {
	benchRouter(b, func(c *gin.Context) { c.Next() }, func(*gin.Engine) {})
}

func benchRouter(b *testing.B, mw gin.HandlerFunc, resolve func(*gin.Engine)) {
	r := gin.New()
	r.Use(mw)
	r.GET("/api/rooms/:room_id", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	resolve(r)
	req := httptest.NewRequest("GET", "/api/rooms/0b8a3c1e-1111-4111-8111-111111111111", nil)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		r.ServeHTTP(w, req)
	}
}
