package store

import (
	"context"

	"github.com/wbk/crm/models"
)

// LexiVocabulary is what the built-in assistant knows of a workspace before reading a
// message: the names it may mention (contacts, companies, tags, lists, deals, campaigns) and
// the lists' members. Each part is capped at MaxLexiVocabulary entries so that a huge
// workspace cannot make one chat turn read everything; Truncated says a part was cut.
type LexiVocabulary struct {
	Contacts  []*models.Contact
	Companies []string
	Tags      []string
	Lists     []*models.List
	Deals     []*models.Deal
	Campaigns []*models.Campaign
	// Members maps a list's id to its members among Contacts.
	Members   map[string][]string
	Truncated bool
}

// MaxLexiVocabulary bounds each part of a LexiVocabulary.
const MaxLexiVocabulary = 5000

// LexiVocabulary reads the names of the caller's workspace.
func (s *Store) LexiVocabulary(ctx context.Context) (*LexiVocabulary, error) {
	var v LexiVocabulary
	db := s.read(ctx)
	if err := db.Order("id").Limit(MaxLexiVocabulary + 1).Find(&v.Contacts).Error; err != nil {
		return nil, s.translate(err)
	}
	if len(v.Contacts) > MaxLexiVocabulary {
		v.Contacts, v.Truncated = v.Contacts[:MaxLexiVocabulary], true
	}
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
	if err := db.Order("id DESC").Limit(MaxLexiVocabulary).Find(&v.Campaigns).Error; err != nil {
		return nil, s.translate(err)
	}
	var rows []models.ListMembership
	if err := db.Order("list_id, contact_id").Limit(10 * MaxLexiVocabulary).Find(&rows).Error; err != nil {
		return nil, s.translate(err)
	}
	v.Members = make(map[string][]string)
	for _, r := range rows {
		v.Members[r.ListID] = append(v.Members[r.ListID], r.ContactID)
	}
	return &v, nil
}
