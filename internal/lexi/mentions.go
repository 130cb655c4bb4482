package lexi

import (
	"strings"

	"github.com/wbk/crm/models"
)

// Finding what a message names, before deciding what it asks: the longest run of tokens
// that is a name of the workspace, a stage, an amount, a date, a number, an email or a phone
// number becomes a mention. A run may mean several things at once (a tag and a list both
// called VIP, a company and the one deal that has its name): the sentence around it decides.

type mention struct {
	from, to int // tokens [from, to)
	refs     []ref
}

// get returns the mention's ref of kind k; weak refs only when weakOK.
func (m *mention) get(k refKind, weakOK bool) (ref, bool) {
	for _, r := range m.refs {
		if r.kind == k && (weakOK || !r.weak) {
			return r, true
		}
	}
	return ref{}, false
}

func (m *mention) is(k refKind) bool { _, ok := m.get(k, true); return ok }

func (m *mention) strong(k refKind) bool { _, ok := m.get(k, false); return ok }

// onlyWeak reports whether every ref of the mention is weak.
func (m *mention) onlyWeak() bool {
	for _, r := range m.refs {
		if !r.weak {
			return false
		}
	}
	return true
}

func findMentions(w *world, toks []token) []*mention {
	var out []*mention
	for i := 0; i < len(toks); {
		if toks[i].punct || toks[i].low == "'s" {
			i++
			continue
		}
		best, refs := w.lookup(toks, i)
		add := func(n int, r ref) {
			switch {
			case n > best:
				best, refs = n, []ref{r}
			case n == best && n > 0:
				refs = append(refs, r)
			}
		}
		if d, n, ok := dateAt(toks, i, w.now); ok {
			add(n, ref{kind: kDate, dates: d})
		}
		if v, cur, sure, n, ok := amountAt(toks, i); ok {
			if cur == "" {
				cur = w.currency
			}
			add(n, ref{kind: kAmount, amount: v, currency: cur, weak: !sure})
		}
		if st, n, ok := stageAt(toks, i); ok {
			add(n, ref{kind: kStage, stage: st})
		}
		if v, n, ok := numberAt(toks, i); ok {
			add(n, ref{kind: kNumber, number: v})
		}
		if t := toks[i]; strings.Contains(t.low, "@") && strings.Contains(t.low[strings.Index(t.low, "@"):], ".") {
			add(1, ref{kind: kEmail, name: t.raw})
		}
		if n, ok := phoneAt(toks, i); ok {
			add(n, ref{kind: kPhone, name: text2(toks, i, i+n-1)})
		}
		if best == 0 {
			i++
			continue
		}
		out = append(out, &mention{from: i, to: i + best, refs: refs})
		i += best
	}
	return out
}

// lookup finds the longest name of the workspace at toks[i].
func (w *world) lookup(toks []token, i int) (int, []ref) {
	for n := min(w.maxLen, len(toks)-i); n >= 1; n-- {
		var ws []string
		ok := true
		for _, t := range toks[i : i+n] {
			if t.punct || t.low == "'s" {
				ok = false
				break
			}
			ws = append(ws, t.low)
		}
		if !ok {
			continue
		}
		key := strings.Join(ws, " ")
		rs := w.dict[key]
		if len(rs) == 0 {
			// plurals: "VIPs", "CTOs", "heads of finance"
			for _, s := range []string{singular(key), strings.Join(append([]string{singular(ws[0])}, ws[1:]...), " ")} {
				if s == key || len(rs) > 0 {
					continue
				}
				for _, r := range w.dict[s] {
					if r.kind == kTag || r.kind == kTitle || r.kind == kList || r.kind == kCompany {
						rs = append(rs, r)
					}
				}
			}
		}
		if n == 1 {
			rs = keepName(rs, toks[i])
		}
		if len(rs) == 0 {
			continue
		}
		// "Acme Corp.", "Globex, Inc.": a company's legal suffix belongs to the mention.
		m := n
		for _, r := range rs {
			if r.kind == kCompany {
				for i+m < len(toks) && legalSuffixes[toks[i+m].low] && !wordSuffixes[toks[i+m].low] {
					m++
				}
				if i+m+1 < len(toks) && toks[i+m].low == "," && legalSuffixes[toks[i+m+1].low] && !wordSuffixes[toks[i+m+1].low] {
					m += 2
				}
				break
			}
		}
		return m, rs
	}
	return 0, nil
}

// wordSuffixes are legal suffixes that are also English words: "Acme as" is not "Acme AS".
var wordSuffixes = setOf(fields(`as se ab group company co`))

// keepName drops the weak refs of a single word that is more likely a word than a name: an
// English word that is also a first name counts only when capitalised, one of the
// assistant's own words only when capitalised or quoted.
func keepName(rs []ref, t token) []ref {
	var out []ref
	for _, r := range rs {
		if !t.upper && !t.quoted && (stopWords[t.low] || determiners[t.low]) && r.kind != kTag {
			continue // a list called "a" is not every "a"
		}
		if r.weak && !t.upper && !t.quoted && (commonWords[t.low] || keywordSet[t.low] || stopWords[t.low] || repair(t.low) != t.low) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// phoneAt reads a phone number: "+1 415 555 0100", "415-555-0100", "(415) 555-0100".
func phoneAt(toks []token, i int) (int, bool) {
	digits, n := 0, 0
	for k := i; k < len(toks) && k < i+6; k++ {
		t := toks[k]
		if t.quoted {
			break
		}
		d := 0
		ok := true
		for _, r := range t.raw {
			switch {
			case r >= '0' && r <= '9':
				d++
			case strings.ContainsRune("+-.()", r):
			default:
				ok = false
			}
		}
		if !ok || d == 0 && t.raw != "(" && t.raw != ")" {
			break
		}
		digits += d
		n = k - i + 1
	}
	if digits >= 7 && digits <= 15 && (n > 1 || strings.ContainsAny(toks[i].raw, "-+") || digits >= 10) {
		return n, true
	}
	return 0, false
}

// stageWords are the words for each stage, the enum's own names included.
var stageWords = func() map[string]models.DealStage {
	m := map[string]models.DealStage{
		"prospecting": models.DealStageLead, "new lead": models.DealStageLead,
		"qualification": models.DealStageQualified, "qualifying": models.DealStageQualified, "sql": models.DealStageQualified,
		"proposals": models.DealStageProposal, "proposal sent": models.DealStageProposal, "quote": models.DealStageProposal, "quoted": models.DealStageProposal,
		"negotiations": models.DealStageNegotiation, "negotiating": models.DealStageNegotiation, "in negotiation": models.DealStageNegotiation, "negotiate": models.DealStageNegotiation,
		"closed won": models.DealStageWon, "closed-won": models.DealStageWon, "closedwon": models.DealStageWon, "win": models.DealStageWon, "wins": models.DealStageWon, "signed": models.DealStageWon, "closed/won": models.DealStageWon,
		"closed lost": models.DealStageLost, "closed-lost": models.DealStageLost, "closedlost": models.DealStageLost, "lose": models.DealStageLost, "dead": models.DealStageLost, "closed/lost": models.DealStageLost,
	}
	for _, s := range models.AllDealStage {
		w := strings.ToLower(string(s))
		m[w], m[w+"s"] = s, s
	}
	return m
}()

// stageAt reads a stage at toks[i].
func stageAt(toks []token, i int) (models.DealStage, int, bool) {
	for n := 3; n >= 1; n-- {
		if i+n > len(toks) {
			continue
		}
		var ws []string
		for _, t := range toks[i : i+n] {
			if t.quoted && n > 1 {
				ws = nil
				break
			}
			ws = append(ws, t.word)
		}
		if st, ok := stageWords[strings.Join(ws, " ")]; ok && ws != nil {
			return st, n, true
		}
	}
	return "", 0, false
}

// parseStage reads a stage word as a tool argument gives it ("won", "Closed Won").
func parseStage(s string) (models.DealStage, bool) {
	toks := tokenize(strings.TrimSpace(s))
	for len(toks) > 0 && (toks[0].low == "the" || toks[0].low == "to" || toks[0].low == "in") {
		toks = toks[1:]
	}
	st, n, ok := stageAt(toks, 0)
	if !ok || n < len(toks) && !(n == len(toks)-1 && toks[n].low == "stage") {
		return "", false
	}
	return st, true
}

func stageName(s models.DealStage) string { return strings.ToLower(string(s)) }

// stageList is "lead, qualified, … and lost".
func stageList() string {
	names := make([]string, len(models.AllDealStage))
	for i, st := range models.AllDealStage {
		names[i] = stageName(st)
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
