package rest

import "net/http"

// shape is how a route's GraphQL result becomes its REST body.
type shape int

const (
	// shapeObject answers {"data":{…}}; a null result (unknown id, or another workspace's)
	// is 404 NOT_FOUND.
	shapeObject shape = iota
	// shapePage reads a connection's nodes and pageInfo: {"data":[…],"next_cursor":…}.
	shapePage
	// shapeArray answers a plain list: {"data":[…],"next_cursor":null}.
	shapeArray
	// shapeDeleted answers the deleted id: {"data":{"id":…}}.
	shapeDeleted
)

// param binds a query-string parameter to a variable of the route's operation; variable is
// a dotted path into the variables ("filter.search"). The parameter's type comes from the
// GraphQL schema.
type param struct {
	name, variable string
	// bounds, for an integer, is its range, checked here in the REST caller's words, and the
	// default the operation applies when it is absent; both appear in the OpenAPI document.
	bounds *bounds
}

type bounds struct{ min, max, def int }

// route is one REST endpoint: a method and path, and the persisted operation it runs. The path
// may hold one {id} segment, which becomes the operation's $id. Variables bound neither to the
// path nor to a query parameter come from the JSON body; when the only one is $input, the body
// is the input object itself.
type route struct {
	method, path string
	operation    string   // a named operation of operations.graphql
	shape        shape    // how its result is answered
	at           []string // where the result is under data; default the root field
	query        []param
	status       int // on success; default 200
	summary      string
}

// The page size's range and default are the GraphQL connections' (store.MaxPageSize and
// the schema's default), except that a REST page holds at least one item.
var paging = []param{{name: "limit", variable: "first", bounds: &bounds{min: 1, max: 100, def: 20}},
	{name: "cursor", variable: "after"}}

func withPaging(ps ...param) []param { return append(append([]param{}, paging...), ps...) }

// routes is the REST API. The OpenAPI document is generated from this table and the
// operations it names.
var routes = []route{
	{method: "GET", path: "/v1/contacts", operation: "ListContacts", shape: shapePage, summary: "List contacts, newest first",
		query: withPaging(param{name: "search", variable: "filter.search"}, param{name: "company", variable: "filter.company"},
			param{name: "tag", variable: "filter.tag"}, param{name: "list_id", variable: "filter.listId"})},
	{method: "GET", path: "/v1/contacts/{id}", operation: "GetContact", summary: "Get a contact"},
	{method: "POST", path: "/v1/contacts", operation: "CreateContact", status: http.StatusCreated, summary: "Create a contact"},
	{method: "PATCH", path: "/v1/contacts/{id}", operation: "UpdateContact", summary: "Update a contact"},
	{method: "DELETE", path: "/v1/contacts/{id}", operation: "DeleteContact", shape: shapeDeleted, summary: "Delete a contact"},

	{method: "GET", path: "/v1/lists", operation: "ListLists", shape: shapePage, summary: "List lists",
		query: withPaging(param{name: "search", variable: "filter.search"})},
	{method: "GET", path: "/v1/lists/{id}", operation: "GetList", summary: "Get a list"},
	{method: "POST", path: "/v1/lists", operation: "CreateList", status: http.StatusCreated, summary: "Create a list"},
	{method: "PATCH", path: "/v1/lists/{id}", operation: "UpdateList", summary: "Update a list"},
	{method: "DELETE", path: "/v1/lists/{id}", operation: "DeleteList", shape: shapeDeleted, summary: "Delete a list"},
	{method: "POST", path: "/v1/lists/{id}/contacts", operation: "AddContactsToList", summary: "Add contacts to a list"},

	{method: "GET", path: "/v1/campaigns", operation: "ListCampaigns", shape: shapePage, summary: "List campaigns",
		query: withPaging(param{name: "status", variable: "filter.status"}, param{name: "list_id", variable: "filter.listId"})},
	{method: "GET", path: "/v1/campaigns/{id}", operation: "GetCampaign", summary: "Get a campaign"},
	{method: "POST", path: "/v1/campaigns", operation: "CreateCampaign", status: http.StatusCreated, summary: "Create a campaign"},
	{method: "PATCH", path: "/v1/campaigns/{id}", operation: "UpdateCampaign", summary: "Update a campaign"},

	{method: "GET", path: "/v1/deals", operation: "ListDeals", shape: shapePage, summary: "List deals",
		query: withPaging(param{name: "stage", variable: "filter.stage"}, param{name: "contact_id", variable: "filter.contactId"})},
	{method: "GET", path: "/v1/deals/{id}", operation: "GetDeal", summary: "Get a deal"},
	{method: "POST", path: "/v1/deals", operation: "CreateDeal", status: http.StatusCreated, summary: "Create a deal"},
	{method: "PATCH", path: "/v1/deals/{id}", operation: "UpdateDeal", summary: "Update a deal"},

	{method: "GET", path: "/v1/prospects/search", operation: "SearchProspects", shape: shapePage, summary: "Search the shared prospect catalog",
		query: withPaging(param{name: "q", variable: "filter.search"}, param{name: "company", variable: "filter.company"},
			param{name: "title", variable: "filter.title"}, param{name: "industry", variable: "filter.industry"},
			param{name: "location", variable: "filter.location"})},

	{method: "POST", path: "/v1/lexi/chat", operation: "LexiChat", summary: "Send a message to Lexi"},
	{method: "GET", path: "/v1/lexi/tasks", operation: "ListLexiTasks", shape: shapePage, summary: "List Lexi's tasks, newest first",
		query: withPaging(param{name: "status", variable: "status"})},
	{method: "POST", path: "/v1/lexi/tasks/{id}/approve", operation: "ApproveLexiTask", summary: "Approve a pending Lexi task"},
	{method: "POST", path: "/v1/lexi/tasks/{id}/reject", operation: "RejectLexiTask", summary: "Reject a pending Lexi task"},

	{method: "GET", path: "/v1/webhooks", operation: "ListWebhookEndpoints", shape: shapePage, summary: "List webhook endpoints, oldest first",
		query: withPaging()},
	{method: "POST", path: "/v1/webhooks", operation: "CreateWebhookEndpoint", status: http.StatusCreated,
		summary: "Create a webhook endpoint; the answer holds its signing secret, shown only here"},
	{method: "PATCH", path: "/v1/webhooks/{id}", operation: "UpdateWebhookEndpoint", summary: "Update a webhook endpoint"},
	{method: "DELETE", path: "/v1/webhooks/{id}", operation: "DeleteWebhookEndpoint", shape: shapeDeleted, summary: "Delete a webhook endpoint"},
	{method: "POST", path: "/v1/webhooks/{id}/rotate-secret", operation: "RotateWebhookSecret",
		summary: "Rotate an endpoint's signing secret; the old one keeps signing for 24 hours"},
	{method: "POST", path: "/v1/webhooks/{id}/test", operation: "SendTestWebhook", status: http.StatusAccepted,
		summary: "Queue a webhook.test event for one endpoint"},
	{method: "GET", path: "/v1/webhooks/{id}/deliveries", operation: "ListWebhookDeliveries", shape: shapePage,
		summary: "An endpoint's delivery log, newest first", query: withPaging(param{name: "status", variable: "status"})},
	{method: "POST", path: "/v1/webhook-deliveries/{id}/redeliver", operation: "RedeliverWebhook",
		summary: "Queue a delivery again, with the same webhook-id"},

	{method: "GET", path: "/v1/usage", operation: "Usage", shape: shapeArray, at: []string{"viewer", "apiKey", "usage"},
		query: []param{{name: "days", variable: "days", bounds: &bounds{min: 1, max: 90, def: 1}}}, summary: "This key's usage per UTC day, newest first"},
}
