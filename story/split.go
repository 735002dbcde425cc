package story

import (
	"fmt"
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
	if r.Check(whole) == nil {
		return []string{whole}, nil
	}
	if !numbered {
		return greedy(text, words, brk, r, nil)
	}
	n := 2
	for {
		label := func(i int) string { return strconv.Itoa(i+1) + "/" + strconv.Itoa(n) + " " }
		parts, err := greedy(text, words, brk, r, label)
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

func greedy(text string, words []word, brk []bool, r Rules, label func(int) string) ([]string, error) {
	var parts []string
	for i := 0; i < len(words); {
		prefix := ""
		if label != nil {
			prefix = label(len(parts))
		}
		fits := func(j int) bool { return r.Check(prefix+text[words[i].start:words[j].end]) == nil }
		if !fits(i) {
			return nil, wordError(text[words[i].start:words[i].end], prefix, r, len(parts))
		}
		// Lengths grow with every word added, so binary search finds the
		// last word that fits; only a j that passed Check is ever used.
		last, hi := i, len(words)-1
		for last < hi {
			mid := last + (hi-last+1)/2
			if fits(mid) {
				last = mid
			} else {
				hi = mid - 1
			}
		}
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
