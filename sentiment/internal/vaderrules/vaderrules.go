// Package vaderrules holds the knowledge of vaderSentiment 3.3.2 that the
// rule-based scorers (vader, which reproduces it, and social, which
// extends it) share: its constants, word lists, punctuation emphasis and
// Python's rounding of the figures.
package vaderrules

import (
	"maps"
	"slices"
)

// Constants of vaderSentiment 3.3.2.
const (
	BIncr   = 0.293  // a booster's increment (B_INCR)
	BDecr   = -0.293 // a dampener's increment (B_DECR)
	CIncr   = 0.733  // ALL-CAPS emphasis (C_INCR)
	NScalar = -0.74  // negation factor (N_SCALAR)
	Alpha   = 15     // normalisation constant of compound
)

// Negate returns the reference's NEGATE list (a fresh copy).
func Negate() []string { return slices.Clone(negate) }

var negate = []string{
	"aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt",
	"ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't",
	"dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither",
	"don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't",
	"neednt", "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
	"oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
	"oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't",
	"without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite",
}

// Boosters returns the reference's BOOSTER_DICT (a fresh copy) without
// its two-word keys ("just enough", "kind of", "sort of"), which only the
// idiom rule can match: BIncr for intensifiers, BDecr for dampeners.
func Boosters() map[string]float64 { return maps.Clone(boosters) }

var boosters = map[string]float64{
	"absolutely": BIncr, "amazingly": BIncr, "awfully": BIncr,
	"completely": BIncr, "considerable": BIncr, "considerably": BIncr,
	"decidedly": BIncr, "deeply": BIncr, "effing": BIncr, "enormous": BIncr, "enormously": BIncr,
	"entirely": BIncr, "especially": BIncr, "exceptional": BIncr, "exceptionally": BIncr,
	"extreme": BIncr, "extremely": BIncr,
	"fabulously": BIncr, "flipping": BIncr, "flippin": BIncr, "frackin": BIncr, "fracking": BIncr,
	"fricking": BIncr, "frickin": BIncr, "frigging": BIncr, "friggin": BIncr, "fully": BIncr,
	"fuckin": BIncr, "fucking": BIncr, "fuggin": BIncr, "fugging": BIncr,
	"greatly": BIncr, "hella": BIncr, "highly": BIncr, "hugely": BIncr,
	"incredible": BIncr, "incredibly": BIncr, "intensely": BIncr,
	"major": BIncr, "majorly": BIncr, "more": BIncr, "most": BIncr, "particularly": BIncr,
	"purely": BIncr, "quite": BIncr, "really": BIncr, "remarkably": BIncr,
	"so": BIncr, "substantially": BIncr,
	"thoroughly": BIncr, "total": BIncr, "totally": BIncr, "tremendous": BIncr, "tremendously": BIncr,
	"uber": BIncr, "unbelievably": BIncr, "unusually": BIncr, "utter": BIncr, "utterly": BIncr,
	"very":   BIncr,
	"almost": BDecr, "barely": BDecr, "hardly": BDecr,
	"kinda": BDecr, "kindof": BDecr, "kind-of": BDecr,
	"less": BDecr, "little": BDecr, "marginal": BDecr, "marginally": BDecr,
	"occasional": BDecr, "occasionally": BDecr, "partly": BDecr,
	"scarce": BDecr, "scarcely": BDecr, "slight": BDecr, "slightly": BDecr, "somewhat": BDecr,
	"sorta": BDecr, "sortof": BDecr, "sort-of": BDecr,
}

// PunctEmphasis is the reference's punctuation emphasis for ep '!' and qm
// '?': 0.292 per '!' up to four, 0.18 per '?' when there are two or three,
// 0.96 for more.
func PunctEmphasis(ep, qm int) float64 {
	if ep > 4 {
		ep = 4
	}
	amp := float64(ep) * 0.292
	if qm > 1 {
		if qm <= 3 {
			amp += float64(qm) * 0.18
		} else {
			amp += 0.96
		}
	}
	return amp
}
