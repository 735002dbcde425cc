package faulttest

import (
	"math/rand"
	"testing"
)

func TestHitPctZeroNeverDraws(t *testing.T) {
	rng, ref := rand.New(rand.NewSource(5)), rand.New(rand.NewSource(5))
	c := Counts{}
	for range 1000 {
		if c.Hit(rng, 0, "x") {
			t.Fatal("pct 0 hit")
		}
	}
	if c.Total() != 0 || len(c) != 0 {
		t.Fatalf("pct 0 counted %v", c)
	}
	if a, b := rng.Int63(), ref.Int63(); a != b {
		t.Fatal("pct 0 drew from the rng")
	}
}

func TestHitSameDrawsAsInline(t *testing.T) {
	rng, ref := rand.New(rand.NewSource(7)), rand.New(rand.NewSource(7))
	c := Counts{}
	kinds := []string{"429", "5xx", "truncated", "drop"}
	want := map[string]int{}
	for i := range 4000 {
		kind, pct := kinds[i%len(kinds)], []int{1, 20, 35, 100}[i%3]
		got := c.Hit(rng, pct, kind)
		if exp := ref.Intn(100) < pct; got != exp {
			t.Fatalf("call %d: Hit = %v, the inline draw says %v", i, got, exp)
		}
		if got {
			want[kind]++
		}
	}
	n := 0
	for k, v := range want {
		if c[k] != v {
			t.Fatalf("%s: counted %d, want %d", k, c[k], v)
		}
		n += v
	}
	if c.Total() != n || n == 0 {
		t.Fatalf("Total %d, counts sum to %d", c.Total(), n)
	}
	if a, b := rng.Int63(), ref.Int63(); a != b {
		t.Fatal("rng streams diverged")
	}
}

func TestAddTotal(t *testing.T) {
	c := Counts{}
	c.Add("a")
	c.Add("a")
	c.Add("b")
	if c["a"] != 2 || c["b"] != 1 || c.Total() != 3 {
		t.Fatalf("counts %v, total %d", c, c.Total())
	}
}
