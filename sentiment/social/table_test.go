package social

import (
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTable(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	m := map[string]wentry{}
	for i := 0; i < 3000; i++ {
		b := make([]byte, 1+rng.Intn(22))
		for j := range b {
			b[j] = byte('a' + rng.Intn(4))
		}
		m[string(b)] = wentry{val: float64(i), flags: uint16(i)}
	}
	tab := newTable(m)
	for k, e := range m {
		got, ok := tab.get([]byte(k))
		require.True(t, ok, k)
		require.Equal(t, e, got, k)
		if len(k) <= 16 {
			p := append([]byte(k), "garbage after the key"...)
			got, ok = tab.getPadded(p[:16], len(k))
			require.True(t, ok, k)
			require.Equal(t, e, got, k)
		}
	}
	for _, k := range []string{"", "zzz", "abcdabcdabcdabcdzz", "q"} {
		_, ok := tab.get([]byte(k))
		require.False(t, ok, k)
	}
}
