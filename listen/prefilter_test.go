package listen

import (
	"testing"
)

// matchesWithout reports whether q matches p with the prefilter switched off.
func matchesWithout(q *Query, p *Post) bool {
	c := *q
	c.pre = nil
	return c.Match(p)
}

func samePrefilterResult(t *testing.T, query, text string) {
	t.Helper()
	q, err := Compile(query)
	if err != nil {
		return
	}
	p := Post{Text: text, Lang: "en"}
	if got, want := q.Match(&p), matchesWithout(q, &p); got != want {
		t.Fatalf("query %q on %q: %v with the prefilter, %v without", query, text, got, want)
	}
}

func TestPrefilterNeverChangesResults(t *testing.T) {
	queries := []string{`larkspur OR "price hike"`, `hate OR ai OR go`, `café OR zürich`, `#acmefail OR @acme`,
		`"customer service" -refund`, `wi-fi`, `x_y OR 2026`, `Łódź`, `new_feature`}
	texts := []string{"", "LARKSPUR!", "an affordable price hike", "I HATE it", "ai", "go!", "Cafe\u0301 in Zurich",
		"ZÜRICH", "#AcmeFail", "@ACME hi", "the Customer   Service desk", "Wi\u200d-Fi", "x_y 2026", "LODZ",
		"larkspür", "price\u00a0hike", "xhate hatex", "🔥hate🔥", "hate\u0301", "new_Feature", "goai"}
	for _, q := range queries {
		for _, tx := range texts {
			samePrefilterResult(t, q, tx)
		}
	}
	// Queries whose words are too short or not ASCII get no prefilter.
	for _, q := range []string{"a OR larkspur", "日本", "🔥"} {
		if MustCompile(q).pre != nil {
			t.Errorf("%q: want no prefilter", q)
		}
	}
	if MustCompile("larkspur OR coffee").pre == nil {
		t.Error("want a prefilter for plain words")
	}
}

func FuzzPrefilter(f *testing.F) {
	f.Add(`larkspur OR "price hike"`, "Another PRICE HIKE at Larkspür")
	f.Add(`hate OR ai`, "I h\u0301ate AI")
	f.Add(`café`, "CAFE\u0301")
	f.Fuzz(func(t *testing.T, query, text string) { samePrefilterResult(t, query, text) })
}
