package cost

import (
	"github.com/wbk/crm/graph"
	"github.com/wbk/crm/models"
)

// Complexity is the price rule of each connection and list field of the schema, as gqlgen
// complexity functions: the composition root (internal/app) builds the executable schema
// with them, and Of walks an operation with them. A field without a rule costs nothing.
func Complexity() graph.ComplexityRoot {
	var c graph.ComplexityRoot
	c.Query.Contacts = func(child int, first *int, _ *string, last *int, _ *string, _ *models.ContactFilter, _ *models.ContactOrder) int {
		return Connection(child, first, last)
	}
	c.Query.Lists = func(child int, first *int, _ *string, last *int, _ *string, _ *models.ListFilter) int {
		return Connection(child, first, last)
	}
	c.Query.Campaigns = func(child int, first *int, _ *string, last *int, _ *string, _ *models.CampaignFilter) int {
		return Connection(child, first, last)
	}
	c.Query.Deals = func(child int, first *int, _ *string, last *int, _ *string, _ *models.DealFilter) int {
		return Connection(child, first, last)
	}
	c.Query.Prospects = func(child int, _ *models.ProspectFilter, first *int, _ *string, last *int, _ *string) int {
		return Connection(child, first, last)
	}
	c.Query.LexiTasks = func(child int, _ *models.LexiTaskStatus, first *int, _ *string) int {
		return Connection(child, first, nil)
	}
	c.Query.WebhookEndpoints = func(child int, first *int, _ *string) int { return Connection(child, first, nil) }
	c.Query.WebhookDeliveries = func(child int, _ string, _ *models.WebhookDeliveryStatus, first *int, _ *string) int {
		return Connection(child, first, nil)
	}
	c.Contact.Lists = func(child int, first *int, _ *string) int { return Connection(child, first, nil) }
	c.Contact.Deals = func(child int, first *int, _ *string) int { return Connection(child, first, nil) }
	c.List.Contacts = func(child int, first *int, _ *string) int { return Connection(child, first, nil) }
	// Lists that are not connections return no nodes of their own, but everything below them
	// repeats once per item.
	c.Mutation.ImportProspects = func(child int, prospectIDs []string, _ *string) int {
		return Repeat(len(prospectIDs), child)
	}
	c.ApiKey.Usage = func(child int, days *int) int {
		n := 1
		if days != nil {
			n = max(*days, 0)
		}
		return Repeat(n, child)
	}
	return c
}
