package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	_ "time/tzdata" // the time zone of TestFastPathAnswersAsGqlgenInAnotherTimeZone, on any machine
)

// diffFixture is one database seen through both handlers, a workspace with awkward data and a

func diffCorpus() []diffCase {
	return []diffCase{
		// Every field, in every place a Contact or a connection can be.
		{name: "every Contact field under edges and nodes", query: `{ contacts(first: 40) { __typename totalCount ` + diffPageInfo +
			` edges { __typename cursor node { ` + diffEveryField + ` } } nodes { ` + diffEveryField + ` } } }`},
		{name: "dashboard", query: diffDashboard},
		{name: "default page size", query: `{ contacts { totalCount nodes { id fullName } pageInfo { hasNextPage endCursor } } }`},
		{name: "only totalCount", query: `{ contacts { totalCount } }`},
		{name: "only pageInfo", query: `{ contacts(first: 3) { ` + diffPageInfo + ` } }`},
		{name: "only cursors", query: `{ contacts(first: 3) { edges { cursor } } }`},
		{name: "only __typename", query: `{ contacts(first: 2) { __typename nodes { __typename } edges { __typename node { __typename } } } }`},
		{name: "root __typename and introspection beside contacts", query: `{ __typename contacts(first: 2) { nodes { id } } __type(name: "Contact") { name fields { name } } }`},
		{name: "empty page", query: `{ contacts(first: 0) { totalCount edges { cursor } nodes { id } ` + diffPageInfo + ` } }`},
		{name: "page of 100", query: `{ contacts(first: 100) { totalCount nodes { ` + diffAllScalars + ` } } }`},

		// Nested connections.
		{name: "nested default page size", query: `{ contacts(first: 10) { nodes { id lists { totalCount nodes { id } } deals { totalCount nodes { id } } } } }`},
		{name: "nested first 0", query: `{ contacts(first: 10) { nodes { lists(first: 0) { totalCount ` + diffPageInfo + ` edges { cursor } } deals(first: 0) { nodes { id } ` + diffPageInfo + ` } } } }`},
		{name: "nested first 1 with cursors and pageInfo", query: `{ contacts(first: 40) { edges { node { id
		  lists(first: 1) { totalCount edges { cursor node { id } } ` + diffPageInfo + ` }
		  deals(first: 1) { totalCount edges { cursor node { id } } ` + diffPageInfo + ` } } } } }`},
		{name: "nested first 100", query: `{ contacts(first: 40) { nodes { lists(first: 100) { nodes { name } } deals(first: 100) { nodes { title closeDate } } } } }`},
		{name: "nested after a list cursor", query: `query($after: String) { contacts(first: 40) { nodes { id
		  lists(first: 2, after: $after) { totalCount edges { cursor node { name } } ` + diffPageInfo + ` } } } }`,
			vars: func(f *diffFixture) map[string]any { return map[string]any{"after": f.listCursors[1]} }},
		{name: "nested after a deal cursor, literal", query: `{ contacts(first: 40) { nodes { id deals(first: 2, after: "DEALCURSOR") { totalCount edges { cursor node { title } } ` + diffPageInfo + ` } } } }`},
		{name: "List fields, contactCount and List.contacts", query: `{ contacts(first: 8) { nodes { id lists(first: 5) { nodes { ` + diffListFields + `
		  contacts(first: 2) { totalCount ` + diffPageInfo + ` edges { cursor node { id email } } nodes { fullName tags } } } } } } }`},
		{name: "List.contacts default page and nested again", query: `{ contacts(first: 3) { nodes { lists(first: 2) { nodes { contacts { totalCount nodes { id lists(first: 1) { nodes { name } } deals(first: 1) { nodes { title } } } } } } } } }`},
		{name: "Deal fields and Deal.contact", query: `{ contacts(first: 10) { nodes { id deals(first: 7) { edges { cursor node { ` + diffDealFields + `
		  contact { ` + diffAllScalars + ` deals(first: 1) { totalCount nodes { id } } } } } } } } }`},
		{name: "deep: contact, lists, contacts, deals, contact, lists", query: `{ contacts(first: 3) { nodes { lists(first: 2) { nodes { contacts(first: 2) { nodes { deals(first: 2) { nodes { contact { lists(first: 2) { nodes { name } } } } } } } } } } } }`},

		// Aliases, repeated fields, fragments.
		{name: "the same field under two aliases with different arguments", query: `{ contacts(first: 10) { nodes { ident: id id mail: email
		  one: lists(first: 1) { nodes { id } } three: lists(first: 3) { nodes { id name } totalCount }
		  d0: deals(first: 0) { totalCount } d5: deals(first: 5) { ` + diffPageInfo + ` } lists(first: 2) { nodes { id } } } } }`},
		// One nested relation selected under several aliases: reads that may be shared must
		// still give each selection its own page, count and cursors.
		{name: "same page size, different after", query: `query($after: String) { contacts(first: 40) { nodes { id
		  a: lists(first: 2) { nodes { id } } b: lists(first: 2, after: $after) { nodes { id } pageInfo { hasPreviousPage } }
		  c: deals(first: 2) { nodes { id } } d: deals(first: 2, after: "DEALCURSOR") { nodes { id } } } } }`,
			vars: func(f *diffFixture) map[string]any { return map[string]any{"after": f.listCursors[1]} }},
		{name: "totalCount under one alias only", query: `{ contacts(first: 40) { nodes { id
		  a: lists(first: 2) { totalCount } b: lists(first: 2) { nodes { id } } c: deals(first: 3) { nodes { id } } d: deals(first: 3) { totalCount } } } }`},
		{name: "cursors under one alias only", query: `{ contacts(first: 40) { nodes { id
		  a: lists(first: 2) { edges { cursor } } b: lists(first: 2) { nodes { id } } c: deals(first: 3) { nodes { id } } d: deals(first: 3) { pageInfo { endCursor } }
		  e: deals(first: 3) { edges { node { id } } } } } }`},
		{name: "the same relation under nodes and edges.node with other arguments", query: `{ contacts(first: 20) { nodes { lists(first: 1) { totalCount nodes { id } } }
		  edges { node { lists(first: 1) { edges { cursor } } l3: lists(first: 3) { totalCount } } } } }`},
		{name: "aliases on connection parts", query: `{ contacts(first: 4) { total: totalCount count: totalCount e: edges { c: cursor n: node { i: id t: __typename } } p: pageInfo { more: hasNextPage end: endCursor } } }`},
		{name: "fields repeated and merged", query: `{ contacts(first: 5) { nodes { id id email
		  lists(first: 2) { nodes { id } } lists(first: 2) { nodes { name } totalCount } lists(first: 2) { nodes { id createdAt } } }
		  nodes { fullName deals(first: 3) { nodes { id } } } totalCount totalCount } }`},
		{name: "named fragments", query: `{ contacts(first: 6) { ...Conn } }
		  fragment Conn on ContactConnection { totalCount pageInfo { ...Page } edges { cursor node { ...Person } } nodes { ...Person } }
		  fragment Page on PageInfo { hasNextPage endCursor }
		  fragment Person on Contact { id fullName tags lists(first: 2) { ...Lists } deals(first: 2) { ...Deals } }
		  fragment Lists on ListConnection { totalCount edges { ...ListEdge } pageInfo { ...Page } }
		  fragment ListEdge on ListEdge { cursor node { ...ListNode } }
		  fragment ListNode on List { id name contactCount }
		  fragment Deals on DealConnection { nodes { ...on Deal { id amount } } totalCount }`},
		{name: "inline fragments on Contact, on Node and without type", query: `{ contacts(first: 6) { nodes {
		  ... on Node { id __typename } ... on Contact { email lists(first: 1) { nodes { ... on Node { id } } } } ... { fullName id }
		  ... on Contact { ... on Node { ... on Contact { company } } } } } }`},
		{name: "fragments merged with fields and other fragments", query: `{ contacts(first: 5) { nodes { id ...A ...B lists(first: 2) { nodes { name } } } ...C } }
		  fragment A on Contact { email lists(first: 2) { nodes { id } } }
		  fragment B on Contact { email id lists(first: 2) { totalCount } deals(first: 1) { nodes { id } } }
		  fragment C on ContactConnection { nodes { deals(first: 1) { nodes { title } } } totalCount }`},

		// Directives.
		{name: "@skip and @include with literals", query: `{ contacts(first: 5) { nodes { id email @skip(if: true) company @include(if: false) phone @include(if: true) title @skip(if: false)
		  lists(first: 1) @skip(if: false) { nodes { id } } deals(first: 1) @include(if: false) { nodes { id } }
		  ... on Contact @include(if: false) { title tags } ... @skip(if: true) { createdAt } ...F @include(if: true) } totalCount @skip(if: true) } }
		  fragment F on Contact { updatedAt }`},
		{name: "@skip and @include with variables", query: `query($on: Boolean!, $off: Boolean!) { contacts(first: 5) @include(if: $on) { nodes { id email @skip(if: $on)
		  lists(first: 2) @include(if: $on) { nodes { id name @skip(if: $off) } } deals(first: 2) @include(if: $off) { nodes { id } }
		  ...F @skip(if: $off) } } other: contacts(first: 1) @skip(if: $on) { totalCount } }
		  fragment F on Contact { tags }`,
			vars: func(*diffFixture) map[string]any { return map[string]any{"on": true, "off": false} }},
		{name: "@skip and @include with variables, reversed", query: `query($on: Boolean!, $off: Boolean!) { contacts(first: 5) { nodes { id @include(if: $off) email @skip(if: $on)
		  lists(first: 2) @include(if: $on) { nodes { id name @skip(if: $off) } } ... on Contact @include(if: $on) { phone } } } }`,
			vars: func(*diffFixture) map[string]any { return map[string]any{"on": false, "off": true} }},
		{name: "a field skipped in one place, included in another", query: `{ contacts(first: 3) { nodes { email @skip(if: true) ... on Contact { email } lists(first: 1) @skip(if: true) { nodes { id } } ... { lists(first: 1) { totalCount } } } } }`},

		{name: "contacts in a fragment on Query", query: `query { ...Root ... on Query { contacts(first: 2) { totalCount } } } fragment Root on Query { contacts(first: 2) { nodes { id email } } }`},
		{name: "@defer in the contacts subtree", query: `{ contacts(first: 2) { nodes { id ... @defer { email } } } }`},
		{name: "a key without READ", query: diffDashboard, request: func(r *diffRequest) { r.key = "WRITEONLY" }},

		// Root arguments, as literals.
		{name: "first 3", query: `{ contacts(first: 3) { edges { cursor node { id } } ` + diffPageInfo + ` } }`},
		{name: "last 3", query: `{ contacts(last: 3) { totalCount edges { cursor node { id } } ` + diffPageInfo + ` } }`},
		{name: "first after a cursor", query: `{ contacts(first: 4, after: "CONTACTCURSOR") { totalCount edges { cursor node { id email } } ` + diffPageInfo + ` } }`},
		{name: "last before a cursor", query: `{ contacts(last: 4, before: "CONTACTCURSOR") { totalCount edges { cursor node { id email } } ` + diffPageInfo + ` } }`},
		{name: "filter search", query: `{ contacts(first: 50, filter: { search: "acme" }) { totalCount nodes { id company } } }`},
		{name: "filter search unicode", query: `{ contacts(first: 50, filter: { search: "zoë" }) { totalCount nodes { id firstName } } }`},
		{name: "filter search with LIKE characters", query: `{ contacts(first: 50, filter: { search: "%_\\" }) { totalCount nodes { id } } }`},
		{name: "filter company case-insensitive", query: `{ contacts(first: 50, filter: { company: "ACME" }) { totalCount nodes { id company } ` + diffPageInfo + ` } }`},
		{name: "filter tag", query: `{ contacts(first: 50, filter: { tag: "vip" }) { totalCount nodes { id tags } } }`},
		{name: "filter tag with a quote", query: `{ contacts(first: 50, filter: { tag: "quote\"tag" }) { totalCount nodes { id tags } } }`},
		{name: "filter listId", query: `{ contacts(first: 50, filter: { listId: "LISTID" }) { totalCount nodes { id lists(first: 6) { nodes { id } } } } }`},
		{name: "filter listId of the empty list", query: `{ contacts(first: 50, filter: { listId: "EMPTYLISTID" }) { totalCount nodes { id } ` + diffPageInfo + ` } }`},
		{name: "filter everything at once", query: `{ contacts(first: 50, filter: { search: "a", company: "acme", tag: "vip", listId: "LISTID" }) { totalCount nodes { id } } }`},
		{name: "filter matching nothing", query: `{ contacts(first: 5, filter: { search: "no such contact" }) { totalCount edges { cursor } nodes { id } ` + diffPageInfo + ` } }`},
		{name: "orderBy EMAIL ASC", query: `{ contacts(first: 12, orderBy: { field: EMAIL, direction: ASC }) { edges { cursor node { email } } ` + diffPageInfo + ` } }`},
		{name: "orderBy LAST_NAME DESC with ties", query: `{ contacts(first: 40, orderBy: { field: LAST_NAME, direction: DESC }) { edges { cursor node { id lastName } } } }`},
		{name: "orderBy LAST_NAME ASC, last 5", query: `{ contacts(last: 5, orderBy: { field: LAST_NAME, direction: ASC }) { edges { cursor node { id lastName } } ` + diffPageInfo + ` } }`},
		{name: "orderBy UPDATED_AT DESC", query: `{ contacts(first: 6, orderBy: { field: UPDATED_AT, direction: DESC }) { edges { cursor node { id updatedAt } } } }`},
		{name: "orderBy CREATED_AT ASC with filter", query: `{ contacts(first: 6, orderBy: { field: CREATED_AT, direction: ASC }, filter: { tag: "vip" }) { edges { cursor node { id createdAt } } ` + diffPageInfo + ` } }`},

		// Root and nested arguments as variables.
		{name: "every argument as a variable", query: `query($first: Int, $after: String, $filter: ContactFilter, $orderBy: ContactOrder, $lf: Int, $la: String, $df: Int, $da: String) {
		  contacts(first: $first, after: $after, filter: $filter, orderBy: $orderBy) { totalCount edges { cursor node { id
		    lists(first: $lf, after: $la) { totalCount edges { cursor node { id } } ` + diffPageInfo + ` }
		    deals(first: $df, after: $da) { totalCount edges { cursor node { id } } ` + diffPageInfo + ` } } } ` + diffPageInfo + ` } }`,
			vars: func(f *diffFixture) map[string]any {
				return map[string]any{"first": 5, "after": f.contactCursors[2], "filter": map[string]any{"company": "acme", "tag": "vip"},
					"orderBy": map[string]any{"field": "CREATED_AT", "direction": "DESC"}, "lf": 2, "la": f.listCursors[0], "df": 1, "da": f.dealCursors[0]}
			}},
		{name: "last and before as variables", query: `query($last: Int, $before: String, $filter: ContactFilter) { contacts(last: $last, before: $before, filter: $filter) { totalCount nodes { id } ` + diffPageInfo + ` } }`,
			vars: func(f *diffFixture) map[string]any {
				return map[string]any{"last": 3, "before": f.contactCursors[20], "filter": map[string]any{"search": "plain"}}
			}},
		{name: "variables given as null", query: `query($first: Int, $after: String, $filter: ContactFilter, $orderBy: ContactOrder, $n: Int) { contacts(first: $first, after: $after, filter: $filter, orderBy: $orderBy) { totalCount nodes { id lists(first: $n) { totalCount } } } }`,
			vars: func(*diffFixture) map[string]any {
				return map[string]any{"first": nil, "after": nil, "filter": nil, "orderBy": nil, "n": nil}
			}},
		{name: "variables omitted", query: `query($first: Int, $filter: ContactFilter, $n: Int = 2) { contacts(first: $first, filter: $filter) { totalCount nodes { id lists(first: $n) { totalCount nodes { id } } } } }`},
		{name: "filter fields as variables", query: `query($search: String, $company: String, $tag: String, $list: ID) { contacts(first: 50, filter: { search: $search, company: $company, tag: $tag, listId: $list }) { totalCount nodes { id } } }`,
			vars: func(f *diffFixture) map[string]any {
				return map[string]any{"search": "e", "company": "Acme", "tag": "vip", "list": f.listIDs[0]}
			}},
		{name: "orderBy fields as variables", query: `query($field: ContactOrderField!, $dir: OrderDirection!) { contacts(first: 7, orderBy: { field: $field, direction: $dir }) { edges { cursor node { id email } } } }`,
			vars: func(*diffFixture) map[string]any { return map[string]any{"field": "EMAIL", "dir": "DESC"} }},

		// Invalid arguments: the same errors, with the same paths and codes.
		{name: "first -1", query: `{ contacts(first: -1) { nodes { id } } }`},
		{name: "first 10000", query: `{ contacts(first: 10000) { nodes { id } } }`},
		{name: "first 101", query: `{ contacts(first: 101) { totalCount } }`},
		{name: "first and last", query: `{ contacts(first: 2, last: 2) { nodes { id } } }`},
		{name: "after with last", query: `{ contacts(last: 2, after: "CONTACTCURSOR") { nodes { id } } }`},
		{name: "bad after cursor", query: `{ contacts(first: 2, after: "not a cursor") { nodes { id } } }`},
		{name: "bad before cursor", query: `{ contacts(last: 2, before: "bm90IGEgY3Vyc29y") { nodes { id } } }`},
		{name: "a list cursor where a contact cursor goes", query: `{ contacts(first: 2, after: "LISTCURSOR") { nodes { id } } }`},
		{name: "a cursor of another order", query: `{ contacts(first: 2, after: "CONTACTCURSOR", orderBy: { field: EMAIL, direction: ASC }) { nodes { id } } }`},
		{name: "unknown listId", query: `{ contacts(first: 5, filter: { listId: "lst_doesnotexist" }) { totalCount nodes { id } } }`},
		{name: "listId of another workspace", query: `{ contacts(first: 5, filter: { listId: "FOREIGNLISTID" }) { totalCount nodes { id } } }`},
		{name: "listId that is a contact id", query: `{ contacts(first: 5, filter: { listId: "CONTACTID" }) { totalCount nodes { id } } }`},
		{name: "nested first -1", query: `{ contacts(first: 3) { nodes { id lists(first: -1) { nodes { id } } } } }`},
		{name: "nested first 101", query: `{ contacts(first: 3) { totalCount nodes { id deals(first: 101) { nodes { id } } } } }`},
		{name: "nested bad after", query: `{ contacts(first: 3) { nodes { id deals(first: 1, after: "garbage") { nodes { id } } } } }`},
		{name: "nested bad after in one alias only", query: `{ contacts(first: 2) { nodes { id good: lists(first: 1) { nodes { id } } bad: lists(first: 1, after: "garbage") { nodes { id } } } } }`},
		{name: "nested bad List.contacts after", query: `{ contacts(first: 2) { nodes { lists(first: 1) { nodes { contacts(first: 1, after: "garbage") { nodes { id } } } } } } }`},
		{name: "variable of the wrong type", query: `query($first: Int) { contacts(first: $first) { nodes { id } } }`,
			vars: func(*diffFixture) map[string]any { return map[string]any{"first": "three"} }},
		{name: "unknown orderBy field in a variable", query: `query($o: ContactOrder) { contacts(first: 2, orderBy: $o) { nodes { id } } }`,
			vars: func(*diffFixture) map[string]any {
				return map[string]any{"o": map[string]any{"field": "NAME", "direction": "ASC"}}
			}},
		{name: "unknown field", query: `{ contacts(first: 2) { nodes { id nickname } } }`},
		{name: "conflicting aliases", query: `{ contacts(first: 2) { nodes { x: lists(first: 1) { totalCount } x: lists(first: 2) { totalCount } } } }`},
		{name: "too expensive", query: `{ contacts(first: 100) { nodes { lists(first: 100) { nodes { contacts(first: 100) { nodes { id } } } } } } }`},

		// Several root fields in one operation.
		{name: "contacts twice under aliases", query: `{ newest: contacts(first: 3) { nodes { id email } } byEmail: contacts(first: 3, orderBy: { field: EMAIL, direction: ASC }) { nodes { id email lists(first: 1) { nodes { name } } } } }`},
		{name: "contacts twice, one failing", query: `{ good: contacts(first: 2) { nodes { id } } bad: contacts(first: -1) { nodes { id } } }`},
		// rateLimit without dryRun charges the call: used and remaining differ between the
		// two calls of a pair, so they are left out here (dry runs below select them).
		{name: "contacts beside viewer, rateLimit and other root fields", query: `{ viewer { workspace { id name plan } apiKey { id name prefix permissions createdAt expiresAt } }
		  contacts(first: 3) { nodes { id } } rateLimit { plan cost limit resetAt minute { limit resetAt } }
		  lists(first: 2) { nodes { id name } } deals(first: 2) { nodes { id contact { id } } } contact(id: "CONTACTID") { id email lists(first: 1) { nodes { id } } }
		  node(id: "CONTACTID") { id ... on Contact { fullName } } }`},
		{name: "contacts with rateLimit dry run", query: `{ contacts(first: 3) { nodes { id } } rateLimit(dryRun: true) { plan cost limit remaining used resetAt minute { limit remaining used resetAt } } }`},

		// Transport: GET, operation selection, media types.
		{name: "GET", query: `query($n: Int) { contacts(first: $n) { nodes { ` + diffAllScalars + ` } } }`,
			vars:    func(*diffFixture) map[string]any { return map[string]any{"n": 3} },
			request: func(r *diffRequest) { r.method = http.MethodGet }},
		{name: "GET with operationName", query: `query A { contacts(first: 1) { nodes { id } } } query B { contacts(first: 2) { nodes { email } } }`,
			request: func(r *diffRequest) { r.method, r.operationName = http.MethodGet, "B" }},
		{name: "GET of a mutation", query: `mutation { deleteContact(id: "CONTACTID") }`,
			request: func(r *diffRequest) { r.method = http.MethodGet }},
		{name: "operationName picks the second query", query: diffOperations, request: func(r *diffRequest) { r.operationName = "Second" }},
		{name: "operationName picks the first query", query: diffOperations, request: func(r *diffRequest) { r.operationName = "First" }},
		{name: "operationName picks the third query", query: diffOperations,
			vars: func(*diffFixture) map[string]any { return map[string]any{"n": 2} }, request: func(r *diffRequest) { r.operationName = "Third" }},
		{name: "operationName missing with several operations", query: diffOperations},
		{name: "operationName unknown", query: diffOperations, request: func(r *diffRequest) { r.operationName = "Fourth" }},
		{name: "Accept graphql-response+json", query: diffDashboard, request: func(r *diffRequest) { r.accept = "application/graphql-response+json" }},
		{name: "Accept application/json", query: diffDashboard, request: func(r *diffRequest) { r.accept = "application/json" }},
		{name: "Accept graphql-response+json with an error in contacts", query: `{ contacts(first: -1) { nodes { id } } }`,
			request: func(r *diffRequest) { r.accept = "application/graphql-response+json" }},
		{name: "Accept graphql-response+json with a validation error", query: `{ contacts(first: 1) { nodes { nope } } }`,
			request: func(r *diffRequest) { r.accept = "application/graphql-response+json" }},
		{name: "Accept with parameters and preferences", query: `{ contacts(first: 2) { nodes { id } } }`,
			request: func(r *diffRequest) {
				r.accept = "application/json;q=0.5, application/graphql-response+json;charset=utf-8;q=0.9"
			}},
	}
}

// diffOperations is a document with several operations (and a mutation that never runs).
const diffOperations = `query First { contacts(first: 1) { nodes { id email } } }
  query Second { contacts(last: 2) { edges { cursor node { fullName } } } }
  query Third($n: Int) { a: contacts(first: $n) { totalCount } b: contacts(first: 1) { nodes { tags } } }
  mutation Wipe { deleteContact(id: "nope") }`

// diffPlaceholders are replaced in the corpus's literal queries by the fixture's values.
func (f *diffFixture) placeholders() *strings.Replacer {
	return strings.NewReplacer(
		"EMPTYLISTID", f.emptyListID, "FOREIGNLISTID", f.foreign[len(f.foreign)-2],
		"LISTID", f.listIDs[0], "CONTACTID", f.contactIDs[4],
		"CONTACTCURSOR", f.contactCursors[5], "LISTCURSOR", f.listCursors[2], "DEALCURSOR", f.dealCursors[3])
}

// TestFastPathAnswersAsGqlgen sends the corpus to both handlers.
func TestFastPathAnswersAsGqlgen(t *testing.T) {
	f := newDiffFixture(t)
	replace := f.placeholders()
	for _, c := range diffCorpus() {
		t.Run(c.name, func(t *testing.T) {
			r := diffRequest{query: replace.Replace(c.query)}
			if c.vars != nil {
				r.vars = c.vars(f)
			}
			if c.request != nil {
				c.request(&r)
			}
			if r.key == "WRITEONLY" {
				r.key = f.writeOnlyKey
			}
			f.ask(t, r)
		})
	}
}

// TestFastPathPagesLikeGqlgen walks the contacts forwards and backwards, in every order,
// each page asked with the cursors of the previous answer (the direct one): the root's
// endCursor/startCursor and a nested deals endCursor, passed on to every contact of the next
// page.
func TestFastPathPagesLikeGqlgen(t *testing.T) {
	f := newDiffFixture(t)
	const query = `query($first: Int, $after: String, $last: Int, $before: String, $order: ContactOrder, $dealsAfter: String) {
	  contacts(first: $first, after: $after, last: $last, before: $before, orderBy: $order) { totalCount ` + diffPageInfo + `
	    edges { cursor node { id email lastName updatedAt
	      deals(first: 2, after: $dealsAfter) { totalCount ` + diffPageInfo + ` edges { cursor node { id title } } }
	      lists(first: 2) { ` + diffPageInfo + ` nodes { id } } } } } }`
	type pageInfo struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
	type answer struct {
		Data struct {
			Contacts struct {
				PageInfo pageInfo
				Edges    []struct {
					Node struct {
						Deals struct{ PageInfo pageInfo }
					}
				}
			}
		}
	}
	orders := []map[string]any{nil}
	for _, field := range []string{"CREATED_AT", "UPDATED_AT", "EMAIL", "LAST_NAME"} {
		for _, dir := range []string{"ASC", "DESC"} {
			orders = append(orders, map[string]any{"field": field, "direction": dir})
		}
	}
	for _, order := range orders {
		for _, forwards := range []bool{true, false} {
			t.Run(fmt.Sprintf("%v forwards=%v", order, forwards), func(t *testing.T) {
				vars := map[string]any{"order": order}
				seen := 0
				for page := 0; ; page++ {
					if page > 10 {
						t.Fatalf("more than 10 pages of 7 for 40 contacts")
					}
					if forwards {
						vars["first"] = 7
					} else {
						vars["last"] = 7
					}
					got := f.ask(t, diffRequest{query: query, vars: vars})
					if t.Failed() {
						t.FailNow() // the next page would start from a cursor already wrong
					}
					var a answer
					if err := json.Unmarshal(got.body, &a); err != nil {
						t.Fatal(err)
					}
					conn := a.Data.Contacts
					seen += len(conn.Edges)
					vars["dealsAfter"] = nil
					for _, e := range conn.Edges {
						if c := e.Node.Deals.PageInfo.EndCursor; c != nil && e.Node.Deals.PageInfo.HasNextPage {
							vars["dealsAfter"] = *c
							break
						}
					}
					if forwards {
						if !conn.PageInfo.HasNextPage {
							break
						}
						if conn.PageInfo.EndCursor == nil {
							t.Fatalf("hasNextPage without an endCursor: %s", got.body)
						}
						vars["after"] = *conn.PageInfo.EndCursor
					} else {
						if !conn.PageInfo.HasPreviousPage {
							break
						}
						if conn.PageInfo.StartCursor == nil {
							t.Fatalf("hasPreviousPage without a startCursor: %s", got.body)
						}
						vars["before"] = *conn.PageInfo.StartCursor
					}
				}
				if seen != 40 {
					t.Errorf("the walk saw %d contacts, want 40", seen)
				}
			})
		}
	}
}
