package models

import (
	"time"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/api"
)

// The one conversion of each model into its API shape. REST responses and
// event payloads both come from these, so they cannot drift apart. Times
// are sent in UTC.

// API is the user as the API shows it.
func (u User) API() api.User {
	return api.User{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, CreatedAt: u.CreatedAt.UTC()}
}

// API is the room as the member of this view sees it.
func (v RoomView) API() api.Room {
	return api.Room{ID: v.ID, Name: v.Name, CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt.UTC(), Version: v.Version, Role: v.Role}
}

// API is the membership with its user.
func (m RoomMember) API() api.Member {
	return api.Member{User: m.User.API(), Role: m.Role, JoinedAt: m.JoinedAt.UTC()}
}

// API is the column without its cards.
func (c Column) API() api.Column {
	return api.Column{ID: c.ID, RoomID: c.RoomID, Name: c.Name, Position: c.Position, ArchivedAt: utc(c.ArchivedAt)}
}

// BoardAPI is the column with its cards (loaded in order), as a board
// shows it.
func (c Column) BoardAPI() api.BoardColumn {
	bc := api.BoardColumn{Column: c.API(), Cards: make([]api.Card, 0, len(c.Cards))}
	for _, card := range c.Cards {
		bc.Cards = append(bc.Cards, card.API())
	}
	return bc
}

// API is the room's archive, each list most recently archived first.
func (a Archive) API() api.Archive {
	out := api.Archive{Columns: make([]api.Column, 0, len(a.Columns)), Cards: make([]api.Card, 0, len(a.Cards))}
	for _, c := range a.Columns {
		out.Columns = append(out.Columns, c.API())
	}
	for _, c := range a.Cards {
		out.Cards = append(out.Cards, c.API())
	}
	return out
}

// API is the card, with the label and assignee IDs cardDetails filled in.
func (c Card) API() api.Card {
	return api.Card{ID: c.ID, ColumnID: c.ColumnID, Title: c.Title, Description: c.Description,
		Position: c.Position, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
		DueAt: utc(c.DueAt), DueComplete: c.DueComplete, LabelIDs: orEmpty(c.LabelIDs), AssigneeIDs: orEmpty(c.AssigneeIDs),
		CommentCount: c.CommentCount, ArchivedAt: utc(c.ArchivedAt)}
}

// API is the label.
func (l Label) API() api.Label {
	return api.Label{ID: l.ID, RoomID: l.RoomID, Name: l.Name, Color: l.Color}
}

// API is the comment with its author.
func (c Comment) API() api.Comment {
	return api.Comment{ID: c.ID, CardID: c.CardID, Author: c.Author.API(), Body: c.Body,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}
}

// API is the hit: the card with its room and column.
func (h SearchHit) API() api.SearchHit {
	return api.SearchHit{Card: h.Card.API(), Room: api.Ref{ID: h.RoomID, Name: h.RoomName},
		Column: api.Ref{ID: h.ColumnID, Name: h.ColumnName}}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// orEmpty keeps JSON arrays arrays: [] rather than null.
func orEmpty(ids []uuid.UUID) []uuid.UUID {
	if ids == nil {
		return []uuid.UUID{}
	}
	return ids
}

// API is the event; its data is stored already in its API shape.
func (e RoomEvent) API() api.Event {
	return api.Event{Version: e.Version, Type: e.Type, ActorID: e.ActorID, At: e.At.UTC(), Data: e.Data}
}

// BoardAPI is a board loaded by Store.Board: the room with its members and
// its columns, each with its cards.
func (v RoomView) BoardAPI() api.Board {
	b := api.Board{
		Room:    v.API(),
		Members: make([]api.Member, 0, len(v.Members)),
		Labels:  make([]api.Label, 0, len(v.Labels)),
		Columns: make([]api.BoardColumn, 0, len(v.Columns)),
	}
	for _, m := range v.Members {
		b.Members = append(b.Members, m.API())
	}
	for _, l := range v.Labels {
		b.Labels = append(b.Labels, l.API())
	}
	for _, c := range v.Columns {
		b.Columns = append(b.Columns, c.BoardAPI())
	}
	return b
}

// API is the session as its user sees it in a list; current marks the
// session of the request.
func (s Session) API(current bool) api.Session {
	return api.Session{ID: s.ID, CreatedAt: s.CreatedAt.UTC(), LastUsedAt: s.LastUsedAt.UTC(),
		ExpiresAt: s.ExpiresAt.UTC(), UserAgent: s.UserAgent, IP: s.IP, Current: current}
}

// API is the link as a list shows it: without a token or URL, which the
// server cannot rebuild (it keeps only the token's hash).
func (i Invite) API() api.Invite {
	return api.Invite{ID: i.ID, RoomID: i.RoomID, Role: i.Role, CreatedBy: i.CreatedBy,
		CreatedAt: i.CreatedAt.UTC(), ExpiresAt: i.ExpiresAt.UTC()}
}

// API is the link just made, with its token and its URL: the web client's
// page for it at origin (scheme, host and any path prefix, no trailing
// slash).
func (i IssuedInvite) API(origin string) api.Invite {
	a := i.Invite.API()
	url := origin + "/#/invite/" + i.Token
	a.Token, a.URL = &i.Token, &url
	return a
}

// PreviewAPI is the link as its page shows it, to anyone holding it (a link
// loaded with its room and creator).
func (i Invite) PreviewAPI() api.InvitePreview {
	return api.InvitePreview{Room: api.InviteRoom{ID: i.Room.ID, Name: i.Room.Name}, Inviter: i.Creator.API(),
		Role: i.Role, ExpiresAt: i.ExpiresAt.UTC()}
}
