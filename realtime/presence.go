package realtime

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/api"
	"github.com/syncboard/syncboard/models"
)

// Presence tells a room's sockets who has the room open, on any instance.
//
// Like events, it travels through PostgreSQL only. Each instance has a
// random ID (Instance), beats in the instances table, and keeps in the
// presence table one row per (room, user) it has sockets of; after a change
// it NOTIFYs models.PresenceChannel with the room. On a notice for a room
// it has sockets in, an instance reads the room's present users (its own
// from memory, the others' from rows of instances with a fresh heartbeat)
// and sends each of its sockets of the room the list, when it differs from
// the last that socket got. A killed instance stops beating; any live one
// sweeps its rows away and notifies their rooms. See docs/DESIGN.md.
type Presence struct {
	store *models.Store
	log   *slog.Logger
	id    uuid.UUID
	opts  PresenceOptions

	mu       sync.Mutex
	rooms    map[uuid.UUID]*presenceRoom
	toWrite  map[uuid.UUID]bool // rooms whose rows may be out of date
	toRead   map[uuid.UUID]bool // rooms whose sockets may need a new list
	stopped  bool               // shut down: the rows are deleted, write no more
	writeNow chan struct{}
	readNow  chan struct{}
}

// PresenceOptions are Presence's timings.
type PresenceOptions struct {
	// Heartbeat is how often the instance beats and sweeps dead ones.
	Heartbeat time.Duration
	// Stale is how old a heartbeat may be before its instance counts as
	// dead: its users drop out within Stale + Heartbeat of its death.
	Stale time.Duration
	// Debounce is how long a room's changes gather before its rows are
	// written: a burst of sockets opening (a reconnect storm after another
	// instance restarted) costs one write per room, not one per socket.
	Debounce time.Duration
}

// DefaultDebounce bounds how long a change waits before it is written.
const DefaultDebounce = 250 * time.Millisecond

// retryAfter is how long a failed read or write waits before it is tried
// again (the database is away; the heartbeat logs that loudly enough).
const retryAfter = time.Second

// presenceRoom is one room as this instance sees it.
type presenceRoom struct {
	sockets  roster             // users with sockets here
	written  []uuid.UUID        // the users of this instance's rows, as last written
	watchers map[*Here]struct{} // the room's sockets here
}

// Here is one socket's presence in a room: while it lasts the socket's
// user counts as present, and Updates delivers the room's present users
// whenever they change (the first right after Join).
type Here struct {
	// Updates delivers presence messages. Only the latest matters, so it
	// holds one: a newer list replaces an unread older one, and a slow
	// socket never holds anyone up.
	Updates <-chan api.Presence

	updates chan api.Presence
	p       *Presence
	room    uuid.UUID
	user    uuid.UUID
	sent    string // key of the last list given; guarded by p.mu
	left    bool   // guarded by p.mu
}

// NewPresence returns the presence of an instance with a new random ID,
// listening through hub (which dispatches models.PresenceChannel notices to
// it). Call it before hub.Run; run it with Run.
func NewPresence(store *models.Store, hub *Hub, opts PresenceOptions, log *slog.Logger) *Presence {
	// Zero options mean the defaults of PRESENCE_HEARTBEAT and
	// PRESENCE_STALE (a zero ticker would panic).
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = 5 * time.Second
	}
	if opts.Stale <= 0 {
		opts.Stale = 4 * opts.Heartbeat
	}
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	p := &Presence{store: store, log: log, id: uuid.New(), opts: opts,
		rooms: map[uuid.UUID]*presenceRoom{}, toWrite: map[uuid.UUID]bool{}, toRead: map[uuid.UUID]bool{},
		writeNow: make(chan struct{}, 1), readNow: make(chan struct{}, 1)}
	if hub != nil {
		hub.presence = p
	}
	return p
}

// Instance is this instance's ID in the instances table.
func (p *Presence) Instance() uuid.UUID { return p.id }

// Join counts user as present in room until Leave. A nil Presence (presence
// not running) gives a Here whose Updates never deliver.
func (p *Presence) Join(room, user uuid.UUID) *Here {
	ch := make(chan api.Presence, 1)
	h := &Here{Updates: ch, updates: ch, p: p, room: room, user: user}
	if p == nil {
		return h
	}
	p.mu.Lock()
	r := p.rooms[room]
	if r == nil {
		r = &presenceRoom{sockets: roster{}, watchers: map[*Here]struct{}{}}
		p.rooms[room] = r
	}
	r.watchers[h] = struct{}{}
	if r.sockets.add(user) {
		p.toWrite[room] = true
	}
	// Read at once, not after the write: this instance's own users come
	// from memory, so the new socket's first list already has its user.
	p.toRead[room] = true
	p.mu.Unlock()
	signal(p.writeNow)
	signal(p.readNow)
	return h
}

// Leave ends h; the user stays present while they have other sockets to the
// room on this instance.
func (h *Here) Leave() {
	p := h.p
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if h.left {
		return
	}
	h.left = true
	r := p.rooms[h.room]
	delete(r.watchers, h)
	if r.sockets.remove(h.user) {
		p.toWrite[h.room] = true
		p.toRead[h.room] = true
		signal(p.writeNow)
		signal(p.readNow)
	}
	// The room's entry stays until its rows are written empty (write
	// forgets it then), or this instance would forget to delete them.
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default: // already signalled
	}
}

// notice handles a models.PresenceChannel notification (from the hub's
// listener): the room's present users may have changed.
func (p *Presence) notice(payload string) {
	if p == nil {
		return
	}
	room, err := models.ParsePresenceNotice(payload)
	if err != nil {
		p.log.Warn("ignored a notification that is not a presence notice", "payload", payload)
		return
	}
	p.mu.Lock()
	r := p.rooms[room]
	watched := r != nil && len(r.watchers) > 0
	if watched {
		p.toRead[room] = true
	}
	p.mu.Unlock()
	if watched {
		signal(p.readNow)
	}
}

// relisten reads every watched room again after the hub's listener
// reconnected: notices sent while it was away are lost.
func (p *Presence) relisten() {
	if p == nil {
		return
	}
	p.mu.Lock()
	for room, r := range p.rooms {
		if len(r.watchers) > 0 {
			p.toRead[room] = true
		}
	}
	p.mu.Unlock()
	signal(p.readNow)
}

// Run registers the instance, then beats, sweeps dead instances, writes
// and reads until ctx ends; then it deletes the instance's rows and
// notifies their rooms, so the others drop its users at once rather than
// after the staleness bound. Run returns after that goodbye: the caller
// must not close the database before.
func (p *Presence) Run(ctx context.Context) {
	if !p.beat(ctx) {
		backoff := 100 * time.Millisecond
		for !p.beat(ctx) {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, p.opts.Heartbeat)
		}
	}
	var loops sync.WaitGroup
	loops.Go(func() { p.writeLoop(ctx) })
	loops.Go(func() { p.readLoop(ctx) })
	tick := time.NewTicker(p.opts.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			loops.Wait()
			p.goodbye(context.WithoutCancel(ctx))
			return
		case <-tick.C:
			if p.beat(ctx) {
				p.sweep(ctx)
			}
		}
	}
}

// beat sends a heartbeat and reports whether it got through. When the
// instance had to register again (it was swept as dead while alive), every
// room's rows are written again.
func (p *Presence) beat(ctx context.Context) bool {
	registered, err := p.store.Heartbeat(ctx, p.id)
	if err != nil {
		if ctx.Err() == nil {
			p.log.Warn("presence heartbeat failed", "instance", p.id, "error", err)
		}
		return false
	}
	if registered {
		p.mu.Lock()
		for room, r := range p.rooms {
			r.written = nil
			p.toWrite[room] = true
		}
		p.mu.Unlock()
		signal(p.writeNow)
	}
	return true
}

func (p *Presence) sweep(ctx context.Context) {
	n, err := p.store.SweepInstances(ctx, p.opts.Stale)
	switch {
	case err != nil && ctx.Err() == nil:
		p.log.Warn("sweep dead instances", "error", err)
	case n > 0:
		p.log.Info("swept the presence of dead instances", "rooms", n)
	}
}

func (p *Presence) goodbye(ctx context.Context) {
	p.mu.Lock()
	p.stopped = true
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := p.store.RemoveInstance(ctx, p.id); err != nil {
		p.log.Warn("remove this instance's presence; the others sweep it", "instance", p.id, "error", err)
	}
}

// writeLoop writes the rows of rooms whose sockets changed, a Debounce
// after the first change, so a burst is one write per room.
func (p *Presence) writeLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.writeNow:
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(p.opts.Debounce):
		}
		p.mu.Lock()
		rooms := p.toWrite
		p.toWrite = map[uuid.UUID]bool{}
		p.mu.Unlock()
		for room := range rooms {
			p.write(ctx, room)
		}
	}
}

func (p *Presence) write(ctx context.Context, room uuid.UUID) {
	p.mu.Lock()
	r := p.rooms[room]
	if r == nil || p.stopped {
		p.mu.Unlock()
		return
	}
	users := r.sockets.users()
	same := slices.Equal(users, r.written)
	if same && len(users) == 0 && len(r.watchers) == 0 {
		delete(p.rooms, room)
	}
	p.mu.Unlock()
	if same {
		return // a socket came and went within the debounce: nothing to say
	}
	if err := p.store.SetPresence(ctx, p.id, room, users); err != nil {
		if ctx.Err() == nil {
			p.log.Warn("write presence; retrying", "room", room, "error", err)
			time.AfterFunc(retryAfter, func() { p.again(room, true) })
		}
		return
	}
	p.mu.Lock()
	r.written = users
	// Forget the room once nothing of it is left here, unless a socket
	// came meanwhile (then it is in r.sockets and the room is to write
	// again).
	if len(users) == 0 && len(r.watchers) == 0 && r.sockets.empty() && p.rooms[room] == r {
		delete(p.rooms, room)
	}
	p.mu.Unlock()
}

// again marks room to be written (or read) again and wakes that loop.
func (p *Presence) again(room uuid.UUID, write bool) {
	p.mu.Lock()
	set, wake := p.toRead, p.readNow
	if write {
		set, wake = p.toWrite, p.writeNow
	}
	set[room] = true
	p.mu.Unlock()
	signal(wake)
}

// readLoop reads the present users of rooms with news and gives each of
// their sockets the list when it changed.
func (p *Presence) readLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.readNow:
		}
		p.mu.Lock()
		rooms := p.toRead
		p.toRead = map[uuid.UUID]bool{}
		p.mu.Unlock()
		for room := range rooms {
			p.read(ctx, room)
		}
	}
}

func (p *Presence) read(ctx context.Context, room uuid.UUID) {
	p.mu.Lock()
	r := p.rooms[room]
	if r == nil || len(r.watchers) == 0 {
		p.mu.Unlock()
		return
	}
	local := r.sockets.users()
	p.mu.Unlock()
	users, err := p.store.PresentUsers(ctx, p.id, room, local, p.opts.Stale)
	if err != nil {
		if ctx.Err() == nil {
			p.log.Warn("read presence; retrying", "room", room, "error", err)
			time.AfterFunc(retryAfter, func() { p.again(room, false) })
		}
		return
	}
	msg := api.Presence{Type: api.MessagePresence, Users: users}
	k := key(users)
	p.mu.Lock()
	defer p.mu.Unlock()
	if r = p.rooms[room]; r == nil {
		return // every socket left and the rows are written empty
	}
	for h := range r.watchers {
		if h.sent != k {
			h.sent = k
			offer(h.updates, msg)
		}
	}
}

// offer puts msg in ch (capacity 1), replacing an unread older message.
// Callers hold p.mu, so offers to one channel never race each other.
func offer(ch chan api.Presence, msg api.Presence) {
	select {
	case ch <- msg:
		return
	default:
	}
	select {
	case <-ch: // the reader has not taken it yet: it is stale now
	default:
	}
	ch <- msg
}

// key identifies a list of present users, to tell whether it changed
// (a renamed user changes it too).
func key(users []api.PresenceUser) string {
	var b strings.Builder
	for _, u := range users {
		b.WriteString(u.ID.String())
		b.WriteByte(' ')
		b.WriteString(u.DisplayName)
		b.WriteByte('\n')
	}
	return "[" + b.String() + "]" // never "", the key of nothing sent yet
}

// roster counts a room's open sockets per user on this instance.
type roster map[uuid.UUID]int

// add counts one more socket of user and reports whether the user just
// became present.
func (r roster) add(user uuid.UUID) bool {
	r[user]++
	return r[user] == 1
}

// remove counts one socket of user less and reports whether the user just
// stopped being present.
func (r roster) remove(user uuid.UUID) bool {
	if r[user] == 0 {
		return false
	}
	r[user]--
	if r[user] == 0 {
		delete(r, user)
		return true
	}
	return false
}

func (r roster) empty() bool { return len(r) == 0 }

// users are the present users, sorted, so two rosters compare with
// slices.Equal.
func (r roster) users() []uuid.UUID {
	out := make([]uuid.UUID, 0, len(r))
	for u := range r {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	return out
}
