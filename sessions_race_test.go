package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/syncboard/syncboard/internal/testdb"
)

// raceClient speaks the auth API of two instances without cookies: every
// token travels in bodies and headers, so the test knows exactly which
// credential each request used and got.
type raceClient struct {
	t     *testing.T
	hc    *http.Client
	bases [2]string
}

type authTokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	SessionID    string `json:"session_id"`
	User         struct {
		ID string `json:"id"`
	} `json:"user"`
}

// call sends a JSON request to instance i and decodes a 2xx answer into out.
func (rc *raceClient) call(i int, method, path, token string, body, out any) int {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, rc.bases[i%2]+path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := rc.hc.Do(req)
	if err != nil {
		rc.t.Errorf("%s %s: %v", method, path, err)
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 500 {
		rc.t.Errorf("%s %s = %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			rc.t.Errorf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	return resp.StatusCode
}

func (rc *raceClient) login(i int, email, password string) authTokens {
	rc.t.Helper()
	var a authTokens
	if code := rc.call(i, "POST", "/api/auth/login", "", map[string]string{"email": email, "password": password}, &a); code != 200 {
		rc.t.Fatalf("login %s = %d", email, code)
	}
	return a
}

// minted is every credential of the doomed session that a racing request
// obtained, and where.
type minted struct {
	mu      sync.Mutex
	access  []string
	refresh []string
	tickets []string
}

func (m *minted) add(list *[]string, v string) {
	m.mu.Lock()
	*list = append(*list, v)
	m.mu.Unlock()
}

// TestEndingASessionLeavesNoSurvivor races, over real HTTP across two
// instances, a refresher (rotating the session's refresh token as fast as
// it can) and ticket makers (asking for socket tickets with the session's
// newest access token) against the three ways a session ends for someone
// else's request: logout-all, ending the session from another device, and
// a password change. Every access token, refresh token and ticket any
// racing request obtained, before, during or after the end, must be refused
// afterwards on both instances, and the session's open sockets on both
// instances must close with 4001 within a second.
func TestEndingASessionLeavesNoSurvivor(t *testing.T) {
	rounds := 60
	if testing.Short() {
		rounds = 6
	}
	dbURL := testdb.New(t)
	env := baseEnv(dbURL)
	env["BCRYPT_COST"] = "4"
	env["AUTH_RATE_LIMIT"] = "1000000"
	a, b := start(t, env), start(t, env)
	rc := &raceClient{t: t, hc: &http.Client{Timeout: 20 * time.Second}, bases: [2]string{a.url, b.url}}

	email := fmt.Sprintf("race-%d@example.com", time.Now().UnixNano())
	password := "password-0"
	var reg authTokens
	if code := rc.call(0, "POST", "/api/auth/register", "", map[string]string{"email": email, "password": password}, &reg); code != 201 {
		t.Fatalf("register = %d", code)
	}
	var room struct {
		ID string `json:"id"`
	}
	if code := rc.call(1, "POST", "/api/rooms", reg.AccessToken, map[string]string{"name": "race"}, &room); code != 201 {
		t.Fatalf("create room = %d", code)
	}

	ends := []string{"logout-all", "end from another device", "password change"}
	var (
		totalMinted, survivors int
		slowestClose           time.Duration
		mintedDuring           [3]int
	)
	for round := range rounds {
		kind := round % len(ends)
		doomed := rc.login(round, email, password)
		other := rc.login(round+1, email, password) // the device that ends it
		// The doomed session's sockets, one on each instance.
		var socks []*websocket.Conn
		for i := range 2 {
			conn, code := dial(t, rc.bases[i], room.ID, "", doomed.AccessToken)
			if code != http.StatusSwitchingProtocols {
				t.Fatalf("round %d: open a socket on instance %d: %d", round, i, code)
			}
			socks = append(socks, conn)
		}

		var m minted
		m.add(&m.access, doomed.AccessToken)
		m.add(&m.refresh, doomed.RefreshToken)
		var latest atomic.Value
		latest.Store(doomed.AccessToken)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		// The refresher: one chain, as a client refreshes.
		wg.Add(1)
		go func() {
			defer wg.Done()
			rt := doomed.RefreshToken
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var next authTokens
				if rc.call(i, "POST", "/api/auth/refresh", "", map[string]string{"refresh_token": rt}, &next) != 200 {
					return // the session has ended
				}
				m.add(&m.access, next.AccessToken)
				m.add(&m.refresh, next.RefreshToken)
				latest.Store(next.AccessToken)
				rt = next.RefreshToken
			}
		}()
		// Ticket makers, on both instances, with the newest access token.
		for w := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					var tk struct {
						Ticket string `json:"ticket"`
					}
					if rc.call(w+i, "POST", "/api/rooms/"+room.ID+"/ws-ticket", latest.Load().(string), nil, &tk) == 201 {
						m.add(&m.tickets, tk.Ticket)
					}
				}
			}()
		}

		time.Sleep(time.Duration(5+rand.IntN(25)) * time.Millisecond)
		m.mu.Lock()
		before := len(m.access) + len(m.refresh) + len(m.tickets)
		m.mu.Unlock()
		endedAt := time.Now()
		var code int
		switch kind {
		case 0:
			code = rc.call(round+1, "POST", "/api/auth/logout-all", other.AccessToken, nil, nil)
		case 1:
			code = rc.call(round+1, "DELETE", "/api/auth/sessions/"+doomed.SessionID, other.AccessToken, nil, nil)
		case 2:
			next := fmt.Sprintf("password-%d", round+1)
			code = rc.call(round+1, "PATCH", "/api/auth/me", other.AccessToken,
				map[string]string{"password": next, "current_password": password}, nil)
			if code == 200 {
				password = next
			}
		}
		if code != 200 && code != 204 {
			t.Fatalf("round %d: %s = %d", round, ends[kind], code)
		}
		time.Sleep(50 * time.Millisecond) // racers keep trying after the end
		close(stop)
		wg.Wait()

		// Sockets of the ended session close with 4001 within a second.
		for i, conn := range socks {
			err := readUntilClosed(conn, time.Second)
			if took := time.Since(endedAt); took > slowestClose {
				slowestClose = took
			}
			if websocket.CloseStatus(err) != 4001 {
				t.Errorf("round %d (%s): the socket on instance %d: %v, want closed with 4001 within 1 s", round, ends[kind], i, err)
			}
			conn.CloseNow()
		}

		// No survivor: every credential is refused, on the other instance
		// from the one it came from as well as the same one.
		m.mu.Lock()
		mintedDuring[kind] += len(m.access) + len(m.refresh) + len(m.tickets) - before
		totalMinted += len(m.access) + len(m.refresh) + len(m.tickets)
		for i, tok := range m.access {
			if c := rc.call(i, "GET", "/api/auth/me", tok, nil, nil); c != http.StatusUnauthorized {
				survivors++
				t.Errorf("round %d (%s): an access token of the ended session answers %d", round, ends[kind], c)
			}
		}
		for i, tok := range m.refresh {
			if c := rc.call(i, "POST", "/api/auth/refresh", "", map[string]string{"refresh_token": tok}, nil); c != http.StatusUnauthorized {
				survivors++
				t.Errorf("round %d (%s): a refresh token of the ended session answers %d", round, ends[kind], c)
			}
		}
		for i, tk := range m.tickets {
			if conn, c := dial(t, rc.bases[i%2], room.ID, "?ticket="+tk, ""); c != http.StatusUnauthorized {
				survivors++
				t.Errorf("round %d (%s): a ticket of the ended session opened a socket (%d)", round, ends[kind], c)
				if conn != nil {
					conn.CloseNow()
				}
			}
		}
		m.mu.Unlock()
		if kind == 1 { // only the doomed session ended: the other device works
			if c := rc.call(round, "GET", "/api/auth/me", other.AccessToken, nil, nil); c != 200 {
				t.Errorf("round %d: the device that ended another session = %d, want 200", round, c)
			}
		}
	}
	t.Logf("%d rounds (%d of each end), %d credentials of doomed sessions minted by racing requests, "+
		"%d of them while or after the end was sent (logout-all %d, end from another device %d, password change %d); "+
		"survivors: %d; slowest socket close after the end: %s",
		rounds, rounds/len(ends), totalMinted, mintedDuring[0]+mintedDuring[1]+mintedDuring[2],
		mintedDuring[0], mintedDuring[1], mintedDuring[2], survivors, slowestClose)
}

// readUntilClosed reads (discarding events) until the server closes the
// socket or within passes, and returns the read's error.
func readUntilClosed(conn *websocket.Conn, within time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for {
		if _, _, err := conn.Read(ctx); err != nil {
			if errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "context deadline") {
				return fmt.Errorf("still open after %s", within)
			}
			return err
		}
	}
}
