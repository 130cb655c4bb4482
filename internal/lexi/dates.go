package lexi

import (
	"strconv"
	"strings"
	"time"
)

// Dates as people say them, read against the assistant's clock: a day ("tomorrow", "March
// 31", "2026-03-31", "next Friday", "end of the quarter") or a range ("this month", "next
// quarter", "last year", "the next 30 days", "Q3", "in April").

type dateRange struct {
	from, to time.Time // inclusive days, UTC midnight
	label    string
}

func (r dateRange) has(d time.Time) bool { return !d.Before(r.from) && !d.After(r.to) }

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

var months = map[string]time.Month{"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
	"may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
	"october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12}

var weekdays = map[string]time.Weekday{"sunday": 0, "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6,
	"sun": 0, "mon": 1, "tue": 2, "tues": 2, "wed": 3, "thu": 4, "thur": 4, "thurs": 4, "fri": 5, "sat": 6}

func unitRange(now time.Time, unit string, offset int) (dateRange, bool) {
	d := midnight(now)
	switch strings.TrimSuffix(unit, "s") {
	case "day":
		x := d.AddDate(0, 0, offset)
		return dateRange{from: x, to: x}, true
	case "week", "wk":
		start := d.AddDate(0, 0, -((int(d.Weekday())+6)%7)+7*offset) // Monday
		return dateRange{from: start, to: start.AddDate(0, 0, 6)}, true
	case "month", "mo":
		start := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, offset, 0)
		return dateRange{from: start, to: start.AddDate(0, 1, -1)}, true
	case "quarter", "qtr":
		q := (int(d.Month()) - 1) / 3
		start := time.Date(d.Year(), time.Month(q*3+1), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 3*offset, 0)
		return dateRange{from: start, to: start.AddDate(0, 3, -1)}, true
	case "year", "yr":
		start := time.Date(d.Year()+offset, 1, 1, 0, 0, 0, 0, time.UTC)
		return dateRange{from: start, to: start.AddDate(1, 0, -1)}, true
	}
	return dateRange{}, false
}

// numberAt reads a number written in digits or words at toks[i]; n is how many tokens it took.
func numberAt(toks []token, i int) (value, n int, ok bool) {
	if i >= len(toks) || toks[i].quoted {
		return 0, 0, false
	}
	w := toks[i].low
	if v, err := strconv.Atoi(w); err == nil && v >= 0 {
		return v, 1, true
	}
	if v, ok := numberWords[w]; ok {
		if i+1 < len(toks) {
			if u, ok := numberWords[toks[i+1].low]; ok && v >= 20 && u < 10 { // "twenty five"
				return v + u, 2, true
			}
		}
		return v, 1, true
	}
	if a, b, ok := strings.Cut(w, "-"); ok { // "twenty-five"
		if x, ok1 := numberWords[a]; ok1 {
			if y, ok2 := numberWords[b]; ok2 && x >= 20 && y < 10 {
				return x + y, 1, true
			}
		}
	}
	return 0, 0, false
}

var numberWords = map[string]int{"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
	"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
	"seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
	"seventy": 70, "eighty": 80, "ninety": 90, "a couple": 2, "couple": 2, "dozen": 12, "a dozen": 12}

// dateAt reads a date or range starting at toks[i]; n is the number of tokens it took.
func dateAt(toks []token, i int, now time.Time) (dateRange, int, bool) {
	w := func(k int) string {
		if i+k < len(toks) && !toks[i+k].quoted {
			return toks[i+k].word
		}
		return ""
	}
	today := midnight(now)
	switch w(0) {
	case "today", "tonight":
		return dateRange{from: today, to: today, label: "today"}, 1, true
	case "tomorrow":
		d := today.AddDate(0, 0, 1)
		return dateRange{from: d, to: d, label: "tomorrow"}, 1, true
	case "yesterday":
		d := today.AddDate(0, 0, -1)
		return dateRange{from: d, to: d, label: "yesterday"}, 1, true
	case "this", "current", "next", "last", "previous", "past", "coming", "upcoming":
		off := map[string]int{"this": 0, "current": 0, "next": 1, "coming": 1, "upcoming": 1, "last": -1, "previous": -1, "past": -1}[w(0)]
		k := 1
		if w(1) == "fiscal" || w(1) == "calendar" {
			k = 2
		}
		if r, ok := unitRange(now, w(k), off); ok && !strings.HasSuffix(w(k), "s") {
			r.label = toks[i].low + " " + w(k)
			return r, k + 1, true
		}
		// "next 30 days", "past two weeks", "coming 3 months"
		if v, n, ok := numberAt(toks, i+1); ok && v > 0 {
			unit := strings.TrimSuffix(w(1+n), "s")
			days := map[string]int{"day": 1, "week": 7, "wk": 7, "month": 0, "mo": 0}[unit]
			end := today.AddDate(0, 0, v*days)
			if unit == "month" || unit == "mo" {
				end = today.AddDate(0, v, 0)
			}
			if _, known := map[string]bool{"day": true, "week": true, "wk": true, "month": true, "mo": true}[unit]; known {
				label := toks[i].low + " " + strconv.Itoa(v) + " " + unit + "s"
				if off < 0 {
					return dateRange{from: today.Add(today.Sub(end)), to: today, label: label}, 2 + n, true
				}
				return dateRange{from: today, to: end, label: label}, 2 + n, true
			}
		}
		if wd, ok := weekdays[w(1)]; ok {
			d := nextWeekday(today, wd)
			if off < 0 {
				d = d.AddDate(0, 0, -7)
			}
			return dateRange{from: d, to: d, label: toks[i].low + " " + w(1)}, 2, true
		}
	case "within", "in", "during":
		if y, err := strconv.Atoi(w(1)); err == nil && y > 1900 && y < 3000 && w(0) != "within" {
			start := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
			return dateRange{from: start, to: start.AddDate(1, 0, -1), label: w(1)}, 2, true
		}
		// "within 30 days", "in 2 weeks": from today to then.
		if v, n, ok := numberAt(toks, i+1); ok && v > 0 {
			unit := strings.TrimSuffix(w(1+n), "s")
			var end time.Time
			switch unit {
			case "day":
				end = today.AddDate(0, 0, v)
			case "week", "wk":
				end = today.AddDate(0, 0, 7*v)
			case "month", "mo":
				end = today.AddDate(0, v, 0)
			default:
				return dateRange{}, 0, false
			}
			if w(0) == "in" {
				return dateRange{from: end, to: end, label: "in " + strconv.Itoa(v) + " " + unit + "s"}, 2 + n, true
			}
			return dateRange{from: today, to: end, label: "within " + strconv.Itoa(v) + " " + unit + "s"}, 2 + n, true
		}
	case "end", "eom", "eoq", "eoy", "start", "beginning":
		k, unit := 1, ""
		switch w(0) {
		case "eom", "eoq", "eoy":
			unit = map[string]string{"eom": "month", "eoq": "quarter", "eoy": "year"}[w(0)]
			k = 0
		default:
			if w(1) != "of" {
				return dateRange{}, 0, false
			}
			k = 2
			if w(k) == "the" {
				k++
			}
		}
		off := 0
		if unit == "" {
			switch w(k) {
			case "this", "current":
				k++
			case "next":
				off, k = 1, k+1
			case "last", "previous":
				off, k = -1, k+1
			}
			unit = w(k)
		}
		if _, ok := months[unit]; ok && unit != "may" || unit == "may" && w(0) != "" {
			if m, ok := months[unit]; ok {
				r := monthRange(today, m)
				d := r.to
				if w(0) == "start" || w(0) == "beginning" {
					d = r.from
				}
				return dateRange{from: d, to: d, label: w(0) + " of " + unit}, k + 1, true
			}
		}
		r, ok := unitRange(now, unit, off)
		if !ok || unit == "day" {
			return dateRange{}, 0, false
		}
		d := r.to
		if w(0) == "start" || w(0) == "beginning" {
			d = r.from
		}
		return dateRange{from: d, to: d, label: "end of the " + unit}, k + 1, true
	case "q1", "q2", "q3", "q4":
		q := int(w(0)[1] - '1')
		y := today.Year()
		n := 1
		if v, err := strconv.Atoi(w(1)); err == nil && v > 1900 && v < 3000 {
			y, n = v, 2
		}
		start := time.Date(y, time.Month(q*3+1), 1, 0, 0, 0, 0, time.UTC)
		return dateRange{from: start, to: start.AddDate(0, 3, -1), label: toks[i].raw}, n, true
	}
	if wd, ok := weekdays[w(0)]; ok && len(w(0)) > 3 {
		d := nextWeekday(today, wd)
		return dateRange{from: d, to: d, label: toks[i].low}, 1, true
	}
	// "2026-03-31", "3/31", "3/31/2026"
	if t, err := time.Parse("2006-01-02", w(0)); err == nil {
		return dateRange{from: t, to: t, label: w(0)}, 1, true
	}
	if p := strings.Split(w(0), "/"); len(p) == 2 || len(p) == 3 {
		m, e1 := strconv.Atoi(p[0])
		d, e2 := strconv.Atoi(p[1])
		y := today.Year()
		if len(p) == 3 {
			var e3 error
			if y, e3 = strconv.Atoi(p[2]); e3 != nil {
				return dateRange{}, 0, false
			}
			if y < 100 {
				y += 2000
			}
		}
		if e1 == nil && e2 == nil && m >= 1 && m <= 12 && d >= 1 && d <= 31 {
			t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
			if t.Day() == d {
				return dateRange{from: t, to: t, label: w(0)}, 1, true
			}
		}
	}
	// "March 31", "March 31st 2026", "31 March", "the 31st of March", "March"
	if m, ok := months[w(0)]; ok && (w(0) != "may" || toks[i].upper || isDay(w(1))) && (w(0) != "mar" && w(0) != "jan" || toks[i].upper || isDay(w(1))) {
		if d, ok := dayNumber(w(1)); ok {
			y, n := yearAt(toks, i+2, today, m, d)
			t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
			if t.Day() == d {
				return dateRange{from: t, to: t, label: text2(toks, i, i+1+n)}, 2 + n, true
			}
		}
		r := monthRange(today, m)
		if v, err := strconv.Atoi(w(1)); err == nil && v > 1900 && v < 3000 {
			start := time.Date(v, m, 1, 0, 0, 0, 0, time.UTC)
			return dateRange{from: start, to: start.AddDate(0, 1, -1), label: w(0) + " " + w(1)}, 2, true
		}
		r.label = toks[i].low
		return r, 1, true
	}
	if d, ok := dayNumber(w(0)); ok && (strings.HasSuffix(w(0), "th") || strings.HasSuffix(w(0), "st") || strings.HasSuffix(w(0), "nd") || strings.HasSuffix(w(0), "rd") || months[w(1)] != 0 || w(1) == "of") {
		k := 1
		if w(k) == "of" {
			k++
		}
		if m, ok := months[w(k)]; ok {
			y, n := yearAt(toks, i+k+1, today, m, d)
			t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
			if t.Day() == d {
				return dateRange{from: t, to: t, label: text2(toks, i, i+k+n)}, k + 1 + n, true
			}
		}
	}
	return dateRange{}, 0, false
}

func isDay(s string) bool { _, ok := dayNumber(s); return ok }

func dayNumber(s string) (int, bool) {
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		s = strings.TrimSuffix(s, suf)
	}
	d, err := strconv.Atoi(s)
	return d, err == nil && d >= 1 && d <= 31
}

// yearAt reads an optional year after a day and month; without one, the next such day on or
// after today.
func yearAt(toks []token, i int, today time.Time, m time.Month, d int) (int, int) {
	k := i
	if k < len(toks) && toks[k].low == "," {
		k++
	}
	if k < len(toks) {
		if v, err := strconv.Atoi(toks[k].low); err == nil && v > 1900 && v < 3000 {
			return v, k - i + 1
		}
	}
	y := today.Year()
	if t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); t.Before(today) {
		y++
	}
	return y, 0
}

// monthRange is the named month of this year, or of next year when it ended over six months
// ago.
func monthRange(today time.Time, m time.Month) dateRange {
	y := today.Year()
	start := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	if start.AddDate(0, 1, 0).Before(today.AddDate(0, -6, 0)) {
		start = start.AddDate(1, 0, 0)
	}
	return dateRange{from: start, to: start.AddDate(0, 1, -1)}
}

func nextWeekday(today time.Time, wd time.Weekday) time.Time {
	d := (int(wd) - int(today.Weekday()) + 7) % 7
	if d == 0 {
		d = 7
	}
	return today.AddDate(0, 0, d)
}

func text2(toks []token, a, b int) string {
	var parts []string
	for k := a; k <= b && k < len(toks); k++ {
		parts = append(parts, toks[k].raw)
	}
	return strings.Join(parts, " ")
}
