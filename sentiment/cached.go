package sentiment

import (
	"context"
	"sync"
)

// Cached wraps s with a cache of the last n distinct texts' scores (n <= 0
// means 10,000), for streams that repeat texts (reposts, quotes, bots).
// Errors are not cached. The result is safe for concurrent use.
func Cached(s Scorer, n int) Scorer {
	if s == nil {
		panic("sentiment: Cached with nil scorer")
	}
	if n <= 0 {
		n = 10_000
	}
	c := &cache{s: s, max: n, m: make(map[string]Score, n)}
	return c
}

type cache struct {
	s    Scorer
	max  int
	mu   sync.Mutex
	m    map[string]Score
	ring []string
	next int
}

func (c *cache) Score(ctx context.Context, text string) (Score, error) {
	c.mu.Lock()
	if sc, ok := c.m[text]; ok {
		c.mu.Unlock()
		return sc, nil
	}
	c.mu.Unlock()
	sc, err := c.s.Score(ctx, text)
	if err != nil {
		return sc, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[text]; ok {
		return sc, nil
	}
	if len(c.ring) < c.max {
		c.ring = append(c.ring, text)
	} else {
		delete(c.m, c.ring[c.next])
		c.ring[c.next] = text
		c.next = (c.next + 1) % c.max
	}
	c.m[text] = sc
	return sc, nil
}
