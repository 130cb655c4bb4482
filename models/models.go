// Package models holds the GORM models that gqlgen binds to, plus the types gqlgen generates
// from schema.graphqls (models_gen.go). Fields that GraphQL reads straight from a struct stay
// plain fields so that resolving a page costs no per-field resolver calls.
package models

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"time"
)

// Workspace is a tenant. It owns every other row but prospects.
type Workspace struct {
	ID        string `gorm:"primaryKey"`
	Name      string
	Plan      Plan
	CreatedAt time.Time
}

// ApiKey is a workspace API key. Only the SHA-256 of the key is stored.
type ApiKey struct {
	ID          string `gorm:"primaryKey"`
	WorkspaceID string `json:"-"`
	Name        string
	Prefix      string
	KeyHash     string `json:"-"`
	// Scopes are the key's permissions, stored as a comma-separated, lower-case list
	// ("read,write") and parsed once when the key is read.
	Scopes     PermissionSet `gorm:"column:permissions" json:"-"`
	ExpiresAt  *time.Time
	RevokedAt  *time.Time
	LastUsedAt *time.Time
	CreatedAt  time.Time
}

func (ApiKey) TableName() string { return "api_keys" }

// Permissions lists the key's permissions in schema order.
func (k *ApiKey) Permissions() []Permission { return k.Scopes.List() }

// Has reports whether the key carries permission p.
func (k *ApiKey) Has(p Permission) bool { return k.Scopes.Has(p) }

// PermissionSet is a set of permissions, one bit per value of AllPermission. Every request
// asks its key about permissions, so the stored list is parsed when the key is read, not on
// each question.
type PermissionSet uint32

// ParsePermissionSet reads a comma-separated, lower-case list ("read,write"); names it does
// not know are ignored.
func ParsePermissionSet(list string) PermissionSet {
	var set PermissionSet
	for name := range strings.SplitSeq(list, ",") {
		for i, stored := range permissionNames {
			if name == stored {
				set |= 1 << i
			}
		}
	}
	return set
}

// permissionNames are the stored names of AllPermission, in its order.
var permissionNames = func() []string {
	names := make([]string, len(AllPermission))
	for i, p := range AllPermission {
		names[i] = strings.ToLower(string(p))
	}
	return names
}()

// Has reports whether p is in the set.
func (s PermissionSet) Has(p Permission) bool {
	for i, q := range AllPermission {
		if q == p {
			return s&(1<<i) != 0
		}
	}
	return false
}

// List is the set's permissions in schema order.
func (s PermissionSet) List() []Permission {
	var out []Permission
	for i, p := range AllPermission {
		if s&(1<<i) != 0 {
			out = append(out, p)
		}
	}
	return out
}

// String is the stored form: lower-case names in schema order, comma-separated.
func (s PermissionSet) String() string {
	names := make([]string, 0, len(permissionNames))
	for i, name := range permissionNames {
		if s&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	return strings.Join(names, ",")
}

// Value stores the set as its comma-separated list.
func (s PermissionSet) Value() (driver.Value, error) { return s.String(), nil }

// Scan reads a stored comma-separated list.
func (s *PermissionSet) Scan(src any) error {
	switch v := src.(type) {
	case string:
		*s = ParsePermissionSet(v)
	case []byte:
		*s = ParsePermissionSet(string(v))
	default:
		return fmt.Errorf("cannot scan %T into PermissionSet", src)
	}
	return nil
}

// Contact is a person in a workspace's CRM.
type Contact struct {
	ID          string `gorm:"primaryKey"`
	WorkspaceID string `json:"-"`
	// Email is stored trimmed and lower-cased; unique per workspace.
	Email     string
	FirstName *string
	// LastNameValue is never NULL in the database ("" when unknown) so that ordering by last
	// name is a plain keyset over an index.
	LastNameValue string `gorm:"column:last_name"`
	Company       *string
	Title         *string
	Phone         *string
	// TagList mirrors the contact_tags rows as a JSON array so that a page of contacts needs
	// no extra query for its tags.
	TagList   StringList `gorm:"column:tags"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (c *Contact) IsNode()       {}
func (c *Contact) GetID() string { return c.ID }

// LastName is null when unknown.
func (c *Contact) LastName() *string {
	if c.LastNameValue == "" {
		return nil
	}
	return &c.LastNameValue
}

// FullName joins first and last name, falling back to the email.
func (c *Contact) FullName() string {
	var parts []string
	if c.FirstName != nil && *c.FirstName != "" {
		parts = append(parts, *c.FirstName)
	}
	if c.LastNameValue != "" {
		parts = append(parts, c.LastNameValue)
	}
	if len(parts) == 0 {
		return c.Email
	}
	return strings.Join(parts, " ")
}

// Tags never returns nil, so GraphQL always gets a list.
func (c *Contact) Tags() []string {
	if c.TagList == nil {
		return []string{}
	}
	return c.TagList
}

// ContactTag indexes a contact's tags so that filtering by tag uses an index.
type ContactTag struct {
	WorkspaceID string `gorm:"primaryKey"`
	Tag         string `gorm:"primaryKey"`
	ContactID   string `gorm:"primaryKey"`
}

// List is a named set of contacts.
type List struct {
	ID          string `gorm:"primaryKey"`
	WorkspaceID string `json:"-"`
	Name        string
	Description *string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (l *List) IsNode()       {}
func (l *List) GetID() string { return l.ID }

// ListMembership links a contact to a list of the same workspace.
type ListMembership struct {
	WorkspaceID string
	ListID      string `gorm:"primaryKey"`
	ContactID   string `gorm:"primaryKey"`
	CreatedAt   time.Time
}

// Campaign is an email campaign sent to a list.
type Campaign struct {
	ID          string `gorm:"primaryKey"`
	WorkspaceID string `json:"-"`
	Name        string
	Subject     *string
	Body        *string
	Status      CampaignStatus
	ListID      *string
	ScheduledAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (c *Campaign) IsNode()       {}
func (c *Campaign) GetID() string { return c.ID }

// Deal is a sales opportunity, optionally with a contact.
type Deal struct {
	ID          string `gorm:"primaryKey"`
	WorkspaceID string `json:"-"`
	Title       string
	Amount      int64
	Currency    string
	Stage       DealStage
	ContactID   *string
	CloseDate   *Date
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (d *Deal) IsNode()       {}
func (d *Deal) GetID() string { return d.ID }

// Prospect is an entry of the catalog shared by all workspaces.
type Prospect struct {
	ID        string `gorm:"primaryKey"`
	FullName  string
	Email     string
	Title     *string
	Company   *string
	Industry  *string
	Location  *string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (p *Prospect) IsNode()       {}
func (p *Prospect) GetID() string { return p.ID }
