package handlers

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/syncboard/syncboard/auth"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

// benchBoard builds a router without the board cache and a board of 8
// columns × 50 cards through the Store, and returns a request maker signed
// in as the owner. benchDeps are the router's, for one with the cache.
func benchBoard(b *testing.B) (http.Handler, func(method, path, body string) *http.Request, models.RoomView) {
	b.Helper()
	ctx := context.Background()
	db, _ := testdb.Open(b)
	store := models.NewStore(db)
	hasher, _ := auth.NewHasher(4, 0)
	tokens := auth.NewTokens("bench-secret-bench-secret-bench-secret", time.Hour)
	benchDeps = Deps{Store: store, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Tokens: tokens, Hasher: hasher, BoardCacheBytes: -1}
	router, err := NewRouter(benchDeps)
	if err != nil {
		b.Fatal(err)
	}
	u, err := store.CreateUser(ctx, models.NewUser{Email: "bench@example.com", PasswordHash: []byte("x"), DisplayName: "bench", Now: time.Now().UTC()})
	if err != nil {
		b.Fatal(err)
	}
	room, err := store.CreateRoom(ctx, u.ID, "bench")
	if err != nil {
		b.Fatal(err)
	}
	for i := range 8 {
		col, err := store.CreateColumn(ctx, u.ID, room.ID, fmt.Sprint("column ", i), nil)
		if err != nil {
			b.Fatal(err)
		}
		for j := range 50 {
			if _, err := store.CreateCard(ctx, u.ID, col.ID, models.NewCard{Title: fmt.Sprint("card ", j), Description: "a description of moderate length"}); err != nil {
				b.Fatal(err)
			}
		}
	}
	token, _ := sessionToken(b, store, tokens, u)
	req := func(method, path, body string) *http.Request {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		return r
	}
	board, err := store.Board(ctx, u.ID, room.ID)
	if err != nil {
		b.Fatal(err)
	}
	detailsStore, detailsDB = store, db
	return router, req, board
}

// detailsStore and detailsDB are benchBoard's, for the sub-benchmark that
// adds card details to its board.
var (
	detailsStore *models.Store
	detailsDB    *gorm.DB
	benchDeps    Deps
)

// BenchmarkGetBoard is GET /api/rooms/{id} for 8 columns × 50 cards,
// through the router (auth, then the board's statements, JSON), one
// request at a time: full loads and encodes it every time, cached finds
// the encoded body of its unchanged version, with_details adds labels,
// assignees and due dates (loaded every time).
func BenchmarkGetBoard(b *testing.B) {
	router, req, board := benchBoard(b)
	cachedDeps := benchDeps
	cachedDeps.BoardCacheBytes = 0
	cached, err := NewRouter(cachedDeps)
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range []struct {
		name   string
		router http.Handler
	}{{"full", router}, {"cached", cached}} {
		b.Run(r.name, func(b *testing.B) {
			for b.Loop() {
				rec := httptest.NewRecorder()
				r.router.ServeHTTP(rec, req("GET", "/api/rooms/"+board.ID.String(), ""))
				if rec.Code != 200 {
					b.Fatal(rec.Code)
				}
				b.SetBytes(int64(rec.Body.Len()))
			}
		})
	}
	// The same request from a client that takes gzip: the body is
	// compressed by middleware.Gzip (wire_B is what it sends).
	b.Run("full_gzip", func(b *testing.B) {
		for b.Loop() {
			r := req("GET", "/api/rooms/"+board.ID.String(), "")
			r.Header.Set("Accept-Encoding", "gzip")
			rec := httptest.NewRecorder()
			router.ServeHTTP(rec, r)
			if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "gzip" {
				b.Fatal(rec.Code, rec.Header())
			}
			b.ReportMetric(float64(rec.Body.Len()), "wire_B/op")
		}
	})
	b.Run("not_modified", func(b *testing.B) {
		for b.Loop() {
			r := req("GET", "/api/rooms/"+board.ID.String(), "")
			r.Header.Set("If-None-Match", board.Tag())
			rec := httptest.NewRecorder()
			router.ServeHTTP(rec, r)
			if rec.Code != http.StatusNotModified {
				b.Fatal(rec.Code)
			}
		}
	})
	// Last, because it changes the board: the same board with card
	// details (addDetails).
	b.Run("with_details", func(b *testing.B) {
		ctx := context.Background()
		// With -count, this sub-benchmark runs again on the same board:
		// give it its details once, or every run would add two labels per
		// card to the last run's.
		var labels int64
		if err := detailsDB.Raw("SELECT count(*) FROM labels WHERE room_id = ?", board.ID).Scan(&labels).Error; err != nil {
			b.Fatal(err)
		}
		if labels == 0 {
			addDetails(ctx, b, board)
		}
		b.ResetTimer()
		for b.Loop() {
			rec := httptest.NewRecorder()
			router.ServeHTTP(rec, req("GET", "/api/rooms/"+board.ID.String(), ""))
			if rec.Code != 200 {
				b.Fatal(rec.Code)
			}
			b.SetBytes(int64(rec.Body.Len()))
		}
	})
}

// addDetails gives benchBoard's board four labels, two on every card, the
// owner assigned to every card and a due date on every other one.
func addDetails(ctx context.Context, b *testing.B, board models.RoomView) {
	b.Helper()
	ids := make([]uuid.UUID, 0, 4)
	for i, color := range []string{"green", "red", "blue", "sky"} {
		l, err := detailsStore.CreateLabel(ctx, board.CreatedBy, board.ID, models.NewLabel{Name: fmt.Sprint("label ", i, " ", uuid.NewString()[:8]), Color: color})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, l.ID)
	}
	for _, stmt := range []string{
		`INSERT INTO card_labels (card_id, label_id) SELECT c.id, l.id FROM cards c JOIN columns k ON k.id = c.column_id
			 JOIN labels l ON l.room_id = k.room_id WHERE k.room_id = @room AND (l.id = @a OR l.id = @b) ON CONFLICT DO NOTHING`,
		`INSERT INTO card_assignees (card_id, user_id) SELECT c.id, @owner FROM cards c JOIN columns k ON k.id = c.column_id WHERE k.room_id = @room ON CONFLICT DO NOTHING`,
		`UPDATE cards SET due_at = now() + interval '1 day' FROM columns k WHERE k.id = cards.column_id AND k.room_id = @room AND cards.position % 2 = 0`,
	} {
		if err := detailsDB.Exec(stmt, map[string]any{"room": board.ID, "owner": board.CreatedBy, "a": ids[0], "b": ids[2]}).Error; err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBoardGzip weighs the board's compression, on benchBoard's
// 8 × 50 cards and on a board of 8 × 500 (4,000 cards): encoding the JSON
// alone, then compressing that JSON at BestSpeed and DefaultCompression
// (the levels middleware.Gzip chose between: wire_B/op is what each
// sends), then the whole request through the router without and with
// Accept-Encoding: gzip.
func BenchmarkBoardGzip(b *testing.B) {
	router, req, small := benchBoard(b)
	big := bigBoard(b, small.CreatedBy, 8, 500)
	for _, board := range []models.RoomView{small, big} {
		cards := 0
		for _, col := range board.Columns {
			cards += len(col.Cards)
		}
		body, err := json.Marshal(board.BoardAPI())
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("cards=%d/encode_json", cards), func(b *testing.B) {
			for b.Loop() {
				if _, err := json.Marshal(board.BoardAPI()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(body)), "wire_B/op")
		})
		for _, level := range []struct {
			name  string
			level int
		}{{"best_speed", gzip.BestSpeed}, {"default", gzip.DefaultCompression}} {
			b.Run(fmt.Sprintf("cards=%d/gzip_%s", cards, level.name), func(b *testing.B) {
				var out bytes.Buffer
				w, _ := gzip.NewWriterLevel(&out, level.level)
				for b.Loop() {
					out.Reset()
					w.Reset(&out)
					w.Write(body)
					w.Close()
				}
				b.SetBytes(int64(len(body)))
				b.ReportMetric(float64(out.Len()), "wire_B/op")
			})
		}
		for _, encoding := range []string{"", "gzip"} {
			b.Run(fmt.Sprintf("cards=%d/get_%s", cards, cmp.Or(encoding, "identity")), func(b *testing.B) {
				for b.Loop() {
					r := req("GET", "/api/rooms/"+board.ID.String(), "")
					if encoding != "" {
						r.Header.Set("Accept-Encoding", encoding)
					}
					rec := httptest.NewRecorder()
					router.ServeHTTP(rec, r)
					if rec.Code != 200 || rec.Header().Get("Content-Encoding") != encoding {
						b.Fatal(rec.Code, rec.Header())
					}
					b.ReportMetric(float64(rec.Body.Len()), "wire_B/op")
				}
			})
		}
	}
}

// bigBoard adds a board of columns × perColumn cards to benchBoard's
// database, the cards written in one statement (this is about reading it).
func bigBoard(b *testing.B, owner uuid.UUID, columns, perColumn int) models.RoomView {
	b.Helper()
	ctx := context.Background()
	room, err := detailsStore.CreateRoom(ctx, owner, "bench big")
	if err != nil {
		b.Fatal(err)
	}
	for i := range columns {
		if _, err := detailsStore.CreateColumn(ctx, owner, room.ID, fmt.Sprint("column ", i), nil); err != nil {
			b.Fatal(err)
		}
	}
	err = detailsDB.Exec(`INSERT INTO cards (id, column_id, title, description, position, created_by, created_at, updated_at)
SELECT gen_random_uuid(), k.id, 'card ' || n, 'a description of moderate length', n, @owner, now(), now()
FROM columns k CROSS JOIN generate_series(0, @n - 1) AS n WHERE k.room_id = @room`,
		map[string]any{"owner": owner, "room": room.ID, "n": perColumn}).Error
	if err != nil {
		b.Fatal(err)
	}
	board, err := detailsStore.Board(ctx, owner, room.ID)
	if err != nil {
		b.Fatal(err)
	}
	return board
}

// BenchmarkMoveCard moves cards between two columns of that board, one
// request (one transaction) at a time.
func BenchmarkMoveCard(b *testing.B) {
	router, req, board := benchBoard(b)
	cols := []uuid.UUID{board.Columns[0].ID, board.Columns[1].ID}
	cards := []uuid.UUID{}
	for _, c := range board.Columns[0].Cards {
		cards = append(cards, c.ID)
	}
	i := 0
	for b.Loop() {
		body := fmt.Sprintf(`{"column_id":%q,"position":%d}`, cols[(i/len(cards)+1)%2], i%40)
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, req("POST", "/api/cards/"+cards[i%len(cards)].String()+"/move", body))
		if rec.Code != 200 {
			b.Fatal(rec.Code, rec.Body)
		}
		i++
	}
}
