package lexi

import (
	"context"
	"fmt"
	"strings"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// ImportProspects proposes importing the prospect catalog's people at a company.
type ImportProspects struct {
	Company string `json:"company" desc:"The prospects' company." required:"true"`
	List    string `json:"list_name,omitempty" desc:"An existing list they should join."`
}

func (ImportProspects) task() models.LexiAction { return models.LexiActionImportProspects }

var importIntent = intent{name: "import prospects", read: readImport,
	tool: proposeTool("propose_import_prospects", "Propose importing the prospect catalog's people at a company as contacts, optionally into a list.",
		func(a *ImportProspects) error {
			if err := required("company", &a.Company); err != nil {
				return err
			}
			return optional("list_name", &a.List)
		})}

func readImport(c *clause) Action {
	if !c.has("import") && !(c.has("prospect", "prospects") && c.has("add", "bring", "pull", "load", "fetch", "get", "grab", "copy")) {
		return nil
	}
	lm, list := c.targetList("to", "into", "in", "onto")
	company := ""
	for _, m := range c.ms {
		if r, ok := m.get(kCompany, true); ok && m != lm {
			company = r.name
		}
	}
	if company == "" {
		i := c.idx("at", "from", "of", "for")
		if i < 0 {
			return nil
		}
		company, _, _ = c.valueAfter(i, c.stopAt([]string{"to", "into", "in", "and", "please"}, kList))
	}
	if company == "" {
		return nil
	}
	return ImportProspects{Company: company, List: list}
}

func (a ImportProspects) run(ctx context.Context, p *proposer) (result, error) {
	company := strings.TrimSpace(a.Company)
	conn, err := p.st.Prospects(ctx, store.PageArgs{First: new(maxTaskProspects)}, &models.ProspectFilter{Company: &company})
	if err != nil {
		return result{}, err
	}
	n, err := conn.TotalCount(ctx)
	if err != nil {
		return result{}, err
	}
	if n == 0 && normName(company) != strings.ToLower(company) {
		core := normName(company)
		if conn, err = p.st.Prospects(ctx, store.PageArgs{First: new(maxTaskProspects)}, &models.ProspectFilter{Company: &core}); err != nil {
			return result{}, err
		}
		if n, err = conn.TotalCount(ctx); err != nil {
			return result{}, err
		}
	}
	if n == 0 {
		return declined(fmt.Sprintf("The prospect catalog has nobody at %s.", company))
	}
	ps := conn.Nodes()
	idList := make([]string, len(ps))
	nameList := make([]string, 0, showLimit+1)
	for i, pr := range ps {
		idList[i] = pr.ID
		if i < showLimit {
			nameList = append(nameList, pr.FullName)
		}
	}
	if len(ps) > showLimit {
		nameList = append(nameList, fmt.Sprintf("and %d more", len(ps)-showLimit))
	}
	payload := store.LexiImportProspects{ProspectIDs: idList}
	title := fmt.Sprintf("Import %s at %s as contacts", plural(len(ps), "prospect"), company)
	desc := fmt.Sprintf("Copies %s at %s from the prospect catalog into this workspace as contacts (one whose email is already a contact is left as it is): %s.",
		plural(len(ps), "prospect"), company, strings.Join(nameList, ", "))
	if n > len(ps) {
		desc += fmt.Sprintf(" The catalog has %d at %s; this task takes the first %d.", n, company, len(ps))
	}
	fact := fmt.Sprintf("company=%q count=%d", company, len(ps))
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
		title += " into list " + l.Name
		desc += " They all join list " + l.Name + "."
		fact += fmt.Sprintf(" list=%q", l.Name)
	}
	return proposed(&Proposal{Action: models.LexiActionImportProspects, Title: title, Description: desc, Payload: payload}, fact)
}
