package lexi

import (
	"context"
	"fmt"
	"strings"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// MoveDeal proposes moving a deal to another stage.
type MoveDeal struct {
	Deal  string           `json:"deal_title" desc:"The deal's title." required:"true"`
	Stage models.DealStage `json:"stage" desc:"The new stage." required:"true"`
}

func (MoveDeal) task() models.LexiAction { return models.LexiActionUpdateDealStage }

var moveDealIntent = intent{name: "move deal", read: readMoveDeal,
	tool: proposeTool("propose_update_deal_stage", "Propose moving a deal to another stage.",
		func(a *MoveDeal) error {
			if a.Stage == "" {
				return badArgs("stage is required")
			}
			return required("deal_title", &a.Deal)
		})}

// dealTitle is the title of the deal a clause names or refers to.
func (c *clause) dealTitle() (string, *mention) {
	if m, ok := c.deal(); ok {
		r, _ := m.get(kDeal, true)
		return r.deal.Title, m
	}
	if c.dealInFocus() {
		return c.focus.deal.Title, nil
	}
	return "", nil
}

// unknownDeal reads the title of a deal the workspace does not have, so that the reply can
// say so: "move deal Big renewal to won".
func (c *clause) unknownDeal() string {
	k := c.find(c.a, "deal", "opportunity", "opp")
	if k < 0 {
		return ""
	}
	v, _, _ := c.valueAfter(k, c.stopAt([]string{"to", "into", "as", "from", "in", "->"}, kStage))
	return v
}

func readMoveDeal(c *clause) Action {
	st, _, ok := c.stage()
	if !ok {
		return nil
	}
	title, _ := c.dealTitle()
	if _, i := c.requestVerb(editVerbs); title == "" && i >= 0 {
		title = c.unknownDeal()
	}
	if title == "" || c.asked && !c.imperative() {
		return nil
	}
	return MoveDeal{Deal: title, Stage: st.stage}
}

func (a MoveDeal) run(ctx context.Context, p *proposer) (result, error) {
	stage, ok := parseStage(string(a.Stage))
	if !ok {
		return declined(fmt.Sprintf("%q is not a deal stage. The stages are %s.", a.Stage, stageList()))
	}
	w, err := p.world(ctx)
	if err != nil {
		return result{}, err
	}
	d, reply := w.resolveDeal(strings.TrimSpace(a.Deal))
	if d == nil {
		return declined(reply)
	}
	if d.Stage == stage {
		return result{reply: fmt.Sprintf("Deal %s is already in %s.", d.Title, stageName(stage)),
			fact: fmt.Sprintf("already deal=%q stage=%s", d.Title, stageName(stage)), focus: focus{deal: d}}, nil
	}
	r, err := proposed(&Proposal{Action: models.LexiActionUpdateDealStage,
		Title:       fmt.Sprintf("Move deal %s from %s to %s", d.Title, stageName(d.Stage), stageName(stage)),
		Description: fmt.Sprintf("Changes the stage of deal %s from %s to %s. Its amount, contact and close date stay.", d.Title, stageName(d.Stage), stageName(stage)),
		Payload:     store.LexiDealStage{DealID: d.ID, Stage: stage}},
		fmt.Sprintf("deal=%q stage=%s", d.Title, stageName(stage)))
	r.focus.deal = d
	return r, err
}
