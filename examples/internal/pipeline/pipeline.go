// Package pipeline is the listening pipeline shared by the examples
// (monitor, dashboard, desk): for each post, the tracked keys' queries
// ([listen.Query]), sentiment ([sentiment.ScoreLang]), and the trend
// detectors — volume spikes of mentions and of negative posts
// ([trend.Spikes]), a rise in negative share ([trend.Shift]), trending
// hashtags ([trend.Window]) and posts predicted to go viral
// ([viral.Detector]). Alerts come out once per episode, with example posts.
//
// A [Pipeline] is driven by the host's loop: [Pipeline.Observe] for each
// post, [Pipeline.Check] from time to time (it flushes the detectors), and
// [Pipeline.Snapshot] for a JSON-ready picture of the state. It starts no
// goroutine and reads no clock: every time comes from the posts. It is not
// safe for concurrent use; the dashboard owns it in one goroutine and
// shares snapshots, which are plain values.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/vader"
	"github.com/earshot-dev/earshot/trend"
	"github.com/earshot-dev/earshot/trend/viral"
)

// DefaultQuery is what the examples listen for in the sample data.
const DefaultQuery = "larkspur OR @larkspur OR #larkspurplus OR #bringbackstamps OR #larkspurkindness"

// Key is one thing to track: a name for reports and a query.
type Key struct {
	Name  string `json:"name"`
	Query string `json:"query"`
}

// Thresholds tune the detectors. Zero fields take the defaults below,
// chosen on the sample data's story and the detectors' documentation.
type Thresholds struct {
	SpikeBucket    Duration `json:"spike_bucket,omitempty"`    // spike bucket width; 15m
	SpikeMinCount  float64  `json:"spike_min_count,omitempty"` // smallest bucket that can spike; 10
	SpikeWarmup    Duration `json:"spike_warmup,omitempty"`    // no spike alerts this long after start; 12h
	ShiftRise      float64  `json:"shift_rise,omitempty"`      // rise in negative share; trend.Shift's default (0.15)
	ShiftMinPosts  int      `json:"shift_min_posts,omitempty"` // posts in a rise; trend.Shift's default (20)
	ViralThreshold float64  `json:"viral_threshold,omitempty"` // predicted reshares that flag a post; 500
	ViralMinCount  int      `json:"viral_min_count,omitempty"` // reshares before a post can be flagged; 20
	TrendMinCount  float64  `json:"trend_min_count,omitempty"` // hashtag uses per hour to trend; 8
}

// Duration is a time.Duration that reads and writes JSON as "15m".
type Duration time.Duration

// MarshalJSON writes d as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Duration(d).String() + `"`), nil
}

// UnmarshalJSON reads a Go duration string such as "15m".
func (d *Duration) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("pipeline: duration %s: %w", b, err)
	}
	*d = Duration(v)
	return nil
}

func (t Thresholds) withDefaults() Thresholds {
	if t.SpikeBucket <= 0 {
		t.SpikeBucket = Duration(15 * time.Minute)
	}
	if t.SpikeMinCount <= 0 {
		t.SpikeMinCount = 10
	}
	if t.SpikeWarmup <= 0 {
		t.SpikeWarmup = Duration(12 * time.Hour)
	}
	if t.ViralThreshold <= 0 {
		t.ViralThreshold = 500
	}
	if t.ViralMinCount <= 0 {
		t.ViralMinCount = 20
	}
	if t.TrendMinCount <= 0 {
		t.TrendMinCount = 8
	}
	return t
}

// Config configures a [Pipeline].
type Config struct {
	Keys       []Key            // at least one
	Scorer     sentiment.Scorer // nil: VADER
	Thresholds Thresholds
	// ChartBucket is the width of a chart point; 1h when zero.
	ChartBucket time.Duration
	// ChartPoints is how many chart points each key keeps; 96 when zero.
	ChartPoints int
	// OnAlert is called synchronously, once per new alert episode.
	OnAlert func(Alert)
}

// Alert is a detector's alert with the tracked key it is about, a title a
// person can read and up to two example posts.
type Alert struct {
	trend.Alert
	Tracked  string           `json:"tracked"`
	Series   string           `json:"series,omitempty"` // for spikes: "mentions" or "negative posts"
	Title    string           `json:"title"`
	Examples []trend.Evidence `json:"examples"`
}

// Result is what [Pipeline.Observe] found in one post.
type Result struct {
	Matched []string        // names of the keys whose query matched
	Scored  bool            // a score was computed (the scorer knows the language)
	Score   sentiment.Score // valid when Scored
}

type heard struct {
	at      time.Time
	text    string
	url     string
	author  string
	tracked string
}

type tracked struct {
	Key
	q      *listen.Query
	tags   *trend.Window
	recent []listen.Post // recent negative posts, as examples
	total  int
	mood   sentiment.Mean
	points []Point
}

// Pipeline runs the detectors over posts; see the package documentation.
type Pipeline struct {
	cfg    Config
	th     Thresholds
	keys   []*tracked
	scorer sentiment.Scorer

	spikes  *trend.Spikes
	shift   *trend.Shift
	tags    *trend.Window // trending hashtags over all tracked keys
	viral   *viral.Detector
	posted  map[string]heard
	pending []trend.Alert
	alerts  []Alert        // every episode, in order
	episode map[string]int // episode -> index in alerts

	now     time.Time
	heard   int
	matched int
	all     sentiment.Mean
	langs   map[string]int
}

// seriesSep separates a tracked key from its series in spike keys.
const seriesSep = "\x1f"

// New builds a pipeline, compiling the keys' queries.
func New(cfg Config) (*Pipeline, error) {
	if len(cfg.Keys) == 0 {
		return nil, errors.New("pipeline: no keys to track")
	}
	if cfg.ChartBucket <= 0 {
		cfg.ChartBucket = time.Hour
	}
	if cfg.ChartPoints <= 0 {
		cfg.ChartPoints = 96
	}
	if cfg.Scorer == nil {
		cfg.Scorer = vader.New()
	}
	th := cfg.Thresholds.withDefaults()
	p := &Pipeline{
		cfg: cfg, th: th,
		scorer:  sentiment.Cached(cfg.Scorer, 10_000),
		tags:    &trend.Window{Size: time.Hour, History: 24, MinCount: th.TrendMinCount},
		viral:   &viral.Detector{Threshold: th.ViralThreshold, MinCount: th.ViralMinCount},
		posted:  map[string]heard{},
		episode: map[string]int{},
		langs:   map[string]int{},
	}
	seen := map[string]bool{}
	for _, k := range cfg.Keys {
		if k.Name == "" {
			k.Name = k.Query
		}
		if seen[k.Name] {
			return nil, fmt.Errorf("pipeline: key %q named twice", k.Name)
		}
		seen[k.Name] = true
		q, err := listen.Compile(k.Query)
		if err != nil {
			return nil, fmt.Errorf("pipeline: key %q: %w", k.Name, err)
		}
		p.keys = append(p.keys, &tracked{Key: k, q: q,
			tags: &trend.Window{Size: time.Hour, History: 24, MinCount: th.TrendMinCount}})
	}
	add := func(a trend.Alert) { p.pending = append(p.pending, a) }
	p.spikes = &trend.Spikes{Bucket: time.Duration(th.SpikeBucket),
		Spike: trend.Spike{MinCount: th.SpikeMinCount, Warmup: time.Duration(th.SpikeWarmup)}, OnAlert: add}
	p.shift = &trend.Shift{Rise: th.ShiftRise, MinPosts: th.ShiftMinPosts, OnAlert: add}
	return p, nil
}

// Keys returns the tracked keys, in order.
func (p *Pipeline) Keys() []Key {
	out := make([]Key, len(p.keys))
	for i, k := range p.keys {
		out[i] = k.Key
	}
	return out
}

// Observe feeds one post (or a reshare event) to the pipeline. New alert
// episodes go to Config.OnAlert before it returns.
func (p *Pipeline) Observe(ctx context.Context, post listen.Post) Result {
	p.heard++
	if post.Created.After(p.now) {
		p.now = post.Created
	}
	switch post.Kind {
	case listen.KindRepost, listen.KindLike:
		subject := post.Platform + ":" + post.Subject // Subject is an ID on the same platform
		if h, ok := p.posted[subject]; ok && post.Kind == listen.KindRepost {
			p.viral.Observe(subject, h.at, post.Created, post.Author.Followers)
		}
		return Result{}
	case listen.KindDelete:
		return Result{}
	}
	var res Result
	var keys []*tracked
	for _, k := range p.keys {
		if k.q.Match(&post) {
			keys = append(keys, k)
			res.Matched = append(res.Matched, k.Name)
		}
	}
	if len(keys) == 0 {
		return res
	}
	p.matched++
	p.langs[post.Lang]++
	if len(p.posted) < 200_000 {
		p.posted[post.Key()] = heard{post.Created, post.Text, post.URL, post.Author.Handle, keys[0].Name}
	}
	var tags []string
	for tag := range trend.EachHashtag(post.Text) {
		tags = append(tags, "#"+strings.ToLower(tag))
	}
	for _, tag := range tags {
		p.tags.Observe(tag, post.Created, 1)
	}
	s, err := sentiment.ScoreLang(ctx, p.scorer, post.Text, post.Lang)
	res.Scored = err == nil // else a language the scorer does not know: counted, not scored
	res.Score = s
	if res.Scored {
		p.all.Add(s)
	}
	for _, k := range keys {
		k.total++
		p.spikes.Observe(p.spikeKey(k, "mentions"), post.Created, 1)
		for _, tag := range tags {
			k.tags.Observe(tag, post.Created, 1)
		}
		pt := k.point(post.Created, p.cfg.ChartBucket, p.cfg.ChartPoints)
		pt.Posts++
		if !res.Scored {
			continue
		}
		k.mood.Add(s)
		pt.add(s)
		p.shift.Observe(k.Name, post.Created, s.Compound, post.Key(), post.Text)
		// Every scored post feeds the negative series, with weight 0 or 1,
		// so that its baseline is learnt before the first negative post.
		neg := 0.0
		if s.Polarity() == sentiment.Negative {
			neg = 1
			k.recent = append(k.recent, post)
			if len(k.recent) > 20 {
				k.recent = k.recent[1:]
			}
		}
		p.spikes.Observe(p.spikeKey(k, "negative posts"), post.Created, neg)
	}
	p.flush()
	return res
}

func (p *Pipeline) spikeKey(k *tracked, series string) string {
	return k.Name + seriesSep + series
}

// Check closes the detectors' buckets up to at and checks the tracked
// posts for virality; new alerts go to Config.OnAlert.
func (p *Pipeline) Check(at time.Time) {
	p.spikes.Flush(at)
	p.pending = append(p.pending, p.viral.Check(at)...)
	p.flush()
}

// Now is the latest post time seen.
func (p *Pipeline) Now() time.Time { return p.now }

func (p *Pipeline) key(name string) *tracked {
	for _, k := range p.keys {
		if k.Name == name {
			return k
		}
	}
	return nil
}

func (p *Pipeline) flush() {
	// Detectors report the keys of one flush in map order: sort them so
	// that runs over the same data print the same report.
	sort.SliceStable(p.pending, func(i, j int) bool {
		a, b := p.pending[i], p.pending[j]
		if !a.Start.Equal(b.Start) {
			return a.Start.Before(b.Start)
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Key < b.Key
	})
	for _, ta := range p.pending {
		a := Alert{Alert: ta, Tracked: ta.Key}
		switch ta.Kind {
		case trend.AlertSpike:
			if name, series, ok := strings.Cut(ta.Key, seriesSep); ok {
				a.Tracked, a.Series, a.Key = name, series, series
			}
		case trend.AlertViral:
			a.Tracked = p.posted[ta.Key].tracked
		}
		episode := fmt.Sprint(a.Kind, a.Tracked, a.Key, a.Start)
		if i, ok := p.episode[episode]; ok {
			// An update or the end of an episode reported already.
			p.alerts[i].End, p.alerts[i].Peak, p.alerts[i].Severity = a.End, a.Peak, a.Severity
			if a.Score > p.alerts[i].Score {
				p.alerts[i].Score = a.Score
			}
			continue
		}
		if !a.Open() {
			continue
		}
		a.Title = p.describe(a)
		a.Examples = p.examples(a)
		p.episode[episode] = len(p.alerts)
		p.alerts = append(p.alerts, a)
		if p.cfg.OnAlert != nil {
			p.cfg.OnAlert(a)
		}
	}
	p.pending = p.pending[:0]
}

func (p *Pipeline) examples(a Alert) []trend.Evidence {
	var ex []trend.Evidence
	switch {
	case a.Kind == trend.AlertViral:
		h := p.posted[a.Key]
		ex = []trend.Evidence{{ID: a.Key, Text: h.text, At: h.at}}
	case len(a.Evidence) > 0:
		ex = a.Evidence
	default:
		if k := p.key(a.Tracked); k != nil {
			for i := len(k.recent) - 1; i >= 0 && len(ex) < 2; i-- {
				post := k.recent[i]
				ex = append(ex, trend.Evidence{ID: post.Key(), Text: post.Text, At: post.Created})
			}
		}
	}
	if len(ex) > 2 {
		ex = ex[:2]
	}
	return append([]trend.Evidence(nil), ex...)
}

// describe is an alert's title, such as "negative shift for larkspur since
// Tue 11:40". With several keys, spike titles name the key.
func (p *Pipeline) describe(a Alert) string {
	prefix := ""
	if len(p.keys) > 1 {
		prefix = a.Tracked + ": "
	}
	switch a.Kind {
	case trend.AlertSpike:
		return fmt.Sprintf("%svolume spike in %s since %s", prefix, a.Key, a.Start.Format("Mon 15:04"))
	case trend.AlertSentiment:
		return fmt.Sprintf("negative shift for %s since %s", a.Tracked, a.Start.Format("Mon 15:04"))
	case trend.AlertViral:
		return fmt.Sprintf("post going viral (%s)", a.Key)
	}
	return string(a.Kind) + " " + a.Key
}

// Alerts returns every alert episode so far, oldest first, with End and
// Severity updated as the detectors report.
func (p *Pipeline) Alerts() []Alert { return append([]Alert(nil), p.alerts...) }

// Totals reports the whole run: records heard, posts matched by any key,
// the mean sentiment of the scored ones, and matched posts per language.
func (p *Pipeline) Totals() (heard, matched int, mood sentiment.Mean, langs map[string]int) {
	l := make(map[string]int, len(p.langs))
	for k, v := range p.langs {
		l[k] = v
	}
	return p.heard, p.matched, p.all, l
}

// Trending returns the top n hashtags over all keys at time at.
func (p *Pipeline) Trending(at time.Time, n int) []trend.Trend { return p.tags.Top(at, n) }

// Viral returns the n most shared tracked posts at time at, by predicted
// final reshares.
func (p *Pipeline) Viral(at time.Time, n int) []ViralPost {
	top := p.viral.Top(at, n)
	sort.SliceStable(top, func(i, j int) bool { return top[i].Final > top[j].Final })
	out := make([]ViralPost, 0, len(top))
	for _, r := range top {
		h := p.posted[r.Key]
		out = append(out, ViralPost{Key: r.Key, Text: h.text, URL: h.url, Author: h.author, Tracked: h.tracked,
			Posted: h.at, Observed: r.Observed, Final: r.Final, Low: r.Low, High: r.High,
			Flagged: r.Final >= p.th.ViralThreshold && int(r.Observed) >= p.th.ViralMinCount})
	}
	return out
}

// ViralPost is a post and its predicted final number of reshares.
type ViralPost struct {
	Key      string    `json:"key"`
	Tracked  string    `json:"tracked"`
	Author   string    `json:"author,omitempty"`
	URL      string    `json:"url,omitempty"`
	Text     string    `json:"text"`
	Posted   time.Time `json:"posted"`
	Observed float64   `json:"observed"`
	Final    float64   `json:"final"`
	Low      float64   `json:"low"`
	High     float64   `json:"high"`
	Flagged  bool      `json:"flagged"` // predicted to pass the viral threshold
}

// Point is one chart bucket of a key: volume and sentiment mix.
type Point struct {
	At       time.Time `json:"at"`
	Posts    int       `json:"posts"`
	Scored   int       `json:"scored"`
	Negative int       `json:"negative"`
	Neutral  int       `json:"neutral"`
	Positive int       `json:"positive"`
	Compound float64   `json:"compound"` // mean compound of the scored posts
}

func (pt *Point) add(s sentiment.Score) {
	pt.Compound = (pt.Compound*float64(pt.Scored) + s.Compound) / float64(pt.Scored+1)
	pt.Scored++
	switch s.Polarity() {
	case sentiment.Negative:
		pt.Negative++
	case sentiment.Positive:
		pt.Positive++
	default:
		pt.Neutral++
	}
}

// point returns the chart point for at, adding empty points for the gap
// and forgetting the oldest beyond max. A post older than the last point
// goes to the last point.
func (k *tracked) point(at time.Time, width time.Duration, max int) *Point {
	b := at.Truncate(width)
	if n := len(k.points); n > 0 {
		last := k.points[n-1].At
		if !b.After(last) {
			return &k.points[n-1]
		}
		if gap := int(b.Sub(last) / width); gap > max {
			k.points = k.points[:0]
		} else {
			for t := last.Add(width); t.Before(b); t = t.Add(width) {
				k.points = append(k.points, Point{At: t})
			}
		}
	}
	k.points = append(k.points, Point{At: b})
	if len(k.points) > max {
		k.points = append(k.points[:0], k.points[len(k.points)-max:]...)
	}
	return &k.points[len(k.points)-1]
}

// Term is a trending hashtag.
type Term struct {
	Term     string  `json:"term"`
	Count    float64 `json:"count"`
	Baseline float64 `json:"baseline"`
	Score    float64 `json:"score"`
}

// KeyState is a tracked key's part of a [State].
type KeyState struct {
	Name     string  `json:"name"`
	Query    string  `json:"query"`
	Posts    int     `json:"posts"`
	Scored   int     `json:"scored"`
	Negative float64 `json:"negative"` // shares of the scored posts
	Neutral  float64 `json:"neutral"`
	Positive float64 `json:"positive"`
	Compound float64 `json:"compound"`
	Points   []Point `json:"points"`
	Trending []Term  `json:"trending"`
}

// State is a JSON-ready picture of the pipeline at a time.
type State struct {
	At       time.Time   `json:"at"` // the latest post time
	Heard    int         `json:"heard"`
	Matched  int         `json:"matched"`
	Keys     []KeyState  `json:"keys"`
	Alerts   []Alert     `json:"alerts"` // newest first, at most 20
	Trending []Term      `json:"trending"`
	Viral    []ViralPost `json:"viral"`
}

func terms(ts []trend.Trend) []Term {
	out := make([]Term, 0, len(ts))
	for _, t := range ts {
		out = append(out, Term{Term: t.Key, Count: t.Count, Baseline: t.Baseline, Score: t.Score})
	}
	return out
}

// Snapshot returns the state at the latest post time. The result shares
// nothing with the pipeline.
func (p *Pipeline) Snapshot() State {
	at := p.now
	st := State{At: at, Heard: p.heard, Matched: p.matched,
		Trending: terms(p.tags.Top(at, 8)), Viral: p.Viral(at, 5), Alerts: []Alert{}}
	for _, k := range p.keys {
		neg, neu, pos := k.mood.Shares()
		st.Keys = append(st.Keys, KeyState{Name: k.Name, Query: k.Query, Posts: k.total, Scored: k.mood.N(),
			Negative: neg, Neutral: neu, Positive: pos, Compound: k.mood.Score().Compound,
			Points: append([]Point{}, k.points...), Trending: terms(k.tags.Top(at, 5))})
	}
	for i := len(p.alerts) - 1; i >= 0 && len(st.Alerts) < 20; i-- {
		a := p.alerts[i]
		a.Evidence = nil // the examples are enough for a page
		st.Alerts = append(st.Alerts, a)
	}
	return st
}
