package lexi_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/lexi"
	"github.com/wbk/crm/models"
)

// Fresh phrasings about the demo workspace, written before they were run (docs/lexi.md),
// answered end to end: the first sentence of each answer (which names the count, company, tag,
// list, deal and stage) and the kinds of the tasks proposed.
func TestBuiltinFreshPhrasings(t *testing.T) {
	ctx, st := demo(t)
	b := &lexi.Builtin{Store: st}
	cases := []struct {
		msg   string
		first []string
		tasks []models.LexiAction
	}{
		{"how many contacts do we have at Acme Inc?", []string{"There are 8 contacts at Acme."}, []models.LexiAction{}},
		{"How many people work at Stark Industries Inc.?", []string{"There are 5 contacts at Stark Industries."}, []models.LexiAction{}},
		{"how many contacts at wayne enterprises llc", []string{"There are 5 contacts at Wayne Enterprises."}, []models.LexiAction{}},
		{"who are our vips?", []string{"I found 13 contacts tagged vip; here are the first 10:"}, []models.LexiAction{}},
		{"how many vip's do we have", []string{"There are 13 contacts tagged vip."}, []models.LexiAction{}},
		{"show me the Initech folks", []string{"I found 5 contacts at Initech:"}, []models.LexiAction{}},
		{"any contacts at Cyberdyne?", []string{"There are 4 contacts at Cyberdyne Systems."}, []models.LexiAction{}},
		{"how many contacts are tagged newsletter", []string{"There are 22 contacts tagged newsletter."}, []models.LexiAction{}},
		{"how many trial users do we have", []string{"There are 13 contacts tagged trial."}, []models.LexiAction{}},
		{"who's on the trial users list", []string{"I found 13 contacts in list Trial users; here are the first 10:"}, []models.LexiAction{}},
		{"how many people are in Acme accounts", []string{"There are 8 contacts in list Acme accounts."}, []models.LexiAction{}},
		{"show the Enterprise customers list", []string{"I found 17 contacts in list Enterprise customers; here are the first 10:"}, []models.LexiAction{}},
		{"how many deals are in negotiation?", []string{"There are 4 deals in negotiation."}, []models.LexiAction{}},
		{"how many deals did we win", []string{"There are 5 deals won."}, []models.LexiAction{}},
		{"how many deals r lost", []string{"There are 3 deals lost."}, []models.LexiAction{}},
		{"how many open deals are in proposal?", []string{"There are 4 deals in the proposal stage."}, []models.LexiAction{}},
		{"what's in negotiation right now", []string{"I found 4 deals in negotiation:"}, []models.LexiAction{}},
		{"show me the deals in proposal", []string{"I found 4 deals in the proposal stage:"}, []models.LexiAction{}},
		{"how many deals are still open", []string{"There are 19 open deals."}, []models.LexiAction{}},
		{"which deals have we closed won", []string{"I found 5 deals won:"}, []models.LexiAction{}},
		{"do we have any contacts tagged vip? how many?", []string{"There are 13 contacts tagged vip."}, []models.LexiAction{}},
		{"label the Globex contacts as prospect", []string{"I've prepared a task for your approval: Tag the 6 contacts at Globex as prospect."}, []models.LexiAction{models.LexiActionTagContacts}},
		{"new list: Globex team, with the contacts at Globex", []string{"I've prepared a task for your approval: Create list Globex team with the 6 contacts at Globex."}, []models.LexiAction{models.LexiActionCreateList}},
		{"Add vip-tagged contacts to 'Existing'", []string{"There is no list named Existing. You can ask me to create a list called Existing first. Your lists are: VIP, Newsletter, Acme accounts, Q4 prospects, Enterprise customers, Trial users."}, []models.LexiAction{}},
		{"Globex renewal deal -> lost", []string{"I've prepared a task for your approval: Move deal Globex renewal from proposal to lost."}, []models.LexiAction{models.LexiActionUpdateDealStage}},
		{"move the Wonka UK rollout deal to negotiation", []string{"I've prepared a task for your approval: Move deal Wonka UK rollout from proposal to negotiation."}, []models.LexiAction{models.LexiActionUpdateDealStage}},
		{"Hooli developer platform -> qualified", []string{"I've prepared a task for your approval: Move deal Hooli developer platform from lead to qualified."}, []models.LexiAction{models.LexiActionUpdateDealStage}},
		{"we won the Umbrella Europe expansion", []string{"I've prepared a task for your approval: Move deal Umbrella Europe expansion from proposal to won."}, []models.LexiAction{models.LexiActionUpdateDealStage}},
		{"mark Soylent operations dashboard as lost", []string{"I've prepared a task for your approval: Move deal Soylent operations dashboard from lead to lost."}, []models.LexiAction{models.LexiActionUpdateDealStage}},
		{"set Pied Piper startup plan to negotiating", []string{"I've prepared a task for your approval: Move deal Pied Piper startup plan from won to negotiation."}, []models.LexiAction{models.LexiActionUpdateDealStage}},
		{"move 'Cyberdyne robotics telemetry' to closed won pls", []string{"I've prepared a task for your approval: Move deal Cyberdyne robotics telemetry from negotiation to won."}, []models.LexiAction{models.LexiActionUpdateDealStage}},
		{"create a list called Stark team with the contacts at Stark Industries Inc", []string{"I've prepared a task for your approval: Create list Stark team with the 5 contacts at Stark Industries."}, []models.LexiAction{models.LexiActionCreateList}},
		{"create a list called Trialists w/ everyone tagged trial", []string{"I've prepared a task for your approval: Create list Trialists with the 13 contacts tagged trial."}, []models.LexiAction{models.LexiActionCreateList}},
		{"add the Hooli contacts to the VIP list", []string{"I've prepared a task for your approval: Add the 5 contacts at Hooli to list VIP."}, []models.LexiAction{models.LexiActionAddContactsToList}},
		{"add contacts tagged enterprise to Enterprise customers", []string{"I've prepared a task for your approval: Add the 17 contacts tagged enterprise to list Enterprise customers. Nothing changes until a key with WRITE approves it. All of them are already in the list, so approving it changes nothing."}, []models.LexiAction{models.LexiActionAddContactsToList}},
		{"put everyone at Massive Dynamic on the Q4 prospects list", []string{"I've prepared a task for your approval: Add 2 of the 3 contacts at Massive Dynamic to list Q4 prospects (1 is already in it)."}, []models.LexiAction{models.LexiActionAddContactsToList}},
		{"tag contacts at Vandelay Industries as importer", []string{"I've prepared a task for your approval: Tag the 3 contacts at Vandelay Industries as importer."}, []models.LexiAction{models.LexiActionTagContacts}},
		{"tag the VIPs as gold", []string{"I've prepared a task for your approval: Tag the 13 contacts tagged vip as gold."}, []models.LexiAction{models.LexiActionTagContacts}},
		{"tag everyone in the Trial users list with nurture", []string{"I've prepared a task for your approval: Tag the 13 contacts in list Trial users as nurture."}, []models.LexiAction{models.LexiActionTagContacts}},
		{"draft a campaign called Q4 launch for list VIP", []string{"I've prepared a task for your approval: Create draft campaign Q4 launch for list VIP."}, []models.LexiAction{models.LexiActionCreateCampaign}},
		{"draft a campaign 'Trial tips' for the Trial users list", []string{"I've prepared a task for your approval: Create draft campaign Trial tips for list Trial users."}, []models.LexiAction{models.LexiActionCreateCampaign}},
		{"create an email campaign named Holiday greetings for Newsletter", []string{"I've prepared a task for your approval: Create draft campaign Holiday greetings for list Newsletter."}, []models.LexiAction{models.LexiActionCreateCampaign}},
		{"import prospects at Contoso", []string{"I've prepared a task for your approval: Import 12 prospects at Contoso as contacts."}, []models.LexiAction{models.LexiActionImportProspects}},
		{"how many campaigns do we have", []string{"You have 4 campaigns."}, []models.LexiAction{}},
		{"what lists do we have", []string{"You have 6 lists:"}, []models.LexiAction{}},
		{"show campaigns", []string{"You have 4 campaigns:"}, []models.LexiAction{}},
		{"how many contacts at Acme? what about Globex?", []string{"There are 8 contacts at Acme.", "There are 6 contacts at Globex."}, []models.LexiAction{}},
		{"how many deals are won? and lost?", []string{"There are 5 deals won.", "There are 3 deals lost."}, []models.LexiAction{}},
		{"how many contacts at acme corp tagged vip", []string{"There are 4 contacts at Acme tagged vip."}, []models.LexiAction{}},
		{"hey lexi could you pls show me everyone at Umbrella Corp thx", []string{"I found 5 contacts at Umbrella:"}, []models.LexiAction{}},
		// Dates and amounts (not part of batch 5): owned up to, or declined without a stage.
		{"how many deals did we win this year?", []string{`There are 5 deals won. That is all of them: I can't select deals by date or amount ("this year").`}, []models.LexiAction{}},
		{"how many deals close this month", []string{"I did not understand which deals you mean: I count and show deals by stage (lead, qualified, proposal, negotiation, won and lost) or the open ones, not by company, contact, date or amount.", lexi.HelpText[:strings.Index(lexi.HelpText, "\n")]}, []models.LexiAction{}},
	}
	for _, tc := range cases {
		t.Run(tc.msg, func(t *testing.T) {
			reply, props, err := b.Reply(ctx, nil, tc.msg)
			if err != nil {
				t.Fatal(err)
			}
			var first []string
			for _, para := range strings.Split(reply, "\n\n") {
				line, _, _ := strings.Cut(para, "\n")
				first = append(first, strings.TrimSuffix(line, " Nothing changes until a key with WRITE approves it."))
			}
			tasks := []models.LexiAction{}
			for _, p := range props {
				tasks = append(tasks, p.Action)
			}
			if !slices.Equal(first, tc.first) || !slices.Equal(tasks, tc.tasks) {
				t.Errorf("Reply(%q)\n got %q, tasks %v\nwant %q, tasks %v", tc.msg, first, tasks, tc.first, tc.tasks)
			}
		})
	}
}
