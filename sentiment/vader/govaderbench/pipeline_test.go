package govaderbench

import (
	"context"
	"math"
	"regexp"
	"testing"
	"time"

	"github.com/jonreiter/govader"

	"github.com/earshot-dev/earshot/internal/workload"
	"github.com/earshot-dev/earshot/listen"
)

// handRolled is the pipeline of workload.Pipeline as a Go developer would
// write it without earshot: the query as a regular expression, govader
// for sentiment, and maps for the rest. Each detector is the simplest
// that does the job: counts per bucket against a moving mean and
// variance for spikes, per-hashtag counts per 15-minute slot against a
// moving baseline for trending, a moving negative share for the shift,
// and a map of key-hours for the metrics, with a set of authors each.
type handRolled struct {
	query *regexp.Regexp
	tags  *regexp.Regexp
	vader *govader.SentimentIntensityAnalyzer

	spikes   map[string]*series
	slot     int64          // current trending slot (15 minutes)
	tagCount map[string]int // hashtag counts in the current slot
	baseline map[string]float64
	shift    map[string]*shiftState
	metrics  map[keyHour]*bucket
	newest   int64 // newest hour seen, for dropping old buckets
	alerts   int
}

type series struct {
	bucket     int64
	count      float64
	mean, vari float64
}

type shiftState struct {
	share    float64 // moving share of negative posts
	recent   [100]bool
	next, n  int
	evidence []evidence
}

type evidence struct {
	compound float64
	id, text string
}

type keyHour struct {
	key  string
	hour int64
}

type bucket struct {
	mentions, negative, neutral, positive int
	likes, reposts, replies, quotes       int
	authors                               map[string]int // followers
}

func newHandRolled() *handRolled {
	return &handRolled{
		query: regexp.MustCompile(`(?i)\b(?:larkspur|price hike|refund|subscription|boycott|customer service)\b|` +
			`\bloyalty\b.*\bpoints\b|\bpoints\b.*\bloyalty\b|#larkspurfail\b|@larkspur\b`),
		tags:     regexp.MustCompile(`#\w+`),
		vader:    govader.NewSentimentIntensityAnalyzer(),
		spikes:   map[string]*series{},
		tagCount: map[string]int{},
		baseline: map[string]float64{},
		shift:    map[string]*shiftState{},
		metrics:  map[keyHour]*bucket{},
	}
}

func (h *handRolled) observe(p *listen.Post) {
	if !h.query.MatchString(p.Text) {
		return
	}
	compound := h.vader.PolarityScores(p.Text).Compound
	at := p.Created
	h.spike(workload.Key, at)
	if compound <= -0.05 {
		h.spike(workload.NegativeKey, at)
	}
	h.trending(p.Text, at)
	h.shiftObserve(workload.Key, compound, p.ID, p.Text)
	h.metric(workload.Key, at, p, compound)
}

// spike counts events per 5-minute bucket and, when a bucket closes,
// compares its count with a moving mean and variance (z > 4).
func (h *handRolled) spike(key string, at time.Time) {
	s := h.spikes[key]
	b := at.Unix() / 300
	if s == nil {
		s = &series{bucket: b}
		h.spikes[key] = s
	}
	for s.bucket < b {
		if s.vari > 0 && (s.count-s.mean)/math.Sqrt(s.vari) > 4 {
			h.alerts++
		}
		d := s.count - s.mean
		s.mean += d / 288
		s.vari += (d*d - s.vari) / 288
		s.count = 0
		s.bucket++
	}
	s.count++
}

// trending counts hashtags per 15-minute slot; when a slot closes, tags
// far above their moving baseline trend, and the baseline moves.
func (h *handRolled) trending(text string, at time.Time) {
	slot := at.Unix() / 900
	if slot != h.slot {
		for tag, base := range h.baseline {
			n := float64(h.tagCount[tag])
			if n >= 5 && n > 3*base+3*math.Sqrt(base) {
				h.alerts++
			}
			if base = base + (n-base)/96; base < 0.01 {
				delete(h.baseline, tag)
			} else {
				h.baseline[tag] = base
			}
		}
		for tag, n := range h.tagCount {
			if _, ok := h.baseline[tag]; !ok {
				h.baseline[tag] = float64(n) / 96
			}
		}
		clear(h.tagCount)
		h.slot = slot
	}
	for _, tag := range h.tags.FindAllString(text, -1) {
		h.tagCount[tag]++
	}
}

// shiftObserve compares the negative share of the last 100 posts with a
// moving share over about 500 and keeps the five most negative posts.
func (h *handRolled) shiftObserve(key string, compound float64, id, text string) {
	s := h.shift[key]
	if s == nil {
		s = &shiftState{}
		h.shift[key] = s
	}
	neg := compound <= -0.05
	if s.recent[s.next] {
		s.n--
	}
	s.recent[s.next] = neg
	s.next = (s.next + 1) % len(s.recent)
	x := 0.0
	if neg {
		s.n++
		x = 1
	}
	s.share += (x - s.share) / 500
	if float64(s.n)/float64(len(s.recent)) > s.share+0.15 {
		h.alerts++
	}
	if len(s.evidence) < 5 || compound < s.evidence[len(s.evidence)-1].compound {
		e := evidence{compound, id, text}
		i := len(s.evidence)
		for i > 0 && s.evidence[i-1].compound > compound {
			i--
		}
		s.evidence = append(s.evidence[:i], append([]evidence{e}, s.evidence[i:]...)...)
		if len(s.evidence) > 5 {
			s.evidence = s.evidence[:5]
		}
	}
}

// metric adds the mention to its key-hour, and drops hours older than a
// week.
func (h *handRolled) metric(key string, at time.Time, p *listen.Post, compound float64) {
	hour := at.Unix() / 3600
	if hour > h.newest {
		h.newest = hour
		for k := range h.metrics {
			if k.hour <= hour-168 {
				delete(h.metrics, k)
			}
		}
	}
	k := keyHour{key, hour}
	b := h.metrics[k]
	if b == nil {
		b = &bucket{authors: map[string]int{}}
		h.metrics[k] = b
	}
	b.mentions++
	switch {
	case compound <= -0.05:
		b.negative++
	case compound >= 0.05:
		b.positive++
	default:
		b.neutral++
	}
	b.likes += p.Likes
	b.reposts += p.Reposts
	b.replies += p.Replies
	b.quotes += p.Quotes
	b.authors[p.Author.Handle] = p.Author.Followers
}

// BenchmarkPipelineHandRolled runs the posts of the root module's
// BenchmarkPipeline through workload.Pipeline (earshot) and through
// handRolled, in blocks of 1,024 posts each in turn, and reports each
// one's CPU time per post and their ratio (x).
func BenchmarkPipelineHandRolled(b *testing.B) {
	const block = 1024
	posts := workload.Posts(1 << 18)
	ctx := context.Background()
	e, h := workload.NewPipeline(), newHandRolled()
	var te, th time.Duration
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		start := cpuTime()
		for k := range block {
			p := &posts[(n+k)&(len(posts)-1)]
			p.Created = workload.At(n + k)
			e.Observe(ctx, p)
		}
		mid := cpuTime()
		for k := range block {
			p := &posts[(n+k)&(len(posts)-1)]
			p.Created = workload.At(n + k)
			h.observe(p)
		}
		te += mid - start
		th += cpuTime() - mid
		n += block
	}
	b.ReportMetric(float64(te)/float64(n), "earshot-cpu-ns/post")
	b.ReportMetric(float64(th)/float64(n), "handrolled-cpu-ns/post")
	b.ReportMetric(float64(th)/float64(te), "x")
}
