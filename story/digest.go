package story

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/trend"
)

// Digest turns a detected trend into a short post a person can approve:
// what is happening, since when, and how people feel about it. The text
// fits every platform's limit (X's 280 weighted characters being the
// smallest): the alert's summary and evidence are shortened at word
// boundaries, never mid-word. Times are shown in UTC.
func Digest(a trend.Alert, mood sentiment.Score) string {
	key := a.Key
	if key == "" {
		key = "this"
	} else if !strings.ContainsAny(key, " \t#@") && isTagLike(key) {
		key = "#" + key
	} else {
		key = "“" + key + "”"
	}
	var head string
	switch a.Kind {
	case trend.AlertSpike:
		head = fmt.Sprintf("Many more posts than usual about %s since %s.", key, clock(a.Start))
	case trend.AlertDrop:
		head = fmt.Sprintf("Far fewer posts than usual about %s since %s.", key, clock(a.Start))
	case trend.AlertTrending:
		head = fmt.Sprintf("%s is trending since %s.", key, clock(a.Start))
	case trend.AlertSentiment:
		head = fmt.Sprintf("People sound less happy about %s since %s.", key, clock(a.Start))
	case trend.AlertViral:
		head = fmt.Sprintf("A post about %s is spreading fast.", key)
	case trend.AlertInfluencer:
		head = fmt.Sprintf("Someone with a large audience mentioned %s at %s.", key, clock(a.Start))
	default:
		head = fmt.Sprintf("Something is happening around %s since %s.", key, clock(a.Start))
	}
	if a.Severity == trend.Critical {
		head = "Heads-up: " + head
	}
	if !a.Open() && a.End.After(a.Start) { // an influencer's mention is a moment, not an episode
		head += fmt.Sprintf(" It calmed down at %s.", clock(a.End))
	}
	moodLine := "The mood is " + moodWord(mood) + "."
	// An influencer's summary starts with the author's handle, whose case
	// is theirs; the other detectors' start with a number or a word.
	detail := sentence(a.Summary, a.Kind != trend.AlertInfluencer)
	if detail == "" && len(a.Evidence) > 0 {
		detail = "“" + strings.Join(strings.Fields(a.Evidence[0].Text), " ") + "”"
	}
	text := head + " " + moodLine
	if detail != "" {
		text = head + " " + detail + " " + moodLine
		var xr XRules
		for xr.Check(text) != nil && detail != "" {
			detail = shortenWords(detail)
			text = head + " " + detail + " " + moodLine
		}
		if detail == "" {
			text = head + " " + moodLine
		}
	}
	return text
}

// sentence makes a detector's summary, a lower-case fragment such as "0 in
// one bucket, far below the usual 27.3", read as a sentence in the digest:
// a final full stop, and with capital set a capital first letter.
func sentence(s string, capital bool) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	if r, n := utf8.DecodeRuneInString(s); capital && unicode.IsLower(r) {
		s = string(unicode.ToUpper(r)) + s[n:]
	}
	if !strings.ContainsAny(s[len(s)-1:], ".!?\"") && !strings.HasSuffix(s, "…") && !strings.HasSuffix(s, "”") {
		s += "."
	}
	return s
}

func isTagLike(s string) bool {
	for _, r := range s {
		if !(isWordRune(r)) {
			return false
		}
	}
	return true
}

func clock(t time.Time) string {
	if t.IsZero() {
		return "recently"
	}
	return t.UTC().Format("15:04 UTC")
}

func moodWord(s sentiment.Score) string {
	switch {
	case s == (sentiment.Score{}):
		return "unknown"
	case s.Compound >= 0.5:
		return fmt.Sprintf("warm (%+.2f)", s.Compound)
	case s.Compound >= 0.05:
		return fmt.Sprintf("mostly positive (%+.2f)", s.Compound)
	case s.Compound <= -0.5:
		return fmt.Sprintf("angry (%+.2f)", s.Compound)
	case s.Compound <= -0.05:
		return fmt.Sprintf("mostly negative (%+.2f)", s.Compound)
	}
	return fmt.Sprintf("mixed (%+.2f)", s.Compound)
}

// shortenWords drops the last word and marks the cut with "…".
func shortenWords(s string) string {
	s = strings.TrimSuffix(s, "…")
	words, _ := segmentWords(s)
	if len(words) <= 1 {
		return ""
	}
	return strings.TrimRight(s[:words[len(words)-2].end], ",;:") + "…"
}

// DigestDraft wraps [Digest] as a [Draft] for a [Queue]. Its ID is stable
// for the alert's episode (kind, key and start), so a growing episode
// updates the pending draft instead of queueing another one.
func DigestDraft(a trend.Alert, mood sentiment.Score, platform string) Draft {
	return Draft{
		ID:       fmt.Sprintf("digest/%s/%s/%d", a.Kind, a.Key, a.Start.Unix()),
		Platform: platform,
		Text:     Digest(a, mood),
		rules:    RulesFor(platform),
	}
}
