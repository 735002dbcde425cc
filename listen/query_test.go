package listen_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

func TestQueryMatch(t *testing.T) {
	cases := []struct {
		query string
		text  string
		want  bool
	}{
		{"ford", "I drove my Ford today", true},
		{"ford", "an affordable car", false},
		{"ford", "FORD!!!", true},
		{"ford", "fords", false},
		{"cafe", "Best Café in town", true},
		{"café", "best cafe in town", true},
		{"cafe", "best cafe\u0301 in town", true}, // decomposed accent
		{"zurich", "Zürich is lovely", true},
		{"łodz", "Łódź", true},
		{`"price hike"`, "another PRICE hike, really?", true},
		{`"price hike"`, "the hike in price", false},
		{`"price hike"`, "price, hike", true}, // punctuation separates words only
		{"acme OR larkspur", "I love Larkspur coffee", true},
		{"acme OR larkspur", "I love coffee", false},
		{"acme coffee", "acme makes coffee", true},
		{"acme coffee", "acme makes tea", false},
		{"acme AND coffee", "coffee by acme", true},
		{"acme -refund", "acme is great", true},
		{"acme -refund", "acme refund please", false},
		{"acme NOT refund", "acme refund please", false},
		{"-spam", "hello world", true},
		{"-spam", "buy spam now", false},
		{"(acme OR larkspur) (hate OR awful)", "larkspur is awful", true},
		{"(acme OR larkspur) (hate OR awful)", "larkspur is lovely", false},
		{"#acmefail", "so much #AcmeFail today", true},
		{"#acmefail", "acmefail without a hash", false},
		{"acmefail", "so much #AcmeFail today", true}, // a word matches its hashtag
		{"@acme", "hey @ACME fix this", true},
		{"@acme", "acme fix this", false},
		{"@acme@mastodon.social", "hey @acme@mastodon.social", true},
		{"🔥", "this is 🔥🔥", true},
		{"🔥", "this is fine", false},
		{"❤️", "I ❤ it", true},
		{"wi-fi", "the wifi is down", false},
		{"wi-fi", "the Wi-Fi is down", true},
		{"don't", "I don't like it", true},
		{"new_feature", "the New_Feature flag", true},
		{"日本", "日本 travel", true},
		{`"larkspur coffee"`, "Larkspur\u200d coffee", true}, // ZWJ inside a word is dropped
		{"a", "", false},
		// The fast ASCII path and the general path must agree on keys.
		{"larkspur", "LARKSPÜR rocks", true},
		{"larkspür", "larkspur rocks", true},
		{"internationalization", "Internationalization…", true},
		{"internationalisation", "internationalization", false},
		{"überlongword", "UBERLONGWORD", true},
		{"abcdefgh", "abcdefghi", false},
		{"abcdefghi", "abcdefgh", false},
	}
	for _, tc := range cases {
		t.Run(tc.query+"|"+tc.text, func(t *testing.T) {
			q, err := listen.Compile(tc.query)
			require.NoError(t, err)
			assert.Equal(t, tc.want, q.MatchText(tc.text))
			p := listen.Post{Text: tc.text}
			assert.Equal(t, tc.want, q.Match(&p))
		})
	}
}

func TestQueryFields(t *testing.T) {
	q := listen.MustCompile("(#golang OR @gopher) lang:en")
	assert.True(t, q.Match(&listen.Post{Lang: "en", Tags: []string{"GoLang"}}))
	assert.True(t, q.Match(&listen.Post{Lang: "en-GB", Mentions: []string{"gopher@go.dev"}}))
	assert.False(t, q.Match(&listen.Post{Lang: "de", Tags: []string{"golang"}}))
	assert.False(t, q.Match(&listen.Post{Lang: "eng", Tags: []string{"golang"}}))
	assert.True(t, q.Match(&listen.Post{Lang: "en", Text: "learning #golang"}))

	region := listen.MustCompile("lang:en-gb")
	assert.True(t, region.Match(&listen.Post{Lang: "en-GB"}))
	assert.True(t, region.Match(&listen.Post{Lang: "en_gb"}))
	assert.False(t, region.Match(&listen.Post{Lang: "en-US"}))
	assert.False(t, region.Match(&listen.Post{Lang: "en"}))
}

func TestQueryKeepFilters(t *testing.T) {
	q := listen.MustCompile(`larkspur -giveaway`)
	src := listen.Filter(listentest.Static(
		listen.Post{Platform: "x", ID: "1", Text: "Larkspur latte"},
		listen.Post{Platform: "x", ID: "2", Text: "Larkspur giveaway!"},
		listen.Post{Platform: "x", ID: "3", Text: "tea"},
	), q.Keep)
	var ids []string
	for p, err := range src.Posts(context.Background()) {
		require.NoError(t, err)
		ids = append(ids, p.ID)
	}
	assert.Equal(t, []string{"1"}, ids)
}

func TestQueryErrors(t *testing.T) {
	cases := []struct {
		query string
		pos   int
		msg   string
	}{
		{``, 1, "empty"},
		{`   `, 1, "empty"},
		{`"price hike`, 1, "unbalanced"},
		{`acme "price`, 6, "unbalanced"},
		{`(acme OR b`, 1, "unbalanced '('"},
		{`acme)`, 5, "unbalanced ')'"},
		{`acme OR`, 6, "OR needs"},
		{`OR acme`, 1, "OR needs"},
		{`acme AND`, 6, "AND needs"},
		{`()`, 2, "expected a term"},
		{`acme -`, 6, "no words"},
		{`lang:`, 1, "lang:"},
		{`"!!!"`, 1, "no words"},
		{"bad\xffutf8", 4, "invalid UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			_, err := listen.Compile(tc.query)
			require.Error(t, err)
			var qe *listen.QueryError
			require.True(t, errors.As(err, &qe), "want *QueryError, got %T", err)
			assert.Equal(t, tc.pos, qe.Pos+1, err.Error())
			assert.Contains(t, err.Error(), tc.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "listen: query: position "))
		})
	}
}

func TestQueryTooManyTerms(t *testing.T) {
	var b strings.Builder
	for i := 0; i <= 256; i++ { // 257 terms: one past the limit
		b.WriteString("w")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(string(rune('a'+i%26)) + string(rune('a'+i/26)) + " OR ")
	}
	b.WriteString("last")
	_, err := listen.Compile(b.String())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "more than")
}

func TestQueryMatchDoesNotAllocate(t *testing.T) {
	q := listen.MustCompile(`acme OR "price hike" OR #acmefail OR @acme -refund lang:en`)
	p := listen.Post{Text: "Another PRICE HIKE from Acme?! Not cool. #AcmeFail 😡 café", Lang: "en", Tags: []string{"acmefail"}}
	allocs := testing.AllocsPerRun(200, func() { q.Match(&p) })
	assert.Zero(t, allocs)
}

func FuzzQuery(f *testing.F) {
	for _, s := range []string{`acme OR "price hike"`, `(a b) -c`, `#tag @user lang:en`, `"`, `(`, `)`, `a OR`, `-`, `🔥 OR café`} {
		f.Add(s, "Acme price hike 🔥 café #tag @user")
	}
	f.Fuzz(func(t *testing.T, query, text string) {
		q, err := listen.Compile(query)
		if err != nil {
			var qe *listen.QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("error is %T, want *QueryError", err)
			}
			if qe.Pos < 0 || qe.Pos > len(query) {
				t.Fatalf("position %d outside query of %d bytes", qe.Pos, len(query))
			}
			return
		}
		// Matching never panics and is deterministic.
		p := listen.Post{Text: text, Lang: "en"}
		first := q.Match(&p)
		if again := q.Match(&p); again != first {
			t.Fatal("Match is not deterministic")
		}
		// A query matches a text made of its own source when it has no
		// exclusions, language tests or tags/mentions (those need flags).
		_ = q.MatchText(query)
	})
}
