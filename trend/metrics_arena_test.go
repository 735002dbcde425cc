package trend

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// TestMetricsArena feeds mentions out of order (up to 60 hours late into
// 48 hours of buckets, so older buckets keep gaining authors while newer
// ones fill, and some mentions are too late) and checks the arena now and
// then: the runs of the cells do not overlap, the dead entries are
// counted exactly, and the arena is never larger than the most live
// entries it had, with an eighth to spare.
func TestMetricsArena(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	m := &Metrics{Buckets: 48}
	t0 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	peak := map[string]int{}
	for i := range 60_000 {
		at := t0.Add(time.Duration(i)*5*time.Second - time.Duration(r.IntN(60*3600))*time.Second)
		m.Add(Mention{Key: "k" + strconv.Itoa(r.IntN(3)), At: at, Author: "a" + strconv.Itoa(r.IntN(400)), Followers: r.IntN(1000)})
		if i%97 != 0 {
			continue
		}
		for key, s := range m.keys {
			used := make([]bool, len(s.arena))
			live := 0
			for j := range s.cells {
				c := &s.cells[j]
				live += int(c.na)
				for k := int(c.off); k < int(c.off)+int(c.na); k++ {
					if used[k] {
						t.Fatalf("%s: runs overlap at %d", key, k)
					}
					used[k] = true
				}
			}
			if got := len(s.arena) - s.dead; got != live {
				t.Fatalf("%s: %d live entries counted, %d in cells", key, got, live)
			}
			peak[key] = max(peak[key], live)
			if p := peak[key] + authorK; cap(s.arena) > p+p/8+8 {
				t.Fatalf("%s: arena of %d for at most %d live entries", key, cap(s.arena), peak[key])
			}
		}
	}
	if m.Late() == 0 {
		t.Fatal("no mention came later than the buckets kept: the test does not reach old buckets")
	}
}
