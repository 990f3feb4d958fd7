package handlers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

// Invitation links: owners make, list and revoke them; anyone previews
// one; any signed-in user accepts one.

// inviteBody is a decoded Invite; Token and URL are nil in a list.
type inviteBody struct {
	ID        uuid.UUID
	RoomID    uuid.UUID
	Role      string
	Token     *string
	URL       *string
	CreatedBy uuid.UUID
	CreatedAt time.Time
	ExpiresAt time.Time
}

// requireInvite checks the exact Invite shape; withToken says whether the
// token and URL must be there (the 201) or null (a list).
func requireInvite(t *testing.T, req string, raw []byte, withToken bool) inviteBody {
	t.Helper()
	m := requireKeys(t, req, "Invite", raw, "id", "room_id", "role", "token", "url", "created_by", "created_at", "expires_at")
	inv := inviteBody{
		ID:        requireUUID(t, req, "invite.id", m["id"]),
		RoomID:    requireUUID(t, req, "invite.room_id", m["room_id"]),
		Role:      requireString(t, req, "invite.role", m["role"]),
		CreatedBy: requireUUID(t, req, "invite.created_by", m["created_by"]),
		CreatedAt: requireUTCTime(t, req, "invite.created_at", m["created_at"]),
		ExpiresAt: requireUTCTime(t, req, "invite.expires_at", m["expires_at"]),
	}
	if !withToken {
		if string(m["token"]) != "null" || string(m["url"]) != "null" {
			t.Errorf("%s: a listed invite has token %s and url %s, want null", req, m["token"], m["url"])
		}
		return inv
	}
	token := requireString(t, req, "invite.token", m["token"])
	url := requireString(t, req, "invite.url", m["url"])
	if raw, err := base64.RawURLEncoding.DecodeString(token); err != nil || len(raw) < 32 {
		t.Errorf("%s: invite.token = %q, want at least 256 random bits, base64url", req, token)
	}
	inv.Token, inv.URL = &token, &url
	return inv
}

func invitesPath(roomID uuid.UUID) string { return roomPath(roomID) + "/invites" }
func invitePath(id uuid.UUID) string      { return "/api/invites/" + id.String() }
func byTokenPath(token string) string     { return "/api/invites/by-token/" + token }

// createInvite makes a link as u and checks the 201.
func (e *boardEnv) createInvite(t *testing.T, u boardUser, roomID uuid.UUID, body jsonObj) inviteBody {
	t.Helper()
	c := apiCall(http.MethodPost, invitesPath(roomID), u, body)
	rec := e.send(t, c)
	requireStatus(t, c, rec, http.StatusCreated)
	return requireInvite(t, c.String(), rec.Body.Bytes(), true)
}

// listInvites lists a room's links as u.
func (e *boardEnv) listInvites(t *testing.T, u boardUser, roomID uuid.UUID) []inviteBody {
	t.Helper()
	c := apiCall(http.MethodGet, invitesPath(roomID), u, nil)
	rec := e.send(t, c)
	requireStatus(t, c, rec, http.StatusOK)
	var out []inviteBody
	for _, raw := range requireArray(t, c.String(), "invites", rec.Body.Bytes()) {
		out = append(out, requireInvite(t, c.String(), raw, false))
	}
	return out
}

func inviteIDs(invs []inviteBody) []uuid.UUID {
	out := []uuid.UUID{}
	for _, inv := range invs {
		out = append(out, inv.ID)
	}
	return out
}

// lastEvent reads the room's newest event as u.
func (e *boardEnv) lastEvent(t *testing.T, u boardUser, roomID uuid.UUID, version int64) eventBody {
	t.Helper()
	c := apiCall(http.MethodGet, roomPath(roomID)+fmt.Sprintf("/events?since=%d", version-1), u, nil)
	var page eventPage
	if err := json.Unmarshal(e.expect(t, c, ok(http.StatusOK)).Body.Bytes(), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 1 {
		t.Fatalf("%s: %d events, want exactly the one of version %d", c, len(page.Events), version)
	}
	return page.Events[0]
}

// TestInviteCreateListRevoke: owners make links (member by default, a
// week by default), list the working ones newest first without their
// tokens, and revoke them; nobody else may; none of it moves the version.
func TestInviteCreateListRevoke(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	owner, member, viewer, outsider := e.user(t, "owner"), e.user(t, "member"), e.user(t, "viewer"), e.user(t, "outsider")
	room := e.createRoom(t, owner, "invites")
	e.addMember(t, owner, room.ID, member)
	e.addMemberAs(t, owner, room.ID, viewer, models.RoleViewer)
	version := room.Version + 2

	before := time.Now()
	def := e.createInvite(t, owner, room.ID, jsonObj{})
	after := time.Now()
	req := "the default invite"
	requireEqual(t, req, "role", def.Role, models.RoleMember)
	requireEqual(t, req, "room_id", def.RoomID, room.ID)
	requireEqual(t, req, "created_by", def.CreatedBy, owner.ID)
	requireNear(t, req, "created_at", def.CreatedAt, before, after)
	requireNear(t, req, "expires_at", def.ExpiresAt, before.Add(168*time.Hour), after.Add(168*time.Hour))
	// httptest's requests reach example.com over plain HTTP.
	requireEqual(t, req, "url", *def.URL, "http://example.com/#/invite/"+*def.Token)

	viewers := e.createInvite(t, owner, room.ID, jsonObj{"role": "viewer", "expires_in_hours": 1})
	requireEqual(t, "a viewer link", "role", viewers.Role, models.RoleViewer)
	requireNear(t, "a viewer link", "expires_at", viewers.ExpiresAt, viewers.CreatedAt.Add(time.Hour), viewers.CreatedAt.Add(time.Hour))
	longest := e.createInvite(t, owner, room.ID, jsonObj{"role": nil, "expires_in_hours": 720})
	requireEqual(t, "the longest link", "role", longest.Role, models.RoleMember)
	requireNear(t, "the longest link", "expires_at", longest.ExpiresAt, longest.CreatedAt.Add(720*time.Hour), longest.CreatedAt.Add(720*time.Hour))
	if *def.Token == *viewers.Token || *viewers.Token == *longest.Token {
		t.Errorf("two links share a token: %q, %q, %q", *def.Token, *viewers.Token, *longest.Token)
	}

	post := func(u boardUser, body any) call { return apiCall(http.MethodPost, invitesPath(room.ID), u, body) }
	refusals := []struct {
		name string
		c    call
		want outcome
	}{
		{"role owner", post(owner, jsonObj{"role": "owner"}), invalid("role")},
		{"an unknown role", post(owner, jsonObj{"role": "admin"}), invalid("role")},
		{"a role of the wrong type", post(owner, `{"role": 2}`), badRequest},
		{"0 hours", post(owner, jsonObj{"expires_in_hours": 0}), invalid("expires_in_hours")},
		{"721 hours", post(owner, jsonObj{"expires_in_hours": 721}), invalid("expires_in_hours")},
		{"-1 hours", post(owner, jsonObj{"expires_in_hours": -1}), invalid("expires_in_hours")},
		{"1.5 hours", post(owner, `{"expires_in_hours": 1.5}`), invalid("expires_in_hours")},
		{"1e400 hours", post(owner, `{"expires_in_hours": 1e400}`), invalid("expires_in_hours")},
		{"hours as a string", post(owner, jsonObj{"expires_in_hours": "24"}), badRequest},
		{"hours as a boolean", post(owner, `{"expires_in_hours": true}`), badRequest},
		{"both broken", post(owner, jsonObj{"role": "owner", "expires_in_hours": 0}), invalid("role", "expires_in_hours")},
		{"a member creates", post(member, jsonObj{}), forbidden403},
		{"a viewer creates", post(viewer, jsonObj{}), forbidden403},
		{"a non-member creates", post(outsider, jsonObj{}), notFound404},
		{"an unknown room", apiCall(http.MethodPost, invitesPath(uuid.New()), owner, jsonObj{}), notFound404},
		{"without a token", apiCall(http.MethodPost, invitesPath(room.ID), boardUser{}, jsonObj{}), refused(http.StatusUnauthorized, models.CodeUnauthorized)},
		{"a member lists", apiCall(http.MethodGet, invitesPath(room.ID), member, nil), forbidden403},
		{"a viewer lists", apiCall(http.MethodGet, invitesPath(room.ID), viewer, nil), forbidden403},
		{"a non-member lists", apiCall(http.MethodGet, invitesPath(room.ID), outsider, nil), notFound404},
		{"a member revokes", apiCall(http.MethodDelete, invitePath(def.ID), member, nil), forbidden403},
		{"a viewer revokes", apiCall(http.MethodDelete, invitePath(def.ID), viewer, nil), forbidden403},
		{"a non-member revokes", apiCall(http.MethodDelete, invitePath(def.ID), outsider, nil), notFound404},
		{"an unknown link revoked", apiCall(http.MethodDelete, invitePath(uuid.New()), owner, nil), notFound404},
		{"a link ID that is no UUID", apiCall(http.MethodDelete, "/api/invites/by-token", owner, nil), notFound404},
	}
	for _, r := range refusals {
		e.expect(t, r.c, r.want)
	}

	listed := e.listInvites(t, owner, room.ID)
	requireOrder(t, "the list", "invites", uuidStrings(inviteIDs(listed)), uuidStrings([]uuid.UUID{longest.ID, viewers.ID, def.ID}))

	e.expect(t, apiCall(http.MethodDelete, invitePath(viewers.ID), owner, nil), ok(http.StatusNoContent))
	e.expect(t, apiCall(http.MethodDelete, invitePath(viewers.ID), owner, nil), ok(http.StatusNoContent)) // again: harmless
	listed = e.listInvites(t, owner, room.ID)
	requireOrder(t, "the list after a revocation", "invites", uuidStrings(inviteIDs(listed)), uuidStrings([]uuid.UUID{longest.ID, def.ID}))

	// An owner made by a role change manages the links too; the other
	// room's owner does not see these.
	e.expect(t, apiCall(http.MethodPatch, memberPath(room.ID, member.ID), owner, jsonObj{"role": "owner"}), ok(http.StatusOK))
	version++
	e.expect(t, apiCall(http.MethodDelete, invitePath(longest.ID), member, nil), ok(http.StatusNoContent))
	requireOrder(t, "the list of the second owner", "invites", uuidStrings(inviteIDs(e.listInvites(t, member, room.ID))), uuidStrings([]uuid.UUID{def.ID}))
	other := e.createRoom(t, outsider, "elsewhere")
	if got := e.listInvites(t, outsider, other.ID); len(got) != 0 {
		t.Errorf("another room lists %d invites, want none", len(got))
	}

	e.requireVersion(t, owner, room.ID, version, "making, listing and revoking links")
}

// TestInvitePreviewAndAccept: anyone holding a link sees the room, the
// inviter and the role; accepting joins with the link's role (member.added,
// one version); accepting again changes nothing; a link raises a lower role
// (member.updated) and never lowers one.
func TestInvitePreviewAndAccept(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	owner, newcomer, viewer, member := e.user(t, "owner"), e.user(t, "newcomer"), e.user(t, "viewer"), e.user(t, "member")
	room := e.createRoom(t, owner, "Launch plans")
	e.addMemberAs(t, owner, room.ID, viewer, models.RoleViewer)
	e.addMember(t, owner, room.ID, member)
	memberLink := e.createInvite(t, owner, room.ID, jsonObj{})
	viewerLink := e.createInvite(t, owner, room.ID, jsonObj{"role": "viewer"})
	version := room.Version + 2

	// The preview needs no sign-in.
	c := apiCall(http.MethodGet, byTokenPath(*memberLink.Token), boardUser{}, nil)
	rec := e.expect(t, c, ok(http.StatusOK))
	m := requireKeys(t, c.String(), "InvitePreview", rec.Body.Bytes(), "room", "inviter", "role", "expires_at")
	rm := requireKeys(t, c.String(), "preview.room", m["room"], "id", "name")
	requireEqual(t, c.String(), "room.id", requireUUID(t, c.String(), "room.id", rm["id"]), room.ID)
	requireEqual(t, c.String(), "room.name", requireString(t, c.String(), "room.name", rm["name"]), "Launch plans")
	inviter := requireUser(t, c.String(), m["inviter"])
	requireEqual(t, c.String(), "inviter.id", inviter.ID, owner.ID)
	requireEqual(t, c.String(), "inviter.display_name", inviter.DisplayName, owner.DisplayName)
	requireEqual(t, c.String(), "role", requireString(t, c.String(), "role", m["role"]), models.RoleMember)
	requireEqual(t, c.String(), "expires_at", requireUTCTime(t, c.String(), "expires_at", m["expires_at"]), memberLink.ExpiresAt)
	// A signed-in caller sees the same.
	e.expect(t, apiCall(http.MethodGet, byTokenPath(*viewerLink.Token), newcomer, nil), ok(http.StatusOK))

	accept := func(u boardUser, link inviteBody) call {
		return apiCall(http.MethodPost, byTokenPath(*link.Token)+"/accept", u, nil)
	}
	steps := []struct {
		name     string
		c        call
		status   int
		role     string // the member's role in the answer
		event    string // the event recorded, "" for none
		wantUser uuid.UUID
	}{
		{"a newcomer accepts", accept(newcomer, memberLink), http.StatusCreated, models.RoleMember, "member.added", newcomer.ID},
		{"the newcomer accepts again", accept(newcomer, memberLink), http.StatusOK, models.RoleMember, "", newcomer.ID},
		{"the newcomer accepts a lower link", accept(newcomer, viewerLink), http.StatusOK, models.RoleMember, "", newcomer.ID},
		{"the owner accepts", accept(owner, memberLink), http.StatusOK, models.RoleOwner, "", owner.ID},
		{"a member accepts a viewer link", accept(member, viewerLink), http.StatusOK, models.RoleMember, "", member.ID},
		{"a viewer accepts a viewer link", accept(viewer, viewerLink), http.StatusOK, models.RoleViewer, "", viewer.ID},
		{"a viewer accepts a member link", accept(viewer, memberLink), http.StatusOK, models.RoleMember, "member.updated", viewer.ID},
	}
	for _, s := range steps {
		rec := e.expect(t, s.c, ok(s.status))
		got := requireMember(t, s.name, rec.Body.Bytes())
		requireEqual(t, s.name, "member.user.id", got.User.ID, s.wantUser)
		requireEqual(t, s.name, "member.role", got.Role, s.role)
		if s.event != "" {
			version++
			ev := e.lastEvent(t, owner, room.ID, version)
			requireEqual(t, s.name, "event type", ev.Type, s.event)
			requireEqual(t, s.name, "event actor", *ev.ActorID, s.wantUser.String())
			data, _ := json.Marshal(ev.Data["member"])
			requireEqual(t, s.name, "event member", requireMember(t, s.name, data).Role, s.role)
		}
		e.requireVersion(t, owner, room.ID, version, s.name)
	}
	roles := map[uuid.UUID]string{}
	for _, m := range e.board(t, owner, room.ID).Members {
		roles[m.User.ID] = m.Role
	}
	want := map[uuid.UUID]string{owner.ID: models.RoleOwner, newcomer.ID: models.RoleMember, viewer.ID: models.RoleMember, member.ID: models.RoleMember}
	for id, role := range want {
		if roles[id] != role || len(roles) != len(want) {
			t.Errorf("members at the end = %v, want %v", roles, want)
			break
		}
	}
	// A link works for many people, and accepting needs a sign-in.
	third := e.user(t, "third")
	e.expect(t, accept(third, viewerLink), ok(http.StatusCreated))
	e.expect(t, accept(boardUser{}, viewerLink), refused(http.StatusUnauthorized, models.CodeUnauthorized))
}

// TestDeadInviteLinks: a revoked, expired or unknown link is 404 to the
// preview and to accepting, with a message that says which, and accepting
// it changes nothing.
func TestDeadInviteLinks(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	owner, guest := e.user(t, "owner"), e.user(t, "guest")
	room := e.createRoom(t, owner, "dead links")
	revoked := e.createInvite(t, owner, room.ID, jsonObj{})
	expired := e.createInvite(t, owner, room.ID, jsonObj{})
	e.expect(t, apiCall(http.MethodDelete, invitePath(revoked.ID), owner, nil), ok(http.StatusNoContent))
	expiredAt := time.Date(2026, 11, 30, 9, 15, 0, 0, time.UTC)
	if err := e.db.Exec("UPDATE invites SET expires_at = ? WHERE id = ?", expiredAt, expired.ID).Error; err != nil {
		t.Fatal(err)
	}
	before := e.board(t, owner, room.ID)

	unknown := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	cases := []struct {
		name, token, message string
	}{
		{"revoked", *revoked.Token, "this invitation link was revoked"},
		{"expired", *expired.Token, "this invitation link expired on 2026-11-30 09:15 UTC"},
		{"unknown", unknown, "no such invitation link"},
		{"not base64", "not-a-token!", "no such invitation link"},
	}
	for _, tc := range cases {
		for _, c := range []call{
			apiCall(http.MethodGet, byTokenPath(tc.token), boardUser{}, nil),
			apiCall(http.MethodPost, byTokenPath(tc.token)+"/accept", guest, nil),
		} {
			rec := e.expect(t, c, notFound404)
			if msg, _ := requireErrorBody(t, c.String(), rec, models.CodeNotFound); msg != tc.message {
				t.Errorf("%s (%s): message %q, want %q", c, tc.name, msg, tc.message)
			}
		}
	}
	if listed := e.listInvites(t, owner, room.ID); len(listed) != 0 {
		t.Errorf("the list shows %d dead links, want none", len(listed))
	}
	e.requireUnchanged(t, owner, before, "accepting dead links")
}

// TestInviteTokensStoredHashed: no column of any invite holds the token;
// the stored hash is its SHA-256.
func TestInviteTokensStoredHashed(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	owner := e.user(t, "owner")
	room := e.createRoom(t, owner, "hashes")
	var tokens []string
	for range 3 {
		tokens = append(tokens, *e.createInvite(t, owner, room.ID, jsonObj{}).Token)
	}
	var rows []struct {
		Row       string
		TokenHash []byte
	}
	if err := e.db.Raw("SELECT invites::text AS row, token_hash FROM invites").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(tokens) {
		t.Fatalf("%d invite rows, want %d", len(rows), len(tokens))
	}
	var hashes [][]byte
	for _, r := range rows {
		for _, tok := range tokens {
			if strings.Contains(r.Row, tok) {
				t.Errorf("an invite row holds a plain token: %s", r.Row)
			}
		}
		hashes = append(hashes, r.TokenHash)
	}
	for _, tok := range tokens {
		h := sha256.Sum256([]byte(tok))
		if !slices.ContainsFunc(hashes, func(b []byte) bool { return bytes.Equal(b, h[:]) }) {
			t.Errorf("no row holds the SHA-256 of token %q", tok)
		}
	}
}

// TestPruneInvites: links revoked or expired more than the retention ago
// are deleted; younger dead links (which still explain themselves) and
// working links stay.
func TestPruneInvites(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	owner := e.user(t, "owner")
	room := e.createRoom(t, owner, "prune")
	now := time.Now().UTC()
	old, young := now.Add(-models.InviteRetention-time.Hour), now.Add(-models.InviteRetention+time.Hour)
	set := map[string]string{
		"working":          "",
		"revoked long ago": "revoked_at = @old",
		"expired long ago": "expires_at = @old",
		"revoked recently": "revoked_at = @young",
		"expired recently": "expires_at = @young",
	}
	ids := map[string]uuid.UUID{}
	for name, assignment := range set {
		inv := e.createInvite(t, owner, room.ID, jsonObj{})
		ids[name] = inv.ID
		if assignment == "" {
			continue
		}
		err := e.db.Exec("UPDATE invites SET "+assignment+" WHERE id = @id",
			map[string]any{"old": old, "young": young, "id": inv.ID}).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	n, err := e.store.PruneInvites(context.Background(), now.Add(-models.InviteRetention))
	if err != nil || n != 2 {
		t.Fatalf("PruneInvites = %d, %v; want 2, nil", n, err)
	}
	var left []uuid.UUID
	if err := e.db.Raw("SELECT id FROM invites").Scan(&left).Error; err != nil {
		t.Fatal(err)
	}
	for name, id := range ids {
		kept := slices.Contains(left, id)
		if want := !strings.HasSuffix(name, "long ago"); kept != want {
			t.Errorf("the link %s: kept = %v, want %v", name, kept, want)
		}
	}
}

// TestInviteURL: a link's URL is under PUBLIC_URL when set, else the
// request's own address, https only when a trusted proxy says so.
func TestInviteURL(t *testing.T) {
	t.Parallel()
	db := newBoardEnv(t).db
	cases := []struct {
		name   string
		deps   Deps
		header http.Header
		remote string
		want   string
	}{
		{"PUBLIC_URL", Deps{PublicURL: "https://boards.example.com/app"}, nil, "", "https://boards.example.com/app"},
		{"PUBLIC_URL wins over the request", Deps{PublicURL: "https://boards.example.com"}, http.Header{"X-Forwarded-Proto": {"http"}}, "", "https://boards.example.com"},
		{"the request", Deps{}, nil, "", "http://example.com"},
		{"https from a trusted proxy", Deps{TrustedProxies: []string{"10.0.0.0/8"}}, http.Header{"X-Forwarded-Proto": {"https"}}, "10.1.2.3:5000", "https://example.com"},
		{"https from a trusted proxy IP", Deps{TrustedProxies: []string{"10.1.2.3"}}, http.Header{"X-Forwarded-Proto": {"HTTPS"}}, "10.1.2.3:5000", "https://example.com"},
		{"https from anyone else", Deps{TrustedProxies: []string{"10.0.0.0/8"}}, http.Header{"X-Forwarded-Proto": {"https"}}, "192.0.2.1:5000", "http://example.com"},
	}
	for _, tc := range cases {
		e := &boardEnv{newAuthEnvOn(t, db, tc.deps)}
		owner := e.user(t, "owner")
		room := e.createRoom(t, owner, "urls")
		c := apiCall(http.MethodPost, invitesPath(room.ID), owner, jsonObj{})
		c.header, c.remote = tc.header, tc.remote
		rec := e.expect(t, c, ok(http.StatusCreated))
		inv := requireInvite(t, c.String(), rec.Body.Bytes(), true)
		requireEqual(t, tc.name, "url", *inv.URL, tc.want+"/#/invite/"+*inv.Token)
	}
}
