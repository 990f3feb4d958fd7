package handlers

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

// Board roles: owners manage, members edit, viewers read and comment.

// TestViewerReadsAndComments: every change a viewer tries, other than a
// comment of its own, is 403 and leaves the room's version; every read
// works; and leaving works.
func TestViewerReadsAndComments(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	owner, viewer, other := e.user(t, "owner"), e.user(t, "viewer"), e.user(t, "other")
	room, cols := e.seedColumns(t, owner, "todo", "done")
	if m := e.addMemberAs(t, owner, room.ID, viewer, models.RoleViewer); m.Role != models.RoleViewer {
		t.Fatalf("added as viewer, role = %q", m.Role)
	}
	e.addMember(t, owner, room.ID, other)
	card := e.createCard(t, owner, cols["todo"].ID, "card")
	label := e.createLabel(t, owner, room.ID, "urgent", "red")
	ownersComment := e.comment(t, owner, card.ID, "by the owner")
	cardP, colP := cardPath(card.ID), columnPath(cols["todo"].ID)

	refusedCalls := []call{
		apiCall(http.MethodPatch, roomPath(room.ID), viewer, jsonObj{"name": "mine"}),
		apiCall(http.MethodDelete, roomPath(room.ID), viewer, nil),
		apiCall(http.MethodPost, roomPath(room.ID)+"/members", viewer, jsonObj{"email": owner.Email}),
		apiCall(http.MethodPatch, memberPath(room.ID, other.ID), viewer, jsonObj{"role": "viewer"}),
		apiCall(http.MethodPatch, memberPath(room.ID, viewer.ID), viewer, jsonObj{"role": "member"}),
		apiCall(http.MethodDelete, memberPath(room.ID, other.ID), viewer, nil),
		apiCall(http.MethodPost, roomPath(room.ID)+"/columns", viewer, jsonObj{"name": "mine"}),
		apiCall(http.MethodPatch, colP, viewer, jsonObj{"name": "mine"}),
		apiCall(http.MethodDelete, colP, viewer, nil),
		apiCall(http.MethodPost, colP+"/cards", viewer, jsonObj{"title": "mine"}),
		apiCall(http.MethodPatch, cardP, viewer, jsonObj{"title": "mine"}),
		apiCall(http.MethodPost, cardP+"/move", viewer, jsonObj{"column_id": cols["done"].ID, "position": 0}),
		apiCall(http.MethodDelete, cardP, viewer, nil),
		apiCall(http.MethodPost, roomPath(room.ID)+"/labels", viewer, jsonObj{"name": "mine", "color": "blue"}),
		apiCall(http.MethodPatch, "/api/labels/"+label.ID.String(), viewer, jsonObj{"name": "mine"}),
		apiCall(http.MethodDelete, "/api/labels/"+label.ID.String(), viewer, nil),
		apiCall(http.MethodPut, cardP+"/labels/"+label.ID.String(), viewer, nil),
		apiCall(http.MethodDelete, cardP+"/labels/"+label.ID.String(), viewer, nil),
		apiCall(http.MethodPut, cardP+"/assignees/"+viewer.ID.String(), viewer, nil),
		apiCall(http.MethodDelete, cardP+"/assignees/"+owner.ID.String(), viewer, nil),
		apiCall(http.MethodPatch, "/api/comments/"+ownersComment.ID.String(), viewer, jsonObj{"body": "mine"}),
		apiCall(http.MethodDelete, "/api/comments/"+ownersComment.ID.String(), viewer, nil),
		apiCall(http.MethodPost, cardP+"/archive", viewer, nil),
		apiCall(http.MethodPost, cardP+"/restore", viewer, nil),
		apiCall(http.MethodPost, colP+"/archive", viewer, nil),
		apiCall(http.MethodPost, colP+"/restore", viewer, nil),
	}
	for _, c := range refusedCalls {
		e.expect(t, c, forbidden403)
	}
	e.requireVersion(t, owner, room.ID, 8, "a viewer's refused changes")

	for _, c := range []call{
		apiCall(http.MethodGet, roomPath(room.ID), viewer, nil),
		apiCall(http.MethodGet, roomPath(room.ID)+"/members", viewer, nil),
		apiCall(http.MethodGet, roomPath(room.ID)+"/events?since=1", viewer, nil),
		apiCall(http.MethodGet, cardP, viewer, nil),
		apiCall(http.MethodGet, cardP+"/comments", viewer, nil),
		apiCall(http.MethodGet, "/api/rooms", viewer, nil),
	} {
		e.expect(t, c, ok(http.StatusOK))
	}
	if b := e.board(t, viewer, room.ID); b.Role != models.RoleViewer {
		t.Errorf("the viewer's board has role %q, want viewer", b.Role)
	}

	// Comments: a viewer writes, edits and deletes its own.
	mine := e.comment(t, viewer, card.ID, "a viewer's question")
	e.expect(t, apiCall(http.MethodPatch, "/api/comments/"+mine.ID.String(), viewer, jsonObj{"body": "edited"}), ok(http.StatusOK))
	e.expect(t, apiCall(http.MethodDelete, "/api/comments/"+mine.ID.String(), viewer, nil), ok(http.StatusNoContent))
	e.requireVersion(t, owner, room.ID, 11, "a viewer's comment, edit and delete")

	e.expect(t, apiCall(http.MethodDelete, memberPath(room.ID, viewer.ID), viewer, nil), ok(http.StatusNoContent))
	e.expect(t, apiCall(http.MethodGet, roomPath(room.ID), viewer, nil), notFound404)
}

// TestMemberRoles: owners change roles; a room keeps at least one owner;
// several owners may leave while one remains.
func TestMemberRoles(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	ann, bob, cat, outsider := e.user(t, "ann"), e.user(t, "bob"), e.user(t, "cat"), e.user(t, "outsider")
	room := e.createRoom(t, ann, "roles")
	e.addMember(t, ann, room.ID, bob)
	e.addMemberAs(t, ann, room.ID, cat, models.RoleViewer)
	members := roomPath(room.ID) + "/members"
	patch := func(u boardUser, target uuid.UUID, body any) call {
		return apiCall(http.MethodPatch, memberPath(room.ID, target), u, body)
	}

	steps := []struct {
		name string
		c    call
		want outcome
	}{
		{"a member changes a role", patch(bob, cat.ID, jsonObj{"role": "member"}), forbidden403},
		{"a non-member changes a role", patch(outsider, cat.ID, jsonObj{"role": "member"}), notFound404},
		{"no role", patch(ann, cat.ID, jsonObj{}), invalid("role")},
		{"an unknown role", patch(ann, cat.ID, jsonObj{"role": "admin"}), invalid("role")},
		{"a role of the wrong type", patch(ann, cat.ID, `{"role": 1}`), badRequest},
		{"the role of a non-member", patch(ann, outsider.ID, jsonObj{"role": "viewer"}), notFound404},
		{"add with an unknown role", apiCall(http.MethodPost, members, ann, jsonObj{"email": outsider.Email, "role": "boss"}), invalid("role")},
		{"the only owner demotes itself", patch(ann, ann.ID, jsonObj{"role": "member"}), refused(http.StatusConflict, models.CodeLastOwner)},
		{"the only owner leaves", apiCall(http.MethodDelete, memberPath(room.ID, ann.ID), ann, nil), refused(http.StatusConflict, models.CodeOwnerCannotLeave)},
		{"promote bob", patch(ann, bob.ID, jsonObj{"role": "owner"}), ok(http.StatusOK)},
		{"bob, now an owner, renames", apiCall(http.MethodPatch, roomPath(room.ID), bob, jsonObj{"name": "bob's"}), ok(http.StatusOK)},
		{"bob promotes cat to member", patch(bob, cat.ID, jsonObj{"role": "member"}), ok(http.StatusOK)},
		{"cat, now a member, adds a column", apiCall(http.MethodPost, roomPath(room.ID)+"/columns", cat, jsonObj{"name": "cat's"}), ok(http.StatusCreated)},
		{"the same role again", patch(bob, cat.ID, jsonObj{"role": "member"}), ok(http.StatusOK)},
		{"ann demotes herself", patch(ann, ann.ID, jsonObj{"role": "viewer"}), ok(http.StatusOK)},
		{"ann, now a viewer, renames", apiCall(http.MethodPatch, roomPath(room.ID), ann, jsonObj{"name": "ann's"}), forbidden403},
		{"bob, the last owner, demotes himself", patch(bob, bob.ID, jsonObj{"role": "member"}), refused(http.StatusConflict, models.CodeLastOwner)},
		{"bob makes ann an owner again", patch(bob, ann.ID, jsonObj{"role": "owner"}), ok(http.StatusOK)},
		{"ann removes bob, an owner", apiCall(http.MethodDelete, memberPath(room.ID, bob.ID), ann, nil), ok(http.StatusNoContent)},
		{"ann, the last owner, leaves", apiCall(http.MethodDelete, memberPath(room.ID, ann.ID), ann, nil), refused(http.StatusConflict, models.CodeOwnerCannotLeave)},
	}
	version := room.Version + 2 // two members added
	for _, s := range steps {
		rec := e.expect(t, s.c, s.want)
		if s.want.success() {
			version++
			if s.c.method == http.MethodPatch && s.c.path != roomPath(room.ID) {
				m := requireMember(t, s.c.String(), rec.Body.Bytes())
				var sent struct{ Role string }
				_ = json.Unmarshal([]byte(s.c.body), &sent)
				if m.Role != sent.Role {
					t.Errorf("%s: member.role = %q, want %q", s.name, m.Role, sent.Role)
				}
			}
		}
		e.requireVersion(t, ann, room.ID, version, s.name)
	}
	roles := map[uuid.UUID]string{}
	for _, m := range e.board(t, ann, room.ID).Members {
		roles[m.User.ID] = m.Role
	}
	if len(roles) != 2 || roles[ann.ID] != models.RoleOwner || roles[cat.ID] != models.RoleMember {
		t.Errorf("members at the end = %v, want ann owner and cat member", roles)
	}
}

// TestOwnersDemotingEachOther: two owners who demote each other at the
// same moment cannot leave the room without an owner: the room lock
// serializes them, and the second, demoted by the first, may no longer
// change roles.
func TestOwnersDemotingEachOther(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	for round := range 10 {
		ann, bob := e.user(t, "ann"), e.user(t, "bob")
		room := e.createRoom(t, ann, "duel")
		e.addMemberAs(t, ann, room.ID, bob, models.RoleOwner)
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i, pair := range [][2]boardUser{{ann, bob}, {bob, ann}} {
			wg.Go(func() {
				codes[i] = e.send(t, apiCall(http.MethodPatch, memberPath(room.ID, pair[1].ID), pair[0], jsonObj{"role": "member"})).Code
			})
		}
		wg.Wait()
		owners := 0
		for _, m := range e.board(t, ann, room.ID).Members {
			if m.Role == models.RoleOwner {
				owners++
			}
		}
		if owners != 1 || codes[0]+codes[1] != http.StatusOK+http.StatusForbidden {
			t.Fatalf("round %d: statuses %v, %d owners left; want one 200, one 403 and one owner", round, codes, owners)
		}
	}
}
