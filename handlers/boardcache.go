package handlers

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"sync"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/middleware"
)

// DefaultBoardCacheBytes is the board cache's budget when Deps leaves it
// unset: a hundred 4,000-card boards, or tens of thousands of small ones.
const DefaultBoardCacheBytes = 64 << 20

// boardCache keeps encoded board bodies, least recently used first out,
// within a budget of bytes. An entry is keyed by the room and the role it
// was encoded for (the role is part of the body) and holds the body of one
// entity tag: the tag covers everything the body shows (the room's
// version, which every change moves, the role, and the members' latest
// change), so a body found under the tag BoardHead just read is exactly
// what loading the board would give; a newer tag replaces the entry. It
// never needs invalidating, and nothing stale can be served.
type boardCache struct {
	mu      sync.Mutex
	budget  int64
	size    int64
	entries map[boardKey]*list.Element
	lru     list.List // of *cachedBoard, most recently used at the front
}

type boardKey struct {
	room uuid.UUID
	role string
}

type cachedBoard struct {
	key  boardKey
	tag  string
	body []byte

	gzipOnce sync.Once
	gz       []byte
}

// gzipped is the body compressed, made on first use and kept with it: a
// board read by many clients is compressed once per version, not once per
// request.
func (b *cachedBoard) gzipped() []byte {
	b.gzipOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, middleware.GzipLevel) // the level is valid
		_, _ = zw.Write(b.body)                                  // writes to a bytes.Buffer do not fail
		_ = zw.Close()
		b.gz = buf.Bytes()
	})
	return b.gz
}

// newBoardCache makes a cache of budget bytes; nil (no cache) when budget
// is not positive. A nil *boardCache finds nothing and keeps nothing.
func newBoardCache(budget int64) *boardCache {
	if budget <= 0 {
		return nil
	}
	return &boardCache{budget: budget, entries: map[boardKey]*list.Element{}}
}

// get returns the room's board for role at tag, if kept.
func (c *boardCache) get(room uuid.UUID, role, tag string) *cachedBoard {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[boardKey{room, role}]
	if !ok || e.Value.(*cachedBoard).tag != tag {
		return nil
	}
	c.lru.MoveToFront(e)
	return e.Value.(*cachedBoard)
}

// put keeps body as the room's board for role at tag, replacing an older
// tag's, and drops the least recently used boards past the budget. A body
// larger than a quarter of the budget is not kept: it would push out many
// others for one board. It returns the entry, nil when not kept. The
// budget counts the plain body twice, room for its compressed copy (about
// a tenth) and then some.
func (c *boardCache) put(room uuid.UUID, role, tag string, body []byte) *cachedBoard {
	cost := 2 * int64(len(body))
	if c == nil || cost > c.budget/4 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	key := boardKey{room, role}
	if e, ok := c.entries[key]; ok {
		c.remove(e)
	}
	b := &cachedBoard{key: key, tag: tag, body: body}
	c.entries[key] = c.lru.PushFront(b)
	c.size += cost
	for c.size > c.budget {
		c.remove(c.lru.Back())
	}
	return b
}

func (c *boardCache) remove(e *list.Element) {
	b := c.lru.Remove(e).(*cachedBoard)
	delete(c.entries, b.key)
	c.size -= 2 * int64(len(b.body))
}
