package rest

import "testing"

func TestRESTMessage(t *testing.T) {
	cases := []struct{ msg, graphqlField, restField, want string }{
		{"first must be between 0 and 100", "first", "limit", "limit must be between 0 and 100"},
		{"listId must be a list id", "input.listId", "list_id", "list_id must be a list id"},
		{"email must be an email address", "input.email", "email", "email must be an email address"},
		{"a contact with email x already exists", "input.email", "email", "a contact with email x already exists"},
		{"firstly, no", "first", "limit", "firstly, no"},
	}
	for _, c := range cases {
		if got := restMessage(c.msg, c.graphqlField, c.restField); got != c.want {
			t.Errorf("restMessage(%q, %q, %q) = %q, want %q", c.msg, c.graphqlField, c.restField, got, c.want)
		}
	}
}
