// Command bareins is the yardstick of the write mix: a bare pgx handler that takes the same
// GraphQL-shaped bodies as bench/load -writes (createContact / updateContact) and answers each
// with one transaction doing the same INSERTs or UPDATE, without authentication, GraphQL
// parsing, limits or usage. DSN, WS_ID (the workspace written to) and ADDR configure it.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

type body struct {
	Variables struct {
		In *struct {
			Email, FirstName, LastName, Company string
			Tags                                []string
		} `json:"in"`
		ID string `json:"id"`
		T  string `json:"t"`
	} `json:"variables"`
}

func main() {
	cfg, err := pgxpool.ParseConfig(os.Getenv("DSN"))
	if err != nil {
		panic(err)
	}
	cfg.MaxConns = 20
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		panic(err)
	}
	ws := os.Getenv("WS_ID")
	http.HandleFunc("/graphql", func(w http.ResponseWriter, r *http.Request) {
		var b body
		if json.NewDecoder(r.Body).Decode(&b) != nil {
			http.Error(w, "bad", 400)
			return
		}
		ctx, now := r.Context(), time.Now().UTC()
		tx, err := pool.Begin(ctx)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer tx.Rollback(ctx)
		var out any
		if in := b.Variables.In; in != nil {
			rb := make([]byte, 10)
			rand.Read(rb)
			id := "ctc_" + hex.EncodeToString(rb)
			tags, _ := json.Marshal(in.Tags)
			_, err = tx.Exec(ctx, `INSERT INTO contacts (id, workspace_id, email, first_name, last_name, company, tags, created_at, updated_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8)`, id, ws, in.Email, in.FirstName, in.LastName, in.Company, string(tags), now)
			for _, t := range in.Tags {
				if err == nil {
					_, err = tx.Exec(ctx, `INSERT INTO contact_tags (workspace_id, tag, contact_id) VALUES ($1,$2,$3)`, ws, t, id)
				}
			}
			out = map[string]any{"createContact": struct {
				ID    string `json:"id"`
				Email string `json:"email"`
			}{id, in.Email}}
		} else {
			var title string
			err = tx.QueryRow(ctx, `UPDATE contacts SET title = $1, updated_at = $2 WHERE id = $3 AND workspace_id = $4 RETURNING title`,
				b.Variables.T, now, b.Variables.ID, ws).Scan(&title)
			out = map[string]any{"updateContact": map[string]any{"id": b.Variables.ID, "title": title, "updatedAt": now}}
		}
		if err == nil {
			err = tx.Commit(ctx)
		}
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"data": out})
	})
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {})
	panic(http.ListenAndServe(os.Getenv("ADDR"), nil))
}
