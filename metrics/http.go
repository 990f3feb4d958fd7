package metrics

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

// Unmatched is the route label of requests that matched no route (404s of
// unknown paths and 405s): never the raw path, which a client could make
// into any number of series.
const Unmatched = "unmatched"

// OtherMethod is the method label of a method outside the standard ones,
// for the same reason.
const OtherMethod = "other"

// DurationBuckets are the request-duration histogram's upper bounds, in
// seconds: from a cached board read (about a millisecond) to a login
// waiting in the bcrypt queue and REQUEST_TIMEOUT (15 s by default).
var DurationBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 15}

var classes = [...]string{"1xx", "2xx", "3xx", "4xx", "5xx"}

// statusClass is status's index in classes (out-of-range codes, which
// net/http does not send, count with the nearest class).
func statusClass(status int) int {
	return min(max(status/100, 1), 5) - 1
}

// HTTP measures requests: a counter and a duration histogram, each
// labelled by method, route pattern and status class.
//
// The per-request cost is kept to a map lookup and two atomic updates, with
// no allocation: Resolve lists the routes once, and each route keeps its
// series per status class, created on first use (not up front: every route
// times every class would export thousands of empty histogram buckets).
type HTTP struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec

	mu     sync.Mutex // serializes Resolve
	routes atomic.Pointer[map[routeKey]*route]
}

type routeKey struct{ method, path string }

// route is one method and pattern's series, one per status class.
type route struct {
	key    routeKey
	series [len(classes)]atomic.Pointer[series]
}

type series struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

func newHTTP() *HTTP {
	labels := []string{"method", "route", "status"}
	h := &HTTP{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncboard_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status class (WebSocket upgrades: syncboard_hub_sockets_opened_total).",
		}, labels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "syncboard_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by method, route pattern and status class (WebSockets excluded).",
			Buckets: DurationBuckets,
		}, labels),
	}
	table := map[routeKey]*route{}
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace, OtherMethod} {
		k := routeKey{m, Unmatched}
		table[k] = &route{key: k}
	}
	h.routes.Store(&table)
	return h
}

// Resolve lists routes so that their requests are measured without
// allocating; call it once the router has all its routes. A route it does
// not know is still measured, at the cost of a label lookup per request.
func (h *HTTP) Resolve(routes gin.RoutesInfo) {
	h.mu.Lock()
	defer h.mu.Unlock()
	old := *h.routes.Load()
	table := make(map[routeKey]*route, len(old)+len(routes))
	for k, r := range old {
		table[k] = r
	}
	for _, r := range routes {
		k := routeKey{r.Method, r.Path}
		if table[k] == nil {
			table[k] = &route{key: k}
		}
	}
	h.routes.Store(&table)
}

// Middleware measures every request after it: put it first, so it times
// the whole chain and sees 404s and 405s too. A request upgraded to a
// WebSocket (101) is left out: its handler lasts as long as the socket,
// which would swamp the latency histogram, and the hub counts it when it
// opens (syncboard_hub_sockets_opened_total) and while it is open
// (syncboard_hub_sockets). A socket request refused before the upgrade
// (401, 404, 429) is an ordinary request and is measured.
func (h *HTTP) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		if status == http.StatusSwitchingProtocols {
			return
		}
		s := h.series(c.Request.Method, c.FullPath(), status)
		s.count.Inc()
		s.duration.Observe(time.Since(start).Seconds())
	}
}

// series returns the series of a request.
func (h *HTTP) series(method, path string, status int) *series {
	if path == "" {
		path = Unmatched
	}
	table := *h.routes.Load()
	r := table[routeKey{method, path}]
	if r == nil && path == Unmatched {
		r = table[routeKey{OtherMethod, Unmatched}] // a non-standard method
	}
	class := statusClass(status)
	if r == nil {
		return h.newSeries(routeKey{method, path}, class) // not resolved
	}
	if s := r.series[class].Load(); s != nil {
		return s
	}
	s := h.newSeries(r.key, class)
	// Two first requests may race here; both hold the same children.
	r.series[class].CompareAndSwap(nil, s)
	return s
}

func (h *HTTP) newSeries(k routeKey, class int) *series {
	return &series{
		count:    h.requests.WithLabelValues(k.method, k.path, classes[class]),
		duration: h.duration.WithLabelValues(k.method, k.path, classes[class]),
	}
}
