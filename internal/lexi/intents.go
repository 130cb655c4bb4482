package lexi

import (
	"regexp"
	"strings"

	"github.com/wbk/crm/models"
)

// The intents of one clause. Each returns nil when the clause is not of its kind.

const (
	contactNoun = `(?:contacts?|people|ppl|peeps|persons?|folks|everyone|everybody|anyone|anybody|someone|somebody|employees|individuals|staff|customers|clients|members|subscribers|users)`
	det         = `(?:(?:all|every|each|the|our|my|your|any|those|these|of|current|existing|some|its|their|this|that)\s+)*`
	namedWord   = `(?:,?\s*(?:and\s+)?(?:call|name|title)\s+it\s*:?\s+|(?:with\s+(?:the\s+)?)?(?:called|named|titled|labell?ed|name|title)\s*:?\s+|:\s*)`
)

var (
	arrow = re(`^(?:move\s+|set\s+)?(?:the\s+)?(?:deal\s+|opportunity\s+)?(.+?)\s*(?:->|=>|-->|>)\s*(.+)$`)

	campaignWord  = re(`\b(?:campaigns?|newsletters?|e-?mail\s+blasts?|blasts?|mailings?|e-?mails?|e-?mail\s+campaigns?)\b`)
	campaignVerb  = re(`^(?:draft|create|make|build|write|prepare|compose|start|set\s+up|setup|spin\s+up|put\s+together|plan|launch|new|begin|kick\s+off|need|want|a\s+new|an?)\b`)
	campaignShape = re(`^(?:\w+(?:\s+up|\s+together|\s+off)?\s+)?(?:(?:me|us)\s+)?(?:(?:a|an|the|one)\s+)?(?:new\s+)?(?:draft\s+)?(?:(?:of\s+)?(?:an?\s+)?(?:e-?mail|marketing|outreach|drip)\s+)?(.*?)\b(?:campaign|newsletter|e-?mail\s+blast|blast|mailing|e-?mail)\b\s*(.*)$`)
	campaignFor   = re(`^(.*?)\s*,?\s+(?:for|to|targeting|aimed\s+at|aimed\s+to|using|on|at|with)\s+(?:(?:the|our|my)\s+)?(?:list\s+(?:(?:called|named)\s+)?)?(.+?)(?:\s+(?:mailing\s+)?list)?(?:\s+(?:called|named|titled)\s+(.+))?$`)

	prospectWord = re(`\bprospects?\b`)
	prospects    = re(`^(?:import|bring\s+in|pull\s+in|add|copy|load|fetch|get|grab|pull)\s+(?:from\s+(?:the\s+)?catalog\s+)?` + det + `(?:the\s+)?(?:catalog\s+)?prospects?\s+(?:(?:who\s+)?(?:at|from|of|for|working\s+at|who\s+work\s+at|that\s+work\s+at|employed\s+at)\s+)(?:the\s+)?(?:company\s+)?(.+?)(?:\s+(?:in)?to\s+(.+))?$`)
	prospectsPre = re(`^(?:import|bring\s+in|pull\s+in|add|copy|load|fetch|get|grab|pull)\s+` + det + `(.+?)\s+prospects?(?:\s+(?:in)?to\s+(.+))?$`)

	createVerb = `(?:create|make|build|set\s+up|setup|start|add|new|open|spin\s+up|put\s+together|generate|establish|form|begin|prepare|draft)`
	createList = re(`^` + createVerb + `\s+(?:(?:me|us)\s+)?(?:(?:a|an|the|one)\s+)?(?:brand\s+)?(?:new\s+)?(?:empty\s+|blank\s+)?(?:contact\s+|static\s+|mailing\s+|smart\s+)?list\b\s*(.*)$`)
	newList    = re(`^(?:(?:a|an)\s+)?new\s+(?:contact\s+)?list\b\s*(.*)$`)
	namedList  = re(`^(?:create|make|build|set\s+up|setup|start|new|spin\s+up|put\s+together|generate|establish|form|begin|prepare)\s+(?:(?:me|us)\s+)?(?:(?:a|an|the|one)\s+)?(?:new\s+)?("[^"]+"|'[^']+'|.+?)\s+list\b\s*(.*)$`)
	intoNew    = re(`^(?:put|add|group|gather|collect|save|copy|move|place|throw|stick|turn|make)\s+(.+?)\s+(?:in|into|to|onto|as)\s+(?:a\s+)?(?:brand\s+)?new\s+list\b\s*(.*)$`)
	listSplit  = re(`^(.*?)\s*,?\s+(?:with|containing|including|holding|having|that\s+(?:has|have|contains?|includes?|holds?)|made\s+up\s+of|consisting\s+of|populated\s+with|filled\s+with|and\s+(?:add|put|include|fill\s+it\s+with|populate\s+it\s+with)|to\s+hold|out\s+of|of|from|for)\s+(.+)$`)
	nameLater  = re(`^(?:with|of|containing|including|from|for|holding|having)\s+(.+?)\s*,?\s+(?:(?:and\s+)?(?:call|name|title)\s+it|called|named|titled)\s*:?\s+(.+)$`)

	tagAsLast  = re(`^(?:tag|label|mark|flag|classify|categori[sz]e)\s+(.+)\s+as\s+(?:(?:a|an|the)\s+)?(?:tag\s+|label\s+)?(.+?)(?:\s+(?:tag|label))?$`)
	tagAs      = re(`^(?:tag|label|mark|flag|classify|categori[sz]e)\s+(.+?)\s+(?:as|with|to)\s+(?:(?:a|an|the)\s+)?(?:tag\s+|label\s+)?(.+?)(?:\s+(?:tag|label))?$`)
	tagBare    = re(`^(?:tag|label)\s+(.+?\b` + contactNoun + `)\s+("[^"]+"|'[^']+'|\S+)$`)
	addTag     = re(`^(?:add|apply|put|attach|assign|stick|set|give)\s+(?:(?:a|an|the)\s+)?(?:tag|label)\s*:?\s+(.+?)\s+(?:to|on|onto|for)\s+(.+)$`)
	addTagPre  = re(`^(?:add|apply|put|attach|assign|stick)\s+(?:(?:a|an|the)\s+)?(.+?)\s+(?:tag|label)\s+(?:to|on|onto|for)\s+(.+)$`)
	giveTag    = re(`^give\s+(.+?)\s+(?:(?:a|an|the)\s+)?(?:tag|label)\s+(.+)$`)
	giveTagPre = re(`^give\s+(.+?)\s+(?:(?:a|an|the)\s+)(.+?)\s+(?:tag|label)$`)

	addVerb = `(?:add|put|include|append|copy|insert|place|throw|stick|move|enroll|enrol|assign|bring|get|drop|push|subscribe|sign\s+up)`
	addTo   = re(`^` + addVerb + `\s+(.+)$`)
	toList  = re(`\s+(?:to|into|onto|in|on|under)\s+`)

	moveVerb  = `(?:move|set|change|update|put|advance|push|bump|mark|shift|progress|switch|transition|bring|take|drag|flip|downgrade|upgrade|promote|demote|get|close|make)`
	moveDeal  = re(`^` + moveVerb + `\s+(?:(?:the|our)\s+)?(?:(?:deal|opportunity)\s+)?(?:stage\s+(?:of|for|on)\s+(?:(?:the|our)\s+)?)?(.+?)(?:\s+(?:(?:back|over|forward|up|down|along)\s+)?(?:to|into|as|at|in|->|on|=)|\s*:)\s+(?:(?:the|a)\s+)?(.+)$`)
	closeDeal = re(`^(?:close(?:\s+out)?|mark|set|call)\s+(?:(?:the|our)\s+)?(.+?)\s+(?:as\s+|to\s+)?((?:closed[\s-]+)?(?:won|lost))$`)
	weWon     = re(`^(?:(?:we|i|they)\s+(?:just\s+|finally\s+|have\s+|'ve\s+)?)?(won|lost|closed|signed)\s+(?:(?:the|our)\s+)?(.+?)$`)
	dealIs    = re(`^(?:the\s+)?(.+?)\s+(?:should\s+(?:be\s+moved|move|go)|needs?\s+to\s+(?:move|go|be\s+moved)|will\s+(?:move|go)|is|was|has\s+been|got|should\s+be|needs\s+to\s+be|must\s+be|went|goes|moved|moves|can\s+(?:go|move)|is\s+now|now|to|:|=|stage\s+(?:is|to|=))\s+(?:now\s+)?(?:officially\s+)?(?:been\s+)?(?:moved\s+|set\s+|marked\s+|closed\s+)?(?:(?:to|in|into|as|at|back\s+to)\s+)?(?:(?:the|a)\s+)?(.+)$`)
	dealWord  = re(`\b(?:deals?|opportunit(?:y|ies)|opps?)\b`)
	dealTrim  = re(`^(?:(?:the|our|my|a)\s+)?(?:(?:stage|status)\s+(?:of|for|on)\s+)?(?:(?:deal|opportunity|opp)\s+)?(?:(?:called|named|titled)\s+)?|(?:'s)?(?:\s+(?:deal|opportunity|opp)(?:'s)?)?(?:'s)?(?:\s+(?:stage|status))?$`)
)

func parseArrow(c string, prev Action) (Action, string) {
	// A dash between spaces is an arrow only before a stage: "Globex renewal - won", but
	// "Acme - VIPs" may be a list's name.
	if m := re(`^(.+?)\s+-\s+(.+)$`).FindStringSubmatch(c); m != nil && !arrow.MatchString(c) {
		if st, ok := parseStage(m[2]); ok {
			if name := dealName(re(`^(?:move|set)\s+`).ReplaceAllString(m[1], "")); name != "" && !subjectNoun.MatchString(name) &&
				!re(`^(?:how|what|which|who|show|list|count|find)\b`).MatchString(name) {
				return MoveDeal{Deal: name, Stage: st}, ""
			}
		}
		return nil, ""
	}
	m := arrow.FindStringSubmatch(c)
	if m == nil {
		return nil, ""
	}
	if st, ok := parseStage(m[2]); ok {
		return MoveDeal{Deal: dealName(m[1]), Stage: st}, ""
	}
	// An arrow reads "to": "add Globex contacts -> VIP list", "Acme people -> list VIP".
	if addTo.MatchString(m[1]) || re(`(?:^|\s)list\b|\blist$|^["']`).MatchString(strings.TrimSpace(m[2])) {
		verb := ""
		if !addTo.MatchString(m[1]) {
			verb = "add "
		}
		if a, unclear := parseAddToList(verb+m[1]+" to "+m[2], prev); a != nil || unclear != "" {
			return a, unclear
		}
	}
	return nil, "stage:" + unquote(m[2])
}

func dealName(s string) string {
	s = unquote(s)
	for {
		before := s
		s = unquote(dealTrim.ReplaceAllString(s, ""))
		if s == before {
			return s
		}
	}
}

func parseCampaign(c string, _ Action) (Action, string) {
	// Noun first: "campaign draft: Year in review, for Newsletter".
	if m := re(`^(?:(?:new|draft)\s+)?(?:e-?mail\s+)?campaign(?:\s+draft)?\s*:\s*(.+)$`).FindStringSubmatch(c); m != nil {
		c = "draft a campaign called " + m[1]
	}
	if !campaignWord.MatchString(c) || !campaignVerb.MatchString(c) {
		return nil, ""
	}
	// "create a list called Newsletter fans", "the Newsletter list": a name, not a campaign.
	if w, l := campaignWord.FindStringIndex(c), re(`\blist\b`).FindStringIndex(c); l != nil && l[0] < w[0] ||
		re(`^\s+(?:list|fans|subscribers|readers)\b`).MatchString(c[w[1]:]) {
		return nil, ""
	}
	// "send an email now" was refused already; an e-mail without a verb of drafting is not a campaign.
	m := campaignShape.FindStringSubmatch(c)
	if m == nil {
		return nil, ""
	}
	before, after := strings.TrimSpace(m[1]), strings.TrimSpace(m[2])
	var name, list string
	after = strings.TrimSpace(re(`^`+namedWord).ReplaceAllString(after, ""))
	if lm := campaignFor.FindStringSubmatch(after); lm != nil {
		name, list = lm[1], lm[2]
		if lm[3] != "" { // "for list VIP called Q4 launch"
			name = lm[3]
		}
	} else if lm := re(`^(?:for|to|targeting|aimed\s+at|using|on)\s+(?:(?:the|our|my)\s+)?(?:list\s+)?(.+?)(?:\s+list)?(?:\s*,?\s+(?:called|named|titled)\s+(.+))?$`).FindStringSubmatch(after); lm != nil {
		list, name = lm[1], lm[2]
	} else {
		name = after
	}
	if name == "" && before != "" && !re(`^(?:a|an|the|new|draft|of)$`).MatchString(before) {
		name = before
	}
	name = unquote(re(`^`+namedWord).ReplaceAllString(strings.TrimSpace(name), ""))
	list = listName(list)
	if name == "" {
		return nil, "campaign-name"
	}
	return DraftCampaign{Name: name, List: list}, ""
}

// listName reads a list reference: "list VIP", "the VIP list", "'VIP'", "our list called VIP".
func listName(s string) string {
	s = unquote(s)
	s = re(`^(?:(?:in|on|of|from|to|into|the|our|my|a|an|existing)\s+)*(?:(?:contact|mailing)\s+)?(?:list\s+(?:(?:called|named|titled)\s+)?)?`).ReplaceAllString(s, "")
	s = re(`\s+(?:(?:contact|mailing)\s+)?list$`).ReplaceAllString(s, "")
	return unquote(s)
}

func parseProspects(c string, _ Action) (Action, string) {
	if !prospectWord.MatchString(c) {
		// "import Contoso": importing can only mean the prospect catalog.
		if m := re(`^import\s+(?:(?:everyone|everybody|people|all)\s+)?(?:from\s+|at\s+)?(.+?)(?:\s+(?:in)?to\s+(.+))?$`).FindStringSubmatch(c); m != nil &&
			!re(`\b(?:`+contactNoun+`|list|csv|file|data)\b`).MatchString(m[1]) {
			return ImportProspects{Company: unquote(m[1]), List: listName(m[2])}, ""
		}
		return nil, ""
	}
	var company, list string
	if m := prospects.FindStringSubmatch(c); m != nil {
		company, list = m[1], m[2]
	} else if m := prospectsPre.FindStringSubmatch(c); m != nil {
		company, list = m[1], m[2]
	} else {
		return nil, ""
	}
	company = unquote(company)
	if company == "" || re(`\b(?:to|into|list|`+contactNoun+`)\b`).MatchString(company) {
		return nil, ""
	}
	return ImportProspects{Company: company, List: listName(list)}, ""
}

func parseCreateList(c string, prev Action) (Action, string) {
	if m := intoNew.FindStringSubmatch(c); m != nil {
		sel, ok := contactsPhrase(m[1], prev)
		if !ok {
			return nil, "contacts"
		}
		name := unquote(re(`^`+namedWord).ReplaceAllString(strings.TrimSpace(m[2]), ""))
		if name == "" {
			return nil, "list-name"
		}
		return withAll(CreateList{Name: name, Selector: sel}), ""
	}
	var rest string
	if m := createList.FindStringSubmatch(c); m != nil {
		rest = m[1]
	} else if m := newList.FindStringSubmatch(c); m != nil {
		rest = m[1]
	} else if m := re(`^(?:(?:a|an)\s+)?(?:contact\s+)?list\s+((?:called|named|titled)\b.*)$`).FindStringSubmatch(c); m != nil {
		rest = m[1] // "I need a list called …"
	} else if m := re(`^(?:contact\s+)?list\s*:\s*(.+?)\s*,?\s+(?:with|containing|including|of|from|for)\s+(.+)$`).FindStringSubmatch(c); m != nil && !subjectNoun.MatchString(m[1]) {
		return createListRest(unquote(m[1]), "with "+m[2], prev) // "list: Acme team, with the contacts at Acme"
	} else if m := namedList.FindStringSubmatch(c); m != nil && !re(`\b(?:`+contactNoun+`|of|to|into|onto|in|on)\b`).MatchString(outsideQuotes(m[1], func(p string) string { return p }, true)) {
		return createListRest(unquote(m[1]), strings.TrimSpace(m[2]), prev)
	} else {
		return nil, ""
	}
	rest = strings.TrimSpace(rest)
	rest = strings.TrimLeft(rest, ":-, ")
	if m := nameLater.FindStringSubmatch(rest); m != nil {
		sel, ok := contactsPhrase(m[1], prev)
		if !ok {
			return nil, "contacts"
		}
		return withAll(CreateList{Name: unquote(m[2]), Selector: sel}), ""
	}
	rest = strings.TrimSpace(re(`^`+namedWord).ReplaceAllString(rest, ""))
	// A quoted name ends where its quote does.
	if ps := quoteParts(rest); len(ps) > 0 && ps[0].quoted {
		return createListRest(unquote(ps[0].text), strings.TrimSpace(rest[len(ps[0].text):]), prev)
	}
	if m := listSplit.FindStringSubmatch(rest); m != nil && strings.TrimSpace(m[1]) != "" {
		if sel, ok := contactsPhrase(m[2], prev); ok {
			return withAll(CreateList{Name: unquote(re(`^`+namedWord).ReplaceAllString(m[1], "")), Selector: sel}), ""
		}
	}
	if m := re(`^(?:with|of|containing|for|from|including)\s+(.+)$`).FindStringSubmatch(rest); m != nil {
		if _, ok := contactsPhrase(m[1], prev); ok {
			return nil, "list-name"
		}
	}
	name := unquote(rest)
	if name == "" {
		return nil, "list-name"
	}
	return CreateList{Name: name}, ""
}

// createListRest reads what follows a list's name: nothing (an empty list) or its contacts.
func createListRest(name, rest string, prev Action) (Action, string) {
	if name == "" {
		return nil, "list-name"
	}
	rest = strings.TrimLeft(rest, ":-, ")
	if rest == "" {
		return CreateList{Name: name}, ""
	}
	m := re(`^(?:with|of|containing|including|holding|having|from|for|that\s+(?:has|have|contains?|includes?)|made\s+up\s+of|consisting\s+of|populated\s+with|filled\s+with|and\s+(?:add|put|include)|to\s+hold)\s+(.+)$`).FindStringSubmatch(rest)
	if m == nil {
		return nil, "contacts"
	}
	sel, ok := contactsPhrase(m[1], prev)
	if !ok {
		return nil, "contacts"
	}
	return withAll(CreateList{Name: name, Selector: sel}), ""
}

// withAll makes "with everyone" explicit: a list with a selection of nobody in particular is
// every contact, not an empty list.
func withAll(cl CreateList) CreateList {
	if cl.Selector.IsZero() {
		cl.All = true
	}
	return cl
}

func parseTag(c string, prev Action) (Action, string) {
	var rawSel, rawTag string
	giveMe := re(`^give\s+(?:me|us)\b`).MatchString(c)
	switch {
	case addTag.MatchString(c):
		m := addTag.FindStringSubmatch(c)
		rawTag, rawSel = m[1], m[2]
	case addTagPre.MatchString(c):
		m := addTagPre.FindStringSubmatch(c)
		rawTag, rawSel = m[1], m[2]
	case !giveMe && giveTag.MatchString(c):
		m := giveTag.FindStringSubmatch(c)
		rawSel, rawTag = m[1], m[2]
	case !giveMe && giveTagPre.MatchString(c):
		m := giveTagPre.FindStringSubmatch(c)
		rawSel, rawTag = m[1], m[2]
	case tagAsLast.MatchString(c) || tagAs.MatchString(c):
		m := tagAsLast.FindStringSubmatch(c)
		if m == nil {
			m = tagAs.FindStringSubmatch(c)
		}
		rawSel, rawTag = m[1], m[2]
		// "mark Globex renewal as won" moves a deal.
		if _, isStage := parseStage(rawTag); isStage && (dealWord.MatchString(rawSel) || !re(`\b`+contactNoun+`\b`).MatchString(rawSel)) {
			return nil, ""
		}
	case re(`^(?:tag|label)\s+(.+?)\s+("[^"]+"|'[^']+')$`).MatchString(c):
		m := re(`^(?:tag|label)\s+(.+?)\s+("[^"]+"|'[^']+')$`).FindStringSubmatch(c)
		rawSel, rawTag = m[1], m[2]
	case re(`^(?:tag|label)\s+(.+?)\s*:\s*("[^"]+"|'[^']+'|[\w-]+)$`).MatchString(c): // "label the Acme contacts: prospect"
		m := re(`^(?:tag|label)\s+(.+?)\s*:\s*("[^"]+"|'[^']+'|[\w-]+)$`).FindStringSubmatch(c)
		rawSel, rawTag = m[1], m[2]
	case re(`^(?:tag|label)\s+(?:with|as)\s+("[^"]+"|'[^']+'|[\w-]+)\s+(.+)$`).MatchString(c): // "tag with enterprise the contacts at Acme"
		m := re(`^(?:tag|label)\s+(?:with|as)\s+("[^"]+"|'[^']+'|[\w-]+)\s+(.+)$`).FindStringSubmatch(c)
		rawTag, rawSel = m[1], m[2]
	case tagBare.MatchString(c):
		m := tagBare.FindStringSubmatch(c)
		rawSel, rawTag = m[1], m[2]
	default:
		return nil, ""
	}
	tag := strings.ToLower(unquote(re(`^(?:(?:a|an|the)\s+)?(?:tag|label)?\s*:?\s*|\s+(?:tag|label)$`).ReplaceAllString(unquote(rawTag), "")))
	if tag == "" {
		return nil, ""
	}
	sel, ok := contactsPhrase(rawSel, prev)
	if !ok {
		return nil, "contacts"
	}
	return TagContacts{Tag: tag, Selector: sel}, ""
}

func parseAddToList(c string, prev Action) (Action, string) {
	m := addTo.FindStringSubmatch(c)
	if m == nil {
		return nil, ""
	}
	rest := m[1]
	// The list first: "add to list VIP the contacts at Acme".
	if lm := re(`^(?:to|into|in|onto|on)\s+(?:the\s+)?(?:list\s+("[^"]+"|'[^']+'|\S+)|("[^"]+"|'[^']+'|\S+)\s+list)\s+(.+)$`).FindStringSubmatch(rest); lm != nil {
		rest = lm[3] + " to list " + lm[1] + lm[2]
	}
	// Split at the preposition before the list: the first "to/into … list" or quoted name,
	// else the last "to/into", else the last "in/on".
	locs := toList.FindAllStringIndex(rest, -1)
	if len(locs) == 0 {
		return nil, ""
	}
	pick := -1
	for i, l := range locs {
		if re(`^(?:(?:the|our|my|a|an)\s+)?(?:(?:contact|mailing)\s+)?(?:list\b|"|')`).MatchString(rest[l[1]:]) {
			pick = i
			break
		}
	}
	if pick < 0 {
		for i := len(locs) - 1; i >= 0; i-- {
			if re(`^\s+(?:to|into|onto)\s+$`).MatchString(rest[locs[i][0]:locs[i][1]]) {
				pick = i
				break
			}
		}
	}
	if pick < 0 {
		pick = len(locs) - 1
	}
	obj, target := rest[:locs[pick][0]], rest[locs[pick][1]:]
	// "move Globex renewal to the moon": moving something that is not contacts to something
	// that is not a list is a deal's stage change (which parseMoveDeal reads or declines).
	if re(`^move\b`).MatchString(c) && !re(`\b`+contactNoun+`\b|\bvips?\b`).MatchString(obj) && !re(`\blist\b|^["']`).MatchString(target) {
		return nil, ""
	}
	if re(`^(?:(?:a|an)\s+)?(?:brand\s+)?new\s+list\b`).MatchString(target) {
		return nil, ""
	}
	if re(`\b(?:stage|won|lost|negotiation|proposal|qualified)\b`).MatchString(target) && !re(`\blist\b`).MatchString(target) {
		return nil, "" // "move Globex renewal to negotiation"
	}
	sel, ok := contactsPhrase(obj, prev)
	if !ok {
		if dealWord.MatchString(obj) {
			return nil, ""
		}
		return nil, "contacts"
	}
	list := listName(target)
	if list == "" {
		return nil, ""
	}
	if sel.IsZero() {
		sel.All = true
	}
	return AddToList{List: list, Selector: sel}, ""
}

func parseMoveDeal(c string, _ Action) (Action, string) {
	if m := closeDeal.FindStringSubmatch(c); m != nil {
		st, _ := parseStage(m[2])
		return MoveDeal{Deal: dealName(m[1]), Stage: st}, ""
	}
	c = re(`\s+stage\s*[:=]\s*`).ReplaceAllString(c, " to ")
	m := moveDeal.FindStringSubmatch(c)
	if m == nil {
		return nil, ""
	}
	deal, stage := m[1], m[2]
	// The deal's name may itself contain "to": the stage is the shortest ending that is one.
	if _, ok := parseStage(stage); !ok {
		if mm := re(`^(.*)\s+(?:to|into|as|at|in)\s+(?:(?:the|a)\s+)?(.+)$`).FindStringSubmatch(c); mm != nil {
			if _, ok := parseStage(mm[2]); ok {
				deal, stage = strings.TrimSpace(re(`^`+moveVerb+`\s+(?:(?:the|our)\s+)?(?:stage\s+(?:of|for|on)\s+)?`).ReplaceAllString(mm[1], "")), mm[2]
			}
		}
	}
	deal = re(`\s+(?:back|over|forward|up|down|along)$`).ReplaceAllString(deal, "")
	st, ok := parseStage(stage)
	if !ok {
		if dealWord.MatchString(c) || re(`\bstage\b`).MatchString(c) || re(`^move\s`).MatchString(c) && !re(`\b`+contactNoun+`\b`).MatchString(deal) {
			return nil, "stage:" + unquote(stage)
		}
		return nil, ""
	}
	if re(`^` + det + contactNoun + `\b`).MatchString(deal) {
		return nil, ""
	}
	return MoveDeal{Deal: dealName(deal), Stage: st}, ""
}

// parseDealStatement reads "we won the Globex renewal", "Globex renewal is lost", "Globex
// renewal deal: won".
func parseDealStatement(c string, _ Action) (Action, string) {
	if m := weWon.FindStringSubmatch(c); m != nil && !re(`^(?:(?:all|any|the|our|my|those|these)\s+)*(?:deals?|opportunit(?:y|ies)|opps?|ones)$`).MatchString(m[2]) {
		st := models.DealStageWon
		if strings.EqualFold(m[1], "lost") {
			st = models.DealStageLost
		}
		if name := dealName(m[2]); name != "" {
			return MoveDeal{Deal: name, Stage: st}, ""
		}
	}
	c = re(`([^:\s])\s+(?:should\s+|must\s+|can\s+)?(?:move|go)\s+(?:to|into)\s+`).ReplaceAllString(c, "$1 to ") // "deal Globex renewal move to lost"
	terse := re(`\s*:\s*(?:move|set|change|update|mark|put)\s+(?:it\s+)?(?:to|as|in|into)\s+`).ReplaceAllString(c, ": ")
	terse = re(`\s+(?:to|into)\s+((?:closed[\s-]+)?\S+)$`).ReplaceAllString(terse, ": $1") // "Globex renewal to won"
	if m := re(`^(.+?)\s*[:=]\s*(\S+(?:\s+\S+)?)$`).FindStringSubmatch(terse); m != nil {
		if st, ok := parseStage(m[2]); ok {
			if name := dealName(m[1]); name != "" && !re(`\b(?:how|what|which|who|list|campaign|should|be|been|is|was|has|have|moved?|set|will|needs?|must|go|goes|went|can)\b`).MatchString(name) {
				return MoveDeal{Deal: name, Stage: st}, ""
			}
		}
	}
	if m := re(`^(.+?)\s+(?:deal\s+)?(?:is\s+|was\s+)?((?:closed[\s-]+)?(?:won|lost))$`).FindStringSubmatch(c); m != nil {
		st, _ := parseStage(m[2])
		if name := dealName(m[1]); name != "" && !subjectNoun.MatchString(name) && !re(`^(?:how|what|which|who|we|i|they|you|it|this|that|there|all|open)\b`).MatchString(name) &&
			!re(`\b(?:should|be|been|is|was|has|have|marked|moved|set|now|will|needs?|must|got|get)\b`).MatchString(name) {
			return MoveDeal{Deal: name, Stage: st}, ""
		}
	}
	if m := dealIs.FindStringSubmatch(c); m != nil {
		if st, ok := parseStage(m[2]); ok {
			if name := dealName(m[1]); name != "" && !re(`^(?:how|what|which|who|it|this|that|there)\b`).MatchString(name) {
				return MoveDeal{Deal: name, Stage: st}, ""
			}
		}
	}
	return nil, ""
}

var (
	countTrigger = re(`^(?:how\s+many|how\s+much|count(?:\s+up)?|tally(?:\s+up)?|(?:the\s+)?number\s+of|(?:the\s+)?count\s+of|total(?:\s+number)?(?:\s+of)?|how\s+big\s+is|(?:the\s+)?size\s+of|(?:(?:we|you|have\s+we)\s+)?got\s+any|what(?:'s|\s+is|s)\s+(?:the\s+)?(?:total\s+)?(?:number|count|total|size|amount|headcount)(?:\s+of)?|(?:give|get|show|tell)\s+me\s+(?:the\s+)?(?:total\s+)?(?:number|count|total)(?:\s+of)?|do\s+(?:we|i|you)\s+(?:have|got)\s+any|are\s+there\s+any|is\s+there\s+any|have\s+we\s+got\s+any|(?:is|are)\s+(?:there\s+)?(?:anyone|anybody|any)|any)\b\s*`)
	showTrigger  = re(`^(?:gimme|lemme\s+see|(?:wanna|gotta|need\s+to)\s+see|show|list|find|get|display|give|pull(?:\s+up)?|look\s+up|lookup|search(?:\s+for)?|fetch|see|view|print|bring\s+up|browse|who\s+(?:are|is|were)|who's|whos|which\s+(?:are|is)|which|what(?:'s|s|\s+is|\s+are|\s+were)|what|tell\s+me\s+about|about|i\s+want\s+to\s+see|let\s+me\s+see|can\s+i\s+see|need|want|may\s+i\s+see|where\s+are)(?:\s+(?:me|us))?\b\s*`)
	subjectNoun  = re(`\b(?:(` + contactNoun + `)|(deals?|opportunit(?:y|ies)|opps?|pipeline)|(lists?)|(campaigns?))\b`)
	whoAt        = re(`^who(?:'s|s)?\s+(?:works?|is\s+working|are\s+working|is\s+employed|are\s+employed|is\s+based|are\s+based|do\s+we\s+(?:know|have)|is|are|'s)?\s*((?:at|for|with|from|in|on|tagged|labell?ed|marked|has|have|with)\b.+)$`)
	howManyAlone = re(`^(?:how\s+many|count|what(?:'s|\s+is)\s+the\s+(?:count|number|total)|the\s+number|total)(?:\s+(?:are\s+there|is\s+that|of\s+them|in\s+total|do\s+we\s+have|exactly|altogether|then))*$`)
)

// parseFollowUp reads "what about Globex?" after a question: the same question about other
// contacts (named the way the previous ones were) or deals in another stage.
func parseFollowUp(c string, prev Action) (Action, string) {
	m := re(`^(?:what|how)\s+about\s+(.+)$`).FindStringSubmatch(c)
	if m == nil && prev != nil {
		// "… at Acme? and at Globex?", "… at Acme? Globex?": a qualifier or a name alone.
		if re(`^(?:at|from|in|on|tagged|labell?ed|with|for)\s`).MatchString(c) ||
			len(strings.Fields(c)) <= 2 && !re(`\b(?:`+contactNoun+`|deals?|lists?|campaigns?|prospects?|how|what|who|which|help|thanks?|thx|ok|okay|yes|no|hi|hello|hey|bye|cool|great|nice|lol|`+
				`show|list|find|count|create|make|add|put|tag|label|move|set|draft|import|them|they|those|these|it|all|everyone|everybody|same|more|again)\b`).MatchString(c) {
			m = []string{c, c}
		}
	}
	if m == nil {
		return nil, ""
	}
	var count bool
	var q Show
	switch p := prev.(type) {
	case Count:
		count, q = true, Show(p)
	case Show:
		q = p
	default:
		return nil, ""
	}
	if q.Of == Deals {
		ds, ok := dealSelector(m[1])
		if !ok || ds == (DealSelector{}) {
			return nil, "deals"
		}
		return question(count, Deals, Selector{}, ds), ""
	}
	if q.Of != Contacts {
		return nil, ""
	}
	sel, ok := contactsPhrase(m[1], nil)
	if !ok {
		return nil, "contacts"
	}
	// A bare name takes the place of what it replaces: "contacts at Acme? what about Globex?"
	if sel.Name != "" && sel.Company == "" && sel.Tag == "" && sel.List == "" {
		switch p := q.Contacts; {
		case p.Company != "" && p.Tag == "" && p.List == "":
			sel.Company, sel.Name = sel.Name, ""
		case p.Tag != "" && p.Company == "" && p.List == "":
			sel.Tag, sel.Name = strings.ToLower(sel.Name), ""
		case p.List != "" && p.Company == "" && p.Tag == "":
			sel.List, sel.Name = sel.Name, ""
		}
	}
	return question(count, Contacts, sel, DealSelector{}), ""
}

// parseQuestion reads counts ("how many contacts at Acme?") and requests to see something
// ("show the Acme contacts", "who are our VIPs?").
func parseQuestion(c string, prev Action) (Action, string) {
	if howManyAlone.MatchString(c) {
		switch p := prev.(type) {
		case Count:
			return p, ""
		case Show:
			return Count(p), ""
		}
		return nil, ""
	}
	if m := whoAt.FindStringSubmatch(c); m != nil {
		sel, ok := contactsPhrase("people "+m[1], prev)
		if !ok {
			return nil, "contacts"
		}
		return Show{Of: Contacts, Contacts: sel}, ""
	}
	count, weak := false, false
	var rest string
	if m := countTrigger.FindStringSubmatch(c); m != nil {
		count, rest = true, c[len(m[0]):]
		rest = re(`^(?:how\s+many|the\s+number\s+of)\s+`).ReplaceAllString(rest, "") // "count how many …"
	} else if m := re(`^(?:do|does|did)\s+(?:we|i|you)\s+(?:have|got|know)\s+(?:any\s+)?`).FindStringSubmatch(c); m != nil {
		// Existence questions are answered with the count: "do we have contacts at Acme?".
		count, rest = true, c[len(m[0]):]
	} else if m := showTrigger.FindStringSubmatch(c); m != nil {
		rest = c[len(m[0]):]
		// "get a count of our contacts"
		count = re(`^(?:(?:me|us)\s+)?(?:(?:a|an|the)\s+)?(?:total\s+)?(?:count|number|total|tally|headcount)\b`).MatchString(rest)
		weak = re(`^(?:what|which|about|need|want|see|tell)`).MatchString(m[0]) && !re(`^(?:see|view)\s+(?:the|all|our|my|every)\b`).MatchString(c)
	} else {
		return nil, ""
	}
	rest = strings.TrimSpace(re(`^(?:(?:me|us)\s+)?(?:(?:a|an|the)\s+)?(?:(?:full|complete|quick)\s+)?(?:list|rundown|overview|count|number|breakdown|summary)\s+of\s+`).ReplaceAllString(rest, ""))
	rest = strings.TrimSpace(re(`^(?:who|what)(?:'s|s|\s+is|\s+are)?\s+`).ReplaceAllString(rest, ""))
	// "what's our contact count?", "what's the VIP count", "the contact count at Globex"
	if m := re(`\s+(?:count|total|number|headcount|tally)((?:\s+(?:at|for|in|on|from|tagged|labell?ed|with)\b.*)?)$`).FindStringSubmatchIndex(rest); m != nil && !re(`\bin\s+total\b`).MatchString(rest) {
		count, weak, rest = true, false, rest[:m[0]]+rest[m[2]:m[3]]
	}
	return subjectQuestion(c, rest, count, weak, prev)
}

// parseBare reads a noun phrase on its own as a request to see: "contacts at Acme", "Acme
// contacts?", "open deals".
func parseBare(c string, prev Action) (Action, string) {
	loc := subjectNoun.FindStringIndex(c)
	if loc == nil {
		return nil, ""
	}
	// Only modifiers before the noun: no verbs, at most three words.
	if before := strings.Fields(c[:loc[0]]); len(before) > 3 || re(`\b(?:we|i|you|is|are|was|were|be|been|have|has|had|do|does|did|can|will|should|won|lost|closed)\b`).MatchString(c[:loc[0]]) &&
		!re(`^(?:(?:the|all|our)\s+)?(?:closed[\s-]+)?(?:won|lost)\s*$`).MatchString(c[:loc[0]]) { // "lost deals" is a question, "we lost deals" is not
		return nil, ""
	}
	// "the list of VIP contacts" asks for contacts, not lists.
	if m := re(`^(?:(?:a|an|the)\s+)?(?:full\s+|complete\s+)?list\s+of\s+(.+)$`).FindStringSubmatch(c); m != nil && subjectNoun.MatchString(m[1]) {
		return parseBare(m[1], prev)
	}
	// "contacts count", "VIP list size", "contacts acme how many": a count.
	if m := re(`\s+how\s+many$`).FindStringIndex(c); m != nil {
		return subjectQuestion(c, c[:m[0]], true, false, prev)
	}
	if m := re(`\s+(?:count|total|number|headcount|tally|size)$`).FindStringIndex(c); m != nil {
		return subjectQuestion(c, c[:m[0]], true, false, prev)
	}
	return subjectQuestion(c, c, false, false, prev)
}

// subjectQuestion reads what a question is about from the words after its trigger.
func subjectQuestion(c, rest string, count, weak bool, prev Action) (Action, string) {
	loc := subjectNoun.FindStringSubmatchIndex(rest)
	if loc == nil && re(`^(?:in|at)\s+(?:the\s+)?\S+(?:\s+\S+)?$`).MatchString(rest) {
		if st, ok := parseStage(rest); ok {
			return question(count, Deals, Selector{}, DealSelector{Stage: st}), ""
		}
	}
	if loc == nil {
		if weak {
			return nil, ""
		}
		return questionWithoutNoun(rest, count, prev)
	}
	before, after := rest[:loc[0]], rest[loc[1]:]
	if loc[2] >= 0 && re(`^\s+list\b`).MatchString(after) { // "the Trial users list"
		return question(count, Contacts, Selector{List: listName(rest[:loc[1]] + " list")}, DealSelector{}), ""
	}
	switch {
	case loc[2] >= 0: // contacts
		sel, ok := selectorFrom(before, after)
		if !ok {
			return nil, "contacts"
		}
		return question(count, Contacts, sel, DealSelector{}), ""
	case loc[4] >= 0: // deals
		ds, ok := dealSelector(c)
		if !ok {
			return nil, "deals"
		}
		return question(count, Deals, Selector{}, ds), ""
	case loc[6] >= 0: // lists: all of them, or one list's members
		if re(`^\s*(?:in|on|inside|within)\s*$`).MatchString(before) && strings.TrimSpace(after) != "" { // "how many in list VIP"
			if l := listName(after); l != "" {
				return question(count, Contacts, Selector{List: l}, DealSelector{}), ""
			}
		}
		if l := listName(strings.TrimSpace(before)); l != "" && !re(`^(?:(?:all|every|any|our|my|the|of|your|existing|current|contact|mailing)\s*)+$`).MatchString(l) {
			return question(count, Contacts, Selector{List: l}, DealSelector{}), ""
		}
		if m := re(`^\s+(?:called|named)\s+(.+?)(?:\s+(?:have|contain|hold|has))?$`).FindStringSubmatch(after); m != nil {
			return question(count, Contacts, Selector{List: unquote(m[1])}, DealSelector{}), ""
		}
		return question(count, Lists, Selector{}, DealSelector{}), ""
	default:
		return question(count, Campaigns, Selector{}, DealSelector{}), ""
	}
}

// questionWithoutNoun reads "how many VIPs do we have?", "how many at Globex?" (after a
// question about contacts), "how many are lost?" (after one about deals), and bare "leads".
func questionWithoutNoun(rest string, count bool, prev Action) (Action, string) {
	if prospectWord.MatchString(rest) {
		return nil, "" // the prospect catalog is imported, not searched
	}
	if re(`\bleads\b`).MatchString(rest) {
		return question(count, Deals, Selector{}, DealSelector{Stage: models.DealStageLead}), ""
	}
	rest = strings.TrimSpace(questionFiller.ReplaceAllString(" "+rest+" ", " "))
	rest = strings.TrimSpace(re(`^(?:(?:are|is|were)\b\s*)?`).ReplaceAllString(rest, ""))
	if rest == "" {
		return nil, ""
	}
	if q, ok := prev.(Count); ok && q.Of == Deals || isShowOf(prev, Deals) {
		if ds, ok := dealSelector(rest); ok && ds != (DealSelector{}) {
			return question(count, Deals, Selector{}, ds), ""
		}
	}
	// "how many of them are VIPs?": the previous selection (or everyone), narrowed.
	if m := re(`^(?:of\s+)?(?:them|those|these|they)\s+((?:are|is|were)\s+.+)$`).FindStringSubmatch(rest); m != nil {
		narrow, ok := selectorFrom("", " "+m[1])
		if !ok {
			return nil, "contacts"
		}
		if sel, ok := previousSelector(prev); ok {
			if narrow, ok = mergeSelectors(sel, narrow); !ok {
				return nil, "contacts"
			}
		}
		return question(count, Contacts, narrow, DealSelector{}), ""
	}
	if re(`^(?:them|they|those|these|of\s+them)$`).MatchString(rest) {
		if sel, ok := previousSelector(prev); ok {
			return question(count, Contacts, sel, DealSelector{}), ""
		}
		return nil, ""
	}
	rest = strings.TrimSpace(determiners.ReplaceAllString(rest+" ", ""))
	head := rest
	if loc := qualifierStart.FindStringIndex(rest); loc != nil {
		head = rest[:loc[0]]
	}
	if len(strings.Fields(head)) > 4 {
		return nil, ""
	}
	if re(`^(?:the\s+)?(?:weather|time|date|news|you|it|up|going\s+on|this|that|there|here|new|help|can\s+you\s+do|do\s+you\s+do)\b`).MatchString(rest) {
		return nil, ""
	}
	sel, ok := nameAndQualifier(rest)
	if !ok || sel.IsZero() {
		return nil, ""
	}
	return question(count, Contacts, sel, DealSelector{}), ""
}

func isShowOf(a Action, s Subject) bool {
	sh, ok := a.(Show)
	return ok && sh.Of == s
}

func question(count bool, of Subject, sel Selector, ds DealSelector) Action {
	if count {
		return Count{Of: of, Contacts: sel, Deals: ds}
	}
	return Show{Of: of, Contacts: sel, Deals: ds}
}

var (
	openWords   = re(`\b(?:open|active|ongoing|in\s+progress|pipeline|not\s+(?:yet\s+)?closed|still\s+open|live|current)\b`)
	stageInText = func() *regexp.Regexp {
		words := make([]string, 0, len(stageWords))
		for w := range stageWords {
			words = append(words, regexp.QuoteMeta(w))
		}
		// longest first, so that "closed won" wins over "won"
		for i := range words {
			for j := i + 1; j < len(words); j++ {
				if len(words[j]) > len(words[i]) {
					words[i], words[j] = words[j], words[i]
				}
			}
		}
		return re(`\b(` + strings.Join(words, "|") + `)\b`)
	}()
)

// dealSelector reads the stage a question about deals names, or "open".
func dealSelector(c string) (DealSelector, bool) {
	text := strings.ToLower(c)
	// Dates and amounts are not something it selects deals by: with a stage the answer is
	// about every deal in it and says so; without one the question is declined.
	if m := dealDatesAmounts.FindString(text); m != "" {
		ds, ok := dealSelector(dealDatesAmounts.ReplaceAllString(text, " "))
		if !ok || ds == (DealSelector{}) {
			return DealSelector{}, false
		}
		ds.Unfiltered = strings.TrimSpace(m)
		return ds, true
	}
	text = re(`\b(?:deals?|opportunit(?:y|ies)|opps?)\b`).ReplaceAllString(text, " ")
	for _, m := range stageInText.FindAllStringSubmatch(text, -1) {
		if st, ok := parseStage(m[1]); ok {
			if m[1] == "new" && !re(`\b(?:in|at)\s+(?:the\s+)?new\b|\bnew\s+stage\b`).MatchString(text) {
				continue // "new deals" is not a stage
			}
			return DealSelector{Stage: st}, true
		}
	}
	if openWords.MatchString(text) {
		return DealSelector{Open: true}, true
	}
	// Deals by company or contact are not something the built-in assistant counts.
	text = re(`\b(?:in|on|from)\s+(?:the|our|my|this)\s+(?:crm|workspace|system|database|pipeline)\b`).ReplaceAllString(text, " ")
	if re(`\b(?:at|with|for|from)\s+\w`).MatchString(text) {
		return DealSelector{}, false
	}
	return DealSelector{}, true
}

var dealDatesAmounts = re(`\b(?:this|next|last|previous|past|coming)\s+(?:\d+\s+)?(?:days?|weeks?|months?|quarters?|years?|fy)\b|\b(?:closing|close|closes|due|expected)\s+(?:in|on|by|before|after|this|next|soon|today|tomorrow)\b` +
	`|\b(?:in|by|before|after|since|during)\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\bq[1-4]\b|\b20\d\d\b|[$€£]\s*\d|\b\d+(?:[.,]\d+)?\s*(?:k|m|usd|eur|gbp)\b` +
	`|\b(?:over|under|above|below|more\s+than|less\s+than|greater\s+than|bigger\s+than|larger\s+than|smaller\s+than|worth|at\s+least|at\s+most)\s+[$€£]?\d|\b(?:biggest|largest|smallest|top\s+\d+|highest|lowest)\b`)

var (
	questionFiller = re(`\s(?:do|does|did)\s+(?:we|i|you)\s+(?:currently\s+)?(?:have|got|know|see)\b|\s(?:we|i)\s+(?:currently\s+)?(?:have|got|know)\b|\shave\s+we\s+got\b|\sare\s+there\b|\sis\s+there\b|\sthere\s+are\b|\sthere\s+is\b|\sin\s+total\b|\saltogether\b|\soverall\b|\s(?:in|on)\s+(?:(?:the|our|my|this)\s+)?(?:crm|workspace|system|database|db|account|address\s+book)\b|\son\s+file\b|\sright\s+now\b|\scurrently\b|\sat\s+the\s+moment\b|\stoday\b|\sthat\s+exist\b|\sexist\b|\sin\s+all\b|\sso\s+far\b|\s(?:that|which)\s+we\s+have\b|\sexactly\b|\sall\s+together\b|\sin\s+here\b|\slisted\b|\sstored\b|\ssaved\b|\savailable\b|\sregistered\b`)
	selTagged      = re(`^(?:(?:who|that|which)\s+)?(?:(?:are|is|were|have\s+been|has\s+been|got|get)\s+)?(?:(?:tagged|labell?ed|marked|flagged)(?:\s+(?:as|with))?|with\s+(?:(?:a|an|the)\s+)?(?:tag|label)|(?:that|who)?\s*(?:have|has|having|carry|carries|carrying|bear|bears|bearing|with)\s+(?:(?:a|an|the)\s+)?(?:tag|label))\s*:?\s+(?:(?:a|an|the)\s+)?(?:tag\s+|label\s+)?(.+?)(?:\s+(?:tag|label))?$`)
	selWithTag     = re(`^(?:(?:who|that|which)\s+)?(?:with|having|have|has|carry|carries|carrying|bear|bears|bearing|wear|wears|wearing)\s+(?:(?:a|an|the)\s+)?(.+?)\s+(?:tag|label)$`)
	selList        = re(`^(?:(?:who|that|which)\s+(?:are|is)\s+)?(?:in|on|from|of|inside|within|belonging\s+to|members\s+of|part\s+of)\s+(?:(?:the|our|my)\s+)?(?:(?:list\s+(?:(?:called|named)\s+)?(.+))|(.+?)\s+(?:mailing\s+)?list)$`)
	selListOnly    = re(`^(?:(?:the|our|my)\s+)?(?:(?:list\s+(?:(?:called|named)\s+)?(.+))|(.+?)\s+(?:mailing\s+)?list)$`)
	selCompany     = re(`^(?:(?:who|that|which)\s+)?(?:(?:works?|working|employed|based|are\s+employed|are\s+based|are\s+working|is\s+working|is\s+employed|currently\s+work|currently\s+working)\s+)?(at|for|with|from|in|of|by|on|over\s+at)\s+(?:(?:the|our|my)\s+)?((?:company|account|organi[sz]ation|firm|business|customer|client)\s+)?(.+)$`)
	selCoIs        = re(`^(?:(?:whose|where|with|where\s+the)\s+)(?:the\s+)?(?:company|employer|account)(?:\s+name)?\s*(?:is|=|equals|:)?\s*(.+)$`)
	selDoesHave    = re(`^(?:does|do)\s+(.+?)\s+have$`)
	embeddedTag    = re(`\s*,?\s*(?:(?:who|that|which)\s+)?(?:(?:are|is)\s+)?(?:and\s+)?\b(?:tagged|labell?ed)\s+(?:as\s+|with\s+)?(?:(?:the|a)\s+)?(?:tag\s+)?("[^"]+"|'[^']+'|[\w-]+)`)
	determiners    = re(`^(?:(?:all|every|each|the|our|my|your|any|those|these|of|current|existing|some|its|their|this|that|me|us|a|an|list|only|just|with|about|everyone|everybody|total|number)\s+)+`)
	taggedPrefix   = re(`^(.+?)[\s-]+tagged$`)
	possessive     = re(`^(.+?)'s?$`)
	themWords      = re(`^(?:them|they|those|these|those\s+ones|these\s+ones|the\s+same(?:\s+ones)?|them\s+all|all\s+of\s+them|the\s+same\s+` + contactNoun + `|those\s+` + contactNoun + `|these\s+` + contactNoun + `|it)$`)
	notContacts    = re(`\b(?:deals?|opportunit(?:y|ies)|lists?|campaigns?|prospects?|stage|tag)\b`)
)

// contactsPhrase reads a description of contacts: "contacts at Acme", "the Acme contacts",
// "everyone tagged vip", "VIPs", "them" (the previous clause's).
func contactsPhrase(s string, prev Action) (Selector, bool) {
	s = strings.TrimSpace(s)
	if themWords.MatchString(s) {
		return previousSelector(prev)
	}
	loc := re(`\b` + contactNoun + `\b`).FindStringIndex(s)
	if loc != nil && !insideQuotes(s, loc[0]) {
		return selectorFrom(s[:loc[0]], s[loc[1]:])
	}
	if re(`^(?:all|everything|every\s*one|every\s*body)$`).MatchString(s) {
		return Selector{All: true}, true
	}
	// "the Newsletter list", "list VIP": its members.
	if m := selListOnly.FindStringSubmatch(s); m != nil && !subjectNoun.MatchString(m[1]+m[2]) && !qualifierStart.MatchString(m[1]+m[2]) {
		if l := listName(s); l != "" {
			return Selector{List: l}, true
		}
	}
	// "VIPs in the Newsletter list": a list named as a qualifier is still about contacts.
	if o := re(`\s+(?:in|on|of|from)\s+(?:(?:the|our|my)\s+)?(?:list\s+.+|.+\s+list)$`).ReplaceAllString(outsideQuotes(s, func(p string) string { return p }, true), ""); o != "" && notContacts.MatchString(o) {
		return Selector{}, false
	}
	// No word for contacts: "Acme", "VIPs", "vip-tagged", "those at Acme", "anyone tagged vip".
	s = re(`^(?:those|anyone|anybody|all|the\s+ones|ones|any|somebody|someone)\b\s*`).ReplaceAllString(s, "")
	sel, ok := nameAndQualifier(s)
	return sel, ok && !sel.IsZero()
}

// nameAndQualifier reads a selection without a noun for contacts: "VIPs at Acme" is the name
// VIPs and the qualifier "at Acme"; "at Acme" is a qualifier alone.
var qualifierStart = re(`(?:^|\s)(?:at|from|in|on|with|for|tagged|labell?ed|working|works?|employed|who|that|whose)\b`)

func nameAndQualifier(s string) (Selector, bool) {
	loc := qualifierStart.FindStringIndex(s)
	if loc == nil || insideQuotes(s, loc[0]) {
		return selectorFrom(s, "")
	}
	return selectorFrom(s[:loc[0]], " "+s[loc[0]:])
}

func insideQuotes(s string, at int) bool {
	n := 0
	for _, p := range quoteParts(s) {
		if at < n+len(p.text) {
			return p.quoted
		}
		n += len(p.text)
	}
	return false
}

// mergeSelectors combines selections that name different things; two values for one field
// do not combine.
func mergeSelectors(sels ...Selector) (Selector, bool) {
	var out Selector
	for _, s := range sels {
		for _, f := range []struct {
			dst *string
			v   string
		}{{&out.Company, s.Company}, {&out.Tag, s.Tag}, {&out.List, s.List}, {&out.Name, s.Name}} {
			if f.v == "" {
				continue
			}
			if *f.dst != "" && *f.dst != f.v {
				if f.dst == &out.Name && out.Tag == "" {
					out.Tag = strings.ToLower(f.v)
					continue
				}
				return Selector{}, false
			}
			*f.dst = f.v
		}
		out.All = out.All || s.All
	}
	return out, true
}

func previousSelector(prev Action) (Selector, bool) {
	switch p := prev.(type) {
	case Count:
		return p.Contacts, p.Of == Contacts
	case Show:
		return p.Contacts, p.Of == Contacts
	case CreateList:
		return p.Selector, !p.Selector.IsZero()
	case AddToList:
		return p.Selector, true
	case TagContacts:
		return p.Selector, true
	}
	return Selector{}, false
}

// selectorFrom builds a selection from the words before the noun for contacts ("the Acme",
// "vip-tagged", "all our") and after it ("at Acme Inc.", "tagged vip", "in the VIP list").
func selectorFrom(before, after string) (Selector, bool) {
	var sel Selector
	// before the noun
	b := strings.TrimSpace(determiners.ReplaceAllString(strings.TrimSpace(before)+" ", ""))
	if b != "" {
		switch {
		case taggedPrefix.MatchString(b):
			sel.Tag = strings.ToLower(unquote(taggedPrefix.FindStringSubmatch(b)[1]))
		case re(`^(.+?)\s+list$`).MatchString(b):
			sel.List = listName(b)
		default:
			if m := possessive.FindStringSubmatch(b); m != nil && strings.HasSuffix(b, "'s") || strings.HasSuffix(b, "'") {
				b = m[1]
			}
			sel.Name = unquote(b)
		}
	}
	// after the noun
	a := strings.TrimSpace(questionFiller.ReplaceAllString(" "+after+" ", " "))
	a = strings.TrimSpace(strings.TrimRight(a, ".?!,"))
	a = strings.TrimSpace(re(`(?:^|\s)(?:count|total|number|size|tally|headcount)$`).ReplaceAllString(a, ""))
	if a == "" {
		return sel, true
	}
	if m := embeddedTag.FindStringSubmatchIndex(a); m != nil && (m[0] > 0 || m[1] < len(a)) && sel.Tag == "" {
		sel.Tag = strings.ToLower(unquote(a[m[2]:m[3]]))
		a = strings.TrimSpace(a[:m[0]] + " " + a[m[1]:])
		if re(`^` + contactNoun + `$`).MatchString(a) { // "tagged trial users"
			a = ""
		}
	}
	copula := re(`^(?:(?:who|that|which)\s+)?(?:are|is|were)\b`).MatchString(a)
	a = strings.TrimSpace(re(`^(?:(?:who|that|which)\s+(?:are|is|were)\b\s*)?(?:(?:are|is|were)\b\s*)?(?:(?:currently|now|still)\b\s*)?`).ReplaceAllString(a, ""))
	if a == "" {
		return sel, true
	}
	// "contacts that are VIPs": a name after "are".
	if copula && len(strings.Fields(a)) <= 3 && !re(`^(?:at|from|in|on|of|with|for|by|tagged|labell?ed|marked|working|employed|based|members|part)\b`).MatchString(a) {
		word := unquote(re(`^(?:an?|the|our)\s+`).ReplaceAllString(a, ""))
		if sel.Name == "" {
			sel.Name = word
		} else if sel.Tag == "" {
			sel.Tag = strings.ToLower(word) // "Acme people are VIPs": the second word is the tag
		} else {
			return sel, false
		}
		return sel, true
	}
	// "from Acme are in the VIP list", "at Acme who are tagged vip": two qualifiers.
	if m := re(`^((?:at|from|in|on|with|for|of)\s+.+?)\s+(?:(?:who|that)\s+)?(?:are|is)\s+(?:also\s+)?((?:at|from|in|on|tagged|labell?ed|with|members)\b.+)$`).FindStringSubmatch(a); m != nil {
		first, ok1 := selectorFrom("", " "+m[1])
		second, ok2 := selectorFrom("", " "+m[2])
		if ok1 && ok2 {
			return mergeSelectors(sel, first, second)
		}
	}
	if m := selDoesHave.FindStringSubmatch(a); m != nil {
		a = m[1]
		if re(`^(?:(?:our|the|my|this)\s+)?(?:workspace|crm|system|database|db|account|address\s+book)$`).MatchString(a) {
			return sel, true // "how many contacts does our workspace have": all of them
		}
		if ml := selListOnly.FindStringSubmatch(a); ml != nil {
			sel.List = listName(a)
			return sel, true
		}
		if sel.Name == "" {
			sel.Name = unquote(a)
			return sel, true
		}
		return sel, false
	}
	if m := re(`^(?:tag|label)\s*[:=]?\s+("[^"]+"|'[^']+'|[\w-]+)$`).FindStringSubmatch(a); m != nil && sel.Tag == "" { // "contacts tag vip"
		sel.Tag = strings.ToLower(unquote(m[1]))
		return sel, true
	}
	for _, p := range []*regexp.Regexp{selTagged, selWithTag} {
		if m := p.FindStringSubmatch(a); m != nil {
			if tag := strings.ToLower(unquote(m[1])); tag != "" {
				if sel.Tag != "" && sel.Tag != tag {
					return sel, false
				}
				sel.Tag = tag
				return sel, true
			}
		}
	}
	if m := selList.FindStringSubmatch(a); m != nil {
		sel.List = listName(m[1] + m[2])
		return sel, sel.List != ""
	}
	if m := selCoIs.FindStringSubmatch(a); m != nil {
		sel.Company = unquote(m[1])
		return sel, sel.Company != ""
	}
	if m := selCompany.FindStringSubmatch(a); m != nil {
		name := unquote(m[3])
		// "at Acme is a VIP": a company, then a name.
		if mm := re(`^(.+?)\s+(?:is|are)\s+(?:an?\s+)?(.+)$`).FindStringSubmatch(name); mm != nil && sel.Name == "" {
			name, sel.Name = unquote(mm[1]), unquote(mm[2])
		}
		if name == "" {
			return sel, false
		}
		switch strings.ToLower(m[1]) {
		case "at", "for", "by", "over at":
			sel.Company = name
		case "from", "of", "with", "in", "on":
			if m[2] != "" { // "from company Hooli"
				sel.Company = name
				break
			}
			fallthrough
		default:
			if re(`^(?:works?|working|employed|based)`).MatchString(strings.TrimSpace(a)) || re(`^(?:who|that)\s`).MatchString(a) {
				sel.Company = name
			} else if sel.Name == "" {
				sel.Name = name
			} else {
				sel.Company = name
			}
		}
		return sel, true
	}
	// "contacts acme": a bare name after the noun, when nothing names the contacts before it.
	if sel.IsZero() && re(`^[\w&.'-]+(?:\s+[\w&.'-]+)?$`).MatchString(a) &&
		!re(`\b(?:near|the|a|an|in|on|at|who|that|which|with|without|by|from|to|of|for|and|or|not|is|are|me|us|here|there|now|today|only|first|last|more|like|named|called)\b`).MatchString(a) {
		sel.Name = unquote(a)
		return sel, true
	}
	return sel, false
}
