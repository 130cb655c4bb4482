package lexi

import (
	"context"
	"fmt"
	"strings"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// DraftCampaign proposes a DRAFT campaign, optionally for a list.
type DraftCampaign struct {
	Name    string `json:"name" desc:"The campaign's name, exactly as the user wrote it." required:"true"`
	List    string `json:"list_name,omitempty" desc:"The existing list the campaign is for."`
	Subject string `json:"subject,omitempty" desc:"Its subject line, exactly as the user wrote it."`
}

func (DraftCampaign) task() models.LexiAction { return models.LexiActionCreateCampaign }

var createCampaignIntent = intent{name: "create campaign", read: readCreateCampaign,
	tool: proposeTool("propose_create_campaign", "Propose creating a DRAFT campaign, optionally for a list; nothing is sent.",
		func(a *DraftCampaign) error {
			if err := required("name", &a.Name); err != nil {
				return err
			}
			if err := optional("subject", &a.Subject); err != nil {
				return err
			}
			return optional("list_name", &a.List)
		})}

var campaignNouns = []string{"campaign", "campaigns", "newsletter", "blast", "mailing"}

func readCreateCampaign(c *clause) Action {
	ci := c.creating(campaignNouns...)
	if ci < 0 || c.asked && !c.imperative() {
		return nil
	}
	if m, _ := c.campaign(); m != nil && m.strong(kCampaign) && c.slotText() == "" && c.before(ci) != "new" {
		return nil // an existing campaign
	}
	name, na, nb := c.nameAfter(ci, kList)
	if name == "" {
		name, na, nb = c.preNoun(ci), -1, -1
	}
	a := DraftCampaign{Name: name}
	if m, l := c.targetList("for", "to", "targeting", "using", "on", "at", "with", "list"); l != "" && (m == nil || m.from < na || m.from >= nb) {
		a.List = l
	}
	if a.List == "" {
		for _, m := range c.mentions(kList, false) {
			if !c.inSlot(m.from) && (m.from < na || m.from >= nb) && !strings.Contains(name, c.raw(m.from, m.to)) {
				r, _ := m.get(kList, false)
				a.List = r.list.Name
			}
		}
	}
	a.Subject = c.subject()
	return a
}

// subject is the subject line a clause gives: after "subject" (and "to", "is", ":"),
// quoted or up to the end.
func (c *clause) subject() string {
	i := c.idx("subject")
	if i < 0 {
		return ""
	}
	k := i
	if j := c.find(i+1, "to", ":", "as", "is", "line"); j >= 0 && j <= i+4 {
		k = j
	}
	for q := k + 1; q < c.b; q++ {
		if c.toks[q].quoted {
			return c.toks[q].raw
		}
	}
	if k+1 < c.b {
		return c.raw(k+1, c.b)
	}
	return ""
}

// campaign is the campaign a clause names, or the one in focus when it says "it".
func (c *clause) campaign() (*mention, *models.Campaign) {
	for _, m := range c.ms {
		if r, ok := m.get(kCampaign, true); ok && !c.inSlot(m.from) && (!r.weak || m.onlyWeak() || c.has("campaign")) {
			return m, r.campaign
		}
	}
	if _, one := c.pronoun(); (one || c.has("campaign")) && c.focus != nil && c.focus.campaign != nil {
		return nil, c.focus.campaign
	}
	return nil, nil
}

func (a DraftCampaign) run(ctx context.Context, p *proposer) (result, error) {
	name := strings.TrimSpace(a.Name)
	if name == "" || len([]rune(name)) > 255 {
		return declined(`What should the campaign be called? For example: "draft a campaign called Q4 launch for list VIP".`)
	}
	payload := store.LexiCreateCampaign{Name: name}
	title := "Create draft campaign " + name
	desc := fmt.Sprintf("Creates a DRAFT campaign named %q without a list, subject or body; nothing is sent.", name)
	fact := fmt.Sprintf("name=%q", name)
	if strings.TrimSpace(a.List) != "" {
		w, err := p.world(ctx)
		if err != nil {
			return result{}, err
		}
		l, reply := w.resolveList(strings.TrimSpace(a.List))
		if l == nil {
			return declined(reply)
		}
		payload.ListID = &l.ID
		title += " for list " + l.Name
		desc = fmt.Sprintf("Creates a DRAFT campaign named %q for list %s, without a subject or body; nothing is sent.", name, l.Name)
		fact += fmt.Sprintf(" list=%q", l.Name)
	}
	if s := strings.TrimSpace(a.Subject); s != "" {
		payload.Subject = &s
		desc += fmt.Sprintf(" Its subject is %q.", s)
		fact += fmt.Sprintf(" subject=%q", s)
	}
	return proposed(&Proposal{Action: models.LexiActionCreateCampaign, Title: title, Description: desc, Payload: payload}, fact)
}
