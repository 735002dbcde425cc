package main

import (
	"context"
	"math"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/vader"
	"github.com/earshot-dev/earshot/trend"
	"github.com/earshot-dev/earshot/trend/viral"
	"github.com/earshot-dev/earshot/trend/watch"
)

// chartBucket and chartPoints shape each key's chart: hourly points, the
// last four days.
const (
	chartBucket = time.Hour
	chartPoints = 96
)

// listener is the listening side: the detectors, the per-key counters
// the page draws and the trending hashtags. One goroutine owns it; it
// hands out snapshots, which are plain values.
type listener struct {
	keys    []*keyCount
	scorer  sentiment.Scorer
	w       *watch.Watch
	tags    *trend.Sketch
	metrics *trend.Metrics // per key and hour: share of voice, authors, reach
	voices  *trend.Voices  // per key and day: who drives the conversation

	now, checked   time.Time
	heard, matched int
	bots           int64     // posts by bot accounts, dropped
	collapsed      int64     // near-duplicate posts, dropped
	trending       []term    // the last non-empty trending list
	trendingAt     time.Time // and when it was
}

// keyCount is what the page shows for a key.
type keyCount struct {
	tracked
	posts  int
	mood   sentiment.Mean
	points []point
}

// newListener sets up the detectors as the monitor does by default:
// spikes in 15-minute buckets of at least 10 posts after 12 hours of
// warm-up, posts flagged when predicted to pass 500 reshares after 20,
// hashtags trending from 8 uses an hour, every spike and shift explained
// (episodes of up to a day), and who drives each key found among lists
// of 25 authors a day.
func newListener(keys []tracked) *listener {
	l := &listener{
		scorer: sentiment.Cached(vader.New(), 10_000),
		tags:   &trend.Sketch{Size: time.Hour, History: 24, MinCount: 8},
		w: &watch.Watch{
			Spikes:  trend.Spikes{Bucket: 15 * time.Minute, Spike: trend.Spike{MinCount: 10, Warmup: 12 * time.Hour}},
			Viral:   viral.Detector{Threshold: 500, MinCount: 20},
			Reasons: &trend.Reasons{Window: 24 * time.Hour},
		},
		metrics: &trend.Metrics{},
		voices:  &trend.Voices{K: 25, Influencer: -1},
	}
	for _, k := range keys {
		l.keys = append(l.keys, &keyCount{tracked: k})
	}
	return l
}

// observe feeds one record: a reshare to the viral detector, a post to
// the keys whose query it matches.
func (l *listener) observe(ctx context.Context, p listen.Post) {
	l.heard++
	if p.Created.After(l.now) {
		l.now = p.Created
	}
	// Close spike buckets and check virality every 15 minutes of data.
	if at := p.Created.Truncate(15 * time.Minute); at.After(l.checked) {
		if !l.checked.IsZero() {
			l.w.Check(at)
		}
		l.checked = at
	}
	switch p.Kind {
	case listen.KindRepost:
		l.w.Reshare(p.Platform+":"+p.Subject, p.Created, p.Author.Followers)
		return
	case listen.KindLike, listen.KindDelete:
		return
	}
	var about []*keyCount
	for _, k := range l.keys {
		if k.q.Match(&p) {
			about = append(about, k)
		}
	}
	if len(about) == 0 {
		return
	}
	l.matched++
	var s sentiment.Score
	scored := sentiment.IsEnglish(p.Lang) // VADER's lexicon is English: others are counted, not scored
	if scored {
		var err error
		s, err = sentiment.ScoreLang(ctx, l.scorer, p.Text, p.Lang)
		scored = err == nil
	}
	for tag := range trend.EachHashtag(p.Text) {
		l.tags.Observe("#"+strings.ToLower(tag), p.Created, 1)
	}
	who := author(p)
	tm := trend.Mention{At: p.Created, ID: p.Key(), Text: p.Text, Source: p.Platform, Author: who, Followers: p.Author.Followers,
		Likes: p.Likes, Reposts: p.Reposts, Replies: p.Replies, Quotes: p.Quotes, Sentiment: s.Compound}
	if !scored {
		tm.Sentiment = math.NaN()
	}
	for _, k := range about {
		k.posts++
		pt := k.point(p.Created)
		pt.Posts++
		if scored {
			k.mood.Add(s)
			pt.add(s)
		}
		tm.Key = k.Name
		l.w.Observe(tm)
		l.metrics.Add(tm)
		l.voices.Add(tm)
	}
}

// isBot reports whether the platform marks p's author as an automated
// account (Mastodon's account.bot, a Bluesky "bot" self-label).
func isBot(p listen.Post) bool { return p.Author.Bot }

// author names p's author uniquely across platforms, or "".
func author(p listen.Post) string {
	a := p.Author.Handle
	if a == "" {
		a = p.Author.ID
	}
	if a == "" {
		return ""
	}
	return p.Platform + ":" + a
}

// finish closes the detectors' buckets at the end of the data.
func (l *listener) finish() { l.w.Check(l.now) }

// point is one chart bucket of a key: volume and sentiment mix.
type point struct {
	At       time.Time `json:"at"`
	Posts    int       `json:"posts"`
	Scored   int       `json:"scored"`
	Negative int       `json:"negative"`
	Neutral  int       `json:"neutral"`
	Positive int       `json:"positive"`
	Compound float64   `json:"compound"` // mean compound of the scored posts
}

func (pt *point) add(s sentiment.Score) {
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
// and forgetting the oldest beyond chartPoints. A post older than the last
// point goes to the last point.
func (k *keyCount) point(at time.Time) *point {
	b := at.Truncate(chartBucket)
	if n := len(k.points); n > 0 {
		last := k.points[n-1].At
		if !b.After(last) {
			return &k.points[n-1]
		}
		if gap := int(b.Sub(last) / chartBucket); gap > chartPoints {
			k.points = k.points[:0]
		} else {
			for t := last.Add(chartBucket); t.Before(b); t = t.Add(chartBucket) {
				k.points = append(k.points, point{At: t})
			}
		}
	}
	k.points = append(k.points, point{At: b})
	if len(k.points) > chartPoints {
		k.points = append(k.points[:0], k.points[len(k.points)-chartPoints:]...)
	}
	return &k.points[len(k.points)-1]
}

// term is a trending hashtag.
type term struct {
	Term     string  `json:"term"`
	Count    float64 `json:"count"`
	Baseline float64 `json:"baseline"`
}

// keyState is a key's part of a snapshot.
type keyState struct {
	Name     string  `json:"name"`
	Query    string  `json:"query"`
	Posts    int     `json:"posts"`
	Scored   int     `json:"scored"`
	Negative float64 `json:"negative"` // shares of the scored posts
	Neutral  float64 `json:"neutral"`
	Positive float64 `json:"positive"`
	Compound float64 `json:"compound"`
	Points   []point `json:"points"`
}

// snapshot is what the page draws, at the latest post time.
type snapshot struct {
	At         time.Time      `json:"at"`
	Heard      int            `json:"heard"`   // records, the dropped ones included
	Matched    int            `json:"matched"` // posts about at least one key
	Dropped    dropped        `json:"dropped"`
	Keys       []keyState     `json:"keys"`
	Voice      voice          `json:"voice"`       // share of voice and who drives it
	Alerts     []watch.Alert  `json:"alerts"`      // newest first, at most 20
	Trending   []term         `json:"trending"`    // the last window with trending hashtags
	TrendingAt time.Time      `json:"trending_at"` // its end
	Viral      []watch.Shared `json:"viral"`       // the most shared posts
}

// snapshot returns the state at the latest post time; it shares nothing
// with the listener. Trending keeps the last window's hashtags when the
// current one has none (the end of a replay, a quiet night), with its
// time, so that a wave's hashtags do not vanish from the page.
func (l *listener) snapshot() snapshot {
	at := l.now
	st := snapshot{At: at, Heard: l.heard + int(l.bots+l.collapsed), Matched: l.matched, Alerts: []watch.Alert{}, Viral: l.w.Top(at, 5),
		Dropped: dropped{NearDuplicates: l.collapsed, Bots: l.bots}}
	if top := l.tags.Top(at, 8); len(top) > 0 {
		l.trending, l.trendingAt = nil, at
		for _, t := range top {
			l.trending = append(l.trending, term{Term: t.Key, Count: t.Count, Baseline: t.Baseline})
		}
	}
	st.Trending, st.TrendingAt = append([]term{}, l.trending...), l.trendingAt
	for _, k := range l.keys {
		neg, neu, pos := k.mood.Shares()
		st.Keys = append(st.Keys, keyState{Name: k.Name, Query: k.Query, Posts: k.posts, Scored: k.mood.N(),
			Negative: neg, Neutral: neu, Positive: pos, Compound: k.mood.Score().Compound,
			Points: append([]point{}, k.points...)})
	}
	st.Voice = l.voice()
	alerts := l.w.Alerts()
	for i := len(alerts) - 1; i >= 0 && len(st.Alerts) < 20; i-- {
		a := alerts[i]
		if len(a.Evidence) > 2 {
			a.Evidence = a.Evidence[:2] // two examples are enough for a page
		}
		st.Alerts = append(st.Alerts, a)
	}
	return st
}
