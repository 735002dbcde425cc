package linear

import "math"

var boosters = map[string]float32{
	"very": 0.293, "really": 0.293, "so": 0.293, "soo": 0.293, "extremely": 0.293, "absolutely": 0.293,
	"totally": 0.293, "completely": 0.293, "incredibly": 0.293, "super": 0.293, "too": 0.293,
	"most": 0.293, "more": 0.293, "highly": 0.293, "hella": 0.293, "fucking": 0.293, "damn": 0.293,
	"sooo": 0.293, "truly": 0.293, "utterly": 0.293, "especially": 0.293, "quite": 0.2,
	"kinda": -0.293, "slightly": -0.293, "somewhat": -0.293, "barely": -0.293, "hardly": -0.293,
	"bit": -0.293, "little": -0.293, "sorta": -0.293, "almost": -0.293, "partly": -0.293,
}

// lexicon appends the dense features computed from VADER valences.
func (e *extractor) lexicon(lex *lexicon) {
	var pos, neg, sum, emoji, hashtag, last float64
	var negated, question, exclaim, url, user, caps, elong bool
	words := 0
	butAt := -1
	for i, t := range e.toks {
		if t.kind == kWord {
			b := e.text(t)
			if string(b) == "but" || string(b) == "however" || string(b) == "although" || string(b) == "though" {
				butAt = i
			}
		}
	}
	allCaps := true
	for _, t := range e.toks {
		if t.kind == kWord && !t.caps {
			allCaps = false
			break
		}
	}
	var prev []byte
	for i, t := range e.toks {
		var v float64
		switch t.kind {
		case kWord:
			words++
			b := e.text(t)
			if isNegation(b) {
				negated = true
			}
			if t.elong {
				elong = true
			}
			v = float64(lex.words[string(b)])
			if v != 0 {
				if t.caps && !allCaps {
					caps = true
					v += math.Copysign(0.733, v)
				}
				if prev != nil {
					if bst, ok := boosters[string(prev)]; ok {
						v += math.Copysign(float64(bst), v)
					}
				}
				if t.elong {
					v += math.Copysign(0.293, v)
				}
				if t.neg {
					v *= -0.74
				}
				if t.hashtag {
					hashtag += v
				}
			}
			prev = b
		case kEmoji:
			b := e.text(t)
			v = float64(lex.emoji[string(b)])
			if v == 0 {
				v = float64(lex.words[string(b)]) // emoticons
			}
			emoji += v
			prev = nil
		case kPunct:
			for _, c := range e.text(t) {
				if c == '?' {
					question = true
				} else {
					exclaim = true
				}
			}
			prev = nil
		case kURL:
			url = true
			prev = nil
		case kUser:
			user = true
			prev = nil
		default:
			prev = nil
		}
		if v == 0 {
			continue
		}
		if butAt >= 0 {
			if i < butAt {
				v *= 0.5
			} else if i > butAt {
				v *= 1.5
				last += v
			}
		}
		sum += v
		if v > 0 {
			pos += v
		} else {
			neg -= v
		}
	}
	b2f := func(b bool) float32 {
		if b {
			return 1
		}
		return 0
	}
	add := func(i int, v float32) {
		if v != 0 {
			e.idx = append(e.idx, int32(i))
			e.val = append(e.val, v)
		}
	}
	add(fCompound, float32(sum/math.Sqrt(sum*sum+15)))
	add(fPos, float32(math.Tanh(pos/3)))
	add(fNeg, float32(math.Tanh(neg/3)))
	add(fMixed, b2f(pos > 0 && neg > 0))
	add(fNegation, b2f(negated))
	add(fQuestion, b2f(question))
	add(fExclaim, b2f(exclaim))
	add(fURL, b2f(url))
	add(fUser, b2f(user))
	add(fCaps, b2f(caps))
	add(fElong, b2f(elong))
	add(fEmoji, float32(math.Tanh(emoji/3)))
	add(fLength, float32(math.Log1p(float64(words))/3))
	add(fLastClause, float32(last/math.Sqrt(last*last+15)))
	add(fHashtag, float32(math.Tanh(hashtag/3)))
}

// rulesScorer is the shared rule-based scorer whose figures are features.
