package lexi

import (
	"context"
	"strings"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// Builtin is the default assistant: deterministic, no network, no model files. It parses a
// message into typed actions (Parse) and hands them to the proposer, which reads only
// through the workspace-scoped store, so an answer can only ever contain the caller's own
// workspace's data.
type Builtin struct {
	Store *store.Store
}

const (
	// showLimit caps the contacts a reply lists.
	showLimit = 10
	// maxTaskContacts is the most contacts one task may touch: the store's per-call id limit.
	maxTaskContacts = 1000
	// maxTaskProspects keeps an import task reviewable.
	maxTaskProspects = 100
	// maxProposalsPerTurn bounds the tasks one chat turn may propose.
	maxProposalsPerTurn = 5
)

// HelpText is the reply to anything the built-in assistant does not understand.
const HelpText = `I can answer questions about this workspace and prepare changes for you to approve. Try:
- "How many contacts do we have?", "How many contacts at Acme?", "How many deals are in negotiation?", "How many open deals?"
- "Show contacts at Acme", "Who are our VIPs?", "Show the open deals", "What lists do we have?"
- "Create a list called VIP with contacts tagged vip"
- "Add contacts tagged vip to list VIP"
- "Tag contacts at Acme as enterprise"
- "Move deal Globex renewal to negotiation", "Globex renewal -> won"
- "Draft a campaign called Q4 launch for list VIP"
- "Import prospects at Acme"
Changes become tasks; nothing changes until a key with WRITE approves them.`

// refusalText is the reply to a request Lexi will not serve.
var refusalText = map[Refusal]string{
	Destructive: "I can't do that: I never delete, remove, rename or send anything. I answer questions about this workspace and prepare " +
		"new lists, list additions, tags, deal stage changes, draft campaigns and prospect imports as tasks for you to approve.\n\n" + HelpText,
	Steering: "I can't change how I work: I follow the same rules for every message. I answer questions about this workspace " +
		"and prepare changes as tasks for you to approve.\n\n" + HelpText,
}

// Reply answers one message.
func (b *Builtin) Reply(ctx context.Context, _ []*models.LexiMessage, message string) (string, []Proposal, error) {
	parsed := Parse(message)
	if parsed.Refusal != NoRefusal {
		return refusalText[parsed.Refusal], nil, nil
	}
	if len(parsed.Actions) == 0 {
		return unclearReply(parsed.Unclear), nil, nil
	}
	pr := &proposer{st: b.Store}
	var (
		replies   []string
		proposals []Proposal
	)
	for _, a := range parsed.Actions {
		if a.task() != "" && len(proposals) == maxProposalsPerTurn {
			replies = append(replies, "I prepare at most 5 tasks per message; ask again for the rest.")
			break
		}
		reply, p, err := pr.run(ctx, a)
		if err != nil {
			return "", nil, err
		}
		replies = append(replies, reply)
		if p != nil {
			proposals = append(proposals, *p)
		}
	}
	return strings.Join(replies, "\n\n"), proposals, nil
}

func unclearReply(what string) string {
	switch {
	case what == "deals":
		return "I did not understand which deals you mean: I count and show deals by stage (" + stageList() + ") or the open ones, " +
			"not by company, contact, date or amount.\n\n" + HelpText
	case what == "contacts":
		return notUnderstood(what)
	case what == "list-name":
		return `What should the list be called? For example: "create a list called Acme team with the contacts at Acme".`
	case what == "campaign-name":
		return `What should the campaign be called? For example: "draft a campaign called Q4 launch for list VIP".`
	case strings.HasPrefix(what, "stage:"):
		return stageUnknown(strings.TrimPrefix(what, "stage:"))
	}
	return HelpText
}

func stageUnknown(s string) string {
	return "\"" + s + "\" is not a deal stage. The stages are " + stageList() + "."
}

// stageList is "lead, qualified, … and lost".
func stageList() string {
	names := make([]string, len(models.AllDealStage))
	for i, st := range models.AllDealStage {
		names[i] = stageName(st)
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func notUnderstood(what string) string {
	return "I did not understand which " + what + " you mean. " + HelpText
}
