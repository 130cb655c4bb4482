package main

// gqlgen is pinned in go.mod; its generation runs with the gqlfast plugin (graph/fast.go).
//go:generate go run ./internal/gqlfast/cmd/gqlgen --config gqlgen.yml
