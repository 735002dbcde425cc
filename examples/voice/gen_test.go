package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/replay"
)

var update = flag.Bool("update", false, "rewrite sample.jsonl.gz from the generator")

// TestSampleMatchesGenerator checks that the embedded sample is exactly
// what generate writes; go test -run TestSampleMatchesGenerator -update
// rewrites it.
func TestSampleMatchesGenerator(t *testing.T) {
	var fresh bytes.Buffer
	require.NoError(t, generate(&fresh))
	if *update {
		var z bytes.Buffer
		zw, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
		require.NoError(t, err)
		_, err = zw.Write(fresh.Bytes())
		require.NoError(t, err)
		require.NoError(t, zw.Close())
		require.NoError(t, os.WriteFile("sample.jsonl.gz", z.Bytes(), 0o644))
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(sampleData))
	require.NoError(t, err)
	embedded, err := io.ReadAll(zr)
	require.NoError(t, err)
	require.True(t, bytes.Equal(embedded, fresh.Bytes()), "sample.jsonl.gz is stale: go test ./examples/voice -run TestSampleMatchesGenerator -update")
}

// The sample's story, in UTC: three days of posts about three coffee
// roasters. Brightcup recalls its cold-brew cans on the second afternoon
// (a burst of complaints, #BrightcupRecall); a copy-paste flood of fake
// Larkspur gift cards comes on the third morning; a coffee magazine with
// 120,000 followers praises Hollow Oak at noon that day.
var (
	genStart  = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	genEnd    = genStart.Add(72 * time.Hour)
	genRecall = genStart.Add(24*time.Hour + 14*time.Hour)
	genFlood  = genStart.Add(48*time.Hour + 9*time.Hour)
	genPraise = genStart.Add(48*time.Hour + 12*time.Hour)
)

type genUser struct {
	handle    string
	platform  string
	followers int
	mood      float64 // chance of a positive post; 1-mood-0.3 of a negative one
}

type generator struct {
	r     *rand.Rand
	zipf  *rand.Zipf // who posts: a few people post a lot
	users []genUser
	posts []listen.Post
	n     int
}

func generate(w io.Writer) error {
	g := &generator{r: rand.New(rand.NewPCG(2026, 22))}
	g.zipf = rand.NewZipf(g.r, 1.2, 8, 299)
	first := strings.Fields("ana ben cleo dev eli fatima gus hana ivo jun kai lena milo nora omar pia quinn rosa sam tara uli vera wes xena yusuf zoe")
	for i := range 300 {
		u := genUser{
			handle:    fmt.Sprintf("%s_%d", first[g.r.IntN(len(first))], i),
			platform:  []string{"mastodon", "bluesky"}[g.r.IntN(2)],
			followers: int(math.Exp(4 + 1.6*g.r.NormFloat64())),
			mood:      0.2 + 0.4*g.r.Float64(),
		}
		switch {
		case i < 6:
			u.mood = 0.9 // fans
		case i < 12:
			u.mood = 0.02 // never happy
		}
		u.followers = min(u.followers, 9_000) // influencers are added on purpose below
		g.users = append(g.users, u)
	}
	brands := []struct {
		name string
		rate float64 // posts per hour at the daily peak
	}{{"Larkspur", 24}, {"Brightcup", 16}, {"Hollow Oak", 8}}
	for _, b := range brands {
		g.chatter(b.name, b.rate)
	}
	g.recall()
	g.flood()
	g.post(genPraise, genUser{handle: "morningbrewmag", platform: "bluesky", followers: 120_000},
		"Our pick of the month: Hollow Oak's washed Ethiopian. Bright, clean, lovely. Go try it!")
	sort.SliceStable(g.posts, func(i, j int) bool { return g.posts[i].Created.Before(g.posts[j].Created) })
	rw := replay.NewWriter(w)
	for _, p := range g.posts {
		if err := rw.Write(p); err != nil {
			return err
		}
	}
	return rw.Flush()
}

var (
	genGood = []string{
		"{b} does the best {drink} in {place}",
		"lovely {drink} at {b} {place}, and {who} loved the {food}",
		"the new {b} beans make a great {drink}",
		"{b} baristas remember my {drink} order every time, small joys",
		"{who} and I shared a {food} at {b} {place}, so good",
	}
	genMeh = []string{
		"picked up a bag of {b} beans {place}",
		"is {b} {place} open on Sundays? asking for {who}",
		"meeting {who} at {b} {place}",
		"{b} {place} changed their menu, no more {food}",
		"tried the {b} {drink}, it is fine",
	}
	genBad = []string{
		"waited twenty minutes for a {drink} at {b} {place}, terrible",
		"{b} raised the price of the {drink} again, disappointing",
		"burnt {drink} at {b} {place}, awful",
		"{b} got {who}'s order wrong twice, annoying",
		"the {b} app lost my {drink} order, so frustrating",
	}
	genSlots = map[string][]string{
		"drink": strings.Split("flat white|cortado|oat latte|cold brew|cappuccino|pour-over|espresso|mocha|chai|americano", "|"),
		"place": strings.Split("on Elm Street|at the station|by the river|on Market Square|near campus|downtown|on Harbour Road|at the mall", "|"),
		"food":  strings.Split("cinnamon bun|croissant|banana bread|almond cake|bagel|scone|cookie|toastie", "|"),
		"who":   strings.Split("my sister|my boss|Sam|the kids|my neighbour|Grandpa|my flatmate|Priya|Tom|the team", "|"),
	}
	// Openers and closers make each post its own, as people's are.
	genOpen  = []string{"", "", "honestly, ", "ok so ", "PSA: ", "today: ", "hmm, ", "well, "}
	genWhen  = []string{"", " this morning", " today", " before work", " at lunch", " after the gym", " again"}
	genClose = []string{"", "", ".", "!", " :)", " ☕", " 🙄", " lol", " #coffee", " (third time this week)"}
	genAside = strings.Split("the queue was out the door|the music was too loud|wifi works again|they had oat milk at last|"+
		"my bike got a flat on the way|it was raining cats and dogs|the new tables are nice|my phone died halfway|"+
		"I forgot my keep cup|the card machine was down|a dog was asleep by the door|they play jazz on Tuesdays|"+
		"parking was a nightmare|I finally finished my book there|the windows were steamed up|half the town was there|"+
		"someone proposed at the next table|I saw my old teacher|the loyalty card is full|the radiator was broken", "|")
)

// say fills a template for brand with slots, an opener, a time and a
// closer.
func (g *generator) say(templates []string, brand string) string {
	pick := func(xs []string) string { return xs[g.r.IntN(len(xs))] }
	text := strings.ReplaceAll(pick(templates), "{b}", brand)
	for _, slot := range []string{"drink", "food", "place", "who"} { // in order: the output must not vary
		for strings.Contains(text, "{"+slot+"}") {
			text = strings.Replace(text, "{"+slot+"}", pick(genSlots[slot]), 1)
		}
	}
	text = pick(genOpen) + text + pick(genWhen)
	if g.r.IntN(4) > 0 {
		text += []string{", ", " and ", "; "}[g.r.IntN(3)] + pick(genAside)
	}
	text += pick(genClose)
	return strings.ToUpper(text[:1]) + text[1:]
}

// rhythm is the share of the peak rate at t: quiet nights, busy mornings.
func rhythm(t time.Time) float64 {
	h := float64(t.Hour()) + float64(t.Minute())/60
	return 0.1 + 0.9*math.Exp(-(h-9)*(h-9)/8) + 0.6*math.Exp(-(h-14)*(h-14)/6)
}

// arrivals returns the times of a Poisson process of rate(t) per hour.
func (g *generator) arrivals(from, to time.Time, peak float64, rate func(time.Time) float64) []time.Time {
	var out []time.Time
	for t := from; ; {
		t = t.Add(time.Duration(g.r.ExpFloat64() / peak * float64(time.Hour)))
		if !t.Before(to) {
			return out
		}
		if g.r.Float64() < rate(t) {
			out = append(out, t)
		}
	}
}

func (g *generator) chatter(brand string, peak float64) {
	for _, at := range g.arrivals(genStart, genEnd, peak, rhythm) {
		u := g.users[g.zipf.Uint64()]
		var templates []string
		switch x := g.r.Float64(); {
		case x < u.mood:
			templates = genGood
		case x < u.mood+0.3:
			templates = genMeh
		default:
			templates = genBad
		}
		g.post(at, u, g.say(templates, brand))
	}
}

func (g *generator) recall() {
	texts := []string{
		"{b} recalls its cold brew cans?! {who} drank two yesterday, so worried",
		"is my {b} cold brew safe? the recall notice is useless, angry",
		"{b} recall: how does {who} get a refund for the cans? terrible",
		"{b} support line busy for an hour about the recall, awful",
		"so {b} cold brew cans are recalled, disgusting, glad I stick to their {drink}",
		"the {b} cans recall is all over the news {place}, what a mess",
	}
	tags := []string{" #BrightcupRecall", " #BrightcupRecall", "", " #coldbrew"}
	for _, at := range g.arrivals(genRecall, genRecall.Add(6*time.Hour), 150, func(t time.Time) float64 {
		return math.Exp(-t.Sub(genRecall).Hours() / 2)
	}) {
		text := g.say(texts, "Brightcup") + tags[g.r.IntN(len(tags))]
		g.post(at, g.users[g.r.IntN(len(g.users))], text)
	}
}

func (g *generator) flood() {
	for i := range 40 {
		at := genFlood.Add(time.Duration(i) * 90 * time.Second)
		u := genUser{handle: fmt.Sprintf("deals%03d", g.r.IntN(1000)), platform: "bluesky", followers: g.r.IntN(20)}
		text := fmt.Sprintf("@%s FREE Larkspur gift card!!! Follow @coffeedeals and click the link to claim yours https://example.com/c/%d",
			g.users[g.r.IntN(len(g.users))].handle, g.r.IntN(100000))
		g.post(at, u, text)
	}
}

func (g *generator) post(at time.Time, u genUser, text string) {
	g.n++
	p := listen.Post{
		Platform: u.platform, Created: at, Text: text, Lang: "en",
		Author: listen.Author{Handle: u.handle, Followers: u.followers},
		Likes:  g.r.IntN(5), Reposts: g.r.IntN(2),
	}
	switch u.platform {
	case "mastodon":
		p.ID = fmt.Sprint(116000000000000000 + g.n)
		p.Author.Handle += "@example.social"
	default:
		p.ID = fmt.Sprintf("at://did:plc:%s/app.bsky.feed.post/3voice%05d", strings.ReplaceAll(u.handle, "_", ""), g.n)
		p.Author.Handle = strings.ReplaceAll(u.handle, "_", "-") + ".bsky.social"
	}
	g.posts = append(g.posts, p)
}
