package models

// Roles are enforced here and nowhere else: every Store method names the
// Action it performs when it looks up the caller's membership (memberRoom
// and the lookups built on it), and minRole decides. Handlers never compare
// roles.

// Action is what a Store method does to a room, for the role table.
type Action int

// The actions, from reading to managing the room.
const (
	// ActRead: the board, members, events, a card, comments, a socket.
	ActRead Action = iota
	// ActComment: write one's own comments (and edit or delete them).
	ActComment
	// ActLeave: leave the room.
	ActLeave
	// ActEdit: columns, cards, labels, assignees, due dates, archive and
	// restore.
	ActEdit
	// ActManage: rename or delete the room; add, remove and change
	// members; invitation links; delete other people's comments.
	ActManage
)

// minRole is the lowest role allowed each action.
var minRole = map[Action]string{
	ActRead:    RoleViewer,
	ActComment: RoleViewer,
	ActLeave:   RoleViewer,
	ActEdit:    RoleMember,
	ActManage:  RoleOwner,
}

// roleRank orders the roles; an unknown role ranks below every action.
var roleRank = map[string]int{RoleViewer: 1, RoleMember: 2, RoleOwner: 3}

// ValidRole reports whether role is one a member can hold.
func ValidRole(role string) bool { return roleRank[role] > 0 }

// Allows reports whether a member with role may perform a.
func Allows(role string, a Action) bool {
	lowest, ok := minRole[a]
	return ok && roleRank[role] >= roleRank[lowest]
}

// locks reports whether a needs the room row locked: everything but a read
// changes the room (and bumps its version).
func (a Action) locks() bool { return a != ActRead }

// authorize is CodeForbidden when role may not perform a, with a message
// that says who may.
func authorize(role string, a Action) error {
	if Allows(role, a) {
		return nil
	}
	if minRole[a] == RoleOwner {
		return Errorf(CodeForbidden, "only an owner of the room can do this")
	}
	return Errorf(CodeForbidden, "viewers can read the board and comment, nothing more")
}
