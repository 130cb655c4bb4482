package lexi

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Amounts as people write them ("$50k", "50,000 dollars", "€1.2m", "USD 20000", "20 grand")
// and as the assistant writes them: in the currency's own sign when it has one.

var currencySigns = map[string]string{"$": "USD", "\u20ac": "EUR", "\u00a3": "GBP"}

var currencyWords = map[string]string{"dollar": "USD", "dollars": "USD", "usd": "USD", "bucks": "USD", "euro": "EUR", "euros": "EUR",
	"eur": "EUR", "pound": "GBP", "pounds": "GBP", "gbp": "GBP", "cad": "CAD", "aud": "AUD", "chf": "CHF", "jpy": "JPY",
	"inr": "INR", "sek": "SEK", "nok": "NOK", "dkk": "DKK"}

var multipliers = map[string]float64{"k": 1e3, "K": 1e3, "thousand": 1e3, "grand": 1e3, "m": 1e6, "M": 1e6, "mm": 1e6,
	"million": 1e6, "mil": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9}

// amountAt reads an amount at toks[i]: it returns the value in minor units, its currency
// ("" when the text named none), whether it is surely money (a sign, a currency word or a
// k/m suffix), and how many tokens it took.
func amountAt(toks []token, i int) (minor int64, currency string, sure bool, n int, ok bool) {
	if i >= len(toks) || toks[i].quoted || toks[i].punct {
		return 0, "", false, 0, false
	}
	raw := toks[i].raw
	k := i + 1
	// "USD 50,000"
	if c, isCode := currencyWords[toks[i].low]; isCode && len(toks[i].low) == 3 && k < len(toks) {
		if v, _, _, m, ok := amountAt(toks, k); ok {
			return v, c, true, m + 1, true
		}
	}
	for sign, c := range currencySigns {
		if strings.HasPrefix(raw, sign) {
			raw, currency, sure = raw[len(sign):], c, true
		}
	}
	mult := 1.0
	num := strings.ReplaceAll(raw, ",", "")
	for suf, m := range multipliers {
		if len(suf) <= 2 && strings.HasSuffix(num, suf) && len(num) > len(suf) {
			if _, err := strconv.ParseFloat(strings.TrimSuffix(num, suf), 64); err == nil {
				num, mult, sure = strings.TrimSuffix(num, suf), m, true
				break
			}
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || strings.ContainsAny(num, "eExX") || math.IsInf(v, 0) || math.IsNaN(v) {
		// "fifty thousand"
		w, m, isWord := numberAt(toks, i)
		if !isWord || currency != "" || w == 0 || i+m >= len(toks) || multipliers[toks[i+m].low] == 0 {
			return 0, "", false, 0, false
		}
		v, k = float64(w), i+m
	} else if strings.Contains(raw, ",") {
		sure = true
	}
	if mult == 1 && k < len(toks) {
		if m, ok := multipliers[toks[k].low]; ok && len(toks[k].low) > 1 {
			mult, sure = m, true
			k++
		}
	}
	if k < len(toks) {
		if c, ok := currencyWords[toks[k].low]; ok {
			currency, sure = c, true
			k++
		}
	}
	total := v * mult * 100
	if total > 1e17 {
		return 0, "", false, 0, false
	}
	return int64(math.Round(total)), currency, sure, k - i, true
}

// money writes minor units in a currency: "$120,000", "€1,500.50", "1,000 SEK".
func money(minor int64, currency string) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	whole := groupThousands(minor / 100)
	if cents := minor % 100; cents != 0 {
		whole += fmt.Sprintf(".%02d", cents)
	}
	for s, c := range currencySigns {
		if c == currency {
			return sign + s + whole
		}
	}
	return sign + whole + " " + currency
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
