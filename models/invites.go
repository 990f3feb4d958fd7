package models

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/syncboard/syncboard/api"
)

// Invitation links. A link is a random token; the database holds only its
// SHA-256, so neither a leaked backup nor a reader of the table can use a
// link, and a lookup is one probe of a unique index whether the token
// exists or not. Links are not part of the board (only owners see them), so
// making or revoking one changes no version; accepting one changes the
// members and does.

// Limits of invitation links.
const (
	// inviteTokenBytes is a link token's randomness: 256 bits.
	inviteTokenBytes = 32
	// DefaultInviteTTL is a link's lifetime when its creator names none.
	DefaultInviteTTL = 7 * 24 * time.Hour
	// MaxInviteTTL is the longest lifetime a link may have.
	MaxInviteTTL = 30 * 24 * time.Hour
	// InviteRetention is how long a revoked or expired link is kept, so
	// that its page can say why it no longer works, before it is purged.
	InviteRetention = 30 * 24 * time.Hour
)

// IssuedInvite is a link just made, with its token: the only time the token
// exists outside the link itself.
type IssuedInvite struct {
	Invite
	Token string
}

// CreateInvite makes a link that lets whoever accepts it join the room with
// role (RoleMember when empty) until ttl has passed. Owners only; role must
// not be RoleOwner (the handler refuses it first; the CHECK constraint
// would too).
//
// Errors: CodeNotFound, CodeForbidden, CodeUnavailable.
func (s *Store) CreateInvite(ctx context.Context, userID, roomID uuid.UUID, role string, ttl time.Duration) (IssuedInvite, error) {
	if role == "" {
		role = RoleMember
	}
	raw := make([]byte, inviteTokenBytes)
	if _, err := rand.Read(raw); err != nil {
		return IssuedInvite{}, fmt.Errorf("invite token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	var inv Invite
	err := s.tx(ctx, func(tx *gorm.DB) error {
		// The room lock, like every owner action: a request that waited
		// behind the caller's demotion is judged by the new role.
		if _, err := memberRoom(tx, userID, roomID, ActManage); err != nil {
			return err
		}
		now := tx.NowFunc()
		inv = Invite{RoomID: roomID, TokenHash: tokenHash(token), Role: role, CreatedBy: userID,
			CreatedAt: now, ExpiresAt: now.Add(ttl)}
		if err := tx.Omit(clause.Associations).Create(&inv).Error; err != nil {
			return fmt.Errorf("create invite: %w", err)
		}
		return nil
	})
	if err != nil {
		return IssuedInvite{}, err
	}
	return IssuedInvite{Invite: inv, Token: token}, nil
}

// Invites lists the room's links that still work (not revoked, not
// expired), newest first. Owners only.
//
// Errors: CodeNotFound, CodeForbidden, CodeUnavailable.
func (s *Store) Invites(ctx context.Context, userID, roomID uuid.UUID) ([]Invite, error) {
	var out []Invite
	err := s.tx(ctx, func(tx *gorm.DB) error {
		// A read changes nothing, so it takes no lock: the role is read
		// like any member's, then checked against ActManage.
		v, err := memberRoom(tx, userID, roomID, ActRead)
		if err != nil {
			return err
		}
		if err := authorize(v.Role, ActManage); err != nil {
			return err
		}
		err = tx.Where("room_id = ? AND revoked_at IS NULL AND expires_at > ?", roomID, tx.NowFunc()).
			Order("created_at DESC, id DESC").Find(&out).Error
		if err != nil {
			return fmt.Errorf("list invites: %w", err)
		}
		return nil
	}, readOnly)
	return out, err
}

// RevokeInvite stops a link from working. Owners of its room only.
// Revoking a revoked link again succeeds and changes nothing: the link is
// dead either way, and the first revocation's time is the one kept.
//
// Errors: CodeNotFound (no such link, or not a member of its room),
// CodeForbidden, CodeUnavailable.
func (s *Store) RevokeInvite(ctx context.Context, userID, inviteID uuid.UUID) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		// Find the room (an unlocked read), then take the room lock first,
		// as every change does (docs/DESIGN.md, lock order).
		var inv Invite
		if err := tx.Select("id, room_id").Where("id = ?", inviteID).Take(&inv).Error; err != nil {
			return notFound(err, "invitation link")
		}
		if _, err := memberRoom(tx, userID, inv.RoomID, ActManage); err != nil {
			if ErrorCode(err) == CodeNotFound {
				// A non-member must not learn that the link exists.
				return Errorf(CodeNotFound, "invitation link not found")
			}
			return err
		}
		err := tx.Model(&Invite{}).Where("id = ? AND revoked_at IS NULL", inviteID).
			Update("revoked_at", tx.NowFunc()).Error
		if err != nil {
			return fmt.Errorf("revoke invite: %w", err)
		}
		return nil
	})
}

// usableInvite finds the link of token with its room and creator, in one
// statement (one probe of the unique index on the hash, whatever the
// token), and says why it cannot be used when it cannot: unknown, revoked
// or expired, each CodeNotFound with its own message.
func usableInvite(tx *gorm.DB, token string) (Invite, error) {
	var inv Invite
	err := tx.Joins("Room").Joins("Creator").Where("invites.token_hash = ?", tokenHash(token)).Take(&inv).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return Invite{}, Errorf(CodeNotFound, "no such invitation link")
	case err != nil:
		return Invite{}, fmt.Errorf("find invite: %w", err)
	case inv.RevokedAt != nil:
		return Invite{}, Errorf(CodeNotFound, "this invitation link was revoked")
	case !inv.ExpiresAt.After(tx.NowFunc()):
		return Invite{}, Errorf(CodeNotFound, "this invitation link expired on %s", inv.ExpiresAt.UTC().Format("2006-01-02 15:04 MST"))
	}
	return inv, nil
}

// InvitePreview reads the link of token for its page, without signing in:
// the room, who invited, the role, and until when.
//
// Errors: CodeNotFound (unknown, revoked or expired, each with its own
// message), CodeUnavailable.
func (s *Store) InvitePreview(ctx context.Context, token string) (Invite, error) {
	inv, err := usableInvite(s.db.WithContext(ctx), token)
	return inv, Classify(err)
}

// AcceptInvite makes userID a member of the link's room with the link's
// role. created is true when userID was not a member before (member.added).
// A member whose role is lower than the link's is raised to it
// (member.updated); a member whose role is the same or higher keeps it, and
// nothing changes (no version, no event): a link never lowers a role.
//
// Errors: CodeNotFound (unknown, revoked or expired), CodeUnavailable.
func (s *Store) AcceptInvite(ctx context.Context, userID uuid.UUID, token string) (m RoomMember, created bool, err error) {
	err = s.tx(ctx, func(tx *gorm.DB) error {
		inv, err := usableInvite(tx, token)
		if err != nil {
			return err
		}
		// The room lock first (the caller is not a member yet, so a plain
		// row lock rather than memberRoom's join), then the link again: a
		// revocation holds the same lock, so once we have it the link is
		// either revoked for good or still usable until we commit.
		var v RoomView
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", inv.RoomID).Take(&v.Room).Error; err != nil {
			return notFound(err, "invitation link")
		}
		if inv, err = usableInvite(tx, token); err != nil {
			return err
		}
		m, err = lockedMember(tx, inv.RoomID, userID)
		switch {
		case ErrorCode(err) == CodeNotFound:
			var u User
			if err := tx.Take(&u, "id = ?", userID).Error; err != nil {
				return fmt.Errorf("find user: %w", err)
			}
			created = true
			m, err = insertMember(tx, &v, userID, u, inv.Role)
			return err
		case err != nil:
			return err
		case roleRank[m.Role] >= roleRank[inv.Role]:
			return nil
		}
		return updateRole(tx, &v, userID, &m, inv.Role)
	})
	return m, created, err
}

// PruneInvites deletes links revoked or expired before cutoff and says how
// many.
func (s *Store) PruneInvites(ctx context.Context, cutoff time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("revoked_at < ? OR expires_at < ?", cutoff, cutoff).Delete(&Invite{})
	if res.Error != nil {
		return 0, Classify(fmt.Errorf("prune invites: %w", res.Error))
	}
	return res.RowsAffected, nil
}

// insertMember adds u to the room v with role and records member.added by
// actor: adding by email and accepting a link are the same change, and
// both tell u's user stream. The caller holds the room lock.
func insertMember(tx *gorm.DB, v *RoomView, actor uuid.UUID, u User, role string) (RoomMember, error) {
	m := RoomMember{RoomID: v.ID, UserID: u.ID, Role: role, JoinedAt: tx.NowFunc(), User: u}
	if err := tx.Omit("User").Create(&m).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return RoomMember{}, Errorf(CodeAlreadyMember, "this user is already a member of the room")
		}
		return RoomMember{}, fmt.Errorf("add member: %w", err)
	}
	if err := notifyUsers(tx, UserRoomAdded, v.ID, u.ID); err != nil {
		return RoomMember{}, err
	}
	return m, change(tx, v, actor, api.EventMemberAdded, api.MemberAddedData{Member: m.API()})
}

// updateRole gives the member m the role, records member.updated by
// actor and tells m's user stream. The caller holds the room lock.
func updateRole(tx *gorm.DB, v *RoomView, actor uuid.UUID, m *RoomMember, role string) error {
	if err := tx.Model(&RoomMember{}).Where("id = ?", m.ID).Update("role", role).Error; err != nil {
		return fmt.Errorf("update role: %w", err)
	}
	m.Role = role
	if err := notifyUsers(tx, UserRoomUpdated, v.ID, m.UserID); err != nil {
		return err
	}
	return change(tx, v, actor, api.EventMemberUpdated, api.MemberAddedData{Member: m.API()})
}
