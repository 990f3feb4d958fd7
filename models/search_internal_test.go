package models

import "testing"

// TestRankTerms: exclusions leave the ranking query; everything else, the
// '-' inside words and quotes included, stays.
func TestRankTerms(t *testing.T) {
	t.Parallel()
	for q, want := range map[string]string{
		"gazebo -plans":               "gazebo ",
		`launch -"release notes" now`: "launch  now",
		"-draft":                      "",
		"long-term plan":              "long-term plan",
		`"not -this" that`:            `"not -this" that`,
		`a -"unclosed`:                "a ",
		"x  -y -z w":                  "x    w",
	} {
		if got := rankTerms(q); got != want {
			t.Errorf("rankTerms(%q) = %q, want %q", q, got, want)
		}
	}
}
