package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/goccy/go-yaml"
	"github.com/google/uuid"

	"github.com/syncboard/syncboard/internal/apitest"
	"github.com/syncboard/syncboard/internal/testdb"
)

// scrape GETs a /metrics page (outside the API's contract, so with a plain
// client) and returns its status and body.
func scrape(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// sample is the value of the series written exactly as series (name and
// labels) on page; ok is false when the page has no such series.
func sample(page, series string) (v float64, ok bool) {
	for _, line := range strings.Split(page, "\n") {
		if rest, found := strings.CutPrefix(line, series+" "); found {
			v, err := strconv.ParseFloat(rest, 64)
			return v, err == nil
		}
	}
	return 0, false
}

// awaitSample scrapes until series has the value want.
func awaitSample(t *testing.T, u, series string, want float64) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, page := scrape(t, u)
		v, ok := sample(page, series)
		if ok && v == want {
			return page
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v (present: %v), want %v", series, v, ok, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var sampleName = regexp.MustCompile(`(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]`)

// sampleNames are the names of every sample on page (a histogram's
// _bucket, _sum and _count included).
func sampleNames(page string) map[string]bool {
	names := map[string]bool{}
	for _, m := range sampleName.FindAllStringSubmatch(page, -1) {
		names[m[1]] = true
	}
	return names
}

// TestMetrics: in development /metrics is on the API's listener. Requests
// are counted by route pattern (never the raw path) and status class; the
// pool, bcrypt queue, Go and process series are there; the hub's gauges
// follow sockets as they open and close and its counters the events they
// get; and every series the Grafana dashboard queries exists.
func TestMetrics(t *testing.T) {
	env := baseEnv(testdb.New(t))
	env["AUTH_RATE_LIMIT"] = "1000"
	s := start(t, env)
	metricsURL := s.url + "/metrics"
	hc := &http.Client{Timeout: 20 * time.Second, Transport: apitest.Transport(t, nil)}
	owner, _ := register(t, s.url, hc, "metrics-"+uuid.NewString()+"@example.com")
	var room idBody
	owner.do("POST", "/api/rooms", map[string]string{"name": "measured"}, &room)
	var board boardBody
	for range 2 {
		if code := owner.do("GET", "/api/rooms/"+room.ID, nil, &board); code != http.StatusOK {
			t.Fatalf("GET the board = %d", code)
		}
	}
	missing := uuid.NewString()
	if code := owner.do("GET", "/api/rooms/"+missing, nil, nil); code != http.StatusNotFound {
		t.Fatalf("GET a missing board = %d, want 404", code)
	}
	if code, _ := scrape(t, s.url+"/no/such/page/"+missing); code != http.StatusNotFound {
		t.Fatalf("GET an unknown path = %d, want 404", code)
	}

	// A room socket and a user stream open: the hub's gauges say so.
	conn, code := dial(t, s.url, room.ID, "", owner.token)
	if code != http.StatusSwitchingProtocols {
		t.Fatalf("open the room socket: %d", code)
	}
	defer conn.CloseNow()
	userConn, resp := dialRaw(t, s.url, "/api/ws", owner.token)
	if resp != nil {
		t.Fatalf("open the user stream: %d", resp.StatusCode)
	}
	defer userConn.CloseNow()
	awaitSample(t, metricsURL, `syncboard_hub_sockets{stream="room"}`, 1)
	awaitSample(t, metricsURL, `syncboard_hub_sockets{stream="user"}`, 1)
	awaitSample(t, metricsURL, `syncboard_hub_rooms`, 1)

	// A change reaches the socket: counted, and its delay timed.
	owner.do("POST", "/api/rooms/"+room.ID+"/columns", map[string]string{"name": "one"}, nil)
	readEvents(t, conn, board.Version, 1)
	page := awaitSample(t, metricsURL, "syncboard_hub_events_delivered_total", 1)
	if n, _ := sample(page, "syncboard_hub_event_delay_seconds_count"); n != 1 {
		t.Errorf("syncboard_hub_event_delay_seconds_count = %v, want 1", n)
	}
	if d, _ := sample(page, "syncboard_hub_event_delay_seconds_sum"); d < 0 || d > 10 {
		t.Errorf("commit-to-socket delay %vs, want between 0 and 10", d)
	}

	conn.Close(websocket.StatusNormalClosure, "")
	userConn.Close(websocket.StatusNormalClosure, "")
	awaitSample(t, metricsURL, `syncboard_hub_sockets{stream="room"}`, 0)
	awaitSample(t, metricsURL, `syncboard_hub_sockets{stream="user"}`, 0)
	page = awaitSample(t, metricsURL, `syncboard_hub_rooms`, 0)

	for series, want := range map[string]float64{
		`syncboard_http_requests_total{method="POST",route="/api/auth/register",status="2xx"}`:                 1,
		`syncboard_http_requests_total{method="GET",route="/api/rooms/:room_id",status="2xx"}`:                 2,
		`syncboard_http_requests_total{method="GET",route="/api/rooms/:room_id",status="4xx"}`:                 1,
		`syncboard_http_requests_total{method="GET",route="unmatched",status="4xx"}`:                           1,
		`syncboard_http_request_duration_seconds_count{method="GET",route="/api/rooms/:room_id",status="2xx"}`: 2,
		`syncboard_hub_sockets_opened_total{stream="room"}`:                                                    1,
		`syncboard_hub_sockets_opened_total{stream="user"}`:                                                    1,
		`syncboard_hub_slow_closes_total{stream="room"}`:                                                       0,
		`go_sql_max_open_connections{db_name="syncboard"}`:                                                     20,
		`syncboard_bcrypt_queue_length`:                                                                        0,
		`syncboard_bcrypt_busy`:                                                                                0,
	} {
		if v, ok := sample(page, series); !ok || v != want {
			t.Errorf("%s = %v (present: %v), want %v", series, v, ok, want)
		}
	}
	// Upgraded sockets are not requests: their lifetime would swamp the
	// latency histogram.
	for _, never := range []string{room.ID, missing, "/no/such", `route="/api/rooms/:room_id/ws"`, `route="/api/ws"`, `status="1xx"`} {
		if strings.Contains(page, never) {
			t.Errorf("the scrape holds %q", never)
		}
	}
	names := sampleNames(page)
	for _, want := range []string{"go_sql_open_connections", "go_sql_in_use_connections", "go_sql_idle_connections",
		"go_sql_wait_count_total", "go_sql_wait_duration_seconds_total", "syncboard_bcrypt_slots",
		"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes", "process_cpu_seconds_total"} {
		if !names[want] {
			t.Errorf("the scrape has no %s", want)
		}
	}
	checkDashboard(t, names)
}

// dashboardMetric finds the series names in a PromQL expression: every
// metric SyncBoard exports starts with one of these prefixes.
var dashboardMetric = regexp.MustCompile(`\b(?:syncboard|go|process)_[a-zA-Z0-9_:]+`)

// checkDashboard: deploy/grafana/syncboard.json parses, has panels, and
// queries only series that exist in a scrape (names).
func checkDashboard(t *testing.T, names map[string]bool) {
	t.Helper()
	src, err := os.ReadFile("deploy/grafana/syncboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string `json:"title"`
		UID    string `json:"uid"`
		Panels []struct {
			Title   string `json:"title"`
			Type    string `json:"type"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(src, &dash); err != nil {
		t.Fatalf("deploy/grafana/syncboard.json: %v", err)
	}
	if dash.Title == "" || dash.UID == "" {
		t.Errorf("the dashboard has no title or uid")
	}
	queried := map[string]bool{}
	graphs := 0
	for _, p := range dash.Panels {
		if p.Type == "row" {
			continue
		}
		graphs++
		if len(p.Targets) == 0 {
			t.Errorf("panel %q queries nothing", p.Title)
		}
		for _, target := range p.Targets {
			found := dashboardMetric.FindAllString(target.Expr, -1)
			if len(found) == 0 {
				t.Errorf("panel %q: no SyncBoard series in %q", p.Title, target.Expr)
			}
			for _, name := range found {
				queried[name] = true
				if !names[name] {
					t.Errorf("panel %q queries %s, which no scrape holds", p.Title, name)
				}
			}
		}
	}
	if graphs < 10 {
		t.Errorf("the dashboard has %d graphs, want the ten or more the README lists", graphs)
	}
	// What the dashboard is for: each of these has a panel.
	for _, want := range []string{"syncboard_http_requests_total", "syncboard_http_request_duration_seconds_bucket",
		"go_sql_in_use_connections", "go_sql_wait_count_total", "syncboard_hub_sockets",
		"syncboard_hub_event_delay_seconds_bucket", "syncboard_bcrypt_queue_length",
		"process_resident_memory_bytes", "go_goroutines"} {
		if !queried[want] {
			t.Errorf("the dashboard does not graph %s", want)
		}
	}
}

// TestPrometheusExample: deploy/prometheus.yml parses and scrapes /metrics.
func TestPrometheusExample(t *testing.T) {
	src, err := os.ReadFile("deploy/prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			MetricsPath   string `yaml:"metrics_path"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal(src, &cfg); err != nil {
		t.Fatalf("deploy/prometheus.yml: %v", err)
	}
	if len(cfg.ScrapeConfigs) != 1 || cfg.ScrapeConfigs[0].JobName != "syncboard" || cfg.ScrapeConfigs[0].MetricsPath != "/metrics" ||
		len(cfg.ScrapeConfigs[0].StaticConfigs) == 0 || len(cfg.ScrapeConfigs[0].StaticConfigs[0].Targets) == 0 {
		t.Errorf("deploy/prometheus.yml = %+v, want one job syncboard scraping /metrics of some targets", cfg)
	}
}

var metricsListening = regexp.MustCompile(`msg="metrics listening" addr=(\S+)|"msg":"metrics listening","addr":"([^"]+)"`)

// TestMetricsListener: with METRICS_ADDR, /metrics is served there and not
// on the API's listener, in either environment; production without it
// serves no metrics at all.
func TestMetricsListener(t *testing.T) {
	dbURL := testdb.New(t)
	tests := []struct {
		name    string
		env     map[string]string
		private bool
	}{
		{"development with METRICS_ADDR", map[string]string{"METRICS_ADDR": "127.0.0.1:0"}, true},
		{"production with METRICS_ADDR", map[string]string{"APP_ENV": "production", "METRICS_ADDR": "127.0.0.1:0"}, true},
		{"production without", map[string]string{"APP_ENV": "production"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := baseEnv(dbURL)
			for k, v := range tt.env {
				env[k] = v
			}
			s := start(t, env)
			if code, _ := get(t, s.url+"/healthz"); code != http.StatusOK {
				t.Fatalf("/healthz = %d", code)
			}
			if code, _ := scrape(t, s.url+"/metrics"); code != http.StatusNotFound {
				t.Errorf("/metrics on the API's listener = %d, want 404", code)
			}
			m := metricsListening.FindStringSubmatch(s.logs.String())
			if !tt.private {
				if m != nil || !strings.Contains(s.logs.String(), "metrics off") {
					t.Errorf("production without METRICS_ADDR: want no metrics listener and a log line saying so; logs:\n%s", s.logs)
				}
				return
			}
			if m == nil {
				t.Fatalf("no metrics listener in the logs:\n%s", s.logs)
			}
			addr := m[1] + m[2]
			code, page := scrape(t, "http://"+addr+"/metrics")
			if code != http.StatusOK {
				t.Fatalf("/metrics on METRICS_ADDR = %d", code)
			}
			if v, _ := sample(page, `syncboard_http_requests_total{method="GET",route="/healthz",status="2xx"}`); v != 1 {
				t.Errorf("/healthz counted %v times on the private listener, want 1", v)
			}
			if code, _ := scrape(t, "http://"+addr+"/healthz"); code != http.StatusNotFound {
				t.Errorf("the metrics listener serves /healthz: %d, want only /metrics", code)
			}
		})
	}
}
