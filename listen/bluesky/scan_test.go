package bluesky

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referenceDecode decodes a frame with encoding/json, the behaviour
// decodeFrame must match on well-formed input.
func referenceDecode(b []byte, ev *event) error {
	*ev = event{}
	return json.Unmarshal(b, ev)
}

// sameDecoding reports a difference between the two decoders on b, or
// "" when they agree (both fail, or both succeed with equal results).
func sameDecoding(t *testing.T, b []byte) {
	t.Helper()
	var fast, ref event
	ferr, rerr := decodeFrame(b, &fast), referenceDecode(b, &ref)
	if rerr != nil || ref.DID == "" {
		return // the fast decoder may be more lenient on invalid input; no did is rejected anyway
	}
	require.NoError(t, ferr, "reference decoded %q", b)
	assert.Equal(t, ref.DID, fast.DID)
	assert.Equal(t, ref.TimeUS, fast.TimeUS)
	assert.Equal(t, ref.Kind, fast.Kind)
	assert.Equal(t, ref.Seq == nil, fast.Seq == nil)
	if ref.Seq != nil && fast.Seq != nil {
		assert.Equal(t, *ref.Seq, *fast.Seq)
	}
	assert.Equal(t, ref.Commit == nil, fast.Commit == nil)
	assert.Equal(t, ref.Identity == nil, fast.Identity == nil)
	if ref.Identity != nil && fast.Identity != nil {
		assert.Equal(t, *ref.Identity, *fast.Identity)
	}
	rp, rok := toPost(&ref)
	fp, fok := toPost(&fast)
	assert.Equal(t, rok, fok)
	assert.Equal(t, rp, fp)
}

// TestScannerMatchesEncodingJSON decodes the fixtures and a generated log
// of realistic events with both decoders and compares the results.
func TestScannerMatchesEncodingJSON(t *testing.T) {
	raw, err := os.ReadFile("testdata/jetstream.jsonl")
	require.NoError(t, err)
	sc := bufio.NewScanner(bytes.NewReader(raw))
	n := 0
	for sc.Scan() {
		sameDecoding(t, sc.Bytes())
		n++
	}
	for _, e := range genEvents(2000, 42) {
		sameDecoding(t, []byte(e.frame))
		n++
	}
	for _, s := range []string{
		`{"did":"d","time_us":1,"cursor":null,"kind":"commit","commit":null}`,
		`{"did":"d\u00e9\ud83d\udc4b","time_us":-5,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"r","record":{"text":"a\"b\\c\/\n\t\u0041\ud800x","langs":null,"reply":null,"facets":[null,{"index":null,"features":null}],"x":[1,2.5e3,true,false,null,{"a":[]}]}}}`,
		`{"did":"d","time_us":1,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.like","rkey":"r","record":{"subject":{"uri":"at://x/app.bsky.feed.post/y","cid":"c"},"createdAt":"2026-01-01T00:00:00Z"}}}`,
		`  {"did" : "d" , "time_us" : 7 , "did":"e"}  `,
	} {
		sameDecoding(t, []byte(s))
		n++
	}
	for _, bad := range []string{``, `{`, `{"did":"d",}`, `{"did":"d"} x`, `{"time_us":1.5,"did":"d"}`, `{"time_us":"1","did":"d"}`, `{"did":"d","commit":{"record":{"text":5}}}`, `{"did":01}`, `[]`, `{"did":"\x"}`} {
		var ev event
		assert.Error(t, decodeFrame([]byte(bad), &ev), "%q", bad)
	}
	t.Logf("%d frames compared", n)
}

// FuzzScanner compares the fast decoder with encoding/json on arbitrary
// input: whatever encoding/json accepts (valid UTF-8, ASCII keys), the
// fast decoder must decode to the same post.
func FuzzScanner(f *testing.F) {
	seedJetstream(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var ev event
		_ = decodeFrame(b, &ev) // never panics
		if !utf8.Valid(b) || bytes.ContainsAny(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZ\u017f\u212a") {
			// encoding/json repairs invalid UTF-8 byte by byte and matches
			// keys case-insensitively; the fast decoder does neither.
			return
		}
		for _, c := range b {
			if c < 0x20 && c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				return // raw control characters: the fast path lets them through
			}
		}
		sameDecoding(t, b)
	})
}
