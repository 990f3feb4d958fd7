package handlers

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestAccessCheckerRevokes: the periodic re-check catches a membership
// lost without any notice (a row deleted behind the server's back) and
// leaves the sockets that still hold alone; it stops when none is left.
func TestAccessCheckerRevokes(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	ann, bob := e.user(t, "ann"), e.user(t, "bob")
	room := e.createRoom(t, ann, "watched")
	e.addMember(t, ann, room.ID, bob)
	sessionOf := func(u boardUser) uuid.UUID {
		var id string
		if err := e.db.Raw("SELECT id::text FROM sessions WHERE user_id = ?", u.ID).Scan(&id).Error; err != nil {
			t.Fatal(err)
		}
		return uuid.MustParse(id)
	}
	c := newAccessChecker(e.store, quietLogger())
	c.every = 50 * time.Millisecond
	annW, stopAnn := c.watch(ann.ID, sessionOf(ann), room.ID)
	bobW, stopBob := c.watch(bob.ID, sessionOf(bob), room.ID)
	if err := e.db.Exec("DELETE FROM room_members WHERE user_id = ?", bob.ID).Error; err != nil {
		t.Fatal(err)
	}
	select {
	case <-bobW.revoked:
	case <-time.After(5 * time.Second):
		t.Fatal("a lost membership was not noticed within 5 s")
	}
	select {
	case <-annW.revoked:
		t.Fatal("a socket whose access holds was revoked")
	case <-time.After(300 * time.Millisecond):
	}
	stopBob()
	stopAnn()
	time.Sleep(200 * time.Millisecond)
	c.mu.Lock()
	running := c.running
	c.mu.Unlock()
	if running {
		t.Error("the checking loop still runs with no socket to check")
	}
}
