package usage_test

import (
	"github.com/wbk/crm/internal/usage"
	"github.com/wbk/crm/resolvers"
)

var _ resolvers.UsageReader = (*usage.Recorder)(nil)
