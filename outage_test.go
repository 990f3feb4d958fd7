package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/syncboard/syncboard/internal/apitest"
	"github.com/syncboard/syncboard/internal/faultproxy"
	"github.com/syncboard/syncboard/internal/testdb"
)

// TestDatabaseOutage puts a TCP proxy between the server and PostgreSQL and
// cuts it: requests answer 503 unavailable with Retry-After within a bounded
// time, /readyz turns 503 and /healthz stays 200; once the proxy is restored
// the same process serves again, and nothing was half-applied.
func TestDatabaseOutage(t *testing.T) {
	t.Run("refused", func(t *testing.T) { testOutage(t, (*faultproxy.Proxy).Cut) })
	// The database host stops answering: only the connect timeout (3 s)
	// and the request deadline end the wait.
	t.Run("silent", func(t *testing.T) { testOutage(t, (*faultproxy.Proxy).Hang) })
}

func testOutage(t *testing.T, cut func(*faultproxy.Proxy)) {
	dbURL := testdb.New(t)
	u, _ := url.Parse(dbURL)
	proxy, err := faultproxy.Start(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	u.Host = proxy.Addr()
	env := baseEnv(u.String())
	env["BCRYPT_COST"] = "4"
	env["REQUEST_TIMEOUT"] = "5s"
	s := start(t, env)
	hc := &http.Client{Timeout: 20 * time.Second, Transport: apitest.Transport(t, nil)}

	owner, _ := register(t, s.url, hc, fmt.Sprintf("outage-%d@example.com", time.Now().UnixNano()))
	var room idBody
	owner.do("POST", "/api/rooms", map[string]string{"name": "outage"}, &room)
	var col idBody
	owner.do("POST", "/api/rooms/"+room.ID+"/columns", map[string]string{"name": "todo"}, &col)
	var before boardBody
	owner.do("GET", "/api/rooms/"+room.ID, nil, &before)

	cut(proxy)
	for _, tc := range []struct{ method, path string }{
		{"GET", "/api/auth/me"},
		{"GET", "/api/rooms/" + room.ID},
		{"POST", "/api/columns/" + col.ID + "/cards"},
	} {
		start := time.Now()
		req, _ := http.NewRequest(tc.method, s.url+tc.path, strings.NewReader(`{"title":"during the outage"}`))
		req.Header.Set("Authorization", "Bearer "+owner.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("%s %s during the outage: %v", tc.method, tc.path, err)
		}
		var body struct {
			Error struct{ Code string } `json:"error"`
		}
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		took := time.Since(start)
		if resp.StatusCode != http.StatusServiceUnavailable || body.Error.Code != "unavailable" || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s %s during the outage = %d %q (Retry-After %q); want 503 unavailable with Retry-After",
				tc.method, tc.path, resp.StatusCode, body.Error.Code, resp.Header.Get("Retry-After"))
		}
		if took > 6*time.Second {
			t.Errorf("%s %s took %s to fail; want a bounded answer (connect timeout 3 s)", tc.method, tc.path, took)
		}
	}
	if code, _ := get(t, s.url+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz during the outage = %d, want 503", code)
	}
	if code, _ := get(t, s.url+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz during the outage = %d, want 200", code)
	}

	proxy.Restore()
	deadline := time.Now().Add(15 * time.Second)
	for {
		code, _ := get(t, s.url+"/readyz")
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d 15 s after the database came back", code)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var after boardBody
	if code := owner.do("GET", "/api/rooms/"+room.ID, nil, &after); code != 200 {
		t.Fatalf("board after the outage = %d", code)
	}
	cards := 0
	for _, col := range after.Columns {
		cards += len(col.Cards)
	}
	if after.Version != before.Version || cards != 0 {
		t.Errorf("after the outage: version %d (was %d), %d cards (was 0): a refused change was applied", after.Version, before.Version, cards)
	}
	if code := owner.do("POST", "/api/columns/"+col.ID+"/cards", map[string]string{"title": "after"}, nil); code != 201 {
		t.Errorf("create a card after the outage = %d, want 201", code)
	}
}
