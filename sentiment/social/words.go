package social

import (
	"math"

	"github.com/earshot-dev/earshot/sentiment/internal/vaderrules"
)

// Word lists: English knowledge, not fitted to any data set.

// negators reverse the valence of a sentiment word up to three words later
// in the same clause: VADER's NEGATE list except "despite", plus the
// spellings social posts use without apostrophes (curly ones are
// normalised) and a few more.
var negators = append(without(vaderrules.Negate(), "despite"),
	"no", "nobody", "nah", "dnt", "nvr")

// boosters intensify (positive) or dampen (negative) the next sentiment
// word, by VADER's 0.293: VADER's one-word BOOSTER_DICT keys except
// "hardly", plus social spellings and two more dampeners.
var boosters = func() map[string]float64 {
	m := make(map[string]float64, len(vaderrules.Boosters())+8)
	for w, d := range vaderrules.Boosters() {
		m[w] = math.Copysign(1, d)
	}
	delete(m, "hardly")
	for _, w := range []string{"soo", "sooo", "rly", "realy", "srsly", "too"} {
		m[w] = 1
	}
	for _, w := range []string{"fairly", "bit"} {
		m[w] = -1
	}
	return m
}()

// without returns a copy of list without drop.
func without(list []string, drop string) []string {
	out := make([]string, 0, len(list))
	for _, w := range list {
		if w != drop {
			out = append(out, w)
		}
	}
	return out
}

// contrasts shift weight to the clause after them ("good phone but awful
// support"): words before the first one count half, words after it one
// and a half times, as VADER does for "but".
var contrasts = []string{"but", "however"}

// idioms are phrases whose sentiment differs from their words'. Their
// value replaces the words' values; negation and boosters around them
// still apply.
var idioms = map[string]float64{
	// negated problems and worries are reassurance
	"no problem": 1.5, "no problems": 1.5, "not a problem": 1.5, "no prob": 1.5, "no probs": 1.5,
	"no worries": 1.8, "no worry": 1.5, "not bad": 1.5, "not too bad": 1.2, "not that bad": 1.0,
	"not so bad": 1.0, "not bad at all": 2.0, "no doubt": 1.0, "no complaints": 1.8,
	"cant complain": 1.5, "can't complain": 1.5, "cannot complain": 1.5,
	"cant wait": 2.3, "can't wait": 2.3, "cannot wait": 2.3, "can not wait": 2.3, "couldn't wait": 1.5,
	"couldn't be happier": 3.0, "couldnt be happier": 3.0, "couldn't be better": 2.8, "couldnt be better": 2.8,
	"never disappoints": 2.5, "never fails": 1.5, "not sure": -0.5, "not happy": -2.2, "not impressed": -2.0,
	"not good": -1.9, "not great": -1.6, "not funny": -1.5, "no thanks": -0.8, "no thank you": -0.8,
	"no good": -1.9, "no way": -0.5,
	// the reference's special cases, plus common social idioms
	"the shit": 3, "the bomb": 3, "bad ass": 1.5, "bus stop": 0, "yeah right": -2,
	"kiss of death": -1.5, "to die for": 3, "beating heart": 3.1, "broken heart": -2.9,
	"killing it": 2.5, "killed it": 2.5, "kill it": 2.0, "nailed it": 2.5, "crushing it": 2.5, "well done": 2.5, "good job": 2.8, "great job": 3.0, "oh my god": 0, "oh my gosh": 0,
	"what the hell": -1.5, "what a joke": -2.2, "a joke": -1.8, "is a joke": -2.0,
	"rip off": -2.5, "ripoff": -2.5, "rip-off": -2.5, "rest in peace": -1.0,
	"fed up": -2.0, "screwed up": -2.0, "can't stand": -2.5, "cant stand": -2.5,
	"waste of time": -2.5, "waste of money": -2.5, "let down": -2.0, "sold out": 0,
	"look forward": 1.8, "looking forward": 1.8, "looks forward": 1.8, "happy birthday": 2.5,
	"happy new year": 2.5, "merry christmas": 2.5, "happy holidays": 2.5,
	"in the red": -2, "in the black": 2, "under the weather": -2, "cut the mustard": 2,
	"hand to mouth": -2, "back handed": -2, "blow smoke": -2, "blowing smoke": -2, "upper hand": 1,
	"break a leg": 2, "cooking with gas": 2, "on the ball": 2, "bring it on": 1.5,
	"epic fail": -2.8, "hell yeah": 2.5, "hell yes": 2.5, "hell ya": 2.5, "heck yeah": 2.5, "kick ass": 2.0, "kicks ass": 2.0,
	"kicked ass": 2.0, "holy shit": 0, "holy crap": 0, "holy cow": 0, "shut up": -1.5, "sick of": -2.2, "tired of": -2.0, "over it": -1.2, "so done": -1.5,
	"yass": 2.0, "yasss": 2.0, "yas": 2.0,
	"fml": -2.5, "hehe": 1.5, "faves": 1.8, "favs": 1.8, "luv": 2.8, "epic": 1.8, "legend": 1.8, "legendary": 2.0, "scammed": -2.5, "overpriced": -2.0, "canceled": -1.0, "crashed": -1.5, "outage": -2.0, "buggy": -1.8,
	"laggy": -1.8,
}

// commonWords help split hashtags written in one case ("#nothappy",
// "#epicfail") into words; the lexicon and the lists above supply the
// rest.
var commonWords = []string{
	"a", "i", "am", "an", "and", "are", "as", "at", "be", "been", "being", "by", "day", "days", "do", "does",
	"for", "from", "get", "go", "going", "got", "had", "has", "have", "he", "her", "him", "his", "how", "if",
	"in", "is", "it", "its", "just", "life", "like", "make", "me", "my", "new", "night", "now", "of", "off",
	"on", "one", "or", "our", "out", "over", "she", "so", "that", "the", "their", "them", "then", "there",
	"they", "this", "time", "to", "today", "tonight", "too", "up", "us", "was", "way", "we", "week", "were",
	"what", "when", "who", "why", "will", "with", "work", "year", "you", "your", "monday", "tuesday",
	"wednesday", "thursday", "friday", "saturday", "sunday", "weekend", "morning", "again", "ever", "all",
	"still", "much", "many", "feel", "feels", "feeling", "vibes", "mood", "team", "game", "news", "people",
	"world", "man", "girl", "boy", "back", "first", "last", "next", "best", "every", "thing", "things",
}

// discourse are interjections that carry no sentiment when they stand
// alone as a clause ("Ok. Where is the shuttle?", "No, I had not").
var discourse = []string{"ok", "okay", "k", "yes", "yeah", "yea", "yep", "no", "nope", "well", "oh", "sure", "alright", "right"}

// likeContext are the words before ("feels like", "looks like") or after
// ("like a", "like the") which "like" is a preposition or a filler, not
// a liking.
var likeContext = []string{
	"feel", "feels", "felt", "feeling", "look", "looks", "looked", "looking", "seem", "seems", "seemed",
	"sound", "sounds", "sounded", "just", "be", "was", "is", "it's", "its", "were", "are", "more",
	"something", "anything", "nothing", "stuff", "things", "act", "acting", "acts",
	"a", "an", "the", "this", "that", "these", "those", "when", "if", "how", "what", "he", "she", "we",
	"they", "him", "her", "them", "my", "your", "his", "their", "our", "some", "every", "crazy", "hell",
}
