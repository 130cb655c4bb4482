// Command gqlgen runs gqlgen's generation with the gqlfast plugin (go generate, generate.go).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen/config"

	"github.com/wbk/crm/internal/gqlfast/gen"
)

func main() {
	file := flag.String("config", "gqlgen.yml", "gqlgen configuration")
	flag.Parse()
	cfg, err := config.LoadConfig(*file)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen:", err)
		os.Exit(2)
	}
	// The Time scalar's marshaler writes RFC 3339 in UTC, as gqlfast.Writer.Time does.
	p := gen.New(map[string]gen.Native{"github.com/wbk/crm/models.MarshalTime": "Time"})
	if err := api.Generate(cfg, api.AddPlugin(p)); err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen:", err)
		os.Exit(3)
	}
}
