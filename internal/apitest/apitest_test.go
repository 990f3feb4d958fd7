package apitest

import "testing"

func TestDocumentIsValidOpenAPI31(t *testing.T) {
	d := Doc(t)
	if d.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", d.OpenAPI)
	}
	for _, name := range []string{"User", "AuthResponse", "Room", "Board", "Member", "Column", "Card", "Error"} {
		if d.Components.Schemas[name] == nil {
			t.Errorf("schema %s is missing", name)
		}
	}
}
