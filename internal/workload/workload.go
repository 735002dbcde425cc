// Package workload is the stream the end-to-end benchmarks run: posts of
// about 140 bytes that all match [Query], and [Pipeline], the loop body a
// host writes with earshot (query, VADER behind a cache, spikes, trending
// hashtags, sentiment shift and mention metrics). The root module's
// BenchmarkPipeline measures it beside each of its parts, and the govader
// comparison module beside the same loop written by hand with regexp,
// govader and maps.
package workload

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/listen"
)

// Key is the brand every post mentions, and Query the query that finds it:
// ten terms, as listening queries are.
const (
	Key   = "larkspur"
	Query = `larkspur OR "price hike" OR refund OR #larkspurfail OR @larkspur OR subscription OR ` +
		`(loyalty points) OR boycott OR "customer service"`
)

// Start is the time of the first post; posts follow each other by Step.
var Start = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// Step is the time between posts: 20 per second, a busy brand's day of
// talk in an hour of a long benchmark.
const Step = 50 * time.Millisecond

// At is the time of the i-th post of a run. A benchmark cycles through
// the posts [Posts] returns while time keeps moving on, so detectors keep
// closing buckets as they would in a live stream.
func At(i int) time.Time { return Start.Add(time.Duration(i) * Step) }

// words: everyday chatter, the words people complain and rave with (many
// of them in VADER's lexicon), and a few negations, boosters and emoji, so
// the scorer takes its usual paths.
var words = strings.Fields(`the a and to of in is it you that was for on are with as I they be at one
have this from or had by but what some we can out other were all there when up your how said
an each which do their time if will way about then them would like so her make see him has
look more day could go come did no most my over know than call first who may down now find
any new work take get place made where after back little only year came show every good me
give our under name very through just great think say help much before right too same tell
does want well also small end put home read hand even here must big high why ask went kind
off need house try again coffee morning latte barista cup beans roast espresso café shop
order app line staff price today again still really so not never love hate awful amazing
terrible best worst slow fast cold hot friendly rude happy sad angry thanks sorry wait
waited broken fixed lol omg :) :( !! 😀 🔥 😡 ❤️`)

// tag returns a hashtag for a post: a few common ones and a long tail,
// drawn from z by a Zipf law as trending terms are.
func tag(z *rand.Zipf) string {
	switch n := z.Uint64(); n {
	case 0:
		return "#coffee"
	case 1:
		return "#larkspurfail"
	case 2:
		return "#mondaymotivation"
	default:
		return "#topic" + strconv.FormatUint(n, 10)
	}
}

// Posts returns n posts with distinct texts of 130 to 140 bytes. Each
// mentions [Key] at a random place (so every post matches [Query]),
// about a third carry a hashtag and a few a second one or a link. Authors
// come from a population of 100,000 with Zipf activity and followers.
// Times are left zero: set Created with [At].
func Posts(n int) []listen.Post {
	r := rand.New(rand.NewPCG(25, 1))
	tags := rand.NewZipf(r, 1.1, 1, 50_000)
	authors := rand.NewZipf(r, 1.05, 1, 99_999)
	posts := make([]listen.Post, n)
	var b strings.Builder
	for i := range posts {
		b.Reset()
		brand := r.IntN(12)
		var extra []string
		if r.IntN(3) == 0 {
			extra = append(extra, tag(tags))
			if r.IntN(4) == 0 {
				extra = append(extra, tag(tags))
			}
		}
		if r.IntN(10) == 0 {
			extra = append(extra, "https://lrk.sp/"+strconv.Itoa(i))
		}
		tail := 0
		for _, e := range extra {
			tail += 1 + len(e)
		}
		for w := 0; b.Len() < 140-tail; w++ {
			word := words[r.IntN(len(words))]
			if w == brand {
				word = Key
				if r.IntN(4) == 0 {
					word = "@" + Key
				}
			}
			if b.Len()+1+len(word) > 140-tail && b.Len() >= 130-tail && w > brand {
				break
			}
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(word)
		}
		for _, e := range extra {
			b.WriteByte(' ')
			b.WriteString(e)
		}
		a := authors.Uint64()
		var hashtags []string
		for _, e := range extra {
			if e[0] == '#' {
				hashtags = append(hashtags, e[1:])
			}
		}
		posts[i] = listen.Post{
			Tags:     hashtags,
			Platform: "mastodon",
			ID:       strconv.Itoa(1_000_000 + i),
			Author:   listen.Author{Handle: "user" + strconv.FormatUint(a, 10) + "@example.social", Followers: int(50_000 / (a + 1))},
			Text:     b.String(),
			Lang:     "en",
			Likes:    r.IntN(4),
			Reposts:  r.IntN(2),
		}
	}
	return posts
}
