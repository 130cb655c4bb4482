package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/models"
)

// Campaign returns one campaign of the caller's workspace.
func (s *Store) Campaign(ctx context.Context, id string) (*models.Campaign, error) {
	return findCampaign(s.read(ctx), id)
}

func findCampaign(db *gorm.DB, id string) (*models.Campaign, error) {
	return findByID[models.Campaign](db, "campaign", id)
}

var campaignOrder = ordering[models.Campaign]{name: "campaigns.created", idCol: "campaigns.id", desc: true,
	id: func(c *models.Campaign) string { return c.ID }}

// Campaigns pages through the workspace's campaigns, newest first.
func (s *Store) Campaigns(ctx context.Context, args PageArgs, filter *models.CampaignFilter) (*models.CampaignConnection, error) {
	scope := func(q *gorm.DB) *gorm.DB {
		if filter == nil {
			return q
		}
		if filter.Status != nil {
			q = q.Where("campaigns.status = ?", *filter.Status)
		}
		if filter.ListID != nil {
			q = q.Where("campaigns.list_id = ?", *filter.ListID)
		}
		return q
	}
	page, err := paginate(s.read(ctx).Model(&models.Campaign{}).Scopes(scope), args, campaignOrder)
	if err != nil {
		return nil, s.translate(err)
	}
	edges := edgesOf(page, func(c string, n *models.Campaign) models.CampaignEdge { return models.CampaignEdge{Cursor: c, Node: n} })
	c := count{model: &models.Campaign{}, filter: scope}
	if filter == nil || (filter.Status == nil && filter.ListID == nil) {
		c.scope = scopeCampaigns
	}
	conn := &models.CampaignConnection{Edges: edges, PageInfo: page.info}
	conn.Count, conn.Exact = s.counter(c)
	return conn, nil
}

// CreateCampaign adds a DRAFT campaign, or a SCHEDULED one when scheduledAt is given.
func (s *Store) CreateCampaign(ctx context.Context, in models.CreateCampaignInput) (*models.Campaign, error) {
	var c *models.Campaign
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		c, err = createCampaign(tx, in)
		return err
	})
	if err != nil {
		return nil, s.translate(err)
	}
	return c, nil
}

func createCampaign(tx *gorm.DB, in models.CreateCampaignInput) (*models.Campaign, error) {
	c := &models.Campaign{ID: ids.New(ids.Campaign), Status: models.CampaignStatusDraft}
	patch := campaignPatch{Name: &in.Name, ListID: in.ListID, Subject: in.Subject, Body: in.Body, ScheduledAt: in.ScheduledAt}
	if err := patch.apply(tx, c, Now()); err != nil {
		return nil, err
	}
	if err := tx.Create(c).Error; err != nil {
		return nil, err
	}
	return c, emitObject(tx, EventCampaignCreated, func() (any, error) { return campaignObjectOf(c), nil })
}

// UpdateCampaign changes a campaign that has not been sent.
func (s *Store) UpdateCampaign(ctx context.Context, id string, in models.UpdateCampaignInput) (*models.Campaign, error) {
	var c *models.Campaign
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		c, err = s.updateCampaign(tx, id, in)
		return err
	})
	if err != nil {
		return nil, s.translate(err)
	}
	return c, nil
}

func (s *Store) updateCampaign(tx *gorm.DB, id string, in models.UpdateCampaignInput) (*models.Campaign, error) {
	c, err := findCampaign(s.forUpdate(tx), id)
	if err != nil {
		return nil, err
	}
	if c.Status == models.CampaignStatusSent {
		return nil, apperr.Conflict("campaign %q has been sent and can no longer change", id)
	}
	before := campaignObjectOf(c)
	if err := campaignPatch(in).apply(tx, c, Now()); err != nil {
		return nil, err
	}
	c.UpdatedAt = Now()
	if err := tx.Select("*").Omit("id", "workspace_id", "created_at").Updates(c).Error; err != nil {
		return nil, err
	}
	return c, emitUpdate(tx, EventCampaignUpdated, before, campaignObjectOf(c))
}

// campaignPatch is the shape shared by the create and update inputs.
type campaignPatch struct {
	Name        *string
	ListID      *string
	Subject     *string
	Body        *string
	ScheduledAt *time.Time
	Status      *models.CampaignStatus
}

func (p campaignPatch) apply(tx *gorm.DB, c *models.Campaign, now time.Time) error {
	var err error
	if p.Name != nil {
		if c.Name, err = cleanText("input.name", *p.Name, maxNameLen, true); err != nil {
			return err
		}
	}
	if p.Subject != nil {
		if c.Subject, err = optionalText("input.subject", p.Subject, 998); err != nil { // RFC 5322 line limit
			return err
		}
	}
	if p.Body != nil {
		if len(*p.Body) > maxBodyBytes {
			return apperr.Invalid("input.body", "body must be at most %d bytes", maxBodyBytes)
		}
		if c.Body, err = optionalText("input.body", p.Body, maxBodyBytes); err != nil {
			return err
		}
	}
	if p.ListID != nil {
		if *p.ListID == "" {
			c.ListID = nil
		} else {
			l, err := findList(tx, *p.ListID)
			if err != nil {
				if e := apperr.As(err); e != nil {
					e.Field = "input.listId"
				}
				return err
			}
			c.ListID = &l.ID
		}
	}
	if p.ScheduledAt != nil {
		at := p.ScheduledAt.UTC().Truncate(time.Microsecond)
		if !at.After(now) {
			return apperr.Invalid("input.scheduledAt", "scheduledAt must be in the future")
		}
		c.ScheduledAt = &at
		if p.Status == nil && c.Status == models.CampaignStatusDraft {
			c.Status = models.CampaignStatusScheduled
		}
	}
	if p.Status != nil {
		if !p.Status.IsValid() {
			return apperr.Invalid("input.status", "unknown status")
		}
		if *p.Status == models.CampaignStatusScheduled && c.ScheduledAt == nil {
			return apperr.Invalid("input.status", "a SCHEDULED campaign needs scheduledAt")
		}
		c.Status = *p.Status
		if c.Status == models.CampaignStatusDraft && p.ScheduledAt == nil {
			c.ScheduledAt = nil // back to a draft: no longer scheduled
		}
	}
	return nil
}

// DeleteCampaign removes a campaign.
func (s *Store) DeleteCampaign(ctx context.Context, id string) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := emitDeleted(tx, EventCampaignDeleted, "campaign", id, func(c *models.Campaign) (any, error) {
			return campaignObjectOf(c), nil
		}); err != nil {
			return err
		}
		return deleteByID(tx, &models.Campaign{}, "campaign", id)
	})
}

func deleteByID(tx *gorm.DB, model any, what, id string) error {
	res := tx.Where("id = ?", id).Delete(model)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return apperr.NotFound(what, id)
	}
	return nil
}
