package store

import (
	"context"

	"github.com/wbk/crm/models"
)

// LexiVocabulary is what Lexi resolves the names in a request against: the workspace's
// companies, tags, lists and deals. Each part is capped at MaxLexiVocabulary entries so that
// a huge workspace cannot make one chat turn read everything.
type LexiVocabulary struct {
	Companies []string
	Tags      []string
	Lists     []*models.List
	Deals     []*models.Deal
}

// MaxLexiVocabulary bounds each part of a LexiVocabulary.
const MaxLexiVocabulary = 5000

// LexiVocabulary reads the names of the caller's workspace.
func (s *Store) LexiVocabulary(ctx context.Context) (*LexiVocabulary, error) {
	var v LexiVocabulary
	db := s.read(ctx)
	if err := db.Model(&models.Contact{}).Where("company IS NOT NULL AND company <> ''").
		Distinct("company").Order("company").Limit(MaxLexiVocabulary).Pluck("company", &v.Companies).Error; err != nil {
		return nil, s.translate(err)
	}
	if err := db.Model(&models.ContactTag{}).Distinct("tag").Order("tag").Limit(MaxLexiVocabulary).Pluck("tag", &v.Tags).Error; err != nil {
		return nil, s.translate(err)
	}
	if err := db.Order("id").Limit(MaxLexiVocabulary).Find(&v.Lists).Error; err != nil {
		return nil, s.translate(err)
	}
	if err := db.Order("id DESC").Limit(MaxLexiVocabulary).Find(&v.Deals).Error; err != nil {
		return nil, s.translate(err)
	}
	return &v, nil
}
