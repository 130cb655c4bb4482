package store

import (
	"context"

	"github.com/wbk/crm/models"
)

// The reads of many records by id, one statement each, for an operation that looks several up
// at once (aliased root lookups, node(id:) of several kinds). Ids not found, foreign ones
// included, are simply absent from the result.

// CampaignsByID reads the workspace's campaigns with these ids.
func (s *Store) CampaignsByID(ctx context.Context, idList []string) ([]*models.Campaign, error) {
	return byIDs[models.Campaign](s, ctx, idList)
}

// DealsByID reads the workspace's deals with these ids.
func (s *Store) DealsByID(ctx context.Context, idList []string) ([]*models.Deal, error) {
	return byIDs[models.Deal](s, ctx, idList)
}

// ProspectsByID reads the catalog's prospects with these ids.
func (s *Store) ProspectsByID(ctx context.Context, idList []string) ([]*models.Prospect, error) {
	return byIDs[models.Prospect](s, ctx, idList)
}

func byIDs[T any](s *Store, ctx context.Context, idList []string) ([]*T, error) {
	var out []*T
	if len(idList) == 0 {
		return out, nil
	}
	err := s.read(ctx).Where("id IN ?", idList).Find(&out).Error
	return out, s.translate(err)
}
