package lexi

import (
	"slices"
	"strings"
)

// Small readings the intents share: the verb a clause starts with, the words a value is
// made of, the list a request adds to.

var (
	createVerbs = setOf(fields(`create make build new start setup generate establish form begin prepare draft open
		log enter register insert record spin add write compose plan launch need want`))
	addVerbs    = setOf(fields(`add put include append insert place throw stick move enroll enrol assign bring drop push subscribe copy sign get`))
	removeVerbs = setOf(fields(`remove take drop pull kick exclude delete unsubscribe strip clear detach erase`))
	editVerbs   = setOf(fields(`move set change update put advance push bump mark shift progress switch make modify adjust
		correct fix edit raise increase lower reduce cut drop bring slip pull rename retitle close reopen`))
	askWords = setOf(fields(`how what what's whats which who who's whom whose when where is are does do did any show list
		tell give find display see get count`))
)

// objectNouns are what a verb of creation may make.
var objectNouns = setOf(fields(`list lists campaign campaigns newsletter deal deals opportunity opp contact contacts person lead prospect customer client tag`))

// object is the first noun of creation after token i: what "create a … X" makes.
func (c *clause) object(i int) (string, int) {
	for k := i + 1; k < c.b; k++ {
		if c.plain(k) && objectNouns[c.toks[k].word] {
			return c.toks[k].word, k
		}
	}
	return "", -1
}

// verbless reports whether the clause has none of the verbs of a request and tells no
// story: "overdue deals", "contacts at Acme tagged vip", "open pipeline value" are questions.
func (c *clause) verbless() bool {
	if c.statement() || c.has("want", "need", "wish") {
		return false
	}
	for i := c.a; i < c.b; i++ {
		if !c.plain(i) {
			continue
		}
		w := c.toks[i].word
		if editVerbs[w] || createVerbs[w] && w != "new" && w != "need" && w != "want" && w != "open" || addVerbs[w] || removeVerbs[w] || tagVerbs[w] || w == "untag" || w == "rename" {
			return false
		}
	}
	return true
}

// verb is the first of the clause's words that is in set, and where it is.
func (c *clause) verb(set map[string]bool) (string, int) {
	for i := c.a; i < c.b; i++ {
		if c.plain(i) && set[c.toks[i].word] {
			return c.toks[i].word, i
		}
	}
	return "", -1
}

// requestVerb is the first word of set that stands where a request's verb does: first in the
// clause (past politeness), or right after "you", "please", "to", "and", "so"… ("could you
// update", "I'd like to draft"). A verb inside a story ("we're sending a reminder") is not.
func (c *clause) requestVerb(set map[string]bool) (string, int) {
	_, first := c.first()
	for i := c.a; i < c.b; i++ {
		if !c.plain(i) || !set[c.toks[i].word] {
			continue
		}
		if i == first || i > c.a && requestLead[c.toks[i-1].word] {
			return c.toks[i].word, i
		}
	}
	return "", -1
}

var requestLead = setOf(fields(`you u please pls plz to and then so just also kindly mind can could would will`))

// anyVerb are the verbs of every request.
var anyVerb = func() map[string]bool {
	m := map[string]bool{"tag": true, "label": true, "untag": true, "rename": true, "mark": true}
	for _, set := range []map[string]bool{editVerbs, createVerbs, addVerbs, removeVerbs} {
		for w := range set {
			m[w] = true
		}
	}
	for _, w := range []string{"new", "need", "want", "open"} {
		delete(m, w)
	}
	return m
}()

// imperative reports whether the clause asks for a change rather than a fact: a verb of
// change stands where a request's verb does, or it is not a question.
func (c *clause) imperative() bool {
	if _, i := c.requestVerb(anyVerb); i >= 0 {
		return true
	}
	return !c.asked
}

// narrativeWords tell a story rather than ask: "we met someone", "Hannah has left".
var narrativeWords = setOf(fields(`i'm we're i've we've they're has have had was were got
	seems seemed turns turned heard met said think thought looks looked went grew should would be been being`))

// statement reports whether the clause tells something rather than asks or requests.
func (c *clause) statement() bool {
	if c.asked {
		return false
	}
	if w, _ := c.first(); askWords[w] && w != "is" && w != "are" {
		return false
	}
	if _, i := c.requestVerb(anyVerb); i >= 0 {
		return false
	}
	for i := c.a; i < c.b; i++ {
		if c.plain(i) && narrativeWords[c.toks[i].word] {
			return true
		}
	}
	return false
}

// raw is the message's text of tokens [a, b).
func (c *clause) raw(a, b int) string {
	for a < b && c.toks[a].punct {
		a++
	}
	for b > a && c.toks[b-1].punct {
		b--
	}
	if a >= b {
		return ""
	}
	return text(c.msg, c.toks, a, b-1)
}

// valueAfter is the text after token i up to the first token that stop accepts, trimmed of
// determiners at its start: "as a Champion, please" → "Champion".
func (c *clause) valueAfter(i int, stop func(k int) bool) (string, int, int) {
	a := i + 1
	for a < c.b && !c.toks[a].quoted && (c.toks[a].word == "a" || c.toks[a].word == "an" || c.toks[a].word == "the" || c.toks[a].raw == ":") {
		a++
	}
	if a < c.b && c.toks[a].quoted {
		return c.toks[a].raw, a, a + 1
	}
	b := a
	if m := c.mentionAt(a); m != nil && m.from == a && stop(a) && !c.toks[a].punct {
		b = m.to // a value that is also a name ("the tag newsletter" when a list is called Newsletter)
	}
	for b < c.b && !stop(b) {
		b++
	}
	for b > a && (c.toks[b-1].punct || politeTail[c.toks[b-1].low]) {
		b--
	}
	return c.raw(a, b), a, b
}

// stopAt makes a stop function: at punctuation, at one of words, or at a mention of kinds.
func (c *clause) stopAt(words []string, kinds ...refKind) func(int) bool {
	return func(k int) bool {
		t := c.toks[k]
		if t.punct && t.raw != "-" && t.raw != "&" {
			return true
		}
		if c.plain(k) && slices.Contains(words, t.word) {
			return true
		}
		if m := c.mentionAt(k); m != nil && m.from == k && !c.inSlot(k) {
			for _, kd := range kinds {
				if m.strong(kd) || m.is(kd) && m.onlyWeak() && t.upper {
					return true
				}
			}
		}
		return false
	}
}

// targetList is the list a request puts contacts into or takes them out of: a list named
// after one of preps ("to the Events list", "from VIP"), else after the word "list".
func (c *clause) targetList(preps ...string) (*mention, string) {
	var found *mention
	for _, m := range c.ms {
		if !m.is(kList) || c.inSlot(m.from) {
			continue
		}
		for k := m.from - 1; k >= c.a && k >= m.from-4; k-- {
			w := c.toks[k].word
			if slices.Contains(preps, w) {
				found = m
				break
			}
			if !determiners[w] && w != "list" && w != "mailing" {
				break
			}
		}
	}
	if found != nil {
		r, _ := found.get(kList, true)
		return found, r.list.Name
	}
	// "to list Foo", "to the Foo list" for a list the workspace does not have
	for i := c.a; i < c.b; i++ {
		if !c.plain(i) || !slices.Contains(preps, c.toks[i].word) {
			continue
		}
		j := i + 1
		for j < c.b && determiners[c.toks[j].word] {
			j++
		}
		if j < c.b && c.toks[j].word == "list" && j+1 < c.b {
			v, _, _ := c.valueAfter(j, c.stopAt([]string{"and", "with", "for", "please"}))
			return nil, v
		}
		if j < c.b && c.toks[j].quoted {
			return nil, c.toks[j].raw
		}
		for k := j; k < c.b && k < j+5; k++ {
			if c.toks[k].word == "list" && k > j {
				return nil, c.raw(j, k)
			}
		}
	}
	return nil, ""
}

// plainAdjectives describe a new record without naming it: "an empty list".
var plainAdjectives = setOf(fields(`empty blank static contact mailing brand email e-mail fresh separate another second`))

// fieldWords introduce another value after a name: "…, subject 'Hi'", "…, closing Friday".
var fieldWords = setOf(fields(`subject subj list email mail phone title company amount stage closing close worth tag tagged
	for with to at from in on containing including valued due priced called named empty blank name`))

// creating finds the verb of creation a clause starts with and the noun it makes: "create a
// list", "new deal", "draft campaign", or the noun alone first ("campaign for the Events
// list, name it …"). It returns the noun's position, or -1.
func (c *clause) creating(nouns ...string) int {
	if c.statement() {
		return -1 // "we've got a new opportunity with Pinecrest" tells
	}
	w, i := c.requestVerb(createVerbs)
	if i < 0 {
		// a verb right before what it makes, wherever it stands: "for the list X make a campaign"
		for k := c.a; k < c.b; k++ {
			if v := c.toks[k].word; c.plain(k) && createVerbs[v] && v != "new" && v != "open" && v != "need" && v != "want" && slices.Contains(nouns, c.after(k)) && !c.asked {
				w, i = v, k
				break
			}
		}
	}
	if i < 0 {
		if w, i = c.first(); !slices.Contains(nouns, w) {
			if w != "put" || c.after(i) != "together" {
				return -1 // "put together a campaign"
			}
		}
	}
	if w == "open" || w == "need" || w == "want" {
		if n := c.after(i); n != "" && !slices.Contains(nouns, n) && !(i+1 < c.b && (c.toks[i+1].word == "a" || c.toks[i+1].word == "an" || c.toks[i+1].word == "new")) {
			return -1
		}
	}
	if slices.Contains(nouns, w) {
		// the noun alone first names what it makes: "campaign: Q4 launch", "deal 'X' for 40k"
		if c.slotText() != "" || i+1 < c.b && (c.toks[i+1].raw == ":" || c.toks[i+1].quoted) {
			return i
		}
		return -1
	}
	obj, oi := c.object(i)
	if !slices.Contains(nouns, obj) {
		return -1
	}
	for k := i + 1; k < oi; k++ {
		if c.plain(k) && (c.toks[k].word == "to" || c.toks[k].word == "into" || c.toks[k].word == "onto" || c.toks[k].word == "in" || c.toks[k].word == "on") {
			return -1 // "add Cara to the Events list", "add in the list X …" add to a list
		}
	}
	return oi
}

// nameAfter is the name a request gives the record it creates: the name slot ("called X",
// "name it X"), a quoted name, what follows the noun and a colon, or the words right after
// the noun ("new deal Halden customs v2 40k …"), verbatim. It also returns the name's
// tokens.
func (c *clause) nameAfter(noun int, stop ...refKind) (string, int, int) {
	if s := c.slotText(); s != "" {
		return clean(s), c.slot[0], c.slot[1]
	}
	if v, a, b := c.fieldValue("name"); v != "" {
		return v, a, b
	}
	k := noun + 1
	if k < c.b && c.toks[k].quoted {
		return c.toks[k].raw, k, k + 1
	}
	if k < c.b && (c.toks[k].raw == ":" || c.toks[k].raw == "-") {
		k++
	} else if k >= c.b || c.toks[k].punct || fieldWords[c.toks[k].word] || determiners[c.toks[k].word] {
		return "", -1, -1
	}
	v, a, b := c.valueAfter(k-1, c.stopAt(keysOf(fieldWords), stop...))
	return clean(v), a, b
}

// fieldValue is the value given for a field word: "name is X", "with name X", "title: X",
// "amount 22k" — quoted, or up to the next comma or field.
func (c *clause) fieldValue(field string) (string, int, int) {
	for i := c.a; i < c.b; i++ {
		if !c.plain(i) || c.toks[i].word != field {
			continue
		}
		if i > c.a && (c.toks[i-1].word == "first" || c.toks[i-1].word == "last") {
			continue
		}
		k := i
		if k+1 < c.b && (c.toks[k+1].word == "is" || c.toks[k+1].word == "be" || c.toks[k+1].raw == ":" || c.toks[k+1].word == "as") {
			k++
		}
		if k+2 < c.b && c.toks[k+1].raw == "," && c.toks[k+2].quoted {
			return c.toks[k+2].raw, k + 2, k + 3 // "a new name, 'Winter Webinar 2026'"
		}
		if k+1 >= c.b || k == i && !(i > c.a && (c.toks[i-1].word == "with" || c.toks[i-1].raw == "," || c.toks[i-1].word == "the" || c.toks[i-1].word == "new")) && !c.toks[k+1].quoted {
			continue
		}
		v, a, b := c.valueAfter(k, c.stopAt(keysOf(fieldWords)))
		if v != "" {
			return clean(v), a, b
		}
	}
	return "", -1, -1
}

// skipIs steps over "is", "be", ":" or "as" after token i.
func (c *clause) skipIs(i int) int {
	if i+1 < c.b && (c.toks[i+1].word == "is" || c.toks[i+1].word == "be" || c.toks[i+1].raw == ":" || c.toks[i+1].word == "as") {
		return i + 1
	}
	return i
}

// preNoun is the name written before a noun: "a new Spring sale campaign" → "Spring sale".
func (c *clause) preNoun(noun int) string {
	a := noun
	_, verb := c.first()
	for a > c.a && a-1 > verb {
		w := c.toks[a-1].word
		if c.toks[a-1].punct || determiners[w] || w == "new" || w == "me" || w == "us" || w == "called" || w == "named" || plainAdjectives[w] {
			break
		}
		a--
	}
	return c.raw(a, noun)
}

// amount is the clause's amount: one surely money, else any number big enough to be one.
func (c *clause) amount() (ref, *mention, bool) {
	for _, sure := range []bool{true, false} {
		for _, m := range c.ms {
			if r, ok := m.get(kAmount, true); ok && (!r.weak || !sure) && !c.inSlot(m.from) {
				if !sure && r.amount < 100*100 && !c.has("amount", "worth", "value", "price", "size", "to", "at", "for") {
					continue
				}
				return r, m, true
			}
		}
	}
	return ref{}, nil, false
}

// dateRef is the clause's date.
func (c *clause) dateRef() (ref, *mention, bool) {
	for _, m := range c.ms {
		if r, ok := m.get(kDate, false); ok && !c.inSlot(m.from) {
			return r, m, true
		}
	}
	return ref{}, nil, false
}

// stage is the clause's stage.
func (c *clause) stage() (ref, *mention, bool) {
	for _, m := range c.ms {
		if r, ok := m.get(kStage, false); ok && !c.inSlot(m.from) {
			return r, m, true
		}
	}
	return ref{}, nil, false
}

func lower(s string) string { return strings.ToLower(s) }
