package app

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/wbk/crm/internal/buildinfo"
	"github.com/wbk/crm/internal/ratelimit"
	"github.com/wbk/crm/internal/store"
)

// registerDependencyMetrics adds the running build (build_info) and the state of what
// requests depend on to reg: the database
// pool (open, in use and idle connections, waits) and whether the rate limiter is serving
// from process memory because the configured Redis does not answer. No label carries a key
// or a workspace.
func registerDependencyMetrics(reg prometheus.Registerer, st *store.Store, limits *ratelimit.Failover) {
	if sqlDB, err := st.DB().DB(); err == nil {
		reg.MustRegister(collectors.NewDBStatsCollector(sqlDB, string(st.Dialect())))
	}
	build := buildinfo.Read()
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "build_info", Help: "Always 1; the labels name the running build.",
		ConstLabels: prometheus.Labels{"version": build.Version, "revision": build.Revision, "go_version": build.GoVersion},
	}, func() float64 { return 1 }))
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ratelimit_redis_fallback",
		Help: "1 while the configured Redis does not answer and rate limits are counted per instance in memory; 0 otherwise.",
	}, func() float64 {
		if limits.FallingBack() {
			return 1
		}
		return 0
	}))
}
