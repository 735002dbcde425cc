package trend

import "time"

// Theme is a topic of conversation: a name and a test of a post's text,
// such as a compiled listen query's MatchText ("delivery OR shipping OR
// courier", "price OR expensive OR #larkspurplus"). trend does not import
// listen, so any func(string) bool will do.
type Theme struct {
	Name  string
	Match func(text string) bool
}

// Themes counts what each key's mentions are about: every mention is
// counted again, in Metrics, under the key ThemeKey(key, theme) of each
// theme its text matches, so each theme of each key has all the figures
// of [Stats]: mentions, authors, reach, engagement and sentiment, bucket
// by bucket. A mention can match several themes, or none.
//
// The zero value (with List set) is ready to use. A Themes is not safe
// for concurrent use.
type Themes struct {
	List    []Theme
	Metrics Metrics // counts by ThemeKey; configure its Bucket and Buckets here
}

// ThemeKey is the key under which [Themes] counts theme of key in its
// Metrics: key + "/" + theme.
func ThemeKey(key, theme string) string { return key + "/" + theme }

// Add counts m under each theme its text matches and returns how many it
// matched. Themes with a nil Match never match.
func (t *Themes) Add(m Mention) int {
	n := 0
	key := m.Key
	for _, th := range t.List {
		if th.Match != nil && th.Match(m.Text) {
			m.Key = ThemeKey(key, th.Name)
			t.Metrics.Add(m)
			n++
		}
	}
	return n
}

// Sum returns the figures of each theme of key over the buckets that start
// in [from, to), in the order of List; each Stats' Key is the theme's
// name. [ShareOfVoice] of the result gives each theme's share of the
// themed mentions.
func (t *Themes) Sum(key string, from, to time.Time) []Stats {
	out := make([]Stats, len(t.List))
	for i, th := range t.List {
		out[i] = t.Metrics.Sum(ThemeKey(key, th.Name), from, to)
		out[i].Key = th.Name
	}
	return out
}
