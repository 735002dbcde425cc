package seen

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSetForgetsOldestFirst(t *testing.T) {
	s := New[string](3)
	assert.Empty(t, s.Last(5))
	for _, k := range []string{"a", "b", "c"} {
		assert.True(t, s.Add(k))
	}
	assert.False(t, s.Add("a"), "a duplicate is not new")
	assert.Equal(t, []string{"a", "b", "c"}, s.Last(5))
	assert.True(t, s.Add("d")) // forgets a
	assert.False(t, s.Has("a"))
	assert.True(t, s.Has("b"))
	assert.Equal(t, 3, s.Len())
	assert.Equal(t, []string{"b", "c", "d"}, s.Last(3))
	assert.Equal(t, []string{"c", "d"}, s.Last(2))
	assert.True(t, s.Add("a"), "a forgotten key is new again")
	assert.Equal(t, []string{"c", "d", "a"}, s.Last(3))
}

func TestSetAtLeastOne(t *testing.T) {
	s := New[int](0)
	assert.True(t, s.Add(1))
	assert.True(t, s.Add(2))
	assert.False(t, s.Has(1))
	assert.Equal(t, []int{2}, s.Last(9))
}

// The set holds exactly the last n distinct keys added.
func TestSetMatchesModel(t *testing.T) {
	const n = 7
	s := New[int](n)
	var model []int
	for i := 0; i < 500; i++ {
		k := (i * 37) % 23
		in := false
		for _, m := range model {
			in = in || m == k
		}
		assert.Equal(t, !in, s.Add(k))
		if !in {
			model = append(model, k)
			if len(model) > n {
				model = model[1:]
			}
		}
		assert.Equal(t, model, s.Last(n))
	}
}

func TestHashedConcurrent(t *testing.T) {
	h := NewHashed(1000)
	var wg sync.WaitGroup
	var mu sync.Mutex
	added := 0
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				if h.Add(fmt.Sprint(i)) {
					mu.Lock()
					added++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 500, added, "each key is new exactly once")
	assert.True(t, h.Has("42"))
	assert.False(t, h.Has("x"))
}

func TestMapValuesAndNewest(t *testing.T) {
	m := NewMap[string, int](3)
	assert.True(t, m.Put("a", 1))
	assert.True(t, m.Put("b", 2))
	assert.False(t, m.Put("a", 10), "a known key is not new")
	v, ok := m.Get("a")
	assert.True(t, ok)
	assert.Equal(t, 10, v, "it takes the new value")
	assert.True(t, m.Put("c", 3))
	assert.True(t, m.Put("d", 4)) // forgets a, the oldest by insertion
	_, ok = m.Get("a")
	assert.False(t, ok)
	var keys []string
	var vals []int
	m.Newest(func(k string, v int) bool { keys, vals = append(keys, k), append(vals, v); return len(keys) < 2 })
	assert.Equal(t, []string{"d", "c"}, keys)
	assert.Equal(t, []int{4, 3}, vals)
	assert.Equal(t, 3, m.Cap())
}
