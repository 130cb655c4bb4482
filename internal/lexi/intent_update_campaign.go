package lexi

import (
	"context"
	"fmt"
	"strings"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// UpdateCampaign proposes changing a campaign's name, subject or list.
type UpdateCampaign struct {
	Campaign string `json:"campaign_name" desc:"The campaign's current name." required:"true"`
	Name     string `json:"new_name,omitempty" desc:"Its new name, exactly as the user wrote it."`
	Subject  string `json:"subject,omitempty" desc:"Its new subject line."`
	List     string `json:"list_name,omitempty" desc:"The existing list it should go to."`
}

func (UpdateCampaign) task() models.LexiAction { return models.LexiActionUpdateCampaign }

var updateCampaignIntent = intent{name: "update campaign", read: readUpdateCampaign,
	tool: proposeTool("propose_update_campaign", "Propose changing a campaign's name, subject or list; nothing is sent.",
		func(a *UpdateCampaign) error {
			for _, f := range []struct {
				n string
				v *string
			}{{"new_name", &a.Name}, {"subject", &a.Subject}, {"list_name", &a.List}} {
				if err := optional(f.n, f.v); err != nil {
					return err
				}
			}
			return required("campaign_name", &a.Campaign)
		})}

func readUpdateCampaign(c *clause) Action {
	cm, camp := c.campaign()
	if camp == nil || c.asked && !c.imperative() {
		return nil
	}
	a := UpdateCampaign{Campaign: camp.Name}
	if c.has("rename", "retitle") || c.has("name", "call", "title") && c.slotText() != "" {
		a.Name = clean(c.slotText())
	}
	if a.Name == "" && c.has("name") {
		a.Name, _, _ = c.fieldValue("name")
	}
	if i := c.idx("subject"); i >= 0 {
		k := c.find(i+1, "to", ":", "as", "is")
		if k < 0 && i+1 < c.b && c.toks[i+1].quoted {
			k = i
		}
		if k >= 0 && k+1 < c.b {
			a.Subject = c.raw(k+1, c.b)
			if k+1 < c.b && c.toks[k+1].quoted {
				a.Subject = c.toks[k+1].raw
			}
		}
	}
	for _, m := range c.mentions(kList, false) {
		if m != cm && !c.inSlot(m.from) {
			r, _ := m.get(kList, false)
			a.List = r.list.Name
		}
	}
	if a.List == "" && c.has("list") && c.has("to", "for", "use", "target", "targeting", "switch", "point") {
		_, a.List = c.targetList("to", "for", "use", "targeting", "target")
	}
	if a.Name == "" && a.Subject == "" && a.List == "" {
		return nil
	}
	return a
}

func (a UpdateCampaign) run(ctx context.Context, p *proposer) (result, error) {
	w, err := p.world(ctx)
	if err != nil {
		return result{}, err
	}
	camp, reply := w.resolveCampaign(a.Campaign)
	if camp == nil {
		return declined(reply)
	}
	if camp.Status == models.CampaignStatusSent {
		return declined(fmt.Sprintf("Campaign %s has been sent and can no longer change.", camp.Name))
	}
	payload := store.LexiUpdateCampaign{CampaignID: camp.ID}
	var changes, facts []string
	if n := strings.TrimSpace(a.Name); n != "" && n != camp.Name {
		payload.Name = &n
		changes = append(changes, fmt.Sprintf("name from %q to %q", camp.Name, n))
		facts = append(facts, fmt.Sprintf("name=%q", n))
	}
	if s := strings.TrimSpace(a.Subject); s != "" {
		payload.Subject = &s
		changes = append(changes, fmt.Sprintf("subject to %q", s))
		facts = append(facts, fmt.Sprintf("subject=%q", s))
	}
	if strings.TrimSpace(a.List) != "" {
		l, reply := w.resolveList(strings.TrimSpace(a.List))
		if l == nil {
			return declined(reply)
		}
		if camp.ListID == nil || *camp.ListID != l.ID {
			payload.ListID = &l.ID
			changes = append(changes, "list to "+l.Name)
			facts = append(facts, fmt.Sprintf("list=%q", l.Name))
		}
	}
	if len(changes) == 0 {
		return result{reply: fmt.Sprintf("Campaign %s already has those values.", camp.Name), fact: fmt.Sprintf("already campaign=%q", camp.Name)}, nil
	}
	r, err := proposed(&Proposal{Action: models.LexiActionUpdateCampaign,
		Title:       fmt.Sprintf("Change campaign %s: %s", camp.Name, strings.Join(changes, ", ")),
		Description: fmt.Sprintf("Changes campaign %s: %s. It stays a %s; nothing is sent.", camp.Name, strings.Join(changes, ", "), strings.ToLower(string(camp.Status))),
		Payload:     payload}, fmt.Sprintf("campaign=%q %s", camp.Name, strings.Join(facts, " ")))
	r.focus.campaign = camp
	return r, err
}
