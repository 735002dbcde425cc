package story

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Split breaks text into the parts of a thread, each of which passes
// r.Check. It breaks only between words, preferring the end of a sentence
// or paragraph when that keeps the part at least half full. Words are runs
// of grapheme clusters that are not whitespace, so a link, a mention, a
// hashtag or a grapheme cluster is never cut. Whitespace at the split
// points is dropped; whitespace inside a part (line breaks too) is kept.
//
// With numbered set and more than one part, each part starts with "i/n "
// and the label counts towards the limit. Text that fits in one post is
// returned as one part without a label.
//
// Split returns [ErrEmpty] for blank text, [ErrInvalidUTF8] for invalid
// UTF-8, and a [*LengthError] with Word set (unwrapping to [ErrTooLong])
// when one word alone does not fit: Split never cuts a word; shorten the
// link or hyphenate the word instead.
func Split(text string, r Rules, numbered bool) ([]string, error) {
	if err := checkText(text); err != nil {
		return nil, err
	}
	words, brk := segmentWords(text)
	whole := text[words[0].start:words[len(words)-1].end]
	err := r.Check(whole)
	if err == nil {
		return []string{whole}, nil
	}
	sp := &splitter{text: text, words: words, brk: brk, r: r}
	sp.sizes(err)
	if !numbered {
		return sp.greedy(nil)
	}
	n := 2
	for {
		label := func(i int) string { return strconv.Itoa(i+1) + "/" + strconv.Itoa(n) + " " }
		parts, err := sp.greedy(label)
		if err != nil {
			return nil, err
		}
		if len(parts) <= n {
			// Fewer parts than labelled can only happen when the last
			// part came out empty, which greedy never does; equal is
			// the fixed point.
			if len(parts) < n {
				for i := range parts {
					parts[i] = strings.Replace(parts[i], "/"+strconv.Itoa(n)+" ", "/"+strconv.Itoa(len(parts))+" ", 1)
				}
			}
			return parts, nil
		}
		n = len(parts)
	}
}

type word struct{ start, end int }

// segmentWords returns the words of text (runs of non-whitespace grapheme
// clusters) and, for each word, whether a sentence or paragraph ends after it.
func segmentWords(text string) ([]word, []bool) {
	var words []word
	var brk []bool
	inWord := false
	state := -1
	pos := 0
	rest := text
	newline := false
	for len(rest) > 0 {
		var c string
		c, rest, _, state = uniseg.FirstGraphemeClusterInString(rest, state)
		space := isSpaceCluster(c)
		switch {
		case !space && !inWord:
			if len(words) > 0 && newline {
				brk[len(brk)-1] = true
			}
			newline = false
			words = append(words, word{start: pos})
			brk = append(brk, false)
			inWord = true
		case space && inWord:
			w := &words[len(words)-1]
			w.end = pos
			brk[len(brk)-1] = endsSentence(text[w.start:w.end])
			inWord = false
		}
		if space && strings.Contains(c, "\n") {
			newline = true
		}
		pos += len(c)
	}
	if inWord {
		words[len(words)-1].end = pos
	}
	return words, brk
}

func isSpaceCluster(c string) bool {
	for _, r := range c {
		if !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

func endsSentence(w string) bool {
	w = strings.TrimRightFunc(w, func(r rune) bool { return strings.ContainsRune(`"')]}»”’`, r) })
	r, _ := utf8.DecodeLastRuneInString(w)
	return r == '.' || r == '!' || r == '?' || r == '…' || r == '。' || r == '！' || r == '？'
}

// splitter holds a text cut into words and what Split learnt about it.
type splitter struct {
	text  string
	words []word
	brk   []bool
	r     Rules
	// Estimates, when the rules reported their limit: cum[k+1]-cum[i]-gap[i]
	// is the sum of the counts of words i..k and the whitespace between
	// them, each counted alone; the guess for where a part ends.
	limit, maxBytes int
	base            int // r.Count(""): a content warning counts in every call
	cum, gap        []int
}

// sizes counts every word and gap alone, if err, the whole text's
// failure, gives the limit. The counts add up to the count of a run of
// words in all but rare cases (an accent after a space); a wrong guess
// only costs more checks.
func (sp *splitter) sizes(err error) {
	var le *LengthError
	if !errors.As(err, &le) || le.Limit <= 0 {
		return
	}
	sp.limit, sp.maxBytes, sp.base = le.Limit, le.MaxBytes, sp.r.Count("")
	sp.cum = make([]int, len(sp.words)+1)
	sp.gap = make([]int, len(sp.words))
	gaps := map[string]int{}
	for k, w := range sp.words {
		if k > 0 {
			g := sp.text[sp.words[k-1].end:w.start]
			n, ok := gaps[g]
			if !ok {
				n = sp.r.Count(g) - sp.base
				gaps[g] = n
			}
			sp.gap[k] = n
		}
		sp.cum[k+1] = sp.cum[k] + sp.gap[k] + sp.r.Count(sp.text[w.start:w.end]) - sp.base
	}
}

// guess returns the last word from i on that fits after prefix by the
// estimates, or i+prev-1 (the size of the previous part) without them.
func (sp *splitter) guess(i, prev int, prefix string) int {
	if sp.cum == nil {
		return i + prev - 1
	}
	room := sp.limit - (sp.r.Count(prefix) - sp.base)
	start := sp.words[i].start
	return i - 1 + sort.Search(len(sp.words)-i, func(d int) bool {
		j := i + d
		over := sp.cum[j+1]-sp.cum[i]-sp.gap[i] > room
		return over || (sp.maxBytes > 0 && len(prefix)+sp.words[j].end-start > sp.maxBytes)
	})
}

func (sp *splitter) greedy(label func(int) string) ([]string, error) {
	text, words, brk, r := sp.text, sp.words, sp.brk, sp.r
	var parts []string
	prev := 0 // words in the previous part
	for i := 0; i < len(words); {
		prefix := ""
		if label != nil {
			prefix = label(len(parts))
		}
		fits := func(j int) bool { return r.Check(prefix+text[words[i].start:words[j].end]) == nil }
		if !fits(i) {
			return nil, wordError(text[words[i].start:words[i].end], prefix, r, len(parts))
		}
		last := lastFit(i, len(words)-1, sp.guess(i, prev, prefix), fits)
		prev = last - i + 1
		if last < len(words)-1 {
			full := words[last].end - words[i].start
			for j := last; j >= i; j-- {
				if brk[j] {
					if 2*(words[j].end-words[i].start) >= full {
						last = j
					}
					break
				}
			}
		}
		parts = append(parts, prefix+text[words[i].start:words[last].end])
		i = last + 1
	}
	return parts, nil
}

// lastFit returns the largest j in [lo, hi] for which fits(j) holds,
// given that fits(lo) does and that fits holds up to some j and not
// after it (lengths grow with every word added). It probes guess first,
// then gallops (1, 2, 4... words) away from it to a bound, then searches
// between the bounds. A probe checks the text from word lo, so with a
// guess near the answer (the estimates are usually exact: two checks) the
// work for one part is a few times its length: Split is linear in the
// text's length. (A binary search over all the
// remaining words checked most of the rest of the text for every part,
// which made Split quadratic.)
func lastFit(lo, hi, guess int, fits func(int) bool) int {
	if g := min(max(guess, lo), hi); g > lo {
		if fits(g) {
			lo = g
		} else {
			hi = g - 1
			for step := 1; lo < hi; step *= 2 { // down from the guess
				j := max(hi-step+1, lo+1)
				if fits(j) {
					lo = j
					break
				}
				hi = j - 1
			}
		}
	}
	if lo == hi || hi < 0 {
		return lo
	}
	for step := 1; lo < hi; step *= 2 { // up from the last fit
		j := min(lo+step, hi)
		if !fits(j) {
			hi = j - 1
			break
		}
		lo = j
	}
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if fits(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

func wordError(w, prefix string, r Rules, part int) error {
	err := r.Check(prefix + w)
	e, ok := err.(*LengthError)
	if !ok { // not a length problem (a character X refuses)
		return fmt.Errorf("story: part %d: %w", part+1, err)
	}
	return &LengthError{Platform: e.Platform, Part: part, Word: w, Length: r.Count(prefix + w),
		Limit: e.Limit, Bytes: e.Bytes, MaxBytes: e.MaxBytes}
}

// NewThread splits text with [Split] and returns it as a [Thread] with the
// given ID, ready for a [Publisher]. Images, if any, go with the first
// part.
func NewThread(id, text string, r Rules, numbered bool, images ...Image) (Thread, error) {
	parts, err := Split(text, r, numbered)
	if err != nil {
		return Thread{}, err
	}
	t := Thread{ID: id}
	for i, p := range parts {
		part := Part{Text: p}
		if i == 0 && len(images) > 0 {
			part.Images = append([]Image(nil), images...)
		}
		t.Parts = append(t.Parts, part)
	}
	return t, nil
}
