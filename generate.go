package main

// gqlgen is pinned as a tool in go.mod, so generation needs nothing installed.
//go:generate go tool gqlgen generate --config gqlgen.yml
