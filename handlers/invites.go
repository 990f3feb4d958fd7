package handlers

import (
	"encoding/json"
	"math"
	"net/http"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/syncboard/syncboard/api"
	"github.com/syncboard/syncboard/models"
)

// inviteDeps are what the invitation handlers need besides the Store:
// where links point.
type inviteDeps struct {
	boardDeps
	// publicURL is the web client's address (PUBLIC_URL); empty: built
	// from each request.
	publicURL string
	// proxies may tell the request's scheme with X-Forwarded-Proto.
	proxies []netip.Prefix
}

type inviteRequest struct {
	Role           *string     `json:"role"`
	ExpiresInHours *jsonNumber `json:"expires_in_hours"`
}

// jsonNumber is a JSON number kept as written, so that 1.5 can be refused
// as a value (422) while "24" or true stay a wrong JSON type (400).
type jsonNumber string

// UnmarshalJSON takes numbers only (null leaves the pointer nil before
// this is called).
func (n *jsonNumber) UnmarshalJSON(b []byte) error {
	var num json.Number
	if len(b) == 0 || b[0] == '"' || json.Unmarshal(b, &num) != nil {
		return &json.UnmarshalTypeError{Value: "non-number", Type: reflect.TypeOf(0.0)}
	}
	*n = jsonNumber(num)
	return nil
}

// inviteTTL reads expires_in_hours: a whole number of hours from 1 to 720,
// DefaultInviteTTL when absent or null.
func (p problems) inviteTTL(field string, value *jsonNumber) time.Duration {
	if value == nil {
		return models.DefaultInviteTTL
	}
	maxHours := models.MaxInviteTTL.Hours()
	f, err := strconv.ParseFloat(string(*value), 64)
	if err != nil || f != math.Trunc(f) || f < 1 || f > maxHours {
		p.add(field, "must be a whole number of hours from 1 to %d", int(maxHours))
		return 0
	}
	return time.Duration(f) * time.Hour
}

// inviteRole reads the role a link gives: member (the default) or viewer.
// Owners are made one by one, by an owner, never by a link that anyone
// holding it could use.
func (p problems) inviteRole(field string, value *string) string {
	role := p.role(field, value, false)
	if role == models.RoleOwner {
		p.add(field, "an invitation link cannot make owners: invite as member, then change the role")
	}
	return role
}

func createInvite(d inviteDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req inviteRequest
		roomID, ok := d.pathAndBody(c, "room_id", &req)
		if !ok {
			return
		}
		p := problems{}
		role := p.inviteRole("role", req.Role)
		ttl := p.inviteTTL("expires_in_hours", req.ExpiresInHours)
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		inv, err := d.store.CreateInvite(c.Request.Context(), me(c), roomID, role, ttl)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusCreated, inv.API(d.origin(c)))
	}
}

// origin is where the web client lives, for a link's URL: PUBLIC_URL when
// set, else the address this request reached (its Host, and https when it
// came over TLS or a trusted proxy says it did).
func (d inviteDeps) origin(c *gin.Context) string {
	if d.publicURL != "" {
		return d.publicURL
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	} else if proto := strings.ToLower(c.GetHeader("X-Forwarded-Proto")); proto == "https" && d.fromProxy(c) {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

// fromProxy reports whether the request's peer is one of TRUSTED_PROXIES.
func (d inviteDeps) fromProxy(c *gin.Context) bool {
	ip, err := netip.ParseAddr(c.RemoteIP())
	if err != nil {
		return false
	}
	for _, p := range d.proxies {
		if p.Contains(ip.Unmap()) {
			return true
		}
	}
	return false
}

// parseProxies reads TRUSTED_PROXIES (IPs or CIDRs, which NewRouter has
// already had Gin validate) as prefixes.
func parseProxies(list []string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
		} else if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		}
	}
	return out
}

func listInvites(d inviteDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		roomID, ok := pathID(c, d.log, "room_id")
		if !ok {
			return
		}
		invs, err := d.store.Invites(c.Request.Context(), me(c), roomID)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		out := make([]api.Invite, 0, len(invs))
		for _, inv := range invs {
			out = append(out, inv.API())
		}
		c.JSON(http.StatusOK, out)
	}
}

func revokeInvite(d inviteDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := pathID(c, d.log, "invite_id")
		if !ok {
			return
		}
		if err := d.store.RevokeInvite(c.Request.Context(), me(c), id); err != nil {
			writeError(c, d.log, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}

// previewInvite needs no sign-in: the token is the credential. Its 404
// says why a link is dead (unknown, revoked, expired) to whoever holds it.
func previewInvite(d inviteDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		inv, err := d.store.InvitePreview(c.Request.Context(), c.Param("token"))
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusOK, inv.PreviewAPI())
	}
}

// acceptInvite answers 201 with the new membership, or 200 with the
// existing one (raised to the link's role if that is higher).
func acceptInvite(d inviteDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		m, created, err := d.store.AcceptInvite(c.Request.Context(), me(c), c.Param("token"))
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		c.JSON(status, m.API())
	}
}
