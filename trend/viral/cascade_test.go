package viral

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadCascade(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "small.txt"))
	require.NoError(t, err)
	defer f.Close()
	c, err := ReadCascade(f, "small")
	require.NoError(t, err)
	assert.Equal(t, "small", c.ID)
	assert.Equal(t, Epoch().Add(6*time.Hour), c.Posted)
	assert.Equal(t, 1200, c.Followers)
	require.Len(t, c.Reshares, 5)
	assert.Equal(t, Reshare{Age: 400 * time.Second, Followers: 88000}, c.Reshares[2])
	assert.Equal(t, 4, c.Final(24*time.Hour))
	assert.Equal(t, 3, c.ObservedBy(400*time.Second))
	assert.Equal(t, 0, c.ObservedBy(0))
}

func TestReadCascadeErrors(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"empty", ""},
		{"header only", "1 0.5\n"},
		{"count mismatch", "2 0.5\n0 10\n5 1\n"},
		{"too many", "1 0.5\n0 10\n5 1\n6 1\n"},
		{"three fields", "1 0.5 9\n0 10\n5 1\n"},
		{"not a number", "1 0.5\n0 10\nfive 1\n"},
		{"negative time", "1 0.5\n0 10\n-5 1\n"},
		{"negative followers", "1 0.5\n0 10\n5 -1\n"},
		{"NaN", "1 0.5\n0 10\nNaN 1\n"},
		{"original not at 0", "1 0.5\n3 10\n5 1\n"},
		{"huge count", "99999999999 0.5\n0 10\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadCascade(strings.NewReader(tc.in), "x")
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrFormat), "%v", err)
			assert.True(t, strings.HasPrefix(err.Error(), "viral: "), err.Error())
			var pe *ParseError
			assert.True(t, errors.As(err, &pe))
		})
	}
}

func TestReadCascadeLenient(t *testing.T) {
	// out-of-order reshares are sorted; blank lines, tabs and CRLF pass
	c, err := ReadCascade(strings.NewReader("3 1.5\r\n0\t10\r\n\r\n50 1\r\n20 2 \r\n20 3\r\n"), "x")
	require.NoError(t, err)
	assert.Equal(t, []Reshare{{20 * time.Second, 2}, {20 * time.Second, 3}, {50 * time.Second, 1}}, c.Reshares)
	// absurd follower counts are capped
	c, err = ReadCascade(strings.NewReader("1 0\n0 1e11\n5 1e11\n"), "x")
	require.NoError(t, err)
	assert.Equal(t, MaxFollowers, c.Followers)
}

func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"RT10.txt", "RT2.txt", "RT1.txt"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("1 0.5\n0 10\n5 1\n"), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README.md"), []byte("not a cascade"), 0o644))
	cs, err := ReadDir(dir)
	require.NoError(t, err)
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	assert.Equal(t, []string{"RT1", "RT2", "RT10"}, ids)

	_, err = ReadDir(t.TempDir())
	assert.ErrorContains(t, err, "no *.txt cascade files")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "RT3.txt"), []byte("2 0.5\n0 10\n5 1\n"), 0o644))
	_, err = ReadDir(dir)
	assert.ErrorIs(t, err, ErrFormat)
	assert.ErrorContains(t, err, "RT3.txt")
}

func FuzzReadCascade(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "small.txt"))
	require.NoError(f, err)
	f.Add(seed)
	f.Add([]byte("0 0\n0 0\n"))
	f.Add([]byte("2 7.99\n0 5\n604799 0\n1 1e9\n"))
	f.Add([]byte("1 0.5\n0 10\n5 1 \n\n"))
	f.Add([]byte("3 1\n0 1\n-1 2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadCascade(bytes.NewReader(data), "fuzz")
		if err != nil {
			require.ErrorContains(t, err, "viral: ")
			return
		}
		for i, r := range c.Reshares {
			require.GreaterOrEqual(t, r.Age, time.Duration(0))
			require.GreaterOrEqual(t, r.Followers, 0)
			if i > 0 {
				require.GreaterOrEqual(t, r.Age, c.Reshares[i-1].Age, "sorted")
			}
		}
		// whatever parses can be replayed without NaN
		tr := &Tracker{Posted: c.Posted, Followers: c.Followers}
		for _, r := range c.Reshares {
			tr.Observe(c.Posted.Add(r.Age), r.Followers)
		}
		checkFinite(t, tr.Predict(c.Posted.Add(time.Hour)))
	})
}
