package listen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzHashRing runs a ring of 1 to 8 slots through texts of 1 to 400
// hashes, some looked at and not kept, some slots dropped, and checks
// after every step that each slot holds what was kept there, that the room
// for a text overwrites no remembered one, and that the buffer stays
// within a bound of what is remembered.
func FuzzHashRing(f *testing.F) {
	f.Add(uint8(3), []byte{1, 2, 3, 200, 17, 255, 5, 5, 5, 70, 140, 9})
	f.Add(uint8(0), []byte{255, 255, 1, 255, 0, 128})
	f.Add(uint8(7), []byte("a long run of texts of many lengths, some not kept and some slots dropped"))
	f.Fuzz(checkRing)
}

// TestHashRing runs checkRing on random runs long enough to wrap around
// and grow many times.
func TestHashRing(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for range 200 {
		ops := make([]byte, 300)
		for i := range ops {
			ops[i] = byte(r.UintN(256))
		}
		checkRing(t, byte(r.UintN(256)), ops)
	}
}

func checkRing(t *testing.T, n uint8, ops []byte) {
	slots := int(n%8) + 1
	r := newHashRing(slots)
	model := make([][]uint32, slots)
	last, next := -1, uint32(1)
	for i, op := range ops {
		oldest := (last + 1) % slots
		need := int(op)%100 + 1
		if op >= 250 {
			need = 400
		}
		room := r.reserve(oldest, need)
		require.Len(t, room, need)
		for k := range room {
			room[k] = next
			next++
		}
		for s := range slots {
			require.True(t, slices.Equal(model[s], r.text(int32(s))), "op %d: slot %d", i, s)
		}
		if op%5 == 0 {
			continue // a near-duplicate: not kept
		}
		if last = (last + 1) % slots; op%7 == 0 {
			r.drop(last)
			model[last] = nil
			last = (last + 1) % slots
		}
		kept := max(need-int(op)%3, 1)
		r.commit(int32(last), kept)
		model[last] = slices.Clone(room[:kept])
		live := 0
		for _, m := range model {
			live += len(m)
		}
		require.LessOrEqual(t, len(r.buf), max(1024, 3*(live+2*400)), "op %d", i)
	}
}

// TestNearDuplicatesCountWraps runs texts through indexes whose count of
// texts kept passes 2^32 (where the slot of count 0 is left empty): a
// copy of the text just kept is found, and the index agrees with the
// former each and keep all along.
func TestNearDuplicatesCountWraps(t *testing.T) {
	texts := func(yield func(string) bool) {
		r := rand.New(rand.NewPCG(7, 8))
		before := "none yet"
		for range 40 {
			text := fmt.Sprintf("%x %x", r.Uint64(), r.Uint64())
			for _, s := range []string{text, text, before} { // a copy, and the text before
				if !yield(s) {
					return
				}
			}
			before = text
		}
	}
	for _, n := range []int{1, 2, 5, 20} {
		d := NewNearDuplicates(n)
		d.count = 1<<32 - 3
		for text := range texts {
			if !d.Add(text) {
				require.True(t, d.Add(text), "n=%d: %q again", n, text)
			}
		}
		require.Greater(t, d.count, uint64(1<<32))
		sameIndexFrom(t, n, 1<<32-3, texts)
	}
}
