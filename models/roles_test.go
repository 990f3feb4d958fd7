package models

import "testing"

// TestRoleTable pins who may do what: the whole table, every role against
// every action, so a change to minRole shows here as a reviewed change.
func TestRoleTable(t *testing.T) {
	t.Parallel()
	want := map[Action]map[string]bool{
		ActRead:    {RoleViewer: true, RoleMember: true, RoleOwner: true},
		ActComment: {RoleViewer: true, RoleMember: true, RoleOwner: true},
		ActLeave:   {RoleViewer: true, RoleMember: true, RoleOwner: true},
		ActEdit:    {RoleViewer: false, RoleMember: true, RoleOwner: true},
		ActManage:  {RoleViewer: false, RoleMember: false, RoleOwner: true},
	}
	if len(want) != len(minRole) {
		t.Fatalf("minRole has %d actions, the table here %d: add the new action to this test", len(minRole), len(want))
	}
	for act, byRole := range want {
		for role, allowed := range byRole {
			if got := Allows(role, act); got != allowed {
				t.Errorf("Allows(%s, %d) = %v, want %v", role, act, got, allowed)
			}
			err := authorize(role, act)
			if allowed != (err == nil) || (err != nil && ErrorCode(err) != CodeForbidden) {
				t.Errorf("authorize(%s, %d) = %v, want allowed=%v or forbidden", role, act, err, allowed)
			}
		}
		for _, role := range []string{"", "admin", "Owner"} {
			if Allows(role, act) {
				t.Errorf("Allows(%q, %d) = true, want false for a role that does not exist", role, act)
			}
		}
		if act.locks() == (act == ActRead) {
			t.Errorf("action %d locks = %v; only reads go without the room lock", act, act.locks())
		}
	}
	if Allows(RoleOwner, Action(99)) {
		t.Error("an action missing from the table is allowed; want refused")
	}
	for _, r := range []string{RoleOwner, RoleMember, RoleViewer} {
		if !ValidRole(r) {
			t.Errorf("ValidRole(%q) = false", r)
		}
	}
}
