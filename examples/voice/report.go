package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/sentiment/linear"
	"github.com/earshot-dev/earshot/sentiment/vader"
	"github.com/earshot-dev/earshot/trend"
)

// noLabel marks a post without a sentiment label: VADER scores it.
var noLabel = math.NaN()

// keptHours is how far back the metrics keep hourly buckets.
const keptHours = 31 * 24

// report runs the posts through the trend components and writes what
// they found.
type report struct {
	top     int
	scorer  *vader.Scorer
	metrics trend.Metrics
	voices  trend.Voices
	reasons trend.Reasons
	spikes  trend.Spikes
	shift   trend.Shift

	keys          []string // in the order first seen (or given)
	known         map[string]bool
	alerts        []trend.Alert
	episode       map[string]int // kind, key and start of an alert -> its index
	first         time.Time
	last          time.Time
	flushed       time.Time
	reasonModel   *linear.Model             // labels negative posts with reasons, if set
	reasonsLearnt int                       // examples it learnt from, if learnt here
	complaints    map[string]map[string]int // key -> reason -> negative posts
	collapsed     int64                     // near-duplicate posts dropped
	skipped       int64                     // input records that could not be read
	skipReason    string                    // the first of them
}

func newReport(top int) *report {
	r := &report{
		top: top, scorer: vader.New(), known: map[string]bool{}, episode: map[string]int{},
		complaints: map[string]map[string]int{},
		metrics:    trend.Metrics{Buckets: keptHours},
		spikes:     trend.Spikes{Bucket: 15 * time.Minute},
	}
	r.voices = trend.Voices{K: top, OnAlert: r.alert}
	r.spikes.OnAlert = r.alert
	r.shift.OnAlert = r.alert
	return r
}

// key adds a key to the report even if nothing mentioned it.
func (r *report) key(k string) {
	if !r.known[k] {
		r.known[k] = true
		r.keys = append(r.keys, k)
	}
}

// alert records an alert when it opens, with what stood out in its
// episode so far, and its end when it ends.
func (r *report) alert(a trend.Alert) {
	id := fmt.Sprint(a.Kind, "\x00", a.Key, "\x00", a.Start.UnixNano())
	if i, ok := r.episode[id]; ok {
		r.alerts[i].End = a.End
		return
	}
	if a.Kind != trend.AlertInfluencer {
		a.Reasons = r.reasons.Explain(a)
	}
	r.episode[id] = len(r.alerts)
	r.alerts = append(r.alerts, a)
}

// add counts post p for each of keys; label is its sentiment as a compound
// score (-1, 0, 1 from a labelled file) or noLabel.
func (r *report) add(ctx context.Context, p listen.Post, keys []string, label float64) {
	if len(keys) == 0 {
		return
	}
	at := p.Created
	if r.first.IsZero() || at.Before(r.first) {
		r.first = at
	}
	if at.After(r.last) {
		r.last = at
	}
	// Close the spike buckets that time has left behind.
	if t := at.Truncate(r.spikes.Bucket); t.After(r.flushed) {
		r.spikes.Flush(t)
		r.flushed = t
	}
	compound := label
	if math.IsNaN(label) {
		if s, err := r.scorer.Score(ctx, p.Text); err == nil {
			compound = s.Compound
		}
	}
	reason := ""
	if r.reasonModel != nil && compound <= trend.DefaultNegative {
		reason = r.reasonModel.Label(p.Text)
	}
	author := p.Author.Handle
	if author == "" {
		author = p.Author.ID
	}
	if author != "" {
		author = p.Platform + ":" + author
	}
	for _, k := range keys {
		r.key(k)
		m := trend.Mention{
			Key: k, At: at, ID: p.Key(), Text: p.Text, Source: p.Platform,
			Author: author, Followers: p.Author.Followers,
			Likes: p.Likes, Reposts: p.Reposts, Replies: p.Replies, Quotes: p.Quotes,
			Sentiment: compound,
		}
		r.metrics.Add(m)
		if reason != "" {
			if r.complaints[k] == nil {
				r.complaints[k] = map[string]int{}
			}
			r.complaints[k][reason]++
		}
		r.voices.Add(m)
		r.reasons.Add(m)
		r.spikes.Observe(k, at, 1)
		if !math.IsNaN(compound) {
			r.shift.Observe(k, at, compound, m.ID, p.Text)
		}
	}
}

// write prints the CSV and then the report.
func (r *report) write(out io.Writer) error {
	w := bufio.NewWriter(out)
	fmt.Fprintln(w, "key,hour,mentions,authors,negative,neutral,positive,share")
	if !r.first.IsZero() {
		for h := r.first.Truncate(time.Hour); !h.After(r.last); h = h.Add(time.Hour) {
			stats := make([]trend.Stats, len(r.keys))
			total := int64(0)
			for i, k := range r.keys {
				stats[i] = r.metrics.Stats(k, h)
				total += stats[i].Mentions
			}
			if total == 0 {
				continue
			}
			share := trend.ShareOfVoice(stats)
			for i, s := range stats {
				fmt.Fprintf(w, "%s,%s,%d,%d,%d,%d,%d,%s\n", csvField(s.Key), h.UTC().Format(time.RFC3339),
					s.Mentions, s.Authors, s.Negative, s.Neutral, s.Positive, strconv.FormatFloat(share[i], 'g', 4, 64))
			}
		}
	}
	fmt.Fprintln(w)
	r.writeAuthors(w)
	r.writeComplaints(w)
	r.writeAlerts(w)
	fmt.Fprintf(w, "# %d near-duplicate posts collapsed; %d records skipped", r.collapsed, r.skipped)
	if r.skipReason != "" {
		fmt.Fprintf(w, " (first: %s)", r.skipReason)
	}
	fmt.Fprintf(w, "; %d mentions older than %d days dropped\n", r.metrics.Late(), keptHours/24)
	return w.Flush()
}

func (r *report) writeAuthors(w io.Writer) {
	if r.last.IsZero() {
		fmt.Fprintln(w, "# no mentions")
		return
	}
	day := r.last.UTC().Truncate(24 * time.Hour)
	fmt.Fprintf(w, "# top authors on %s (UTC)\n", day.Format(time.DateOnly))
	for _, k := range r.keys {
		d := r.voices.Drivers(k, r.last)
		if len(d.ByMentions) == 0 {
			fmt.Fprintf(w, "# %s: no authors known\n", k)
			continue
		}
		fmt.Fprintf(w, "# %s: most mentions %s\n", k, voices(d.ByMentions, "", r.top))
		fmt.Fprintf(w, "#   largest audiences %s\n", voices(d.ByReach, "followers", r.top))
		fmt.Fprintf(w, "#   advocates %s; detractors %s\n", voices(d.Advocates, "", r.top), voices(d.Detractors, "", r.top))
	}
}

func voices(vs []trend.Voice, what string, n int) string {
	if len(vs) == 0 {
		return "none"
	}
	var parts []string
	for _, v := range vs[:min(n, len(vs))] {
		if what == "followers" {
			parts = append(parts, fmt.Sprintf("%s (%d followers)", v.Author, v.Followers))
		} else {
			parts = append(parts, fmt.Sprintf("%s (%d)", v.Author, v.Mentions))
		}
	}
	return strings.Join(parts, ", ")
}

// writeComplaints prints each key's mix of complaint reasons.
func (r *report) writeComplaints(w io.Writer) {
	if r.reasonModel == nil {
		return
	}
	if r.reasonsLearnt > 0 {
		fmt.Fprintf(w, "# complaint reasons (%d reasons learnt from %d labelled posts) of negative posts:\n", len(r.reasonModel.Labels()), r.reasonsLearnt)
	} else {
		fmt.Fprintf(w, "# complaint reasons of negative posts (%d reasons):\n", len(r.reasonModel.Labels()))
	}
	for _, k := range r.keys {
		counts := r.complaints[k]
		total := 0
		for _, n := range counts {
			total += n
		}
		if total == 0 {
			fmt.Fprintf(w, "# %s: none\n", k)
			continue
		}
		names := make([]string, 0, len(counts))
		for name := range counts {
			names = append(names, name)
		}
		sort.Slice(names, func(i, j int) bool {
			if counts[names[i]] != counts[names[j]] {
				return counts[names[i]] > counts[names[j]]
			}
			return names[i] < names[j]
		})
		var parts []string
		for _, name := range names[:min(len(names), 4)] {
			parts = append(parts, fmt.Sprintf("%s %.0f%%", name, 100*float64(counts[name])/float64(total)))
		}
		fmt.Fprintf(w, "# %s: %s (of %d)\n", k, strings.Join(parts, ", "), total)
	}
}

func (r *report) writeAlerts(w io.Writer) {
	if len(r.alerts) == 0 {
		fmt.Fprintln(w, "# no alerts")
		return
	}
	fmt.Fprintln(w, "# alerts")
	sort.SliceStable(r.alerts, func(i, j int) bool { return r.alerts[i].Start.Before(r.alerts[j].Start) })
	for _, a := range r.alerts {
		fmt.Fprintf(w, "# %s %s %s %q: %s\n", a.Start.UTC().Format(time.RFC3339), a.Severity, a.Kind, a.Key, a.Summary)
		if len(a.Reasons) > 0 {
			var parts []string
			for _, x := range a.Reasons {
				parts = append(parts, fmt.Sprintf("%s %s (%d posts, %.0f%%, x%.1f)", x.Kind, x.Value, x.Count, 100*x.Share, x.Lift))
			}
			fmt.Fprintf(w, "#   why: %s\n", strings.Join(parts, "; "))
		}
	}
}

// csvField quotes s for CSV when it needs it.
func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\r\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
