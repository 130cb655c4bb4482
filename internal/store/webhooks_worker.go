package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/models"
)

// What the delivery worker (internal/webhooks) asks of the store. The worker serves every
// workspace, so these run in the system context; each delivery it claims names its workspace,
// and what it writes back touches only that delivery and its endpoint.

// ClaimedDelivery is a due delivery a worker has taken, with what sending it needs.
type ClaimedDelivery struct {
	ID          string
	WorkspaceID string
	EndpointID  string
	EventID     string
	// Attempts made before this one.
	Attempts  int
	CreatedAt time.Time
	URL       string
	// Secrets sign the attempt: the endpoint's secret, then the previous one while it overlaps.
	Secrets []string
	Body    []byte
	// ClaimToken ties the outcome to this claim (see models.WebhookDelivery.ClaimToken).
	ClaimToken string
}

type claimedRow struct {
	ID                  string
	WorkspaceID         string
	EndpointID          string
	EventID             string
	Attempts            int
	CreatedAt           time.Time
	URL                 string
	Secret              string
	PreviousSecret      *string
	PreviousSecretUntil *time.Time
	Body                string
}

// ClaimWebhookDeliveries takes up to limit deliveries due at now and pushes their due time to
// now+lease, so that no other worker takes them while this one sends them; should this
// worker die, they are due again when the lease ends. On PostgreSQL, FOR UPDATE SKIP LOCKED
// lets concurrent claims pass each other; SQLite has a single writer, which serialises them.
func (s *Store) ClaimWebhookDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]ClaimedDelivery, error) {
	now = now.UTC().Truncate(time.Microsecond)
	token := ids.New("clm")
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	db := s.db.WithContext(AsSystem(ctx))
	var claimed []string
	err := db.Raw(`UPDATE webhook_deliveries SET next_attempt_at = ?, claim_token = ?, updated_at = ?
WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = ? AND next_attempt_at <= ?
ORDER BY next_attempt_at LIMIT ?`+lock+`) RETURNING id`,
		now.Add(lease), token, now, models.WebhookDeliveryStatusPending, now, limit).Scan(&claimed).Error
	if err != nil || len(claimed) == 0 {
		return nil, s.translate(err)
	}
	var rows []claimedRow
	err = db.Raw(`SELECT d.id, d.workspace_id, d.endpoint_id, d.event_id, d.attempts, d.created_at,
e.url, e.secret, e.previous_secret, e.previous_secret_until, ev.body
FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id JOIN webhook_events ev ON ev.id = d.event_id
WHERE d.id IN ? AND d.claim_token = ?`, claimed, token).Scan(&rows).Error
	if err != nil {
		return nil, s.translate(err)
	}
	out := make([]ClaimedDelivery, len(rows))
	for i, r := range rows {
		secrets := []string{r.Secret}
		if r.PreviousSecret != nil && r.PreviousSecretUntil != nil && now.Before(*r.PreviousSecretUntil) {
			secrets = append(secrets, *r.PreviousSecret)
		}
		out[i] = ClaimedDelivery{ID: r.ID, WorkspaceID: r.WorkspaceID, EndpointID: r.EndpointID, EventID: r.EventID,
			Attempts: r.Attempts, CreatedAt: r.CreatedAt, URL: r.URL, Secrets: secrets, Body: []byte(r.Body), ClaimToken: token}
	}
	return out, nil
}

// WebhookAttempt is the outcome of one attempt, and what the worker decided follows it.
type WebhookAttempt struct {
	At         time.Time
	StatusCode int // 0: no response
	Error      string
	Duration   time.Duration
	Excerpt    string
	Delivered  bool
	// RetryAt is when to try again after a failure; nil gives the delivery up (FAILED).
	RetryAt *time.Time
	// DisableAfter turns the endpoint off when this failure finds it failing for that long.
	DisableAfter time.Duration
}

// RecordWebhookAttempt writes an attempt's outcome on the delivery it claimed, and the
// endpoint's failure state. It reports whether the endpoint was disabled by this failure. An
// outcome whose claim has lapsed (another worker took the delivery over) is dropped.
func (s *Store) RecordWebhookAttempt(ctx context.Context, d ClaimedDelivery, a WebhookAttempt) (disabled bool, err error) {
	at := a.At.UTC().Truncate(time.Microsecond)
	ctx = WithWorkspace(ctx, d.WorkspaceID)
	err = s.write(ctx, func(tx *gorm.DB) error {
		set := map[string]any{"attempts": gorm.Expr("attempts + 1"), "duration_ms": int(a.Duration.Milliseconds()),
			"last_status_code": nil, "last_error": nil, "response_excerpt": nil, "claim_token": nil, "updated_at": at}
		if a.StatusCode != 0 {
			set["last_status_code"] = a.StatusCode
			set["response_excerpt"] = a.Excerpt
		}
		if a.Error != "" {
			set["last_error"] = a.Error
		}
		switch {
		case a.Delivered:
			set["status"], set["next_attempt_at"], set["delivered_at"] = models.WebhookDeliveryStatusDelivered, nil, at
		case a.RetryAt != nil:
			set["status"], set["next_attempt_at"] = models.WebhookDeliveryStatusPending, a.RetryAt.UTC().Truncate(time.Microsecond)
		default:
			set["status"], set["next_attempt_at"] = models.WebhookDeliveryStatusFailed, nil
		}
		res := tx.Model(&models.WebhookDelivery{}).Where("id = ? AND claim_token = ?", d.ID, d.ClaimToken).Updates(set)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		if err := countAttempt(tx, at, a.Delivered); err != nil {
			return err
		}
		ep := tx.Model(&models.WebhookEndpoint{}).Where("id = ?", d.EndpointID)
		if a.Delivered {
			return ep.Where("failing_since IS NOT NULL").Update("failing_since", nil).Error
		}
		if err := ep.Where("failing_since IS NULL").Update("failing_since", at).Error; err != nil {
			return err
		}
		if a.DisableAfter <= 0 {
			return nil
		}
		res = tx.Model(&models.WebhookEndpoint{}).Where("id = ? AND enabled = ? AND failing_since <= ?", d.EndpointID, true, at.Add(-a.DisableAfter)).
			Updates(map[string]any{"enabled": false, "disabled_reason": "deliveries failed for " + a.DisableAfter.String(), "updated_at": at})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		disabled = true
		return failPending(tx, d.EndpointID, "endpoint disabled after repeated failures", at)
	})
	return disabled, err
}

// WebhookQueue reports the pending deliveries and the age of the oldest one due at now.
func (s *Store) WebhookQueue(ctx context.Context, now time.Time) (pending int, oldestDue time.Duration, err error) {
	db := s.db.WithContext(AsSystem(ctx))
	var n int64
	if err := db.Model(&models.WebhookDelivery{}).Where("status = ?", models.WebhookDeliveryStatusPending).Count(&n).Error; err != nil {
		return 0, 0, s.translate(err)
	}
	var first []models.WebhookDelivery
	err = db.Select("next_attempt_at").Where("status = ? AND next_attempt_at <= ?", models.WebhookDeliveryStatusPending, now.UTC()).
		Order("next_attempt_at").Limit(1).Find(&first).Error
	if err != nil {
		return 0, 0, s.translate(err)
	}
	if len(first) == 1 && first[0].NextAttemptAt != nil {
		oldestDue = now.Sub(*first[0].NextAttemptAt)
	}
	return int(n), oldestDue, nil
}

// countAttempt adds an attempt to its workspace's usage of the day.
func countAttempt(tx *gorm.DB, at time.Time, delivered bool) error {
	row := models.WebhookUsageRecord{Date: at.UTC().Format(UsageDateLayout), Attempts: 1}
	outcome := "failed"
	if delivered {
		row.Delivered, outcome = 1, "delivered"
	} else {
		row.Failed = 1
	}
	return tx.Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "workspace_id"}, {Name: "date"}},
		DoUpdates: clause.Set{
			{Column: clause.Column{Name: "attempts"}, Value: gorm.Expr("webhook_usage.attempts + 1")},
			{Column: clause.Column{Name: outcome}, Value: gorm.Expr("webhook_usage." + outcome + " + 1")},
		},
	}).Create(&row).Error
}

// WebhookUsage returns the workspace's delivery attempts per UTC day from one date to another
// (YYYY-MM-DD, inclusive), by date; days without attempts are absent.
func (s *Store) WebhookUsage(ctx context.Context, from, to string) (map[string]models.WebhookUsageRecord, error) {
	var rows []models.WebhookUsageRecord
	if err := s.read(ctx).Where("date >= ? AND date <= ?", from, to).Find(&rows).Error; err != nil {
		return nil, s.translate(err)
	}
	out := make(map[string]models.WebhookUsageRecord, len(rows))
	for _, r := range rows {
		out[r.Date] = r
	}
	return out, nil
}
