package lexi

import "strings"

// The assistant's own vocabulary: the only words whose typos it repairs. A word of four
// letters or more that is one edit (a letter changed, added, dropped, or two swapped) from
// exactly one of these becomes it; English words that happen to be that close stay as typed.
// Names are never repaired: a token inside a name of the workspace, a quoted string or what
// follows "called"/"named" keeps its word as typed.

var keywords = fields(`contacts contact people person persons everyone everybody create make build list lists
	deal deals campaign campaigns draft move many show find tagged label import prospects prospect
	negotiation proposal qualified lead leads named called company companies stage stages total number count
	please with from into display search add tag tags remove untag delete rename change update
	amount amounts worth value average largest biggest smallest pipeline closing close overdue quarter month
	year week today tomorrow yesterday title email phone which what where when who whose how much
	opportunities opportunity members member average highest lowest smallest largest sum revenue
	between during before after next last this these those them their there have does customers
	clients subject schedule status breakdown summary newsletter`)

var keywordSet = setOf(keywords)

// realWords are English words one edit from a keyword, which are not typos of it.
var realWords = setOf(fields(`last lost least lest host post most cost dead dear deaf heal real seal meal teal veal tell
	sell well will wall fill fall mail nail rail tail sail hail fail them then than that this what when wish snow slow flow
	glow know same name game came made mode more mine love live life like lake late line link mark park dark work word
	ward card hard yard load lend less loss lose shows shown shop show make makes maker take takes many mane main
	money mint lint list tags team teams deals ideal steal stage stager stages stale craft treat person persona remote dad
	number numbers count county court counts scout group draft drafts shift drift raft mover moved moves movie word
	words worth deal deals feel peel people peoples plead please pleased lease cease total totals tonal tidal title
	titles label cabal labels legal leaf leafs lean leap leapt lady lads loads tags adds mind kind find fine line
	where were here there three whom whole hose nose rose chose close clos those these then them they their theirs
	much such month months moth year years yearn hear dear near week weak seek meek leek wake value valve values
	sums some same rate date data dote each teach beach reach peach mach amount mount clients client subject
	closing closed closes clothing closer cloning rename remote renamed remove mover emails mails email phone phones
	phase chase lists lisp mist fist gist wist wisp this thin than thus stats start state stare store story
	upgrade grade trade tread bread break speak event events invite invites spend spent lease leased lead leads
	leader deals dealer deal dealt heal heals meals team tram term teams terms past pest paste due dye
	titled entitled labeled labelled tagged`))

// shortTypos are misspellings of short words, too short to repair by distance.
var shortTypos = map[string]string{"r": "are", "u": "you", "ur": "your", "ad": "add", "howmany": "how many", "hw": "how",
	"hoe": "how", "shw": "show", "sow": "show", "mny": "many", "lst": "list", "lsit": "list", "tg": "tag", "cnt": "count",
	"nw": "new", "dela": "deal", "mvoe": "move", "mov": "move", "teh": "the", "waht": "what", "whats": "what's",
	"wat": "what", "pls": "please", "plz": "please", "tga": "tag", "cpmpaign": "campaign", "contcts": "contacts",
	"thx": "thanks", "qtr": "quarter", "mo": "month", "yr": "year", "amt": "amount", "w/": "with", "ppl": "people",
	"lexi's": "lexi", "subj": "subject", "wk": "week", "eom": "end of month", "eoq": "end of quarter", "eoy": "end of year"}

// gerunds read "would you mind creating …" as "create".
var gerunds = map[string]string{"creating": "create", "adding": "add", "tagging": "tag", "moving": "move", "removing": "remove",
	"updating": "update", "changing": "change", "renaming": "rename", "drafting": "draft", "making": "make", "putting": "put",
	"setting": "set", "marking": "mark", "listing": "list", "showing": "show", "labelling": "label", "labeling": "label",
	"untagging": "untag", "taking": "take", "pushing": "push", "importing": "import", "building": "build", "preparing": "prepare",
	"deleting": "delete", "erasing": "erase", "sending": "sending", "bumping": "bump", "switching": "switch", "fixing": "fix",
	"correcting": "correct", "including": "including", "logging": "log", "registering": "register", "starting": "start"}

// repair returns the vocabulary word a token means.
func repair(low string) string {
	if fix, ok := shortTypos[low]; ok {
		return fix
	}
	if g, ok := gerunds[low]; ok {
		return g
	}
	if len(low) < 4 || keywordSet[low] || realWords[low] || !isLetters(low) {
		return low
	}
	fix := ""
	for _, k := range keywords {
		if !oneEdit(low, k) {
			continue
		}
		switch {
		case fix == "" || fix == k:
			fix = k
		case fix+"s" == k || k+"s" == fix: // "contacs": contact or contacts, as the word ends
			if strings.HasSuffix(low, "s") == strings.HasSuffix(k, "s") {
				fix = k
			}
		default:
			return low
		}
	}
	if fix == "" {
		return low
	}
	return fix
}

func isLetters(s string) bool {
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
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
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		return a[i:] == b[i+1:]
	}
	return false
}

func fields(s string) []string { return strings.Fields(s) }

func setOf(ws []string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// stopWords carry no name: a partial name made only of them is not registered.
var stopWords = setOf(fields(`a an the of and or for to in on at by with from our my your their its is are was were be
	be it this that these those all any some every each new old deal deals list lists campaign campaigns contact contacts
	team inc corp ltd llc co company group &`))

// commonWords are English words that are also people's first names ("Will", "Mark", "May"):
// such a name counts only when capitalised.
var commonWords = setOf(fields(`will mark may june april august bill grant chase hope joy rose faith art sue pat sky
	summer autumn dawn eve frank rich rob don jack ray miles lane max ruby amber crystal iris lily ivy jade sage
	page hunter mason tanner carter cooper baker parker penny sandy rusty dusty buck bud scott guy victor
	can do new last first next all any more most top best sales lead deal list tag show add move set`))
