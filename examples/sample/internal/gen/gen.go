// Package gen writes the sample data set of package sample: the story of
// three days about Larkspur Coffee and its two competitors, from a fixed
// seed.
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

// Start is the first instant of the data: Monday 2 March 2026.
func Start() time.Time { return time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) }

// End is the end of the data, three days later.
func End() time.Time { return Start().Add(72 * time.Hour) }

// Announcement is when Larkspur moves its loyalty stamps into a paid
// "Larkspur Plus" subscription: the complaint wave starts here.
func Announcement() time.Time { return Start().Add(24*time.Hour + 10*time.Hour) }

// ViralAt is when @milo_pours writes the complaint that goes viral.
func ViralAt() time.Time { return Announcement().Add(80 * time.Minute) }

// StoryAt is when the heart-warming story (a barista returns a lost
// wedding ring) appears.
func StoryAt() time.Time { return Start().Add(48*time.Hour + 8*time.Hour) }

// Reversal is when Larkspur brings the stamps back; the wave ebbs.
func Reversal() time.Time { return Start().Add(48*time.Hour + 16*time.Hour) }

// FloodAt is when the copy-paste flood of coupon spam about Hollow Oak
// begins (FloodPosts posts in twenty minutes).
func FloodAt() time.Time { return Start().Add(18 * time.Hour) }

// FloodPosts is the number of posts of the copy-paste flood.
const FloodPosts = 40

// BotPosts is the number of posts by the bot account.
const BotPosts = 72

// Seed is the seed of the generator.
const Seed = 20260302

// ViralID is the ID of the post that goes viral.
const ViralID = "at://did:plc:milopours/app.bsky.feed.post/3lark5viral22"

type gen struct {
	r     *rand.Rand
	posts []listen.Post
	ids   map[string]int
	users []user
	cum   []float64 // cumulative weights of users, for user()
}

type user struct {
	handle    map[string]string // per platform
	name      string
	followers int
	home      string // the platform they use most
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
	g.flood()
	g.bots()
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
		u.home = g.pick(platforms)
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
	"drink":  strings.Split("flat white|oat latte|cortado|cold brew|cappuccino|pour-over|espresso|chai latte|mocha|macchiato|iced latte|filter coffee|hot chocolate|americano", "|"),
	"bean":   strings.Split("Ethiopian Yirgacheffe|Colombian Huila|house blend|Kenyan AA|decaf Sumatra|Guatemala Antigua|Rwanda natural|Brazil Cerrado", "|"),
	"place":  strings.Split("Elm Street|the station|Riverside|Market Square|the campus|Harbour Road|Mill Lane|the old library", "|"),
	"good":   strings.Split("great|lovely|so good|excellent|really nice|perfect|delicious|amazing|spot on|wonderful|superb|top notch", "|"),
	"meh":    strings.Split("fine|ok|alright|a bit slow today|busy as always|same as usual|quiet for once|packed at lunch", "|"),
	"bad":    strings.Split("terrible|ridiculous|greedy|awful|insulting|a joke|outrageous|disappointing|shameless|a cash grab|tone deaf|absurd", "|"),
	"feel":   strings.Split("I hate this|so angry|really upset|done with them|furious|not happy at all|so disappointed|honestly gutted|fuming|properly annoyed", "|"),
	"act":    strings.Split("cancelling my order|switching to another café|deleting the app|going elsewhere|never going back|switching to Brightcup|trying Hollow Oak instead|making coffee at home from now on|taking my stamps card to Hollow Oak|unsubscribing from everything", "|"),
	"time":   strings.Split("this morning|at lunch|before work|after the gym|on my break|today|after school pickup|before my train|on a rainy afternoon", "|"),
	"emoji":  strings.Split("☕|😍|🙂|👍|✨|🥐|❤️||🙌|😊", "|"),
	"angry":  strings.Split("😡|🤬|👎|😤|🙄||💸", "|"),
	"topic":  strings.Split("home espresso setups|grinder burrs|milk steaming|latte art|water hardness|V60 recipes|bean storage|roast dates|aeropress tricks|decaf processes", "|"),
	"opinon": strings.Split("underrated|overrated|worth it|a rabbit hole|more fun than expected|harder than it looks|a waste of money", "|"),
	"who":    strings.Split("my partner|my flatmate|my mum|a colleague|my sister|the whole team|my neighbour|an old friend", "|"),
	"years":  strings.Split("two|three|four|five|six|eight|ten|twelve", "|"),
	"treat":  strings.Split("almond croissant|cinnamon bun|banana bread|lemon cake|cheese scone|brownie|butter croissant", "|"),
}

// Every post is a core sentence, sometimes after an opener and often with
// a second sentence, so that two people rarely write the same text: only
// the copy-paste flood is near-duplicate (listen.NearDedupe finds it).
var (
	openers = []string{"Honestly, ", "PSA: ", "Ok, ", "Quick one: ", "Well. ", "Update: ", "Hmm, ", "So, ", "Right, ", "Just saying: "}
	// A second sentence of an ordinary post.
	addons = []string{
		"The {treat} was {good} too.", "Staff were {good} to us as ever.", "Queue out the door {time}.", "Wifi still flaky, not ideal for work.",
		"Took {who} along for the first time, they loved it.", "Sat by the window for an hour.", "Worth the walk from {place} for this.", "Will be back for more.",
		"Recommend the {bean} if you like it fruity.", "Music a bit loud for me.", "Pastries sold out by nine.", "Cheaper than the chains, too.",
		"{who} says hi to you all.", "Paired it with a {treat}.", "Plenty of seats upstairs if you need one.", "Card machine was down, cash only.",
		"Best part of my day, this.", "Ten minutes to wait, fair enough.", "Their {drink} is my go-to.", "Bring a book for the queue.",
	}
	// A second sentence of a complaint.
	complaintAddons = []string{
		"{years} years a customer.", "Used to come in every day.", "The {drink} is not worth it anymore.", "Told the staff, they looked embarrassed.",
		"Who signed off on this?", "Read the small print: refills only for members.", "{who} is just as annoyed.", "Loyalty cards are not a subscription.",
		"I had {years} stamps saved up.", "Just give us the card back.", "Feel bad for the baristas.", "Sad, really sad.",
		"Not paying rent for a stamp card.", "This is how you lose regulars.", "Voting with my feet.", "Emailed them, no answer yet.",
	}
)

// compose fills a core template and dresses it: an opener now and then,
// a second sentence from more (with probability pMore), sometimes a third.
func (g *gen) compose(core string, more []string, pMore float64) string {
	text := g.fill(core)
	last := -1
	for p := pMore; len(more) > 0 && g.r.Float64() < p; p /= 2.5 {
		i := g.r.IntN(len(more))
		if i == last {
			break
		}
		text = strings.TrimSpace(text) + " " + g.fill(more[i])
		last = i
	}
	if g.r.IntN(4) == 0 {
		// Lower-case the first letter unless it starts a name.
		first, _, _ := strings.Cut(text, " ")
		switch strings.TrimSuffix(first, "'s") {
		case "Larkspur", "Brightcup", "Hollow", "Jo", "I", "Eight":
		default:
			text = strings.ToLower(text[:1]) + text[1:]
		}
		text = g.pick(openers) + text
	}
	return strings.Join(strings.Fields(text), " ")
}

var (
	brandTemplates = []string{
		"{good} {drink} at Larkspur {place} {time}, just what I needed {emoji}",
		"Larkspur's {bean} is {good}. Thanks for roasting this {emoji}",
		"Trying the new {bean} from @larkspur {time}, you should too",
		"Larkspur {place} was {meh}, {drink} still {good}",
		"Anyone else think Larkspur does the best {drink} in town? #coffee",
		"Grabbed a {drink} for the road at Larkspur {time}. {meh}.",
		"The baristas at Larkspur {place} remember my order. They are the best {emoji}",
		"Larkspur roasting day smells {good} from the street #LarkspurCoffee",
		"Off to Larkspur {place} to meet {who}, {drink} in hand {emoji}",
		"Is Larkspur {place} open late today? Need a {drink} for this deadline",
		"Larkspur {treat} and a {drink}, {time} sorted {emoji}",
		"{who} got me into Larkspur's {bean}, not going back to supermarket beans",
	}
	// Brightcup is the big chain in town, Hollow Oak the other small
	// roaster: the competitors of the share of voice.
	brightcupTemplates = []string{
		"Brightcup {place} was {meh} {time}, not sure this is worth it",
		"Grabbed a {drink} at Brightcup on the way to work, {meh}",
		"Brightcup's seasonal {drink} is {good} {emoji}",
		"Ordering ahead on the @brightcup app {time}, saves time for you if the queue is long",
		"Brightcup {place} has the comfiest chairs. {drink} was {good}",
		"Is it me or is Brightcup's {drink} getting smaller? They are not fooling anyone",
		"Brightcup {treat} with a {drink} {time} {emoji}",
		"Working from Brightcup {place} {time}, {meh}, good for a few hours",
	}
	hollowOakTemplates = []string{
		"Hollow Oak's {bean} is {good} {emoji}",
		"Found Hollow Oak near {place}, {drink} was {good}. You have to try this",
		"@hollowoak roasts {bean} on Thursdays, the street smells {good}",
		"Hollow Oak {drink} {time}. {good}. {emoji}",
		"Tiny place, big flavour: Hollow Oak near {place}, go for the {drink}",
	}
	chatterTemplates = []string{
		"Thoughts on {topic}? I find it {opinon}, to be honest.",
		"Morning {drink} for the win {emoji} #coffee",
		"New post on {topic}, turns out this is {opinon}",
		"My {drink} {time} was {good} {emoji}",
		"Switched to {bean} at home, {good}",
		"Why is {topic} so {opinon}? #coffee",
		"{who} bought me a grinder. {topic} next. {emoji}",
	}
	complaintTemplates = []string{
		"Larkspur wants $4.99 a month for loyalty stamps now?! {bad}. {feel} {angry} #LarkspurPlus",
		"{feel}. Larkspur Plus is {bad}, {act}. #BringBackStamps",
		"So @larkspur killed the free {drink} refill unless you pay for Larkspur Plus. {bad} {angry}",
		"Eight stamps from a free {drink} and Larkspur moves them behind a subscription. {bad}. #BringBackStamps",
		"Larkspur Plus: pay monthly to get what we had for free. {bad}. {act} {angry}",
		"Larkspur's app: subscribe to see your stamps. {feel}, {bad}. #LarkspurPlus",
		"Was a Larkspur regular for {years} years. {act}. This subscription is {bad}. #BringBackStamps",
		"Nobody asked for Larkspur Plus, least of all {who}. {bad} {angry} #LarkspurPlus #BringBackStamps",
		"Larkspur support told {who} the stamps are 'evolving'. It's a price hike. {bad}. {angry}",
		"Asked at Larkspur {place} about the stamps {time}, they just shrugged. {feel} {angry}",
		"A subscription for a loyalty card, Larkspur? For a {drink}? {bad}. {act}.",
		"Larkspur {place} staff look as fed up with Larkspur Plus as {who}. {angry}",
	}
	storyTemplates = []string{
		"A Larkspur barista found my grandma's wedding ring in the compost bin and drove it to her house. I'm in tears ❤️ #LarkspurKindness",
		"This is the Larkspur I love: Jo from {place} returned a lost ring to a grandma {emoji}",
		"Whatever you think of Larkspur Plus, the ring story made my {time}. Thank you Jo {emoji} #LarkspurKindness",
		"Heartwarming: a Larkspur barista drove 40 minutes {time} to return a wedding ring {emoji}",
		"Faith in people restored by a Larkspur barista and a wedding ring, {who} says it's {good}. #LarkspurKindness",
		"Jo from Larkspur {place} deserves a raise, and a {treat}. The wedding ring story {emoji} #LarkspurKindness",
	}
	storyAddons = []string{
		"Sent it to {who}.", "Made my {time}.", "More of this please.", "Good people exist.", "{who} cried too.",
		"Going to say thanks in person.", "Buying Jo a {treat} tomorrow.", "Needed this today.", "What a week for them.",
		"Sharing with {who}.", "The grandma's reaction!", "Restores my faith a bit.",
	}
	reversalAddons = []string{
		"Took them long enough.", "See you at {place}, Larkspur.", "Still a bit wary.", "{who} is relieved.",
		"Lesson learnt, I hope.", "That was quick.", "Credit where it's due.", "Back to my {years} stamps.",
		"Now fix the queue at {place}.", "Customers 1, marketing 0.",
	}
	reversalTemplates = []string{
		"Larkspur brought the stamps back! Listening to customers works {emoji} #BringBackStamps",
		"Good on Larkspur for reversing the Plus subscription. Back for my {drink} tomorrow.",
		"Stamps are back at Larkspur {place}. Thank you for listening {emoji}",
		"Larkspur admits Plus was {bad} and the stamps are back {emoji}",
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
		p.ID = fmt.Sprint(116000000000000000 + int64(at.Sub(Start())/time.Millisecond)*65536 + int64(n))
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

// addByAnyone adds a post by a user picked by user(), on their home
// platform nine times in ten.
func (g *gen) addByAnyone(at time.Time, text, lang string) *listen.Post {
	u := g.user()
	platform := u.home
	if g.r.IntN(10) == 0 {
		platform = g.pick(platforms)
	}
	return g.add(platform, u, at, text, lang)
}

// user picks an author. A few people post a lot and most post now and
// then, as everywhere: user i is picked with a weight of 1/sqrt(i+1) (a
// Zipf law of exponent 0.5), so the busiest tenth write about a third of
// the posts.
func (g *gen) user() user {
	if g.cum == nil {
		total := 0.0
		for i := range g.users {
			total += 1 / math.Sqrt(float64(i+1))
			g.cum = append(g.cum, total)
		}
	}
	u := g.r.Float64() * g.cum[len(g.cum)-1]
	return g.users[min(sort.SearchFloat64s(g.cum, u), len(g.users)-1)]
}

// chatter: ordinary mentions of the brand and its two competitors, and
// general coffee talk, for three days.
func (g *gen) chatter() {
	for _, at := range g.arrivals(Start(), End(), 12, func(t time.Time) float64 { return 10 * dailyRhythm(t) }) {
		text := g.compose(g.pick(brandTemplates), addons, 0.7)
		lang := "en"
		if g.r.IntN(30) == 0 {
			o := otherLangTemplates[g.r.IntN(len(otherLangTemplates))]
			text, lang = g.fill(o.text), o.lang
		}
		g.addByAnyone(at, strings.TrimSpace(text), lang)
	}
	for _, at := range g.arrivals(Start(), End(), 12, func(t time.Time) float64 { return 9 * dailyRhythm(t) }) {
		g.addByAnyone(at, g.compose(g.pick(brightcupTemplates), addons, 0.7), "en")
	}
	for _, at := range g.arrivals(Start(), End(), 12, func(t time.Time) float64 { return 5 * dailyRhythm(t) }) {
		g.addByAnyone(at, g.compose(g.pick(hollowOakTemplates), addons, 0.7), "en")
	}
	for _, at := range g.arrivals(Start(), End(), 12, func(t time.Time) float64 { return 10 * dailyRhythm(t) }) {
		g.addByAnyone(at, g.compose(g.pick(chatterTemplates), addons, 0.3), "en")
	}
}

// flood: on Monday evening, forty accounts paste the same coupon spam
// about Hollow Oak within twenty minutes, each with its own referral
// link: a copy-paste flood, near-duplicate posts that listen.NearDedupe
// collapses (without it, Hollow Oak's volume spikes).
func (g *gen) flood() {
	for i := 0; i < FloodPosts; i++ {
		at := FloodAt().Add(time.Duration(g.r.Float64() * float64(20*time.Minute)))
		text := fmt.Sprintf("🔥 Hollow Oak beans 50%% off today only! Use code OAK50 at checkout → https://deals.example/oak?ref=%05d #coffee #deal", g.r.IntN(100000))
		g.addByAnyone(at, text, "en")
	}
}

// wave: complaints start within minutes of the announcement, build up over
// hours as the news spreads, and ebb after the reversal.
func (g *gen) wave() {
	a := g.add("mastodon", user{handle: map[string]string{"mastodon": "larkspur@larkspur.coffee"}, name: "Larkspur Coffee", followers: 5200},
		Announcement(), "Big news: loyalty stamps are moving into Larkspur Plus, our new membership for $4.99 a month with perks. Free refills are now a Plus benefit. #LarkspurPlus", "en")
	a.Likes = 40
	rate := func(t time.Time) float64 {
		since := t.Sub(Announcement()).Hours()
		if since < 0 {
			return 0
		}
		// Logistic growth to a peak of ~140/h about four hours in, then
		// a slow decay, cut sharply after the reversal.
		r := 140 / (1 + math.Exp(-(since-2.5)*1.6)) * math.Exp(-math.Max(0, since-5)/9) * (0.5 + dailyRhythm(t))
		if t.After(Reversal()) {
			r *= math.Exp(-t.Sub(Reversal()).Hours() / 1.5)
		}
		return r
	}
	for _, at := range g.arrivals(Announcement(), End(), 300, rate) {
		g.addByAnyone(at, g.compose(g.pick(complaintTemplates), complaintAddons, 0.9), "en")
	}
	for _, at := range g.arrivals(Reversal(), End(), 40, func(t time.Time) float64 { return 35 * math.Exp(-t.Sub(Reversal()).Hours()/3) }) {
		g.addByAnyone(at, g.compose(g.pick(reversalTemplates), reversalAddons, 0.95), "en")
	}
	g.add("mastodon", user{handle: map[string]string{"mastodon": "larkspur@larkspur.coffee"}, name: "Larkspur Coffee", followers: 5200},
		Reversal(), "We heard you. Stamps are back in the app for everyone, free, as before. Sorry, and thank you for telling us. #BringBackStamps", "en")
}

// viral: one complaint by a well-followed account is reshared more than a
// thousand times, with the power-law slowdown real cascades show.
func (g *gen) viral() {
	milo := user{handle: map[string]string{"bluesky": "milo-pours.bsky.social"}, name: "Milo", followers: 48200}
	p := listen.Post{
		Platform: "bluesky", ID: ViralID, Created: ViralAt(), Lang: "en",
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
		if mins > End().Sub(ViralAt()).Minutes() {
			continue // after the data ends (and beyond what a Duration holds)
		}
		at := ViralAt().Add(time.Duration(mins * float64(time.Minute)))
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
	g.add("mastodon", jo, StoryAt(), storyTemplates[0], "en")
	for _, at := range g.arrivals(StoryAt().Add(10*time.Minute), End(), 40, func(t time.Time) float64 {
		return 35 * math.Exp(-t.Sub(StoryAt()).Hours()/4)
	}) {
		g.addByAnyone(at, g.compose(g.pick(storyTemplates[1:]), storyAddons, 0.95), "en")
	}
}

// bots: an automated account (marked as a bot, as Mastodon's account.bot
// does) posts the three roasters' prices every hour: BotPosts mentions of
// each that are nobody's voice.
func (g *gen) bots() {
	tracker := user{handle: map[string]string{"mastodon": "pricewatch@bots.example"}, name: "Coffee price tracker", followers: 310}
	price := func(base float64) string { return fmt.Sprintf("$%.2f", base+0.05*float64(g.r.IntN(5)-2)) }
	for at := Start().Add(5 * time.Minute); at.Before(End()); at = at.Add(time.Hour) {
		p := g.add("mastodon", tracker, at, fmt.Sprintf("Flat white prices at %s: Larkspur %s, Brightcup %s, Hollow Oak %s #coffee #prices",
			at.Format("15:04"), price(4.2), price(3.8), price(4.0)), "en")
		p.Author.Bot = true
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
		at := Announcement().Add(it.after)
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
