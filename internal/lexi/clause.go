package lexi

import (
	"slices"
	"strings"

	"github.com/wbk/crm/models"
)

// A message is read in clauses: sentences, cut again where "and"/"then" starts a new request
// ("show the CTOs and tag them as champions"). A clause knows its tokens, the mentions in it,
// its name slot (what follows "called"/"named", taken verbatim) and the focus: what earlier
// clauses and turns named, which "it", "that deal" and "them" refer to.

type clause struct {
	w     *world
	msg   string
	toks  []token // the whole message's tokens
	a, b  int     // this clause is toks[a:b]
	ms    []*mention
	slot  [2]int // name slot toks[slot[0]:slot[1]]; empty when slot[0] == slot[1]
	focus *focus
	asked bool // a question: ends with "?" or starts like one
}

// focus is what "it", "that deal", "them" and "those" refer to.
type focus struct {
	contacts *Selector
	deal     *models.Deal
	list     *models.List
	campaign *models.Campaign
}

// clauseVerbs start a new request after "and" or a comma.
var clauseVerbs = setOf(fields(`add put tag label move set mark create make build draft show list find count tell give
	change update rename remove untag import assign include send delete also then how what which who when`))

// sentences cuts toks into sentences at ? ! ; line breaks and full stops.
func sentences(toks []token) [][2]int {
	var out [][2]int
	start := 0
	for i, t := range toks {
		if t.punct && strings.Contains("?!;\n.", t.raw) && t.raw != "" {
			if t.raw == "." && i+1 < len(toks) && !toks[i+1].upper && !toks[i+1].punct && i > 0 && legalSuffixes[toks[i-1].low] {
				continue // "Acme Inc. people"
			}
			if i > start {
				out = append(out, [2]int{start, i + 1})
			}
			start = i + 1
		}
	}
	if start < len(toks) {
		out = append(out, [2]int{start, len(toks)})
	}
	return out
}

// slotStarters begin a verbatim name: "called X", "named X", "titled X", "name it X",
// "call it X", "rename it to X".
func slotStart(toks []token, a, b int) int {
	for i := a; i < b; i++ {
		switch repair(toks[i].low) {
		case "called", "named", "titled", "entitled":
			if i+1 < b && toks[i+1].low == ":" {
				return i + 2
			}
			return i + 1
		case "name", "call", "title", "rename", "retitle", "subject":
			// "name it X", "call it X", "name the campaign X", "rename it to X", "rename X to Y"
			j := i + 1
			for j < b && !toks[j].punct && toks[j].low != "to" && toks[j].low != "as" && j < i+6 {
				if toks[j].low == "it" || toks[j].low == "this" || toks[j].low == "that" {
					j++
					break
				}
				j++
			}
			if v := repair(toks[i].low); j < b && (toks[j].low == "to" || toks[j].low == "as") && (v == "rename" || v == "retitle" || changeBefore(toks, a, i)) {
				return j + 1
			}
			if toks[i].low == "name" || toks[i].low == "call" {
				if i+1 < b && (toks[i+1].low == "it" || toks[i+1].low == "this") {
					if i+2 < b && toks[i+2].low == ":" {
						return i + 3
					}
					return i + 2
				}
			}
		}
	}
	return -1
}

// changeBefore reports whether a verb of change comes before token i: "change the name of X
// to Y" gives a name, "whose title is X to the list" does not.
func changeBefore(toks []token, a, i int) bool {
	for k := a; k < i; k++ {
		switch repair(toks[k].low) {
		case "change", "set", "update", "rename", "fix", "correct", "edit", "make", "switch":
			return true
		}
	}
	return false
}

// slotEnd is where a name that starts at s stops: at the end of the clause, or before
// "with", "for", "containing", a comma… when what follows names contacts, a list or a value
// of the workspace; trailing politeness is not part of the name.
func slotEnd(toks []token, ms []*mention, s, b int) int {
	if s < b && toks[s].quoted {
		return s + 1
	}
	for j := s + 1; j < b; j++ {
		t := toks[j]
		if !(t.punct && (t.raw == "," || t.raw == "-" || t.raw == "(" || t.raw == ":") || boundaryWords[t.low]) {
			continue
		}
		for _, m := range ms {
			if m.from > j && m.from < b && (!m.onlyWeak() || m.is(kContact)) {
				return j
			}
		}
		for k := j + 1; k < b; k++ {
			if w := repair(toks[k].low); contactNouns[w] || w == "list" || w == "everyone" || w == "everybody" {
				return j
			}
		}
		if t.raw == "," && j+1 < b && fieldWords[repair(toks[j+1].low)] {
			return j // "name it Renewal Nudge, subject '…'"
		}
	}
	end := b
	for end > s+1 && (toks[end-1].punct || politeTail[toks[end-1].low]) {
		end--
	}
	return end
}

var boundaryWords = setOf(fields(`with containing including for from of to that who which and using targeting at in on
	worth valued closing due priced amount`))

var politeTail = setOf(fields(`please pls plz thanks thx thank you ty now instead again too asap already then`))

var contactNouns = setOf(fields(`contact contacts people person persons folks everyone everybody employees staff customers
	clients members subscribers users guys individuals`))

// read cuts a message into clauses and repairs the typos of the assistant's own words.
func read(w *world, msg string) []*clause {
	toks := tokenize(msg)
	ms := findMentions(w, toks)
	var out []*clause
	for _, s := range sentences(toks) {
		a, b := s[0], s[1]
		slot := [2]int{b, b}
		if st := slotStart(toks, a, b); st >= 0 && st < b {
			slot = [2]int{st, slotEnd(toks, ms, st, b)}
		}
		inMention := func(i int) bool {
			for _, m := range ms {
				if i >= m.from && i < m.to {
					return !m.onlyWeak() || toks[i].upper
				}
			}
			return false
		}
		for i := a; i < b; i++ {
			if !toks[i].quoted && !toks[i].punct && !(i >= slot[0] && i < slot[1]) && !inMention(i) {
				toks[i].word = repair(toks[i].low)
			}
		}
	}
	// With the typos of its own words repaired, stages, dates and numbers are read again.
	ms = findMentions(w, toks)
	for _, s := range sentences(toks) {
		a, b := s[0], s[1]
		slot := [2]int{b, b}
		if st := slotStart(toks, a, b); st >= 0 && st < b {
			slot = [2]int{st, slotEnd(toks, ms, st, b)}
		}
		inMention := func(i int) bool {
			for _, m := range ms {
				if i >= m.from && i < m.to {
					return !m.onlyWeak() || toks[i].upper
				}
			}
			return false
		}
		asked := toks[b-1].raw == "?" || questionStart[firstWord(toks, a, b)]
		// cut at "and"/"then"/"," before a verb, outside the name slot and mentions
		start := a
		for i := a + 1; i < b-1; i++ {
			if i >= slot[0] && i < slot[1] || inMention(i+1) || inMention(i) {
				continue
			}
			sep := toks[i].word == "and" || toks[i].word == "then" || toks[i].raw == "," || toks[i].word == "so" || toks[i].word == "but"
			next := i + 1
			for next < b && (toks[next].word == "then" || toks[next].word == "also" || toks[next].word == "and" || toks[next].word == "please" || toks[next].word == "so") {
				next++
			}
			// "…, so could you …", "…, so I'd like to …": a request after a story
			if sep && next < b && politeStart[toks[next].word] && next-start > 2 {
				out = append(out, newClause(w, msg, toks, ms, start, i, slot, questionStart[firstWord(toks, start, i)]))
				start = next
				i = next
				continue
			}
			if sep && next < b && clauseVerbs[toks[next].word] && next-start > 1 && !(toks[next].word == "list" && toks[i].raw != ",") {
				out = append(out, newClause(w, msg, toks, ms, start, i, slot, questionStart[firstWord(toks, start, i)] || asked && !politeStart[toks[next].word]))
				start = next
				i = next
			}
		}
		out = append(out, newClause(w, msg, toks, ms, start, b, slot, asked))
	}
	return out
}

func newClause(w *world, msg string, toks []token, ms []*mention, a, b int, slot [2]int, asked bool) *clause {
	c := &clause{w: w, msg: msg, toks: toks, a: a, b: b, asked: asked}
	if slot[0] >= a && slot[0] < b {
		c.slot = [2]int{slot[0], min(slot[1], b)}
	}
	for _, m := range ms {
		if m.from >= a && m.to <= b {
			c.ms = append(c.ms, m)
		}
	}
	return c
}

func firstWord(toks []token, a, b int) string {
	for i := a; i < b; i++ {
		if !toks[i].punct && !leadFiller[toks[i].word] {
			return toks[i].word
		}
	}
	return ""
}

// politeStart begins a request in the middle of a sentence.
var politeStart = setOf(fields(`could can would will please i'd let's lets i we`))

var questionStart = setOf(fields(`how what what's whats which who who's whom whose when where is are does do did any
	anyone anybody show list`))

// inSlot reports whether token i is part of the name slot.
func (c *clause) inSlot(i int) bool { return i >= c.slot[0] && i < c.slot[1] }

// slotText is the name slot, verbatim.
func (c *clause) slotText() string {
	if c.slot[0] >= c.slot[1] {
		return ""
	}
	return text(c.msg, c.toks, c.slot[0], c.slot[1]-1)
}

func (c *clause) mentionAt(i int) *mention {
	for _, m := range c.ms {
		if i >= m.from && i < m.to {
			return m
		}
	}
	return nil
}

// plain reports whether token i is one of the assistant's words: not in a name, a mention
// or the slot.
func (c *clause) plain(i int) bool {
	if c.inSlot(i) || c.toks[i].quoted {
		return false
	}
	m := c.mentionAt(i)
	return m == nil || m.onlyWeak() && !c.toks[i].upper
}

// has reports whether any of words is in the clause as one of the assistant's words.
func (c *clause) has(words ...string) bool { return c.idx(words...) >= 0 }

// idx is the first token that is one of words, or -1.
func (c *clause) idx(words ...string) int {
	for i := c.a; i < c.b; i++ {
		if c.plain(i) && slices.Contains(words, c.toks[i].word) {
			return i
		}
	}
	return -1
}

// seq reports whether the words appear one after another.
func (c *clause) seq(words ...string) int {
	for i := c.a; i+len(words) <= c.b; i++ {
		ok := true
		for k, w := range words {
			if !c.plain(i+k) || c.toks[i+k].word != w {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return -1
}

// first is the clause's first word, past politeness.
func (c *clause) first() (string, int) {
	for i := c.a; i < c.b; i++ {
		t := c.toks[i]
		if t.punct || !c.plain(i) {
			if t.punct {
				continue
			}
			return "", i
		}
		if leadFiller[t.word] {
			continue
		}
		return t.word, i
	}
	return "", c.b
}

var leadFiller = setOf(fields(`hey hi hello hiya yo ok okay so well um uh right alright great thanks cool please kindly
	just quickly lexi and also then now next oh ah hmm sorry actually btw can could would will you u we i please mind
	pls plz let's lets let me us need want wanna like i'd to go ahead help quick question q fyi morning good
	afternoon evening possible is it be able tell know wondering wonder`))

// mentions returns the clause's mentions that have a ref of kind k.
func (c *clause) mentions(k refKind, weakOK bool) []*mention {
	var out []*mention
	for _, m := range c.ms {
		if _, ok := m.get(k, weakOK); ok && (weakOK || !m.onlyWeak() || c.toks[m.from].upper) {
			out = append(out, m)
		}
	}
	return out
}

// before is the plain word just before token i (skipping "the", "our"…), or "".
func (c *clause) before(i int) string {
	for k := i - 1; k >= c.a; k-- {
		w := c.toks[k].word
		if determiners[w] {
			continue
		}
		if c.toks[k].punct {
			return ""
		}
		return w
	}
	return ""
}

// after is the plain word just after token i (skipping determiners), or "".
func (c *clause) after(i int) string {
	for k := i + 1; k < c.b; k++ {
		w := c.toks[k].word
		if determiners[w] {
			continue
		}
		return w
	}
	return ""
}

var determiners = setOf(fields(`the a an our my your their this that these those its all every each any some of`))

// pronoun reports whether the clause refers back: to contacts ("them", "those") or to one
// record ("it", "that deal", "that one").
func (c *clause) pronoun() (contacts, one bool) {
	for i := c.a; i < c.b; i++ {
		if !c.plain(i) {
			continue
		}
		switch c.toks[i].word {
		case "them", "they", "those", "these", "theirs", "their", "him", "her", "his", "hers", "she", "he":
			contacts = true
		case "it", "its", "it's":
			one = true
		case "that", "this", "same":
			if n := c.after(i); n == "deal" || n == "one" || n == "opportunity" || n == "opp" || n == "campaign" || n == "list" {
				one = true
			}
		}
	}
	return
}
