package lexi

import (
	"strings"

	"github.com/wbk/crm/models"
)

// Lexi's actions are typed values. The built-in assistant parses text into them (parse.go),
// the provider's tool arguments decode into them (provider_tools.go, whose JSON schemas are
// generated from these very types), and both hand them to one proposer (propose.go) that
// resolves the names against the workspace and answers or proposes a task.
//
// Struct tags: json names the tool argument, desc describes it to the model, and
// required:"true" marks it required. Fields tagged json:"-" are the parser's alone.

// Action is one thing a user asked for: a question (Count, Show) or a change (the others).
type Action interface {
	// task is the kind of task the action proposes; "" for a question.
	task() models.LexiAction
}

// Selector says which contacts an action is about. The zero value selects nobody in
// particular: an empty list for CreateList, every contact for a question.
type Selector struct {
	Company string `json:"company,omitempty" desc:"Select the contacts at this company (case-insensitive; legal suffixes such as Inc or Ltd may be left out)."`
	Tag     string `json:"with_tag,omitempty" desc:"Select the contacts that have this tag."`
	List    string `json:"in_list,omitempty" desc:"Select the members of the list with this name."`
	All     bool   `json:"all_contacts,omitempty" desc:"Select every contact of the workspace; only when the user asked for all of them."`
	// Name is a word the parser cannot place ("the Acme contacts", "VIPs"): a company, a tag
	// or a list, whichever the workspace has.
	Name string `json:"-"`
}

// IsZero reports whether the selector names no contacts at all.
func (s Selector) IsZero() bool { return s == Selector{} }

// Subject is what a question is about.
type Subject int

// The subjects of questions.
const (
	Contacts Subject = iota
	Deals
	Lists
	Campaigns
)

// DealSelector says which deals a question is about: one stage, the open ones (not won or
// lost), or all of them.
type DealSelector struct {
	Stage models.DealStage
	Open  bool
	// Unfiltered is a date or amount the question also named ("this year", "over $10k"),
	// which deals are not selected by; the answer says so rather than pretend.
	Unfiltered string
}

// Count asks how many contacts, deals, lists or campaigns there are.
type Count struct {
	Of       Subject
	Contacts Selector
	Deals    DealSelector
}

// Show asks to see contacts, deals, lists or campaigns.
type Show struct {
	Of       Subject
	Contacts Selector
	Deals    DealSelector
}

// CreateList proposes a new list, empty or with the selected contacts.
type CreateList struct {
	Name string `json:"name" desc:"The new list's name." required:"true"`
	Selector
}

// AddToList proposes adding the selected contacts to an existing list.
type AddToList struct {
	List string `json:"list_name" desc:"The existing list's name." required:"true"`
	Selector
}

// TagContacts proposes adding a tag to the selected contacts.
type TagContacts struct {
	Tag string `json:"tag" desc:"The tag to add." required:"true"`
	Selector
}

// MoveDeal proposes moving a deal to another stage.
type MoveDeal struct {
	Deal  string           `json:"deal_title" desc:"The deal's title." required:"true"`
	Stage models.DealStage `json:"stage" desc:"The new stage." required:"true"`
}

// DraftCampaign proposes a DRAFT campaign, optionally for a list.
type DraftCampaign struct {
	Name string `json:"name" desc:"The campaign's name." required:"true"`
	List string `json:"list_name,omitempty" desc:"The existing list the campaign is for."`
}

// ImportProspects proposes importing the prospect catalog's people at a company.
type ImportProspects struct {
	Company string `json:"company" desc:"The prospects' company." required:"true"`
	List    string `json:"list_name,omitempty" desc:"An existing list they should join."`
}

func (Count) task() models.LexiAction           { return "" }
func (Show) task() models.LexiAction            { return "" }
func (CreateList) task() models.LexiAction      { return models.LexiActionCreateList }
func (AddToList) task() models.LexiAction       { return models.LexiActionAddContactsToList }
func (TagContacts) task() models.LexiAction     { return models.LexiActionTagContacts }
func (MoveDeal) task() models.LexiAction        { return models.LexiActionUpdateDealStage }
func (DraftCampaign) task() models.LexiAction   { return models.LexiActionCreateCampaign }
func (ImportProspects) task() models.LexiAction { return models.LexiActionImportProspects }

// stageWords are the words for each stage, the enum's own names included.
var stageWords = func() map[string]models.DealStage {
	m := map[string]models.DealStage{
		"new": models.DealStageLead, "prospecting": models.DealStageLead,
		"qualification": models.DealStageQualified, "qualifying": models.DealStageQualified, "sql": models.DealStageQualified,
		"proposals": models.DealStageProposal, "proposed": models.DealStageProposal, "proposal sent": models.DealStageProposal, "quote": models.DealStageProposal, "quoted": models.DealStageProposal,
		"negotiations": models.DealStageNegotiation, "negotiating": models.DealStageNegotiation, "in negotiation": models.DealStageNegotiation, "negotiate": models.DealStageNegotiation,
		"closed won": models.DealStageWon, "closed-won": models.DealStageWon, "closedwon": models.DealStageWon, "win": models.DealStageWon, "wins": models.DealStageWon, "winning": models.DealStageWon, "signed": models.DealStageWon, "closed/won": models.DealStageWon,
		"closed lost": models.DealStageLost, "closed-lost": models.DealStageLost, "closedlost": models.DealStageLost, "lose": models.DealStageLost, "losing": models.DealStageLost, "dead": models.DealStageLost, "closed/lost": models.DealStageLost,
	}
	// Every stage of the schema by its own name, singular and plural: adding a stage to the
	// schema makes it understood.
	for _, s := range models.AllDealStage {
		w := strings.ToLower(string(s))
		m[w], m[w+"s"] = s, s
	}
	return m
}()

// parseStage reads a stage word ("won", "Closed Won", "the negotiation stage").
func parseStage(s string) (models.DealStage, bool) {
	s = strings.ToLower(unquote(strings.TrimSpace(s)))
	s = strings.TrimSpace(stageNoise.ReplaceAllString(s, " "))
	s = strings.Join(strings.Fields(s), " ")
	if st, ok := stageWords[s]; ok {
		return st, true
	}
	// One typo ("wonn", "negotiaton"): the stage of the only stage word one edit away.
	var found models.DealStage
	for w, st := range stageWords {
		if len(w) >= 3 && oneEdit(s, w) {
			if found != "" && found != st {
				return "", false
			}
			found = st
		}
	}
	return found, found != ""
}

var stageNoise = re(`^(?:(?:in|at|into|to|as|with|the|stage|phase|status)\b\s*)+|\s*\b(?:stage|phase|status|now)$|[.!]+$`)

func stageName(s models.DealStage) string { return strings.ToLower(string(s)) }

// stagePhrase is how a stage reads after "There are 4 deals".
func stagePhrase(s models.DealStage) string {
	switch s {
	case models.DealStageNegotiation:
		return "in negotiation"
	case models.DealStageWon, models.DealStageLost:
		return stageName(s)
	}
	return "in the " + stageName(s) + " stage"
}
