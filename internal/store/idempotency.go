package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/wbk/crm/internal/apperr"
)

// IdempotencyRecord is the first response to a request sent with an Idempotency-Key.
type IdempotencyRecord struct {
	WorkspaceID string `gorm:"column:workspace_id"`
	KeyID       string `gorm:"column:key_id;primaryKey"`
	Key         string `gorm:"column:idempotency_key;primaryKey"`
	Fingerprint string `gorm:"column:fingerprint"` // SHA-256 of the request, hex
	Status      int    `gorm:"column:status"`
	Body        string `gorm:"column:body"`
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

func (IdempotencyRecord) TableName() string { return "idempotency_keys" }

// IdempotencyRecord returns the live record of API key keyID under key, or nil: an expired
// record counts as none (the sweep deletes it later).
func (s *Store) IdempotencyRecord(ctx context.Context, keyID, key string, now time.Time) (*IdempotencyRecord, error) {
	var rec IdempotencyRecord
	err := s.read(ctx).Where("key_id = ? AND idempotency_key = ? AND expires_at > ?", keyID, key, now).Take(&rec).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, s.translate(err)
	}
	return &rec, nil
}

// RunIdempotent runs an operation at most once per API key keyID and Idempotency-Key key: in
// one request transaction that holds the key, so that what run writes and the record of its
// response commit together and a crash leaves both or neither.
//
// If a live record of the key exists, RunIdempotent returns it without calling run: the
// caller replays it. Otherwise it calls run with the transaction's context; the record run
// returns is saved and committed with run's writes, and a nil record rolls them back (the
// operation did not finish: a retry may run it afresh). A request still running with the
// same key — on any server instance — is EIDEMPOTENCYINFLIGHT.
func (s *Store) RunIdempotent(ctx context.Context, keyID, key string, now time.Time,
	run func(ctx context.Context) *IdempotencyRecord) (*IdempotencyRecord, error) {
	txCtx, tx, err := s.BeginRequest(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if locked, err := s.LockIdempotencyKey(txCtx, keyID, key); err != nil || !locked {
		if err == nil {
			err = idempotencyInFlight()
		}
		return nil, err
	}
	// Another request may have finished it between the caller's first look and the lock.
	if rec, err := s.IdempotencyRecord(txCtx, keyID, key, now); err != nil || rec != nil {
		return rec, err
	}
	rec := run(txCtx)
	if rec == nil {
		return nil, nil
	}
	if err = s.SaveIdempotencyRecord(txCtx, rec); err == nil {
		err = tx.Commit()
	}
	if apperr.CodeOf(err) == apperr.ECONFLICT {
		err = idempotencyInFlight()
	}
	return nil, err
}

func idempotencyInFlight() *apperr.Error {
	return &apperr.Error{Code: apperr.EIDEMPOTENCYINFLIGHT, Message: "a request with this Idempotency-Key is still running; retry later"}
}

// LockIdempotencyKey claims (keyID, key) for the request transaction in ctx until it ends.
// It reports false when another transaction — on any server instance — holds it: the first
// request with that key is still running. On SQLite the single writer already serialises
// request transactions, so it is always true there.
func (s *Store) LockIdempotencyKey(ctx context.Context, keyID, key string) (bool, error) {
	if requestTxFrom(ctx) == nil {
		return false, errors.New("store: LockIdempotencyKey outside a request transaction")
	}
	if s.dialect != Postgres {
		return true, nil
	}
	var locked bool // the key joins the API key id with ":" (text cannot hold NUL)
	err := s.read(ctx).Raw("SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0))", keyID+":"+key).Scan(&locked).Error
	if err != nil {
		return false, s.translate(err)
	}
	return locked, nil
}

// SaveIdempotencyRecord stores rec in the request transaction in ctx, replacing an expired
// record of the same key. A live record of the same key is a CONFLICT.
func (s *Store) SaveIdempotencyRecord(ctx context.Context, rec *IdempotencyRecord) error {
	if requestTxFrom(ctx) == nil {
		return errors.New("store: SaveIdempotencyRecord outside a request transaction")
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("key_id = ? AND idempotency_key = ? AND expires_at <= ?", rec.KeyID, rec.Key, rec.CreatedAt).
			Delete(&IdempotencyRecord{}).Error; err != nil {
			return err
		}
		err := tx.Create(rec).Error
		if e := classifyIfAny(err); e != nil && e.Code == apperr.ECONFLICT {
			return apperr.Conflict("a request with this Idempotency-Key is already recorded")
		}
		return err
	})
}

// DeleteExpiredIdempotencyRecords sweeps the records of every workspace that expired by now,
// at most limit of them, and returns how many it deleted.
func (s *Store) DeleteExpiredIdempotencyRecords(ctx context.Context, now time.Time, limit int) (int64, error) {
	ctx = AsSystem(ctx)
	res := s.db.WithContext(ctx).Exec(`DELETE FROM idempotency_keys WHERE (key_id, idempotency_key) IN
		(SELECT key_id, idempotency_key FROM idempotency_keys WHERE expires_at <= ? LIMIT ?)`, now, limit)
	return res.RowsAffected, s.translate(res.Error)
}

func classifyIfAny(err error) *apperr.Error {
	if err == nil {
		return nil
	}
	return classify(err)
}
