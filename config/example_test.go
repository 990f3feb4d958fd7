package config

import "testing"

// TestEnvExampleLoads: the documented .env.example is a valid configuration
// as it stands (development), so copying it is always a safe start.
func TestEnvExampleLoads(t *testing.T) {
	t.Parallel()
	c, err := Load(func(string) string { return "" }, "../.env.example")
	if err != nil {
		t.Fatalf(".env.example: %v", err)
	}
	if c.HTTPAddr != ":8080" || c.DBStatementTimeout.String() != "5s" || c.EventRetention.String() != "168h0m0s" {
		t.Errorf(".env.example loaded as %+v", c)
	}
}
