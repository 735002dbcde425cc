package wordtab

import (
	"encoding/binary"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type ent struct {
	v float64
	f uint8
}

// TestTable checks the table against a map, including long keys, keys
// with zero bytes and growth.
func TestTable(t *testing.T) {
	tab := New[ent](4)
	want := map[string]ent{}
	rng := rand.New(rand.NewSource(2))
	for i := 0; i < 5000; i++ {
		b := make([]byte, 1+rng.Intn(24))
		for j := range b {
			b[j] = "ab\x00"[rng.Intn(3)]
		}
		e := ent{float64(rng.Intn(9) - 4), uint8(rng.Intn(8))}
		tab.Set(string(b), e)
		want[string(b)] = e
	}
	require.Equal(t, len(want), tab.Len())
	maxLen := 0
	for k := range want {
		maxLen = max(maxLen, len(k))
	}
	require.Equal(t, maxLen, tab.MaxLen())
	for k, e := range want {
		got, ok := tab.Get([]byte(k))
		require.True(t, ok, "%q", k)
		require.Equal(t, e, got, "%q", k)
		if len(k) <= MaxShort {
			var p [16]byte
			copy(p[:], k)
			k0, k1 := MaskKey(p[:], len(k))
			got, ok = tab.Lookup(k0, k1, len(k))
			require.True(t, ok)
			require.Equal(t, e, got)
		}
	}
	_, ok := tab.Get([]byte("zzz"))
	require.False(t, ok)
	_, ok = tab.Get(nil)
	require.False(t, ok)
	n := 0
	tab.All(func(k string, e ent) bool {
		require.Equal(t, want[k], e)
		n++
		return true
	})
	require.Equal(t, len(want), n)
	c := tab.Clone()
	c.Set("abc", ent{v: 99})
	c.Update("ab", func(e *ent) { e.f = 200 })
	got, _ := tab.Get([]byte("abc"))
	require.NotEqual(t, 99.0, got.v)
	got, _ = c.Get([]byte("abc"))
	require.Equal(t, 99.0, got.v)
	got, _ = tab.Get([]byte("ab"))
	require.NotEqual(t, uint8(200), got.f)
}

func TestSWAR(t *testing.T) {
	for _, w := range []string{"", "a", "Hello", "WORLD!x", "MiXeD-CaSe'n'T", "0123456789abcdef", "@[`{Zz"} {
		var p [16]byte
		copy(p[:], w)
		n := min(len(w), 16)
		k0, k1 := MaskKey(p[:], n)
		var out [16]byte
		binary.LittleEndian.PutUint64(out[:], Lower(k0))
		binary.LittleEndian.PutUint64(out[8:], Lower(k1))
		require.Equal(t, strings.ToLower(w[:n]), string(out[:n]), w)
		require.Equal(t, strings.Repeat("\x00", 16-n), string(out[n:]), w)
		require.Equal(t, strings.ContainsAny(w[:n], "ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
			CaseMask(k0, 'A', 'Z')|CaseMask(k1, 'A', 'Z') != 0, w)
		require.Equal(t, strings.Contains(w[:n], "'"), HasByte(k0, '\'') || HasByte(k1, '\''), w)
	}
}

func TestDecodeEntity(t *testing.T) {
	for in, want := range map[string]struct {
		r rune
		n int
	}{
		"&amp;x": {'&', 5}, "&#39;": {'\'', 5}, "&#x1F600;": {0x1F600, 9}, "&rsquo;": {'\'', 7},
		"&nbsp;": {' ', 6}, "&bogus;": {0, 0}, "&amp": {0, 0}, "&#xD800;": {0, 0}, "&#0;": {0, 0}, "&;": {0, 0},
	} {
		r, n := DecodeEntity(in)
		require.Equal(t, want.r, r, in)
		require.Equal(t, want.n, n, in)
	}
}

// TestFilter checks that Filter's test agrees with the table's on keys
// present (always 1) and absent.
func TestFilter(t *testing.T) {
	tab := New[ent](100)
	for i := 0; i < 100; i++ {
		tab.Set(strings.Repeat("x", i%15+1)+string(rune('a'+i%26)), ent{v: 1})
	}
	f := tab.Filter()
	rng := rand.New(rand.NewSource(3))
	absent := 0
	for _, k := range tab.keys {
		if len(k) > MaxShort {
			continue
		}
		k0, k1 := Pack([]byte(k))
		require.Equal(t, uint64(1), f.MayHaveBit(Hash(k0, k1, len(k))), "%q", k)
	}
	for i := 0; i < 10000; i++ {
		h := rng.Uint64()
		require.Equal(t, tab.MayHaveBit(h), f.MayHaveBit(h))
		absent += int(1 - f.MayHaveBit(h))
	}
	require.Greater(t, absent, 9000, "the filter rejects most random hashes")
}

// checkCopyASCII checks CopyASCII against a byte-by-byte reading of text.
func checkCopyASCII(t *testing.T, text string, stopA, stopB byte) {
	buf, ep, qm, ok := CopyASCII(make([]byte, 0, 3), text, stopA, stopB)
	want := true
	for i := 0; i < len(text); i++ {
		if c := text[i]; c >= 0x80 || c == stopA || c == stopB {
			want = false
		}
	}
	require.Equal(t, want, ok, "%q", text)
	if !ok {
		return
	}
	require.Equal(t, text, string(buf))
	require.Equal(t, strings.Count(text, "!"), ep)
	require.Equal(t, strings.Count(text, "?"), qm)
	require.GreaterOrEqual(t, cap(buf), len(text)+16)
	require.Equal(t, make([]byte, 16), buf[len(buf):len(buf)+16], "zero padding")
}

func TestCopyASCII(t *testing.T) {
	for i := 0; i < 256; i++ {
		x := uint64(i) * Ones
		require.Equal(t, uint64(Highs), EqBytes(x, byte(i)))
		require.Zero(t, EqBytes(x, byte(i+1)))
	}
	rng := rand.New(rand.NewSource(4))
	alphabet := []byte("ab!?&\\ \x00\x7f\x80\xff")
	for i := 0; i < 3000; i++ {
		b := make([]byte, rng.Intn(40))
		for j := range b {
			b[j] = alphabet[rng.Intn(len(alphabet))]
			if rng.Intn(3) == 0 {
				b[j] = 'x' // long clean stretches too
			}
		}
		checkCopyASCII(t, string(b), 0, 0)
		checkCopyASCII(t, string(b), '&', '\\')
		checkCopyASCII(t, string(b), 0x80, 0x80) // no stop byte: the shorter loop
	}
}

func FuzzCopyASCII(f *testing.F) {
	for _, s := range []string{"", "!", "hello world!?", "a&b", "\\u2019", "caf\xc3\xa9", "12345678!?!?!?!?x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkCopyASCII(t, text, 0, 0)
		checkCopyASCII(t, text, '&', '\\')
		checkCopyASCII(t, text, 0x80, 0x80)
	})
}

// TestFrozen checks that a table made from another's parts finds the same
// entries, refuses to change, and that its clone can change.
func TestFrozen(t *testing.T) {
	src := New[int](4)
	long := "a-key-longer-than-fifteen-bytes"
	for i, k := range []string{"good", "bad", long, "x"} {
		src.Set(k, i+1)
	}
	f := Frozen(src.Slots(), src.Filter(), src.Keys(), src.Long())
	for i, k := range []string{"good", "bad", long, "x"} {
		e, ok := f.Get([]byte(k))
		require.True(t, ok, k)
		require.Equal(t, i+1, e)
	}
	_, ok := f.Get([]byte("none"))
	require.False(t, ok)
	require.Equal(t, len(long), f.MaxLen())
	require.Equal(t, 4, f.Len())
	require.Panics(t, func() { f.Set("new", 5) })
	c := f.Clone()
	c.Set("new", 5)
	e, ok := c.Get([]byte("new"))
	require.True(t, ok)
	require.Equal(t, 5, e)
	_, ok = f.Get([]byte("new"))
	require.False(t, ok)
}
