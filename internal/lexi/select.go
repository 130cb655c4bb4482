package lexi

import "slices"

// Which contacts a clause is about, read from what it names: contacts by name or email, a
// company, a tag, a list, a job title; "everyone"; or "them"/"those" for the contacts the
// conversation was last about.

// selector reads the clause's contacts, leaving out the mentions in skip (the list a request
// adds to, the tag it applies).
func (c *clause) selector(skip ...*mention) (Selector, bool) {
	var sel Selector
	for _, m := range c.ms {
		if slices.Contains(skip, m) || c.inSlot(m.from) {
			continue
		}
		c.readInto(&sel, m)
	}
	if sel.Tag == "" {
		// "tagged vip" where no contact has the tag vip yet: still that tag
		if k := c.find(c.a, "tagged", "labelled", "labeled"); k >= 0 && k+1 < c.b && c.mentionAt(k+1) == nil && c.plain(k+1) && !c.toks[k+1].punct {
			v, _, _ := c.valueAfter(k, c.stopAt([]string{"at", "in", "on", "from", "and", "to", "who", "with", "as"}))
			sel.Tag = lower(v)
		}
	}
	if sel.IsZero() {
		if them, _ := c.pronoun(); them && c.focus != nil && c.focus.contacts != nil {
			return *c.focus.contacts, true
		}
		if c.has("everyone", "everybody", "all", "every", "anyone", "anybody") && c.hasContactNoun() ||
			c.has("everyone", "everybody") {
			sel.All = true
		}
	}
	return sel, !sel.IsZero()
}

// hasContactNoun reports whether the clause speaks of contacts.
func (c *clause) hasContactNoun() bool {
	for i := c.a; i < c.b; i++ {
		if c.plain(i) && (contactNouns[c.toks[i].word] || c.toks[i].word == "who" || c.toks[i].word == "whom") {
			return true
		}
	}
	return false
}

// readInto adds what one mention says about contacts to sel.
func (c *clause) readInto(sel *Selector, m *mention) {
	if r, ok := m.get(kContact, false); ok {
		sel.Contacts = appendNew(sel.Contacts, r.who())
		return
	}
	tagOrList := func() bool {
		_, isTag := m.get(kTag, true)
		l, isList := m.get(kList, false)
		if !isTag && !isList {
			return false
		}
		before, after := c.before(m.from), c.after(m.to-1)
		listy := before == "list" || after == "list" || before == "in" || before == "on" || before == "from" || before == "of" && c.before(m.from-1) == "members"
		taggy := before == "tagged" || before == "tag" || after == "tag" || after == "tags" || before == "labeled" || before == "labelled"
		switch {
		case isList && (listy && !taggy || !isTag):
			if sel.List == "" {
				sel.List = l.list.Name
			}
		case isTag:
			if r, _ := m.get(kTag, true); sel.Tag == "" {
				sel.Tag = r.name
			}
		}
		return true
	}
	if r, ok := m.get(kCompany, true); ok && (!r.weak || m.onlyWeak()) {
		if sel.Company == "" {
			sel.Company = r.name
		}
		return
	}
	if tagOrList() {
		return
	}
	if r, ok := m.get(kTitle, true); ok {
		if sel.Title == "" {
			sel.Title = r.name
		} else if r.name != sel.Title {
			sel.OrTitles = append(sel.OrTitles, r.name)
		}
		return
	}
	if r, ok := m.get(kContact, true); ok && m.onlyWeak() {
		sel.Contacts = appendNew(sel.Contacts, r.who())
	}
}

func appendNew(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// deal is the one deal the clause names, or the deal in focus when it says "it" or "that
// deal".
func (c *clause) deal() (*mention, bool) {
	var weak *mention
	for _, m := range c.ms {
		if c.inSlot(m.from) {
			continue
		}
		if m.strong(kDeal) {
			return m, true
		}
		next := c.after(m.to - 1)
		if m.is(kDeal) && weak == nil && (m.onlyWeak() && !m.is(kCompany) || next == "deal" || next == "opportunity" || next == "opp") {
			weak = m
		}
	}
	if weak != nil {
		return weak, true
	}
	return nil, false
}

// dealInFocus is the deal "it"/"that deal"/"the deal" refers to.
func (c *clause) dealInFocus() bool {
	if c.focus == nil || c.focus.deal == nil {
		return false
	}
	_, one := c.pronoun()
	return one || c.has("deal", "opportunity", "opp", "one")
}
