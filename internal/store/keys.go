package store

import (
	"context"
	"errors"
	"sort"
	"time"

	"gorm.io/gorm"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/models"
)

// Workspaces and keys are administered by the CLI, which works across tenants: these methods
// run with a system context and take the workspace explicitly.

// CreateWorkspace adds a tenant.
func (s *Store) CreateWorkspace(ctx context.Context, name string, plan models.Plan) (*models.Workspace, error) {
	name, err := cleanText("name", name, maxNameLen, true)
	if err != nil {
		return nil, err
	}
	if !plan.IsValid() {
		return nil, apperr.Invalid("plan", "plan must be starter, pro or org")
	}
	w := &models.Workspace{ID: ids.New(ids.Workspace), Name: name, Plan: plan}
	return w, s.write(AsSystem(ctx), func(tx *gorm.DB) error { return tx.Create(w).Error })
}

// Workspaces lists every tenant, oldest first.
func (s *Store) Workspaces(ctx context.Context) ([]*models.Workspace, error) {
	var out []*models.Workspace
	err := s.read(AsSystem(ctx)).Order("id").Find(&out).Error
	return out, s.translate(err)
}

// Workspace returns one tenant.
func (s *Store) Workspace(ctx context.Context, id string) (*models.Workspace, error) {
	w, err := findByID[models.Workspace](s.read(AsSystem(ctx)), "workspace", id)
	return w, s.translate(err)
}

// CreateAPIKey stores a key whose hash and prefix the caller computed; the plaintext never
// reaches the store.
func (s *Store) CreateAPIKey(ctx context.Context, k *models.ApiKey) error {
	if _, err := s.Workspace(ctx, k.WorkspaceID); err != nil {
		return err
	}
	if _, err := cleanText("name", k.Name, maxNameLen, true); err != nil {
		return err
	}
	k.ID = ids.New(ids.APIKey)
	return s.write(AsSystem(ctx), func(tx *gorm.DB) error { return tx.Create(k).Error })
}

// APIKey returns one key by id.
func (s *Store) APIKey(ctx context.Context, id string) (*models.ApiKey, error) {
	k, err := findByID[models.ApiKey](s.read(AsSystem(ctx)), "key", id)
	return k, s.translate(err)
}

// APIKeys lists a workspace's keys, oldest first.
func (s *Store) APIKeys(ctx context.Context, workspaceID string) ([]*models.ApiKey, error) {
	if _, err := s.Workspace(ctx, workspaceID); err != nil {
		return nil, err
	}
	var out []*models.ApiKey
	err := s.read(AsSystem(ctx)).Where("workspace_id = ?", workspaceID).Order("id").Find(&out).Error
	return out, s.translate(err)
}

// RevokeAPIKey revokes a key from now on; revoking twice keeps the first time.
func (s *Store) RevokeAPIKey(ctx context.Context, id string) (*models.ApiKey, error) {
	var k *models.ApiKey
	err := s.write(AsSystem(ctx), func(tx *gorm.DB) error {
		k = &models.ApiKey{}
		if err := s.forUpdate(tx).Where("id = ?", id).Take(k).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return apperr.NotFound("key", id)
			}
			return err
		}
		if k.RevokedAt != nil {
			return nil
		}
		now := Now()
		k.RevokedAt = &now
		return tx.Model(k).Update("revoked_at", now).Error
	})
	return k, s.translate(err)
}

// RotateAPIKey stores next as the successor of key id, with its name and permissions, and
// makes the old key expire after grace (never later than it would have anyway).
func (s *Store) RotateAPIKey(ctx context.Context, id string, grace time.Duration, next *models.ApiKey) error {
	return s.translate(s.db.WithContext(AsSystem(ctx)).Transaction(func(tx *gorm.DB) error {
		var old models.ApiKey
		if err := s.forUpdate(tx).Where("id = ?", id).Take(&old).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return apperr.NotFound("key", id)
			}
			return err
		}
		now := Now()
		if old.RevokedAt != nil || (old.ExpiresAt != nil && !old.ExpiresAt.After(now)) {
			return apperr.Conflict("key %s is revoked or expired and cannot be rotated", id)
		}
		next.ID = ids.New(ids.APIKey)
		next.WorkspaceID, next.Name, next.Scopes = old.WorkspaceID, old.Name, old.Scopes
		if old.ExpiresAt != nil {
			at := now.Add(old.ExpiresAt.Sub(old.CreatedAt))
			next.ExpiresAt = &at
		}
		end := now.Add(grace)
		if old.ExpiresAt == nil || end.Before(*old.ExpiresAt) {
			if err := tx.Model(&old).Update("expires_at", end).Error; err != nil {
				return err
			}
		}
		return tx.Create(next).Error
	}))
}

// keyByHashSQL is KeyByHash's statement, written once: building it with GORM's clause
// builder on every request cost more than reading the row. It is a system statement (the key
// names the workspace), which the tenant guard lets through only under AsSystem.
var keyByHashSQL = "SELECT " + apiKeyRows.selectList("api_keys") + ", workspaces.name, workspaces.plan " +
	"FROM api_keys JOIN workspaces ON workspaces.id = api_keys.workspace_id WHERE api_keys.key_hash = ? LIMIT 1"

// KeyByHash finds a key and its workspace in one indexed query; it is the whole cost of
// authenticating a request, so it reads the row without GORM's reflective scan.
func (s *Store) KeyByHash(ctx context.Context, hash string) (*models.ApiKey, *models.Workspace, error) {
	var ws models.Workspace
	q := s.read(AsSystem(ctx)).Raw(keyByHashSQL, hash)
	rows, err := apiKeyRows.scanAll(q, 1, []any{&ws.Name, &ws.Plan}, nil)
	if err != nil {
		return nil, nil, s.translate(err)
	}
	if len(rows) == 0 {
		return nil, nil, apperr.NotFound("key", "")
	}
	k := rows[0]
	ws.ID = k.WorkspaceID
	return k, &ws, nil
}

// touchAPIKeys records when keys were last used; a value older than the stored one is
// ignored, so instances flushing out of order never move lastUsedAt back.
func touchAPIKeys(tx *gorm.DB, lastUsed map[string]time.Time) error {
	ids := make([]string, 0, len(lastUsed))
	for id := range lastUsed {
		ids = append(ids, id)
	}
	sort.Strings(ids) // the same lock order in every instance
	for _, id := range ids {
		at := lastUsed[id].UTC().Truncate(time.Microsecond)
		err := tx.Model(&models.ApiKey{}).Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", id, at).
			Update("last_used_at", at).Error
		if err != nil {
			return err
		}
	}
	return nil
}
