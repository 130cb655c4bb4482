package store

import (
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wbk/crm/internal/apperr"
)

// Limits on user input. Names are short; a campaign body may be a whole email.
const (
	maxNameLen     = 255
	maxTextLen     = 2000
	maxBodyBytes   = 100 * 1024
	maxTags        = 50
	maxTagLen      = 64
	maxIDsPerCall  = 1000
	maxAmountMinor = 1<<53 - 1 // exact in every JSON client
)

// normalizeEmail trims and lower-cases an address and checks that it is one plain address.
func normalizeEmail(field, raw string) (string, error) {
	email := strings.ToLower(strings.TrimSpace(raw))
	if email == "" {
		return "", apperr.Invalid(field, "email is required")
	}
	if len(email) > 254 {
		return "", apperr.Invalid(field, "email must be at most 254 characters")
	}
	addr, err := mail.ParseAddress(email)
	at := strings.LastIndexByte(email, '@')
	if err != nil || addr.Address != email || at < 1 || !strings.Contains(email[at+1:], ".") ||
		strings.HasSuffix(email, ".") {
		return "", apperr.Invalid(field, "%q is not a valid email address", raw)
	}
	return email, nil
}

// cleanText trims s and checks its length and characters. Text is stored as given (HTML or
// SQL in it is just text): parameters keep it out of queries and clients escape it on display.
func cleanText(field, s string, maxRunes int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" && required {
		return "", apperr.Invalid(field, "%s must not be empty", lastSegment(field))
	}
	if !utf8.ValidString(s) {
		return "", apperr.Invalid(field, "%s must be valid UTF-8", lastSegment(field))
	}
	if utf8.RuneCountInString(s) > maxRunes {
		return "", apperr.Invalid(field, "%s must be at most %d characters", lastSegment(field), maxRunes)
	}
	for _, r := range s {
		if r == 0 || (unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t') {
			return "", apperr.Invalid(field, "%s must not contain control characters", lastSegment(field))
		}
		// Invisible format characters (bidi overrides, zero-width spaces) let a name display
		// as something it is not; joiners stay allowed for emoji and Indic scripts.
		if unicode.Is(unicode.Cf, r) && r != '\u200c' && r != '\u200d' {
			return "", apperr.Invalid(field, "%s must not contain invisible formatting characters", lastSegment(field))
		}
	}
	return s, nil
}

// optionalText cleans an optional field: nil stays nil (unchanged), "" becomes nil (cleared).
func optionalText(field string, s *string, maxRunes int) (*string, error) {
	if s == nil {
		return nil, nil
	}
	v, err := cleanText(field, *s, maxRunes, false)
	if err != nil || v == "" {
		return nil, err
	}
	return &v, nil
}

func normalizeTags(field string, tags []string) ([]string, error) {
	if len(tags) > 10*maxTags { // bound the work before de-duplication
		return nil, apperr.Invalid(field, "at most %d tags", maxTags)
	}
	seen := make(map[string]bool, len(tags))
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		t, err := cleanText(field, strings.ToLower(t), maxTagLen, true)
		if err != nil {
			return nil, apperr.Invalid(field, "tags must be 1 to %d characters without control characters", maxTagLen)
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, apperr.Invalid(field, "at most %d tags", maxTags)
	}
	return out, nil
}

func checkIDs(field string, ids []string) error {
	if len(ids) == 0 {
		return apperr.Invalid(field, "at least one id is required")
	}
	if len(ids) > maxIDsPerCall {
		return apperr.Invalid(field, "at most %d ids per call", maxIDsPerCall)
	}
	return nil
}

func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func lastSegment(field string) string {
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		return field[i+1:]
	}
	return field
}

// likePattern builds a case-insensitive substring pattern with LIKE wildcards escaped.
func likePattern(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
	return "%" + s + "%"
}

func itoa(n int) string { return strconv.Itoa(n) }
