package handlers

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

// TestRoomMembers: listing in join order, adding by email, removing and
// leaving, with every refusal of the contract.
func TestRoomMembers(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	owner, m1, m2 := e.user(t, "owner"), e.user(t, "first"), e.user(t, "second")
	outsider, spare := e.user(t, "outsider"), e.user(t, "spare")
	room := e.createRoom(t, owner, "team")
	members := roomPath(room.ID) + "/members"
	version := room.Version

	listMembers := func(t *testing.T, u boardUser) []memberBody {
		t.Helper()
		c := apiCall(http.MethodGet, members, u, nil)
		rec := e.send(t, c)
		requireStatus(t, c, rec, http.StatusOK)
		var out []memberBody
		for _, raw := range requireArray(t, c.String(), "members", rec.Body.Bytes()) {
			out = append(out, requireMember(t, c.String(), raw))
		}
		return out
	}
	emails := func(ms []memberBody) []string {
		out := []string{}
		for _, m := range ms {
			out = append(out, m.User.Email)
		}
		return out
	}

	t.Run("add by email, case-insensitive and trimmed", func(t *testing.T) {
		for _, u := range []boardUser{m1, m2} {
			c := apiCall(http.MethodPost, members, owner, jsonObj{"email": "  " + strings.ToUpper(u.Email) + "\t"})
			before := time.Now()
			rec := e.send(t, c)
			requireStatus(t, c, rec, http.StatusCreated)
			m := requireMember(t, c.String(), rec.Body.Bytes())
			if m.User.ID != u.ID || m.User.Email != u.Email || m.User.DisplayName != u.DisplayName || m.Role != models.RoleMember {
				t.Errorf("%s: member = %+v, want %s (%s) as member", c, m, u.Email, u.DisplayName)
			}
			requireNear(t, c.String(), "joined_at", m.JoinedAt, before, time.Now())
			version++
			e.requireVersion(t, owner, room.ID, version, c.String())
		}
	})

	t.Run("list in join order", func(t *testing.T) {
		for _, u := range []boardUser{owner, m1, m2} {
			ms := listMembers(t, u)
			requireOrder(t, "GET members as "+u.DisplayName, "members", emails(ms), []string{owner.Email, m1.Email, m2.Email})
			if len(ms) == 3 {
				requireEqual(t, "GET members", "owner's role", ms[0].Role, models.RoleOwner)
				requireEqual(t, "GET members", "first's role", ms[1].Role, models.RoleMember)
				for i := 1; i < 3; i++ {
					if ms[i].JoinedAt.Before(ms[i-1].JoinedAt) {
						t.Errorf("GET members: %v joined before %v", ms[i], ms[i-1])
					}
				}
				b := e.board(t, u, room.ID)
				for i := range min(len(ms), len(b.Members)) {
					if b.Members[i] != ms[i] {
						t.Errorf("board member %d = %+v, members list says %+v", i, b.Members[i], ms[i])
					}
				}
			}
		}
		e.expect(t, apiCall(http.MethodGet, members, outsider, nil), notFound404)
		e.expect(t, apiCall(http.MethodGet, roomPath(uuid.New())+"/members", owner, nil), notFound404)
	})

	t.Run("add refused", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			who  boardUser
			body any
			want outcome
		}{
			{"unknown email", owner, jsonObj{"email": uniqueEmail("nobody")}, notFound404},
			{"already a member", owner, jsonObj{"email": m1.Email}, refused(http.StatusConflict, models.CodeAlreadyMember)},
			{"already a member, other case", owner, jsonObj{"email": strings.ToUpper(m2.Email)}, refused(http.StatusConflict, models.CodeAlreadyMember)},
			{"the owner", owner, jsonObj{"email": owner.Email}, refused(http.StatusConflict, models.CodeAlreadyMember)},
			{"email missing", owner, jsonObj{}, invalid("email")},
			{"email empty", owner, jsonObj{"email": "  "}, invalid("email")},
			{"not an email", owner, jsonObj{"email": "not-an-email"}, invalid("email")},
			{"two addresses", owner, jsonObj{"email": spare.Email + ", " + m1.Email}, invalid("email")},
			{"email with NUL", owner, jsonObj{"email": spare.Email + nul}, invalid("email")},
			{"email a number", owner, `{"email": 7}`, badRequest},
			{"a plain member adds", m1, jsonObj{"email": spare.Email}, forbidden403},
			{"a plain member adds an unknown email", m1, jsonObj{"email": uniqueEmail("nobody")}, forbidden403},
			{"not a member", outsider, jsonObj{"email": spare.Email}, notFound404},
			{"not a member adds itself", outsider, jsonObj{"email": outsider.Email}, notFound404},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := e.board(t, owner, room.ID)
				c := apiCall(http.MethodPost, members, tc.who, tc.body)
				e.expect(t, c, tc.want)
				e.requireUnchanged(t, owner, before, c.String())
			})
		}
	})

	t.Run("remove", func(t *testing.T) {
		steps := []struct {
			name string
			who  boardUser
			path string
			want outcome
		}{
			{"a member removes another", m1, memberPath(room.ID, m2.ID), forbidden403},
			{"a member removes the owner", m1, memberPath(room.ID, owner.ID), forbidden403},
			{"the owner leaves", owner, memberPath(room.ID, owner.ID), refused(http.StatusConflict, models.CodeOwnerCannotLeave)},
			{"a user who is not a member", owner, memberPath(room.ID, outsider.ID), notFound404},
			{"an unknown user", owner, memberPath(room.ID, uuid.New()), notFound404},
			{"user id not a UUID", owner, members + "/abc", notFound404},
			{"a non-member caller removes a member", outsider, memberPath(room.ID, m1.ID), notFound404},
			{"a non-member caller leaves", outsider, memberPath(room.ID, outsider.ID), notFound404},
			{"unknown room", owner, memberPath(uuid.New(), m1.ID), notFound404},
			{"second leaves", m2, memberPath(room.ID, m2.ID), ok(http.StatusNoContent)},
			{"second leaves again", m2, memberPath(room.ID, m2.ID), notFound404},
			{"owner removes second, gone already", owner, memberPath(room.ID, m2.ID), notFound404},
			{"owner removes first", owner, memberPath(room.ID, m1.ID), ok(http.StatusNoContent)},
			{"first removes itself after removal", m1, memberPath(room.ID, m1.ID), notFound404},
		}
		for _, s := range steps {
			before := e.board(t, owner, room.ID)
			c := apiCall(http.MethodDelete, s.path, s.who, nil)
			e.expect(t, c, s.want)
			if !s.want.success() {
				e.requireUnchanged(t, owner, before, s.name+": "+c.String())
				continue
			}
			e.requireVersion(t, owner, room.ID, before.Version+1, s.name+": "+c.String())
		}
		requireOrder(t, "GET members after removals", "members", emails(listMembers(t, owner)), []string{owner.Email})
	})

	t.Run("a removed member gets 404", func(t *testing.T) {
		col := e.createColumn(t, owner, room.ID, "todo")
		card := e.createCard(t, owner, col.ID, "card")
		for _, u := range []boardUser{m1, m2} {
			for _, c := range []call{
				apiCall(http.MethodGet, roomPath(room.ID), u, nil),
				apiCall(http.MethodGet, members, u, nil),
				apiCall(http.MethodPost, roomPath(room.ID)+"/columns", u, jsonObj{"name": "x"}),
				apiCall(http.MethodGet, cardPath(card.ID), u, nil),
				apiCall(http.MethodPatch, cardPath(card.ID), u, jsonObj{"title": "x"}),
			} {
				e.expect(t, c, notFound404)
			}
			c := apiCall(http.MethodGet, "/api/rooms", u, nil)
			if p := requireRoomPage(t, c, e.send(t, c)); len(p.Items) != 0 {
				t.Errorf("%s: a removed member still lists %v", c, roomIDs(p.Items))
			}
		}
		// Re-adding works again.
		m := e.addMember(t, owner, room.ID, m2)
		requireEqual(t, "re-add", "role", m.Role, models.RoleMember)
		requireEqual(t, "re-added member's GET", "role", e.board(t, m2, room.ID).Role, models.RoleMember)
	})
}
