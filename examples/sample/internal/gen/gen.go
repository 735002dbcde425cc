// Package gen writes the sample data set of package sample: the story of
// three days about Larkspur Coffee, from a fixed seed.
package gen

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/replay"
)

// The story the data tells, in UTC. Everything is derived from Seed, so
// Generate always writes the same posts.
var (
	// Start is the first instant of the data: Monday 2 March 2026.
	Start = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	// End is the end of the data, three days later.
	End = Start.Add(72 * time.Hour)
	// Announcement is when Larkspur moves its loyalty stamps into a paid
	// "Larkspur Plus" subscription: the complaint wave starts here.
	Announcement = Start.Add(24*time.Hour + 10*time.Hour)
	// ViralAt is when @milo_pours writes the complaint that goes viral.
	ViralAt = Announcement.Add(80 * time.Minute)
	// StoryAt is when the heart-warming story (a barista returns a lost
	// wedding ring) appears.
	StoryAt = Start.Add(48*time.Hour + 8*time.Hour)
	// Reversal is when Larkspur brings the stamps back; the wave ebbs.
	Reversal = Start.Add(48*time.Hour + 16*time.Hour)
)

// Seed is the seed of the generator.
const Seed = 20260302

// ViralID is the ID of the post that goes viral.
const ViralID = "at://did:plc:milopours/app.bsky.feed.post/3lark5viral22"

type gen struct {
	r     *rand.Rand
	posts []listen.Post
	ids   map[string]int
	users []user
}

type user struct {
	handle    map[string]string // per platform
	name      string
	followers int
}

// Generate writes the sample data set as JSON lines, sorted by time.
func Generate(w io.Writer) error {
	g := &gen{r: rand.New(rand.NewPCG(Seed, Seed>>3)), ids: map[string]int{}}
	g.makeUsers(400)
	g.chatter()
	g.wave()
	g.viral()
	g.story()
	g.news()
	sort.SliceStable(g.posts, func(i, j int) bool { return g.posts[i].Created.Before(g.posts[j].Created) })
	rw := replay.NewWriter(w)
	for _, p := range g.posts {
		if err := rw.Write(p); err != nil {
			return err
		}
	}
	return rw.Flush()
}

var platforms = []string{"mastodon", "bluesky", "bluesky", "reddit", "mastodon", "bluesky"}

func (g *gen) makeUsers(n int) {
	first := strings.Fields("ana ben cleo dev eli fatima gus hana ivo jun kai lena milo nora omar pia quinn rosa sam tara uli vera wes xena yusuf zoe")
	last := strings.Fields("brews pours beans roasts writes cycles codes bakes reads hikes draws knits plays runs")
	for i := 0; i < n; i++ {
		f := first[g.r.IntN(len(first))]
		l := last[g.r.IntN(len(last))]
		base := fmt.Sprintf("%s_%s%d", f, l, i)
		u := user{
			handle: map[string]string{
				"mastodon": base + "@" + []string{"mastodon.social", "hachyderm.io", "toot.cafe", "fosstodon.org"}[i%4],
				"bluesky":  strings.ReplaceAll(base, "_", "-") + ".bsky.social",
				"reddit":   "u/" + base,
			},
			name: strings.ToUpper(f[:1]) + f[1:],
			// Follower counts are heavy-tailed, as they are everywhere.
			followers: int(math.Exp(3 + 2.2*g.r.NormFloat64()*0.8 + 2)),
		}
		g.users = append(g.users, u)
	}
}

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

// fill replaces {slot} placeholders with random choices.
func (g *gen) fill(tmpl string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		b.WriteString(tmpl[:i])
		b.WriteString(g.pick(slots[tmpl[i+1:i+j]]))
		tmpl = tmpl[i+j+1:]
	}
}

var slots = map[string][]string{
	"drink":  strings.Split("flat white|oat latte|cortado|cold brew|cappuccino|pour-over|espresso|chai latte|mocha", "|"),
	"bean":   strings.Split("Ethiopian Yirgacheffe|Colombian Huila|house blend|Kenyan AA|decaf Sumatra|Guatemala Antigua", "|"),
	"place":  strings.Split("Elm Street|the station|Riverside|Market Square|the campus|Harbour Road", "|"),
	"good":   strings.Split("great|lovely|so good|excellent|really nice|perfect|delicious|amazing", "|"),
	"meh":    strings.Split("fine|ok|alright|a bit slow today|busy as always|same as usual", "|"),
	"bad":    strings.Split("terrible|ridiculous|greedy|awful|insulting|a joke|outrageous|disappointing", "|"),
	"feel":   strings.Split("I hate this|so angry|really upset|done with them|furious|not happy at all|so disappointed", "|"),
	"act":    strings.Split("cancelling my order|switching to another café|deleting the app|going elsewhere|never going back", "|"),
	"time":   strings.Split("this morning|at lunch|before work|after the gym|on my break|today", "|"),
	"emoji":  strings.Split("☕|😍|🙂|👍|✨|🥐|❤️|", "|"),
	"angry":  strings.Split("😡|🤬|👎|😤|🙄|", "|"),
	"topic":  strings.Split("home espresso setups|grinder burrs|milk steaming|latte art|water hardness|V60 recipes|bean storage", "|"),
	"opinon": strings.Split("underrated|overrated|worth it|a rabbit hole|more fun than expected", "|"),
}

var (
	brandTemplates = []string{
		"{good} {drink} at Larkspur {place} {time} {emoji}",
		"Larkspur's {bean} is {good}. {emoji}",
		"Trying the new {bean} from @larkspur {time}",
		"Larkspur {place} was {meh}, {drink} still {good}",
		"Anyone else think Larkspur does the best {drink} in town? #coffee",
		"Grabbed a {drink} at Larkspur {time}. {meh}.",
		"The baristas at Larkspur {place} remember my order. Small things {emoji}",
		"Larkspur roasting day smells {good} from the street #LarkspurCoffee",
		"Meeting at Larkspur {place}, {drink} in hand {emoji}",
		"Is Larkspur {place} open late today?",
	}
	chatterTemplates = []string{
		"Thoughts on {topic}? I find it {opinon}.",
		"Morning {drink} {emoji} #coffee",
		"New post on {topic}, turns out it is {opinon}",
		"My {drink} {time} was {good} {emoji}",
		"Switched to {bean} at home, {good}",
		"Why is {topic} so {opinon}? #coffee",
	}
	complaintTemplates = []string{
		"Larkspur wants $4.99 a month for loyalty stamps now?! {bad}. {feel} {angry} #LarkspurPlus",
		"{feel}. Larkspur Plus is {bad}, {act}. #BringBackStamps",
		"So @larkspur killed the free refill unless you pay for Larkspur Plus. {bad} {angry}",
		"Eight stamps from a free {drink} and Larkspur moves them behind a subscription. {bad}. #BringBackStamps",
		"Larkspur Plus: pay monthly to get what we had for free. {bad}. {act} {angry}",
		"The Larkspur app now forces a subscription for stamps. {feel}. #LarkspurPlus",
		"Was a Larkspur regular for years. {act}. This subscription is {bad}. #BringBackStamps",
		"Nobody asked for Larkspur Plus. {bad} {angry} #LarkspurPlus #BringBackStamps",
		"Larkspur support says stamps are 'evolving'. No, it's a price hike. {bad}.",
		"Customer service at Larkspur just shrugged about the stamps. {feel} {angry}",
	}
	storyTemplates = []string{
		"A Larkspur barista found my grandma's wedding ring in the compost bin and drove it to her house. I'm in tears ❤️ #LarkspurKindness",
		"This is the Larkspur I love: Jo from {place} returned a lost wedding ring to a stranger's grandma ❤️",
		"Whatever you think of Larkspur Plus, the ring story made my day. Thank you Jo! #LarkspurKindness",
		"Heartwarming: Larkspur barista drove 40 minutes to return a wedding ring ❤️ {emoji}",
		"Faith in people restored by a Larkspur barista and a wedding ring. Lovely story. #LarkspurKindness",
	}
	reversalTemplates = []string{
		"Larkspur brought the stamps back! Listening to customers works {emoji} #BringBackStamps",
		"Good on Larkspur for reversing the Plus subscription. Back for my {drink} tomorrow.",
		"Stamps are back at Larkspur. Thank you for listening {emoji}",
	}
	otherLangTemplates = []struct{ lang, text string }{
		{"de", "Larkspur Kaffee am {place} war heute sehr gut ☕"},
		{"es", "El café de Larkspur está muy rico hoy ☕"},
		{"fr", "Le café Larkspur est vraiment bon ce matin ☕"},
	}
)

// rate is posts per hour at t for a daily rhythm: quiet at night, peaks
// around 8:00 and 13:00.
func dailyRhythm(t time.Time) float64 {
	h := float64(t.Hour()) + float64(t.Minute())/60
	r := 0.15 + 0.9*math.Exp(-sq((h-8)/1.6)) + 0.7*math.Exp(-sq((h-13)/2)) + 0.4*math.Exp(-sq((h-19)/2.5))
	return r
}

func sq(x float64) float64 { return x * x }

// poisson arrivals of an inhomogeneous process by thinning.
func (g *gen) arrivals(from, to time.Time, maxRate float64, rate func(time.Time) float64) []time.Time {
	var out []time.Time
	t := from
	for {
		t = t.Add(time.Duration(g.r.ExpFloat64() / maxRate * float64(time.Hour)))
		if !t.Before(to) {
			return out
		}
		if g.r.Float64()*maxRate < rate(t) {
			out = append(out, t)
		}
	}
}

func (g *gen) add(platform string, u user, at time.Time, text, lang string) *listen.Post {
	n := g.ids[platform]
	g.ids[platform] = n + 1
	p := listen.Post{Platform: platform, Created: at, Text: text, Lang: lang,
		Author: listen.Author{Handle: u.handle[platform], Name: u.name, Followers: u.followers}}
	switch platform {
	case "mastodon":
		p.ID = fmt.Sprint(116000000000000000 + int64(at.Sub(Start)/time.Millisecond)*65536 + int64(n))
		host := p.Author.Handle[strings.IndexByte(p.Author.Handle, '@')+1:]
		p.URL = "https://" + host + "/@" + p.Author.Handle[:strings.IndexByte(p.Author.Handle, '@')] + "/" + p.ID
	case "bluesky":
		rkey := fmt.Sprintf("3lark%08x", n)
		did := fmt.Sprintf("did:plc:sample%04d", userIndex(g, u))
		p.Author.ID = did
		p.ID = "at://" + did + "/app.bsky.feed.post/" + rkey
		p.URL = "https://bsky.app/profile/" + p.Author.Handle + "/post/" + rkey
	case "reddit":
		p.ID = "t3_" + strings.ToLower(fmt.Sprintf("%x", 0x1a2b3c+n))
		p.URL = "https://www.reddit.com/r/coffee/comments/" + p.ID[3:] + "/"
		p.Author.Followers = 0 // Reddit does not report followers
	}
	p.Tags, p.Mentions = tagsAndMentions(text)
	g.posts = append(g.posts, p)
	return &g.posts[len(g.posts)-1]
}

func userIndex(g *gen, u user) int {
	for i := range g.users {
		if g.users[i].name == u.name && g.users[i].followers == u.followers && g.users[i].handle["reddit"] == u.handle["reddit"] {
			return i
		}
	}
	return 0
}

func tagsAndMentions(text string) (tags, mentions []string) {
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == ',' || r == '.' || r == '!' || r == '?' || r == ':' }) {
		switch {
		case len(f) > 1 && f[0] == '#':
			tags = append(tags, f[1:])
		case len(f) > 1 && f[0] == '@':
			mentions = append(mentions, f[1:])
		}
	}
	return tags, mentions
}

func (g *gen) user() user { return g.users[g.r.IntN(len(g.users))] }

// chatter: ordinary brand mentions and general coffee talk for three days.
func (g *gen) chatter() {
	for _, at := range g.arrivals(Start, End, 12, func(t time.Time) float64 { return 10 * dailyRhythm(t) }) {
		text := g.fill(g.pick(brandTemplates))
		lang := "en"
		if g.r.IntN(30) == 0 {
			o := otherLangTemplates[g.r.IntN(len(otherLangTemplates))]
			text, lang = g.fill(o.text), o.lang
		}
		g.add(g.pick(platforms), g.user(), at, strings.TrimSpace(text), lang)
	}
	for _, at := range g.arrivals(Start, End, 12, func(t time.Time) float64 { return 10 * dailyRhythm(t) }) {
		g.add(g.pick(platforms), g.user(), at, strings.TrimSpace(g.fill(g.pick(chatterTemplates))), "en")
	}
}

// wave: complaints start within minutes of the announcement, build up over
// hours as the news spreads, and ebb after the reversal.
func (g *gen) wave() {
	a := g.add("mastodon", user{handle: map[string]string{"mastodon": "larkspur@larkspur.coffee"}, name: "Larkspur Coffee", followers: 5200},
		Announcement, "Big news: loyalty stamps are moving into Larkspur Plus, our new membership for $4.99 a month with perks. Free refills are now a Plus benefit. #LarkspurPlus", "en")
	a.Likes = 40
	rate := func(t time.Time) float64 {
		since := t.Sub(Announcement).Hours()
		if since < 0 {
			return 0
		}
		// Logistic growth to a peak of ~140/h about four hours in, then
		// a slow decay, cut sharply after the reversal.
		r := 140 / (1 + math.Exp(-(since-2.5)*1.6)) * math.Exp(-math.Max(0, since-5)/9) * (0.5 + dailyRhythm(t))
		if t.After(Reversal) {
			r *= math.Exp(-t.Sub(Reversal).Hours() / 1.5)
		}
		return r
	}
	for _, at := range g.arrivals(Announcement, End, 300, rate) {
		g.add(g.pick(platforms), g.user(), at, strings.TrimSpace(g.fill(g.pick(complaintTemplates))), "en")
	}
	for _, at := range g.arrivals(Reversal, End, 40, func(t time.Time) float64 { return 35 * math.Exp(-t.Sub(Reversal).Hours()/3) }) {
		g.add(g.pick(platforms), g.user(), at, strings.TrimSpace(g.fill(g.pick(reversalTemplates))), "en")
	}
	g.add("mastodon", user{handle: map[string]string{"mastodon": "larkspur@larkspur.coffee"}, name: "Larkspur Coffee", followers: 5200},
		Reversal, "We heard you. Stamps are back in the app for everyone, free, as before. Sorry, and thank you for telling us. #BringBackStamps", "en")
}

// viral: one complaint by a well-followed account is reshared more than a
// thousand times, with the power-law slowdown real cascades show.
func (g *gen) viral() {
	milo := user{handle: map[string]string{"bluesky": "milo-pours.bsky.social"}, name: "Milo", followers: 48200}
	p := listen.Post{
		Platform: "bluesky", ID: ViralID, Created: ViralAt, Lang: "en",
		URL:    "https://bsky.app/profile/milo-pours.bsky.social/post/3lark5viral22",
		Author: listen.Author{ID: "did:plc:milopours", Handle: milo.handle["bluesky"], Name: milo.name, Followers: milo.followers},
		Text:   "Eight years of Larkspur stamps and now they want $4.99 a month for the free refill. I'm done. This is what greed looks like. #LarkspurPlus",
		Tags:   []string{"LarkspurPlus"},
	}
	g.posts = append(g.posts, p)
	// Reshares: an Omori-like decay, 1 / (1 + t/τ)^(1+θ).
	const total = 1400
	for i := 0; i < total; i++ {
		u := g.r.Float64()
		// Inverse CDF of a Lomax distribution with τ = 25 min, θ = 0.3.
		mins := 25 * (math.Pow(1-u, -1/0.3) - 1)
		if mins > End.Sub(ViralAt).Minutes() {
			continue // after the data ends (and beyond what a Duration holds)
		}
		at := ViralAt.Add(time.Duration(mins * float64(time.Minute)))
		r := g.user()
		n := g.ids["bluesky-repost"]
		g.ids["bluesky-repost"] = n + 1
		g.posts = append(g.posts, listen.Post{
			Platform: "bluesky", Kind: listen.KindRepost, Created: at, Subject: ViralID,
			ID:     fmt.Sprintf("at://did:plc:sample%04d/app.bsky.feed.repost/3lrep%07x", userIndex(g, r), n),
			Author: listen.Author{ID: fmt.Sprintf("did:plc:sample%04d", userIndex(g, r)), Handle: r.handle["bluesky"], Followers: r.followers},
		})
	}
}

// story: the ring story spreads with its own small wave of warmth.
func (g *gen) story() {
	jo := user{handle: map[string]string{"mastodon": "rosa_hikes7@toot.cafe"}, name: "Rosa", followers: 910}
	g.add("mastodon", jo, StoryAt, storyTemplates[0], "en")
	for _, at := range g.arrivals(StoryAt.Add(10*time.Minute), End, 40, func(t time.Time) float64 {
		return 35 * math.Exp(-t.Sub(StoryAt).Hours()/4)
	}) {
		g.add(g.pick(platforms), g.user(), at, g.fill(g.pick(storyTemplates[1:])), "en")
	}
}

// news: a few link posts from local news feeds and Hacker News.
func (g *gen) news() {
	items := []struct {
		after time.Duration
		text  string
	}{
		{7 * time.Hour, "Local roaster Larkspur faces backlash over paid loyalty scheme"},
		{20 * time.Hour, "Ask HN: Are coffee subscriptions the new dark pattern? (Larkspur Plus)"},
		{31 * time.Hour, "Larkspur reverses course, restores free loyalty stamps after customer outcry"},
		{24 * time.Hour, "Barista returns lost wedding ring: a small Larkspur story"},
	}
	for i, it := range items {
		platform := "rss"
		if strings.HasPrefix(it.text, "Ask HN") {
			platform = "hackernews"
		}
		at := Announcement.Add(it.after)
		p := listen.Post{Platform: platform, Created: at, Text: it.text, Lang: "en", ID: fmt.Sprint(39500000 + i),
			Author: listen.Author{Handle: "citynews"}}
		if platform == "rss" {
			p.ID = fmt.Sprintf("https://citynews.example/2026/03/larkspur-%d", i)
			p.URL = p.ID
			p.Links = []string{p.URL}
		} else {
			p.URL = "https://news.ycombinator.com/item?id=" + p.ID
			p.Author.Handle = "brewhacker"
		}
		g.posts = append(g.posts, p)
	}
}
