package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/wbk/crm/internal/buildinfo"
)

// envHelp lists the environment the server reads, for crm --help.
const envHelp = `environment:
  ADDR                   listen address (default 127.0.0.1:8080 with the embedded database, :8080 with DATABASE_URL)
  DATABASE_URL           postgres://… (unset: the embedded SQLite database in ./data/)
  REDIS_URL              redis://… to share rate limits and persisted queries (unset: in process)
  APQ_CACHE_BYTES        bytes of automatic persisted queries kept in process (default 32 MiB)
  PLAN_LIMITS            per-day/per-minute limits, e.g. starter=100/10,pro=1000/50,org=10000/200
  REQUEST_TIMEOUT        deadline of every request and statement (default 10s)
  LOG_LEVEL              debug, info, warn or error (default info)
  REQUEST_LOG            off: no INFO line per request
  CORS_ORIGINS           comma-separated origins browsers may call from (default any)
  METRICS_ADDR           serve /metrics on a listener of its own instead of the public one
  PPROF_ADDR             serve Go's profiles on a listener of their own
  OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
                         OTLP/HTTP collector: tracing on (other OTEL_* variables honoured)
  WEBHOOK_ALLOW_PRIVATE  true: webhook endpoints may resolve to private addresses
  LEXI_OPENAI_BASE_URL, LEXI_OPENAI_MODEL, LEXI_OPENAI_API_KEY, LEXI_OPENAI_TIMEOUT
                         Lexi's provider mode (an OpenAI-compatible chat API)`

// helpOrVersion answers crm help/--help/-h and crm version/--version on stdout; ok is false
// for any other command line.
func helpOrVersion(args []string, stdout io.Writer) (ok bool) {
	if len(args) != 1 {
		return false
	}
	switch args[0] {
	case "help", "--help", "-help", "-h":
		fmt.Fprintf(stdout, "crm: the CRM GraphQL API server and its admin CLI.\n\n%s\n\n%s\n", usageText, envHelp)
		return true
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, versionLine())
		return true
	}
	return false
}

func versionLine() string {
	b := buildinfo.Read()
	return strings.Join([]string{"crm", b.Version, "revision " + b.Revision, b.GoVersion}, " ")
}
