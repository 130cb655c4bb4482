package lexi

import (
	"regexp"
	"strings"
	"unicode"
)

// The built-in assistant's parser: text in, typed actions out, deterministic and without the
// workspace (names are resolved later, by the proposer). It reads meaning rather than one
// sentence template per action: it strips politeness and filler, fixes one-letter typos in
// its keywords, splits a message into its questions and requests, finds each one's intent by
// its verbs and nouns, and reads the contacts it is about from the words around the noun
// ("the Acme contacts", "people at Acme Inc.", "everyone tagged vip", "VIPs").

// Parsed is what a message asks for.
type Parsed struct {
	// Actions are the questions and requests understood, in order, without repeats.
	Actions []Action
	// Refusal is set for requests Lexi will not serve: deleting or sending something, or an
	// attempt to change its instructions. Nothing else of the message is acted on.
	Refusal Refusal
	// Unclear is set when a clause was about contacts or deals but their selection was not
	// understood, and nothing else was.
	Unclear string
}

// Refusal is why a message is declined.
type Refusal int

// The refusals.
const (
	NoRefusal Refusal = iota
	Destructive
	Steering
)

// Parse reads a message.
func Parse(message string) Parsed {
	s := normalizeText(message)
	outside := strings.ToLower(outsideQuotes(s, func(p string) string { return p }, true))
	outside = fixDestructiveTypos(outside)
	// "an email blast" is a campaign; "blast the list" sends one.
	outside = re(`\b(?:e-?mail|an?|the|marketing|newsletter)\s+blasts?\b`).ReplaceAllString(outside, " campaign")
	switch {
	case steeringWords.MatchString(outside):
		return Parsed{Refusal: Steering}
	case destructiveWords.MatchString(outside):
		return Parsed{Refusal: Destructive}
	}
	s = fixTypos(s)
	var out Parsed
	var prev Action
	for _, clause := range splitClauses(s) {
		clause = stripNoise(clause)
		if w, rest, _ := strings.Cut(clause, " "); gerunds[strings.ToLower(w)] != "" {
			clause = gerunds[strings.ToLower(w)] + " " + rest
		}
		if clause == "" {
			continue
		}
		// "import prospects at Contoso and add them to list VIP" is one import into a list.
		last := len(out.Actions) > 0 && out.Actions[len(out.Actions)-1] == prev
		if imp, ok := prev.(ImportProspects); ok && imp.List == "" && last {
			if m := addThemTo.FindStringSubmatch(clause); m != nil {
				imp.List = listName(m[1])
				out.Actions[len(out.Actions)-1], prev = imp, imp
				continue
			}
		}
		a, unclear := parseClause(clause, prev)
		if a == nil {
			if unclear != "" && out.Unclear == "" {
				out.Unclear = unclear
			}
			continue
		}
		if merged, ok := mergeWithPrevious(prev, a); ok && last {
			out.Actions[len(out.Actions)-1] = merged
			prev = merged
			continue
		}
		prev = a
		if !containsAction(out.Actions, a) {
			out.Actions = append(out.Actions, a)
		}
	}
	if len(out.Actions) > 0 {
		out.Unclear = ""
	}
	return out
}

// mergeWithPrevious reads "create a list called X and add contacts tagged vip to it" as one
// request.
func mergeWithPrevious(prev, a Action) (Action, bool) {
	add, ok := a.(AddToList)
	if !ok {
		return nil, false
	}
	switch p := prev.(type) {
	case CreateList:
		if p.Selector.IsZero() && re(`^(?:it|this|that|(?:the|this|that)\s+(?:new\s+)?(?:list|one))$`).MatchString(add.List) {
			p.Selector = add.Selector
			return p, true
		}
	}
	return nil, false
}

var addThemTo = re(`^(?:add|put|include|place)\s+(?:them|those|these|them\s+all|all\s+of\s+them)\s+(?:to|into|in|on)\s+(.+)$`)

func containsAction(as []Action, a Action) bool {
	for _, x := range as {
		if x == a {
			return true
		}
	}
	return false
}

func re(p string) *regexp.Regexp { return regexp.MustCompile(`(?i)` + p) }

var spaces = regexp.MustCompile(`\s+`)

// normalizeText unifies quotes, dashes and spaces.
func normalizeText(s string) string {
	s = strings.NewReplacer("\u201c", `"`, "\u201d", `"`, "\u201e", `"`, "\u00ab", `"`, "\u00bb", `"`,
		"\u2018", "'", "\u2019", "'", "\u00a0", " ", "\u2192", " -> ", "\u27f6", " -> ", "\u21d2", " -> ",
		"\u2013", "-", "\u2014", " - ", "`", "'").Replace(s)
	s = strings.Map(func(r rune) rune { // emoji and other symbols carry no request: "how many contacts 👀"
		if unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r) && r != '^' && r != '`' {
			return ' '
		}
		return r
	}, s)
	s = re(`\s@\s`).ReplaceAllString(s, " at ")
	s = re(`\bw/\s*`).ReplaceAllString(s, "with ")
	s = re(`\s*\((?:for\s+|to\s+)?(?:the\s+)?list\s+([^)]+)\)`).ReplaceAllString(s, " for list $1")
	s = re(`(?:^|\s)#\s*of\b|^\s*#\s*`).ReplaceAllString(s, " number of ") // "# of contacts", "# contacts at Acme"
	return strings.TrimSpace(spaces.ReplaceAllString(s, " "))
}

// outsideQuotes applies fn to the parts of s outside double quotes (and single quotes that
// enclose a name: 'Existing'); with drop, quoted parts are left out of the result.
func outsideQuotes(s string, fn func(string) string, drop bool) string {
	var sb strings.Builder
	for _, p := range quoteParts(s) {
		switch {
		case !p.quoted:
			sb.WriteString(fn(p.text))
		case drop:
			sb.WriteString(" ")
		default:
			sb.WriteString(p.text)
		}
	}
	return sb.String()
}

type part struct {
	text   string
	quoted bool
}

// quoteParts splits s into quoted and unquoted runs. A single quote opens a quoted name only
// at the start of a word and closes at the end of one, so apostrophes ("Acme's", "don't")
// stay text.
func quoteParts(s string) []part {
	var out []part
	start := 0
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		q := rs[i]
		if q != '"' && q != '\'' {
			continue
		}
		if q == '\'' && i > 0 && !unicode.IsSpace(rs[i-1]) && !strings.ContainsRune("(:,", rs[i-1]) {
			continue
		}
		end := -1
		for j := i + 1; j < len(rs); j++ {
			if rs[j] == q && (q == '"' || j+1 == len(rs) || !unicode.IsLetter(rs[j+1])) {
				end = j
				break
			}
		}
		if end < 0 {
			continue
		}
		if i > start {
			out = append(out, part{text: string(rs[start:i])})
		}
		out = append(out, part{text: string(rs[i : end+1]), quoted: true})
		start = end + 1
		i = end
	}
	if start < len(rs) {
		out = append(out, part{text: string(rs[start:])})
	}
	return out
}

// unquote returns a name as the user meant it: without surrounding quotes, a leading
// "called"/"named" or trailing punctuation.
func unquote(s string) string {
	s = strings.TrimSpace(s)
	for {
		before := s
		s = strings.TrimSpace(strings.TrimRight(s, ".,!?;: "))
		if len(s) >= 2 {
			q := s[0]
			if (q == '"' || q == '\'') && s[len(s)-1] == q {
				s = strings.TrimSpace(s[1 : len(s)-1])
			}
		}
		if s == before {
			return s
		}
	}
}

var (
	steeringWords = re(`\b(?:ignore|disregard|forget|override|bypass)\b.{0,40}\b(?:instructions?|rules?|prompts?|directions|guidelines|restrictions|guardrails|above|previous|prior|everything|programming)\b` +
		`|\bsystem\s+prompt|\byou\s+are\s+(?:now|no\s+longer)\b|\bact\s+as\b|\bpretend\b|\bjailbreak|\bdeveloper\s+mode\b|\bdo\s+anything\s+now\b|\bnew\s+instructions\b` +
		`|\breveal\b.{0,30}\b(?:prompt|instructions)\b|\brole\s*-?\s*play\b|\bfrom\s+now\s+on\b`)
	destructiveWords = re(`\b(?:delete|deleting|deleted|remove|removing|erase|erasing|drop|destroy|wipe|purge|truncate|nuke|trash|unsubscribe|untag|deactivate|cancel|archive|merge|overwrite|rename|export|dump|get\s+rid\s+of|clear\s+(?:out|all|every)|empty\s+(?:the|out)` +
		`|send|sending|blast|e-?mail\s+(?:them|everyone|everybody|all|the\s+(?:list|contacts))|e-?mail\s+(?:the|our|my|every|all)\b[^.?!]*\b(?:list|contacts|people|everyone|customers|vips?)|mail\s+out|schedule|publish|unschedule)\b`)
)

// Typos: a word of four letters or more that is one edit (a letter changed, added, dropped
// or two swapped) from exactly one keyword becomes that keyword. Names are left alone: words
// in quotes, capitalized words after the first, and words that are themselves English.
var keywords = strings.Fields(`contacts contact people person persons everyone everybody create make build list lists
	deal deals campaign campaigns draft move many show find tagged label labelled labeled import prospects prospect
	negotiation proposal qualified lead leads named called company stage total number count please with from into
	display search add tag deals campaign opportunities`)

var keywordSet = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range keywords {
		m[k] = true
	}
	return m
}()

// realWords are English words one edit from a keyword, which are not typos of it.
var realWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`last lost least lest host post most cost dead dear deaf heal real seal meal teal veal tell
		sell well will wall fill fall mail nail rail tail sail hail fail them then than that this what when wish snow slow flow
		glow know same name game came made mode more mine love live life like lake late line link mark park dark work word
		ward card hard yard load lend less loss lose shows shown shop show make makes maker take takes many mane main
		money mint lint list tags team teams deals ideal steal stage stager stages stale craft treat person persona remote dad
		number numbers count county court counts scout group draft drafts shift drift raft mover moved moves movie word
		words worth deal deals feel peel people peoples plead please pleased lease cease total totals tonal tidal title
		titles label cabal labels legal leaf leafs lean leap leapt lady lads loads tags adds mind kind find fine line`) {
		realWords[w] = true
	}
}

var wordRE = regexp.MustCompile(`[A-Za-z]+`)

// shortTypos are misspellings of short keywords, too short to fix by distance.
var shortTypos = map[string]string{"r": "are", "ar": "are", "u": "you", "ur": "your", "ad": "add", "howmany": "how many", "hw": "how", "hoe": "how", "shw": "show", "sow": "show", "mny": "many", "lst": "list",
	"tg": "tag", "cnt": "count", "nw": "new", "dela": "deal", "mvoe": "move", "mov": "move"}

// gerunds read "would you mind moving …" as "move …".
var gerunds = map[string]string{"moving": "move", "creating": "create", "adding": "add", "tagging": "tag", "making": "make",
	"drafting": "draft", "importing": "import", "showing": "show", "counting": "count", "labelling": "label", "labeling": "label",
	"putting": "put", "setting": "set", "marking": "mark", "finding": "find", "listing": "list", "building": "build",
	"preparing": "prepare", "updating": "update", "changing": "change", "pulling": "pull", "getting": "get", "giving": "give",
	"writing": "write", "starting": "start", "advancing": "advance", "closing": "close"}

func fixTypos(s string) string {
	first := true
	return outsideQuotes(s, func(p string) string {
		return wordRE.ReplaceAllStringFunc(p, func(w string) string {
			isFirst := first
			first = false
			lw := strings.ToLower(w)
			if fix, ok := shortTypos[lw]; ok && (isFirst || !unicode.IsUpper(rune(w[0]))) {
				return fix
			}
			if len(lw) == 3 && !realWords[lw] && (isFirst || !unicode.IsUpper(rune(w[0]))) {
				// Three letters are too few to guess from, except two swapped: "tga", "dad".
				for _, k := range keywords {
					if len(k) == 3 && swapped(lw, k) {
						return k
					}
				}
			}
			if len(lw) < 4 || keywordSet[lw] || realWords[lw] {
				return w
			}
			if !isFirst && unicode.IsUpper(rune(w[0])) {
				return w
			}
			fix := ""
			for _, k := range keywords {
				if oneEdit(lw, k) {
					switch {
					case fix == "" || fix == k:
						fix = k
					case fix+"s" == k || k+"s" == fix: // "contacs": contact or contacts, as the word ends
						if strings.HasSuffix(lw, "s") == strings.HasSuffix(k, "s") {
							fix = k
						}
					default:
						return w
					}
				}
			}
			if fix == "" {
				return w
			}
			return fix
		})
	}, false)
}

// swapped reports whether a is b with two neighbouring letters swapped.
func swapped(a, b string) bool {
	if len(a) != len(b) || a == b {
		return false
	}
	for i := 0; i+1 < len(a); i++ {
		if a[i] != b[i] {
			return a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
		}
	}
	return false
}

// destructiveVerbs are refused however they are misspelled: "deleet", "remvoe".
var destructiveVerbs = strings.Fields(`delete remove destroy erase unsubscribe`)

// fixDestructiveTypos spells the destructive verbs right, so that a typo cannot slip a
// request past the refusal.
func fixDestructiveTypos(s string) string {
	return wordRE.ReplaceAllStringFunc(s, func(w string) string {
		lw := strings.ToLower(w)
		if len(lw) < 5 || realWords[lw] {
			return w
		}
		for _, k := range destructiveVerbs {
			if oneEdit(lw, k) {
				return k
			}
		}
		return w
	})
}

// oneEdit reports whether a and b differ by one substitution, insertion, deletion or swap of
// neighbours.
func oneEdit(a, b string) bool {
	if a == b {
		return false
	}
	la, lb := len(a), len(b)
	switch {
	case la == lb:
		diff := -1
		for i := 0; i < la; i++ {
			if a[i] != b[i] {
				if diff >= 0 {
					// two differences: a swap of neighbours still counts as one typo
					return i == diff+1 && a[diff] == b[i] && a[i] == b[diff] && a[i+1:] == b[i+1:]
				}
				diff = i
			}
		}
		return true
	case la == lb+1:
		a, b = b, a
		fallthrough
	case la+1 == lb:
		// a is b with one letter dropped
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		return a[i:] == b[i+1:]
	}
	return false
}

var (
	leadingNoise = re(`^(?:(?:hey|hi|hello|yo|ok|okay|so|well|um|uh|right|alright|great|thanks|thank\s+you|cool|quick\s+question|quick\s+one|quick\s+q|q|qq|fyi|hiya|heya|howdy|morning|good\s+(?:morning|afternoon|evening)|question|and|also|then|now|next|oh|ah|hmm|sorry|excuse\s+me|actually|btw|by\s+the\s+way)\b[\s,!.:;-]*` +
		`|lexi\b[\s,:!-]*|please\b[\s,:]*|pls\b[\s,]*|plz\b[\s,]*|kindly\s+|just\s+|quickly\s+` +
		`|(?:can|could|would|will|can't|won't)\s+(?:you|u|we|i|ya)(?:\s+(?:please|pls|quickly|just|kindly|maybe|possibly|mind|be\s+able\s+to))*\s+` +
		`|would\s+you\s+(?:mind|be\s+able\s+to)\s+|are\s+you\s+able\s+to\s+|is\s+it\s+possible\s+to\s+|(?:do|could|can)\s+you\s+(?:know|tell\s+me|help\s+me|check)\s+` +
		`|(?:i(?:'d|\s+would)\s+like|i\s+(?:want|need|wanna)|i'd\s+love)\s+to\s+know\s+|(?:to\s+)?know\s+|i(?:'d|\s+would)\s+(?:like|love)\s+(?:you\s+)?to\s+|i(?:'d|\s+would)\s+like\s+|i\s+(?:want|need|wanna|wish)\s+(?:you\s+)?to\s+|i\s+(?:want|need|wanna)\s+|help\s+me\s+(?:to\s+)?` +
		`|let'?s\s+|(?:i'?m\s+|i\s+am\s+|we'?re\s+)?(?:looking|searching)\s+for\s+|let\s+me\s+know\s+|tell\s+me\s+|go\s+ahead\s+and\s+|(?:do\s+)?me\s+a\s+favou?r(?:\s+and)?\s+|(?:i\s+)?wonder(?:ing)?\s+|i'm\s+wondering\s+|any\s+idea\s+|do\s+you\s+know\s+|check\s+)`)
	trailingNoise = re(`[\s,]+(?:please|pls|plz|thanks|thank\s+you|thx|ty|for\s+me|for\s+us|right\s+now|asap|quickly|real\s+quick|if\s+you\s+can|if\s+possible|if\s+you\s+could|when\s+you\s+can|lexi|again|too|as\s+well|ok|okay|thanks\s+a\s+lot|cheers|now|maybe|and\s+thanks|and\s+thank\s+you)$`)
)

// stripNoise removes politeness and filler around a clause, and its final punctuation.
func stripNoise(s string) string {
	// "show me please all contacts": politeness inside a clause, outside quoted names.
	s = strings.TrimSpace(outsideQuotes(s, func(p string) string { return midPlease.ReplaceAllString(p, "") }, false))
	// "please to create …", "the prospects at Contoso, import them": the verb first.
	if m := objectFirst.FindStringSubmatch(s); m != nil {
		s = m[2] + " " + m[1] + m[3]
	}
	for {
		before := s
		s = re(`^to\s+(`+clauseVerbs+`)\b`).ReplaceAllString(s, "$1")
		s = strings.TrimSpace(strings.TrimRight(s, ".?!;:, "))
		s = trailingNoise.ReplaceAllString(s, "")
		s = strings.TrimLeft(leadingNoise.ReplaceAllString(s, ""), ",:;- ")
		if s == before {
			return s
		}
	}
}

const clauseVerbs = `create|make|build|add|put|tag|label|move|set|show|count|find|list|draft|import|give|get`

var (
	midPlease   = re(`\s+(?:please|pls|plz|kindly)\b,?`)
	objectFirst = re(`^(.+?)\s*,\s*(import|tag|label|add|put|move)\s+(?:them|those|these|it)\b(.*)$`)
)

var (
	abbreviation = re(`\b(?:inc|corp|ltd|co|llc|plc|jr|sr|st|mr|mrs|ms|dr|vs|etc|no)$`)
	andThen      = re(`\s*,?\s+(?:and|also|then|plus)\s+(?:also\s+|then\s+)?(?:how\s+many|how\s+about|what|which|who|show|count|find|create|make|tag|move|draft|import|add\s+(?:them|those|these|all|everyone|the|contacts)|tell|give)\b`)
)

// splitClauses cuts a message into its questions and requests: at ? ! ; and line breaks, at
// full stops that end a sentence, and at "and"/"also" before a new question or request.
func splitClauses(s string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if t := strings.TrimSpace(cur.String()); t != "" {
			out = append(out, t)
		}
		cur.Reset()
	}
	for _, p := range quoteParts(s) {
		if p.quoted {
			cur.WriteString(p.text)
			continue
		}
		rs := []rune(p.text)
		for i, r := range rs {
			switch {
			case r == '?' || r == '!' || r == ';' || r == '\n':
				flush()
			case r == '.' && (i+1 == len(rs) || unicode.IsSpace(rs[i+1])) && !abbreviation.MatchString(cur.String()):
				flush()
			default:
				cur.WriteRune(r)
			}
		}
	}
	flush()
	var clauses []string
	for _, c := range out {
		for {
			loc := andThen.FindStringIndex(c)
			if loc == nil || loc[0] == 0 {
				break
			}
			clauses = append(clauses, c[:loc[0]])
			// keep the keyword that starts the next clause
			rest := c[loc[0]:]
			rest = strings.TrimSpace(re(`^\s*,?\s+(?:and|also|then|plus)\s+(?:also\s+|then\s+)?`).ReplaceAllString(rest, ""))
			c = rest
		}
		clauses = append(clauses, c)
	}
	return clauses
}

// parseClause reads one question or request; prev is the clause before it, which "how many?"
// and "them" refer to. It returns the action, or what the clause was about when its details
// were not understood.
func parseClause(c string, prev Action) (Action, string) {
	for _, p := range []func(string, Action) (Action, string){
		parseFollowUp, parseArrow, parseCampaign, parseProspects, parseCreateList, parseTag, parseAddToList, parseMoveDeal,
		parseQuestion, parseDealStatement, parseBare,
	} {
		if a, unclear := p(c, prev); a != nil || unclear != "" {
			return a, unclear
		}
	}
	return nil, ""
}
