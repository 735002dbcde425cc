package social

// Word lists: English knowledge, not fitted to any data set.

// negators reverse the valence of a sentiment word up to three words later
// in the same clause (VADER's NEGATE list, plus the spellings social posts
// use without apostrophes or with curly ones, which are normalised).
var negators = []string{
	"aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt",
	"ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't",
	"dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither",
	"don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't",
	"neednt", "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
	"oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
	"oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't",
	"without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom",
	"no", "nobody", "nah", "dnt", "nvr", "wouldn't", "couldnt",
}

// boosters intensify (positive) or dampen (negative) the next sentiment
// word, by VADER's 0.293.
var boosters = map[string]float64{
	"absolutely": 1, "amazingly": 1, "awfully": 1, "completely": 1, "considerable": 1, "considerably": 1,
	"decidedly": 1, "deeply": 1, "effing": 1, "enormous": 1, "enormously": 1,
	"entirely": 1, "especially": 1, "exceptional": 1, "exceptionally": 1,
	"extreme": 1, "extremely": 1, "fabulously": 1, "flipping": 1, "flippin": 1, "frackin": 1, "fracking": 1,
	"fricking": 1, "frickin": 1, "frigging": 1, "friggin": 1, "fully": 1,
	"fuckin": 1, "fucking": 1, "fuggin": 1, "fugging": 1, "greatly": 1, "hella": 1, "highly": 1, "hugely": 1,
	"incredible": 1, "incredibly": 1, "intensely": 1, "major": 1, "majorly": 1, "more": 1, "most": 1,
	"particularly": 1, "purely": 1, "quite": 1, "really": 1, "remarkably": 1, "so": 1, "substantially": 1,
	"thoroughly": 1, "total": 1, "totally": 1, "tremendous": 1, "tremendously": 1,
	"uber": 1, "unbelievably": 1, "unusually": 1, "utter": 1, "utterly": 1, "very": 1, "soo": 1, "sooo": 1, "rly": 1, "realy": 1, "srsly": 1, "too": 1,
	"almost": -1, "barely": -1, "kinda": -1, "kindof": -1, "kind-of": -1,
	"less": -1, "little": -1, "marginal": -1, "marginally": -1, "occasional": -1, "occasionally": -1, "partly": -1,
	"scarce": -1, "scarcely": -1, "slight": -1, "slightly": -1, "somewhat": -1, "sorta": -1, "sortof": -1, "sort-of": -1,
	"fairly": -1, "bit": -1,
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
