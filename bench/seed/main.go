// Command seed fills a running SyncBoard through its public API for the
// benchmark harness (bench/run.sh): one owner with a board of 8 columns × 50
// cards and a large one of 8 × 500, and 200 other users with a room each.
// It writes what the load scripts need (tokens, IDs, credentials) as Lua
// to the file given by -out.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

type api struct {
	base string
	hc   *http.Client
}

func (a api) call(method, path, token string, body, out any) error {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, a.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s = %d %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

type idOnly struct {
	ID string `json:"id"`
}

type authResp struct {
	AccessToken string `json:"access_token"`
}

func main() {
	base := flag.String("url", "http://127.0.0.1:18090", "server URL")
	out := flag.String("out", "bench/out/seed.lua", "Lua file to write")
	users := flag.Int("users", 200, "other users, each with a room")
	large := flag.Int("large", 500, "cards per column of the owner's second board, the large one (8 columns)")
	flag.Parse()
	if err := run(api{base: *base, hc: &http.Client{Timeout: time.Minute}}, *out, *users, *large); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func run(a api, out string, users, large int) error {
	stamp := time.Now().UnixNano()
	const password = "bench-password-1"
	var owner authResp
	ownerEmail := fmt.Sprintf("owner-%d@bench.test", stamp)
	if err := a.call("POST", "/api/auth/register", "", map[string]string{"email": ownerEmail, "password": password}, &owner); err != nil {
		return err
	}
	var room idOnly
	if err := a.call("POST", "/api/rooms", owner.AccessToken, map[string]string{"name": "benchmark board"}, &room); err != nil {
		return err
	}
	var cols, cards []string
	for i := range 8 {
		var col idOnly
		if err := a.call("POST", "/api/rooms/"+room.ID+"/columns", owner.AccessToken, map[string]string{"name": fmt.Sprint("Column ", i+1)}, &col); err != nil {
			return err
		}
		cols = append(cols, col.ID)
		for j := range 50 {
			var card idOnly
			body := map[string]string{"title": fmt.Sprintf("Card %d.%d", i+1, j+1), "description": "Acceptance criteria, links and notes of a typical card."}
			if err := a.call("POST", "/api/columns/"+col.ID+"/cards", owner.AccessToken, body, &card); err != nil {
				return err
			}
			cards = append(cards, card.ID)
		}
	}
	largeRoom, err := largeBoard(a, owner.AccessToken, large)
	if err != nil {
		return err
	}
	// 200 other users with a room each; registration runs bcrypt at the
	// configured cost, so spread it over a few workers.
	emails := make([]string, users)
	var wg sync.WaitGroup
	errs := make(chan error, users)
	sem := make(chan struct{}, 4)
	for i := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			email := fmt.Sprintf("user-%d-%d@bench.test", stamp, i)
			var u authResp
			if err := a.call("POST", "/api/auth/register", "", map[string]string{"email": email, "password": password}, &u); err != nil {
				errs <- err
				return
			}
			if err := a.call("POST", "/api/rooms", u.AccessToken, map[string]string{"name": fmt.Sprint("room of user ", i)}, nil); err != nil {
				errs <- err
				return
			}
			emails[i] = email
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	var etag string
	req, _ := http.NewRequest("GET", a.base+"/api/rooms/"+room.ID, nil)
	req.Header.Set("Authorization", "Bearer "+owner.AccessToken)
	if resp, err := a.hc.Do(req); err == nil {
		etag = resp.Header.Get("ETag")
		resp.Body.Close()
	}
	lua := func(xs []string) string { return `{"` + strings.Join(xs, `","`) + `"}` }
	src := fmt.Sprintf("token = %q\nroom = %q\netag = %q\npassword = %q\ncolumns = %s\ncards = %s\nemails = %s\nlarge_room = %q\n",
		owner.AccessToken, room.ID, etag, password, lua(cols), lua(cards), lua(append([]string{ownerEmail}, emails...)), largeRoom)
	if err := os.MkdirAll(strings.TrimSuffix(out, "/seed.lua"), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, []byte(src), 0o644)
}

// largeBoard makes a second board of 8 columns × perColumn cards through
// the API, eight columns at once, and returns its ID.
func largeBoard(a api, token string, perColumn int) (string, error) {
	var room idOnly
	if err := a.call("POST", "/api/rooms", token, map[string]string{"name": "large board"}, &room); err != nil {
		return "", err
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		var col idOnly
		if err := a.call("POST", "/api/rooms/"+room.ID+"/columns", token, map[string]string{"name": fmt.Sprint("Column ", i+1)}, &col); err != nil {
			return "", err
		}
		wg.Go(func() {
			for j := range perColumn {
				body := map[string]string{"title": fmt.Sprintf("Card %d.%d", i+1, j+1), "description": "Acceptance criteria, links and notes of a typical card."}
				if err := a.call("POST", "/api/columns/"+col.ID+"/cards", token, body, nil); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return room.ID, <-errs
}
