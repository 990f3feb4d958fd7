package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/syncboard/syncboard/api"
)

// PresenceChannel is the PostgreSQL NOTIFY channel of presence changes. A
// payload is one room ID (EncodePresenceNotice): "who is in room R may have
// changed"; listeners read the room's presence themselves, so a lost or
// repeated notice costs a read, never a wrong answer.
const PresenceChannel = "presence"

// EncodePresenceNotice writes the payload of a PresenceChannel notice.
func EncodePresenceNotice(room uuid.UUID) string { return room.String() }

// ParsePresenceNotice reads a payload written by EncodePresenceNotice; only
// the canonical form is accepted.
func ParsePresenceNotice(payload string) (uuid.UUID, error) {
	room, err := uuid.Parse(payload)
	if err != nil || room.String() != payload {
		return uuid.Nil, ErrBadNotice
	}
	return room, nil
}

// Heartbeat records that instance is alive, on the database's clock. It
// reports registered = true when the instance had no row: at its start, or
// after another instance swept it as dead (it was paused or cut off for
// longer than the staleness bound), in which case its presence rows went
// with it and the caller must write them again.
//
// Errors: CodeUnavailable.
func (s *Store) Heartbeat(ctx context.Context, instance uuid.UUID) (registered bool, err error) {
	db := s.db.WithContext(ctx)
	res := db.Exec("UPDATE instances SET heartbeat_at = now() WHERE id = ?", instance)
	if res.Error != nil {
		return false, Classify(fmt.Errorf("heartbeat: %w", res.Error))
	}
	if res.RowsAffected == 1 {
		return false, nil
	}
	err = db.Exec(`INSERT INTO instances (id, started_at, heartbeat_at) VALUES (?, now(), now())
		ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`, instance).Error
	if err != nil {
		return false, Classify(fmt.Errorf("register instance: %w", err))
	}
	return true, nil
}

// SetPresence makes instance's presence rows of room exactly users (the
// users with a socket open to it there) and, when that changed anything,
// notifies PresenceChannel, in one transaction. It writes a state, not a
// delta, so retrying after a failure is always right.
//
// Errors: CodeUnavailable; a foreign key error when the instance was swept
// (the next heartbeat registers it again) or the room is gone.
func (s *Store) SetPresence(ctx context.Context, instance, room uuid.UUID, users []uuid.UUID) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		del := tx.Where("instance_id = ? AND room_id = ?", instance, room)
		if len(users) > 0 {
			// Never NOT IN with an empty list: GORM writes (NULL), which
			// matches nothing.
			del = del.Where("user_id NOT IN ?", users)
		}
		res := del.Delete(&Presence{})
		if res.Error != nil {
			return fmt.Errorf("delete presence: %w", res.Error)
		}
		changed := res.RowsAffected
		if len(users) > 0 {
			rows := make([]Presence, len(users))
			now := time.Now().UTC()
			for i, u := range users {
				rows[i] = Presence{RoomID: room, UserID: u, InstanceID: instance, UpdatedAt: now}
			}
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows)
			if res.Error != nil {
				return fmt.Errorf("insert presence: %w", res.Error)
			}
			changed += res.RowsAffected
		}
		if changed == 0 {
			return nil
		}
		return tx.Exec("SELECT pg_notify(?, ?)", PresenceChannel, EncodePresenceNotice(room)).Error
	})
}

// PresentUsers is who has room open: the users of local (this instance's
// sockets, which it knows better than its rows, written a moment later)
// and those of the other instances' rows whose heartbeat is fresher than
// stale, each once, by display name (then ID, so the order is total).
//
// Errors: CodeUnavailable.
func (s *Store) PresentUsers(ctx context.Context, instance, room uuid.UUID, local []uuid.UUID, stale time.Duration) ([]api.PresenceUser, error) {
	var rows []struct {
		ID          uuid.UUID
		DisplayName string
	}
	// An empty IN list is (NULL) for GORM: no local user, as meant.
	err := s.db.WithContext(ctx).Raw(`SELECT u.id, u.display_name FROM users u
		WHERE u.id IN ? OR u.id IN (
			SELECT p.user_id FROM presence p JOIN instances i ON i.id = p.instance_id
			WHERE p.room_id = ? AND p.instance_id <> ? AND i.heartbeat_at > now() - make_interval(secs => ?))
		ORDER BY u.display_name, u.id`, local, room, instance, stale.Seconds()).Scan(&rows).Error
	if err != nil {
		return nil, Classify(fmt.Errorf("read presence: %w", err))
	}
	users := make([]api.PresenceUser, len(rows))
	for i, r := range rows {
		users[i] = api.PresenceUser{ID: r.ID, DisplayName: r.DisplayName}
	}
	return users, nil
}

// SweepInstances removes the instances whose heartbeat is older than stale
// (killed, or cut off from the database), their presence rows with them,
// and notifies PresenceChannel for each room they were in, in one
// statement. Every live instance sweeps: the deletes are idempotent, and
// one survivor is enough. It returns how many rooms were notified.
//
// Errors: CodeUnavailable.
func (s *Store) SweepInstances(ctx context.Context, stale time.Duration) (int, error) {
	return s.removeInstances(ctx, "heartbeat_at < now() - make_interval(secs => ?)", stale.Seconds())
}

// RemoveInstance removes instance and its presence rows and notifies their
// rooms: a graceful shutdown's goodbye, so the others need not wait for the
// sweep.
//
// Errors: CodeUnavailable.
func (s *Store) RemoveInstance(ctx context.Context, instance uuid.UUID) (int, error) {
	return s.removeInstances(ctx, "id = ?", instance)
}

func (s *Store) removeInstances(ctx context.Context, where string, arg any) (int, error) {
	var rooms int
	// The presence rows are deleted by the statement itself, not left to
	// the cascade, because their rooms are what it must notify; the
	// cascade, which runs after, finds nothing left. pg_notify is sent on
	// commit (the statement is its own transaction).
	err := s.db.WithContext(ctx).Raw(`WITH dead AS (DELETE FROM instances WHERE `+where+` RETURNING id),
		gone AS (DELETE FROM presence p USING dead WHERE p.instance_id = dead.id RETURNING p.room_id)
		SELECT count(pg_notify(?, r.room_id::text)) FROM (SELECT DISTINCT room_id FROM gone) r`,
		arg, PresenceChannel).Scan(&rooms).Error
	if err != nil {
		return 0, Classify(fmt.Errorf("remove instances: %w", err))
	}
	return rooms, nil
}
