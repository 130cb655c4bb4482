package models

// UsageDayRecord is one API key's counters for one UTC day, as stored. The GraphQL view of it
// is UsageDay.
type UsageDayRecord struct {
	WorkspaceID string
	KeyID       string `gorm:"primaryKey"`
	// Date is the UTC day, YYYY-MM-DD: text compares in date order on both databases.
	Date   string `gorm:"primaryKey"`
	Calls  int64
	Cost   int64
	Errors int64
}

func (UsageDayRecord) TableName() string { return "usage_days" }

// UsageOperationRecord is one key's calls and errors of one root field on one UTC day.
type UsageOperationRecord struct {
	WorkspaceID string
	KeyID       string `gorm:"primaryKey"`
	Date        string `gorm:"primaryKey"`
	Operation   string `gorm:"primaryKey"`
	Calls       int64
	Errors      int64
}

func (UsageOperationRecord) TableName() string { return "usage_operations" }
