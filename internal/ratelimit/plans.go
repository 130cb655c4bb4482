package ratelimit

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wbk/crm/models"
)

// Limits are a plan's budgets, in cost units.
type Limits struct {
	Day    int64
	Minute int64
}

// Plans maps each plan to its limits.
type Plans map[models.Plan]Limits

// DefaultPlans are the plans documented in docs/api.md (Rate limits).
func DefaultPlans() Plans {
	return Plans{
		models.PlanStarter: {Day: 100, Minute: 10},
		models.PlanPro:     {Day: 1_000, Minute: 50},
		models.PlanOrg:     {Day: 10_000, Minute: 200},
	}
}

// ParsePlans reads PLAN_LIMITS, e.g. "starter=100/10,pro=1000/50,org=10000/200" (per day /
// per minute). Plans it does not name keep their defaults.
func ParsePlans(spec string) (Plans, error) {
	plans := DefaultPlans()
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, limits, ok := strings.Cut(part, "=")
		plan := models.Plan(strings.ToUpper(strings.TrimSpace(name)))
		day, minute, ok2 := strings.Cut(limits, "/")
		if !ok || !ok2 || !plan.IsValid() {
			return nil, fmt.Errorf("PLAN_LIMITS: %q is not plan=day/minute (plans: starter, pro, org)", part)
		}
		d, err1 := strconv.ParseInt(strings.TrimSpace(day), 10, 64)
		m, err2 := strconv.ParseInt(strings.TrimSpace(minute), 10, 64)
		if err1 != nil || err2 != nil || d <= 0 || m <= 0 {
			return nil, fmt.Errorf("PLAN_LIMITS: %q needs positive whole numbers", part)
		}
		plans[plan] = Limits{Day: d, Minute: m}
	}
	return plans, nil
}
