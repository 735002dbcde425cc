package natsjs

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
)

// fullPost sets every field of a Post, with invalid UTF-8 in the text.
func fullPost() listen.Post {
	return listen.Post{
		Platform: "mastodon", ID: "109", Kind: listen.KindRepost, URL: "https://example.social/@a/109",
		Author: listen.Author{ID: "42", Handle: "alice@example.social", Name: "Alice ✨", Followers: 1234567, Bot: true},
		Text:   "bad \xff\xfe bytes #launch", Lang: "en", LangDetected: true,
		Created: time.Date(2026, 11, 22, 9, 30, 15, 123456789, time.FixedZone("", 5*3600+1800)),
		ReplyTo: "100", Thread: "99", Subject: "98",
		Tags: []string{"launch", ""}, Mentions: []string{"bob"}, Links: []string{"https://go.dev"},
		Likes: -1, Reposts: math.MaxInt, Replies: math.MinInt, Quotes: 7,
	}
}

// samePost compares two posts as Post semantics do: times by Equal, a nil
// and an empty slice alike.
func samePost(t *testing.T, want, got listen.Post) {
	t.Helper()
	assert.True(t, want.Created.Equal(got.Created), "created: %v != %v", want.Created, got.Created)
	_, wo := want.Created.Zone()
	_, gotOff := got.Created.Zone()
	assert.Equal(t, wo, gotOff, "zone offset")
	for _, s := range []*[]string{&want.Tags, &want.Mentions, &want.Links, &got.Tags, &got.Mentions, &got.Links} {
		if len(*s) == 0 {
			*s = nil
		}
	}
	want.Created, got.Created = time.Time{}, time.Time{}
	assert.Equal(t, want, got)
}

func TestCodecRoundTrip(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	str := func() string {
		b := make([]byte, rnd.IntN(300)) // lengths beyond one varint byte
		for i := range b {
			b[i] = byte(rnd.UintN(256)) // any bytes, invalid UTF-8 included
		}
		return string(b)
	}
	list := func() []string {
		switch rnd.IntN(3) {
		case 0:
			return nil
		case 1:
			return []string{}
		}
		out := make([]string, 1+rnd.IntN(4))
		for i := range out {
			out[i] = str()
		}
		return out
	}
	posts := []listen.Post{
		fullPost(),
		{Platform: "x", ID: "1"}, // zero time, no slices
		{Platform: "x", ID: "2", Tags: []string{}}, // empty, not nil
		{Platform: "x", ID: "3", Created: time.Unix(-1, 5).UTC(), Kind: listen.KindDelete},
		{Platform: "x", ID: "4", Created: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)},
	}
	for range 500 {
		posts = append(posts, listen.Post{
			Platform: "p" + str(), ID: "i" + str(), Kind: listen.Kind(rnd.IntN(5)), URL: str(),
			Author: listen.Author{ID: str(), Handle: str(), Name: str(), Followers: int(rnd.Int64()), Bot: rnd.IntN(2) == 0},
			Text:   str(), Lang: str(), LangDetected: rnd.IntN(2) == 0, ReplyTo: str(), Thread: str(), Subject: str(),
			Created: time.Unix(rnd.Int64N(1<<40)-1<<39, rnd.Int64N(1e9)).In(time.FixedZone("", (rnd.IntN(49)-24)*1800)),
			Tags:    list(), Mentions: list(), Links: list(),
			Likes: int(rnd.Int64()) - math.MaxInt/2, Reposts: rnd.IntN(1000), Replies: -rnd.IntN(1000), Quotes: rnd.Int(),
		})
	}
	for _, p := range posts {
		b := AppendPost(nil, &p)
		assert.LessOrEqual(t, len(b), postSize(&p), "postSize is an upper bound")
		got, err := DecodePost(b)
		require.NoError(t, err, "%q", b)
		samePost(t, p, got)
		// Appending to a buffer that holds something keeps it.
		b2 := AppendPost([]byte("head"), &p)
		assert.Equal(t, "head", string(b2[:4]))
		assert.Equal(t, b, b2[4:])
	}
}

// Every field of listen.Post crosses the wire: a field added to Post
// fails this test until the codec carries it.
func TestCodecCoversEveryField(t *testing.T) {
	var p listen.Post
	fill(t, reflect.ValueOf(&p).Elem(), "Post")
	got, err := DecodePost(AppendPost(nil, &p))
	require.NoError(t, err)
	samePost(t, p, got)
}

// fill sets every field of v to a value other than its zero value.
func fill(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	if v.Type() == reflect.TypeFor[time.Time]() {
		v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)))
		return
	}
	if v.Type() == reflect.TypeFor[listen.Kind]() {
		v.Set(reflect.ValueOf(listen.KindLike))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			fill(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	case reflect.String:
		v.SetString(path)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(7)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.String {
			t.Fatalf("%s: a slice of %v; teach the codec and this test", path, v.Type().Elem())
		}
		v.Set(reflect.ValueOf([]string{path}))
	default:
		t.Fatalf("%s: a field of kind %v; teach the codec and this test", path, v.Kind())
	}
}

func TestCodecUTC(t *testing.T) {
	p := listen.Post{Platform: "x", ID: "1", Created: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)}
	got, err := DecodePost(AppendPost(nil, &p))
	require.NoError(t, err)
	assert.Equal(t, time.UTC, got.Created.Location())
	assert.Equal(t, p.Created, got.Created)
}

// Streams written by an earlier version hold JSON: still readable.
func TestCodecReadsJSON(t *testing.T) {
	p := fullPost()
	p.Text = "valid text"
	b, err := json.Marshal(p)
	require.NoError(t, err)
	got, err := DecodePost(b)
	require.NoError(t, err)
	samePost(t, p, got)
}

func TestCodecRejects(t *testing.T) {
	p := fullPost()
	good := AppendPost(nil, &p)
	cases := map[string][]byte{
		"empty":          nil,
		"unknown format": []byte("\x00abc"),
		"bad json":       []byte(`{"platform":`),
		"json no id":     []byte(`{"platform":"x"}`),
		"unknown kind":   append([]byte{codecV1, 9}, good[2:]...),
		"unknown flags":  append([]byte{codecV1, 0, 0x80}, good[3:]...),
		"trailing byte":  append(append([]byte(nil), good...), 0),
		"no platform":    AppendPost(nil, &listen.Post{ID: "1"}),
		"varint overflow": append([]byte{codecV1, 0, 0},
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f),
		"string too long": {codecV1, 0, 0, 0x7f, 'x'},
		// sec=1, nsec=1e9, offset 0 after the 11 strings
		"bad nanoseconds": append([]byte{codecV1, 0, 1, 1, 'x', 1, '1', 0, 0, 0, 0, 0, 0, 0, 0, 0,
			0x02, 0x80, 0x94, 0xeb, 0xdc, 0x03, 0x00}, make([]byte, 8)...),
	}
	ok := append([]byte{codecV1, 0, 1, 1, 'x', 1, '1', 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x02, 0xff, 0x93, 0xeb, 0xdc, 0x03, 0x00}, make([]byte, 8)...) // nsec = 1e9-1
	q, err := DecodePost(ok)
	require.NoError(t, err, "the hand-made message is well formed")
	assert.Equal(t, time.Unix(1, 999999999).UTC(), q.Created)
	for i := 3; i < len(good); i++ {
		cases[fmt.Sprint("truncated at ", i)] = good[:i]
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := DecodePost(b)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrCorrupt)
			var de *DecodeError
			require.True(t, errors.As(err, &de))
			assert.Regexp(t, `^natsjs: corrupt post: `, err.Error())
			if name == "bad nanoseconds" {
				assert.Equal(t, "created", de.Field)
			}
		})
	}
}

func TestPartitionMatches(t *testing.T) {
	for _, p := range testPosts(100) {
		for _, n := range []int{1, 3, 16} {
			assert.Equal(t, Partition(p.Key(), n), partition(p.Platform, p.ID, n))
		}
	}
}

// BenchmarkCodec compares one post through the binary codec and through
// encoding/json, the format of earlier versions.
func BenchmarkCodec(b *testing.B) {
	p := testPosts(1)[0]
	b.Run("binary", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for i := 0; i < b.N; i++ {
			buf = AppendPost(buf[:0], &p)
			if _, err := DecodePost(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			buf, _ := json.Marshal(p)
			if _, err := DecodePost(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}
