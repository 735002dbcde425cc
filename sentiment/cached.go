package sentiment

import (
	"context"
	"hash/maphash"
	"strings"
	"sync/atomic"
)

// Cached wraps s with a cache with room for at least n scores (n <= 0
// means 10,000), for streams that repeat texts (reposts, quotes, bots). A
// text's score is kept from its second sighting on, so a text seen once
// costs only a hash and a look at one cache line, allocates nothing, and
// pushes out no text that repeats. Errors are not cached.
//
// The result implements [LanguageScorer] and [LanguageReporter] as s does:
// [ScoreLang] through it gives what it gives through s, with the language
// part of the key when s chooses by language, and Supports is s's (true
// for every language if s does not say). The result is safe for
// concurrent use; it never blocks one caller on another.
func Cached(s Scorer, n int) Scorer {
	if s == nil {
		panic("sentiment: Cached with nil scorer")
	}
	if n <= 0 {
		n = 10_000
	}
	buckets := 1
	for 4*buckets < n {
		buckets *= 2
	}
	c := &cache{s: s, seed: maphash.MakeSeed(), buckets: make([]bucket, buckets)}
	c.ls, _ = s.(LanguageScorer)
	c.lr, _ = s.(LanguageReporter)
	return c
}

// cache is a hash table of buckets of four entries, indexed by a hash of
// the text (and language). Each bucket also has a doorkeeper, the
// fingerprints of up to four texts first seen there, and a text is
// admitted only when the doorkeeper has its fingerprint, at its second
// sighting. Entries are immutable and replaced whole, so readers need no
// lock; their fingerprints are kept beside them, so that a miss reads
// one cache line.
type cache struct {
	s       Scorer
	ls      LanguageScorer   // s, if it chooses by language
	lr      LanguageReporter // s, if it reports its languages
	seed    maphash.Seed
	buckets []bucket // power-of-two length
}

// bucket is 64 bytes, a cache line.
type bucket struct {
	tags  [4]atomic.Uint32 // fingerprints of the entries' texts (0: none)
	seen  [4]atomic.Uint32 // fingerprints of texts seen once
	entry [4]atomic.Pointer[cacheEntry]
}

type cacheEntry struct {
	h     uint64
	text  string
	lang  string
	score Score
}

func (c *cache) Score(ctx context.Context, text string) (Score, error) {
	return c.score(ctx, text, "", false)
}

// ScoreLang implements [LanguageScorer]: it scores as [ScoreLang] does
// with the wrapped scorer.
func (c *cache) ScoreLang(ctx context.Context, text, lang string) (Score, error) {
	if c.ls == nil {
		if c.lr != nil && lang != "" && !c.lr.Supports(lang) {
			return Score{}, &LanguageError{Lang: lang}
		}
		// The wrapped scorer scores every text alike: the language is
		// no part of the key.
		return c.score(ctx, text, "", false)
	}
	return c.score(ctx, text, lang, true)
}

// Supports implements [LanguageReporter] with the wrapped scorer's
// answer; true if it does not report its languages.
func (c *cache) Supports(lang string) bool {
	return c.lr == nil || c.lr.Supports(lang)
}

func (c *cache) score(ctx context.Context, text, lang string, byLang bool) (Score, error) {
	h := maphash.String(c.seed, text)
	if byLang {
		h ^= maphash.String(c.seed, lang) * 0x9E3779B97F4A7C15
	}
	// The low bits choose the bucket, the high ones make the
	// fingerprint.
	b := &c.buckets[h&uint64(len(c.buckets)-1)]
	fp := uint32(h>>32) | 1
	for w := range b.tags {
		if b.tags[w].Load() == fp {
			if e := b.entry[w].Load(); e != nil && e.h == h && e.text == text && e.lang == lang {
				return e.score, nil
			}
		}
	}
	// A miss. The doorkeeper remembers the first sighting, in an empty
	// place if there is one; the second sighting admits the score below
	// and frees the place. (The bucket was read above, so by the time
	// the scorer returns its line is in the cache; an atomic store to a
	// line that is not would wait for it.)
	admit := -1
	free := -1
	for k := range b.seen {
		switch b.seen[k].Load() {
		case fp:
			admit = k
		case 0:
			free = k
		}
	}
	var sc Score
	var err error
	if byLang {
		sc, err = c.ls.ScoreLang(ctx, text, lang)
	} else {
		sc, err = c.s.Score(ctx, text)
	}
	if admit < 0 {
		if free < 0 {
			free = int(h>>30) & 3
		}
		b.seen[free].Store(fp)
		return sc, err
	}
	b.seen[admit].Store(0)
	if err != nil {
		return sc, err
	}
	// An empty entry, or one chosen by the hash.
	w := int(h>>28) & 3
	for k := range b.tags {
		if b.tags[k].Load() == 0 {
			w = k
			break
		}
	}
	// A copy of the text, so that the cache does not keep alive a larger
	// buffer the text may be part of.
	b.entry[w].Store(&cacheEntry{h: h, text: strings.Clone(text), lang: strings.Clone(lang), score: sc})
	b.tags[w].Store(fp)
	return sc, nil
}
