package models_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

func TestPresenceNoticeRoundTrip(t *testing.T) {
	t.Parallel()
	room := uuid.New()
	payload := models.EncodePresenceNotice(room)
	if got, err := models.ParsePresenceNotice(payload); err != nil || got != room {
		t.Errorf("ParsePresenceNotice(%q) = %v, %v; want %v", payload, got, err, room)
	}
	for _, bad := range []string{"", "x", strings.ToUpper(payload), "{" + payload + "}", payload + ":1", "urn:uuid:" + payload} {
		if _, err := models.ParsePresenceNotice(bad); err == nil {
			t.Errorf("ParsePresenceNotice(%q) accepted a payload EncodePresenceNotice never writes", bad)
		}
	}
}
