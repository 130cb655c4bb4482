package lexi

import (
	"context"
	"fmt"
	"strings"

	"github.com/wbk/crm/models"
)

// Pipeline asks for every stage with its deals' count and total, closed stages included.
type Pipeline struct {
	Company string
}

func (Pipeline) task() models.LexiAction { return "" }

var pipelineIntent = intent{name: "pipeline", read: readPipeline}

func readPipeline(c *clause) Action {
	byStage := c.seq("by", "stage") >= 0 || c.seq("per", "stage") >= 0 || c.seq("each", "stage") >= 0 || c.seq("every", "stage") >= 0 ||
		c.seq("by", "stages") >= 0 || c.has("breakdown", "overview", "summary", "summarize", "summarise", "funnel")
	if !byStage && !(c.has("pipeline") && (c.has("look", "looking", "doing", "going", "status", "state", "show", "stages") || c.seq("how's") >= 0)) {
		return nil
	}
	if !c.has("pipeline", "deal", "deals", "stage", "stages", "funnel", "opportunities") {
		return nil
	}
	a := Pipeline{}
	for _, m := range c.mentions(kCompany, false) {
		r, _ := m.get(kCompany, false)
		a.Company = r.name
	}
	return a
}

func (a Pipeline) run(ctx context.Context, p *proposer) (result, error) {
	w, err := p.world(ctx)
	if err != nil {
		return result{}, err
	}
	deals := w.v.Deals
	label := "Pipeline by stage"
	if a.Company != "" {
		deals = w.dealsOf(a.Company)
		label += " at " + a.Company
	}
	count := map[models.DealStage]int{}
	sum := map[models.DealStage]int64{}
	var total int64
	for _, d := range deals {
		count[d.Stage]++
		sum[d.Stage] += d.Amount
		total += d.Amount
	}
	var sb strings.Builder
	var facts []string
	fmt.Fprintf(&sb, "%s (%s, %s in all):", label, plural(len(deals), "deal"), money(total, w.currency))
	for _, st := range models.AllDealStage {
		fmt.Fprintf(&sb, "\n- %s: %s, %s", stageName(st), plural(count[st], "deal"), money(sum[st], w.currency))
		facts = append(facts, fmt.Sprintf("%s %d %s", stageName(st), count[st], money(sum[st], w.currency)))
	}
	return result{reply: sb.String(), fact: "pipeline = " + strings.Join(facts, "; ")}, nil
}
