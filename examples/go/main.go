// Command example is a typed Go client of the CRM GraphQL API, generated with genqlient from
// the server's /schema.graphql (see README.md in this folder).
//
//	CRM_URL=http://localhost:8080/graphql CRM_API_KEY=wbk_… go run .
//
// It prints the workspace and walks every contact page by cursor; with -create EMAIL it first
// creates a contact.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// bearer adds the API key to every request.
type bearer struct {
	key  string
	next http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.key)
	return b.next.RoundTrip(r)
}

func main() {
	create := flag.String("create", "", "create a contact with this email first")
	flag.Parse()
	url, key := os.Getenv("CRM_URL"), os.Getenv("CRM_API_KEY")
	if url == "" {
		url = "http://localhost:8080/graphql"
	}
	if key == "" {
		fmt.Fprintln(os.Stderr, "set CRM_API_KEY (the server prints a demo key at its first start)")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := graphql.NewClient(url, &http.Client{Transport: bearer{key, http.DefaultTransport}})
	if err := run(ctx, client, *create); err != nil {
		fmt.Fprintln(os.Stderr, "error:", describe(err))
		os.Exit(1)
	}
}

func run(ctx context.Context, client graphql.Client, create string) error {
	if create != "" {
		c, err := CreateContact(ctx, client, CreateContactInput{Email: create})
		if err != nil {
			return err
		}
		fmt.Printf("created %s %s\n", c.CreateContact.Id, c.CreateContact.Email)
	}
	var after *string
	for page := 1; ; page++ {
		r, err := Overview(ctx, client, 50, after)
		if err != nil {
			return err
		}
		if page == 1 {
			ws := r.Viewer.Workspace
			fmt.Printf("workspace %s (%s, plan %s), key %s, %d contacts\n", ws.Name, ws.Id, ws.Plan, r.Viewer.ApiKey.Prefix, r.Contacts.TotalCount)
		}
		for _, c := range r.Contacts.Nodes {
			fmt.Printf("  %s  %-24s %s\n", c.Id, c.FullName, c.Email)
		}
		if !r.Contacts.PageInfo.HasNextPage {
			return nil
		}
		after = r.Contacts.PageInfo.EndCursor
	}
}

// describe names the API's error code (extensions.code), which is what a program branches on.
func describe(err error) string {
	var list gqlerror.List
	if errors.As(err, &list) && len(list) > 0 {
		return fmt.Sprintf("%s (%v)", list[0].Message, list[0].Extensions["code"])
	}
	var httpErr *graphql.HTTPError
	if errors.As(err, &httpErr) {
		if len(httpErr.Response.Errors) > 0 {
			e := httpErr.Response.Errors[0]
			return fmt.Sprintf("HTTP %d: %s (%v)", httpErr.StatusCode, e.Message, e.Extensions["code"])
		}
		return fmt.Sprintf("HTTP %d", httpErr.StatusCode)
	}
	return err.Error()
}
