package store

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/models"
)

// Deal returns one deal of the caller's workspace.
func (s *Store) Deal(ctx context.Context, id string) (*models.Deal, error) {
	return findDeal(s.read(ctx), id)
}

func findDeal(db *gorm.DB, id string) (*models.Deal, error) {
	return findByID[models.Deal](db, "deal", id)
}

// DealByTitle finds a deal by its title, case-insensitively; the newest wins a tie.
func (s *Store) DealByTitle(ctx context.Context, title string) (*models.Deal, error) {
	var d models.Deal
	err := s.read(ctx).Where("lower(title) = lower(?)", title).Order("id DESC").Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.NotFound("deal", title)
	}
	return &d, s.translate(err)
}

var dealOrder = ordering[models.Deal]{name: "deals.created", idCol: "deals.id", desc: true,
	id: func(d *models.Deal) string { return d.ID }}

// Deals pages through the workspace's deals, newest first.
func (s *Store) Deals(ctx context.Context, args PageArgs, filter *models.DealFilter) (*models.DealConnection, error) {
	scope := func(q *gorm.DB) *gorm.DB {
		if filter == nil {
			return q
		}
		if filter.Stage != nil {
			q = q.Where("deals.stage = ?", *filter.Stage)
		}
		if filter.ContactID != nil {
			q = q.Where("deals.contact_id = ?", *filter.ContactID)
		}
		return q
	}
	page, err := paginate(s.read(ctx).Model(&models.Deal{}).Scopes(scope), args, dealOrder)
	if err != nil {
		return nil, s.translate(err)
	}
	c := count{model: &models.Deal{}, filter: scope}
	if filter == nil || (filter.Stage == nil && filter.ContactID == nil) {
		c.scope = scopeDeals
	}
	conn := dealConnection(page)
	conn.Count, conn.Exact = s.counter(c)
	return conn, nil
}

func dealConnection(p *pageResult[models.Deal]) *models.DealConnection {
	edges := edgesOf(p, func(c string, n *models.Deal) models.DealEdge { return models.DealEdge{Cursor: c, Node: n} })
	return &models.DealConnection{Edges: edges, PageInfo: p.info}
}

// CreateDeal adds a deal; amount defaults to 0, currency to USD and stage to LEAD.
func (s *Store) CreateDeal(ctx context.Context, in models.CreateDealInput) (*models.Deal, error) {
	var d *models.Deal
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		d, err = createDeal(tx, in)
		return err
	})
	if err != nil {
		return nil, s.translate(err)
	}
	return d, nil
}

func createDeal(tx *gorm.DB, in models.CreateDealInput) (*models.Deal, error) {
	d := &models.Deal{ID: ids.New(ids.Deal), Currency: "USD", Stage: models.DealStageLead}
	patch := dealPatch{Title: &in.Title, Amount: in.Amount, Currency: in.Currency, Stage: in.Stage,
		ContactID: in.ContactID, CloseDate: in.CloseDate}
	if err := patch.apply(tx, d); err != nil {
		return nil, err
	}
	if err := tx.Create(d).Error; err != nil {
		return nil, err
	}
	return d, emitObject(tx, EventDealCreated, func() (any, error) { return dealObjectOf(d), nil })
}

// UpdateDeal changes the given fields of a deal.
func (s *Store) UpdateDeal(ctx context.Context, id string, in models.UpdateDealInput) (*models.Deal, error) {
	var d *models.Deal
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		d, err = s.updateDeal(tx, id, in)
		return err
	})
	if err != nil {
		return nil, s.translate(err)
	}
	return d, nil
}

func (s *Store) updateDeal(tx *gorm.DB, id string, in models.UpdateDealInput) (*models.Deal, error) {
	d, err := findDeal(s.forUpdate(tx), id)
	if err != nil {
		return nil, err
	}
	before := dealObjectOf(d)
	if err := dealPatch(in).apply(tx, d); err != nil {
		return nil, err
	}
	d.UpdatedAt = Now()
	if err := tx.Select("*").Omit("id", "workspace_id", "created_at").Updates(d).Error; err != nil {
		return nil, err
	}
	return d, emitDealUpdate(tx, before, d)
}

// SetDealStage moves a deal to another stage inside an existing transaction.
func SetDealStage(tx *gorm.DB, id string, stage models.DealStage) (*models.Deal, error) {
	d, err := findDeal(tx, id)
	if err != nil {
		return nil, err
	}
	before := dealObjectOf(d)
	if err := (dealPatch{Stage: &stage}).apply(tx, d); err != nil {
		return nil, err
	}
	d.UpdatedAt = Now()
	if err := tx.Select("stage", "updated_at").Updates(d).Error; err != nil {
		return nil, err
	}
	return d, emitDealUpdate(tx, before, d)
}

// dealPatch is the shape shared by the create and update inputs.
type dealPatch struct {
	Title     *string
	Amount    *int
	Currency  *string
	Stage     *models.DealStage
	ContactID *string
	CloseDate *models.Date
}

func (p dealPatch) apply(tx *gorm.DB, d *models.Deal) error {
	var err error
	if p.Title != nil {
		if d.Title, err = cleanText("input.title", *p.Title, maxNameLen, true); err != nil {
			return err
		}
	}
	if p.Amount != nil {
		if *p.Amount < 0 || int64(*p.Amount) > maxAmountMinor {
			return apperr.Invalid("input.amount", "amount must be between 0 and %d minor units", int64(maxAmountMinor))
		}
		d.Amount = int64(*p.Amount)
	}
	if p.Currency != nil {
		cur := strings.ToUpper(strings.TrimSpace(*p.Currency))
		if !isCurrency(cur) {
			return apperr.Invalid("input.currency", "%q is not an ISO 4217 currency code", *p.Currency)
		}
		d.Currency = cur
	}
	if p.Stage != nil {
		if !p.Stage.IsValid() {
			return apperr.Invalid("input.stage", "unknown stage")
		}
		d.Stage = *p.Stage
	}
	if p.ContactID != nil {
		if *p.ContactID == "" {
			d.ContactID = nil
		} else {
			if err := requireAll(tx, &models.Contact{}, "contact", "input.contactId", []string{*p.ContactID}); err != nil {
				return err
			}
			d.ContactID = p.ContactID
		}
	}
	if p.CloseDate != nil {
		if *p.CloseDate == "" {
			d.CloseDate = nil
		} else {
			date := *p.CloseDate
			d.CloseDate = &date
		}
	}
	return nil
}

// DeleteDeal removes a deal.
func (s *Store) DeleteDeal(ctx context.Context, id string) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := emitDeleted(tx, EventDealDeleted, "deal", id, func(d *models.Deal) (any, error) {
			return dealObjectOf(d), nil
		}); err != nil {
			return err
		}
		return deleteByID(tx, &models.Deal{}, "deal", id)
	})
}
