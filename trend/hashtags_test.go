package trend_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/earshot-dev/earshot/trend"
)

func TestHashtags(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"no tags here", nil},
		{"#Go is #great, #go!", []string{"go", "great"}},
		{"a#b c#d", nil},
		{"#1 #2024 #v2", []string{"v2"}},
		{"&#39; html entity", nil},
		{"(#paren) [#bracket]", []string{"paren", "bracket"}},
		{"#日本語 ＃全角", []string{"日本語", "全角"}},
		{"#snake_case_tag.", []string{"snake_case_tag"}},
		{"##double #", []string{"double"}},
		{"#café #CAFÉ", []string{"café"}},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			assert.Equal(t, tc.want, trend.Hashtags(tc.in))
		})
	}
}

func TestEachHashtagBreak(t *testing.T) {
	n := 0
	for range trend.EachHashtag("#a #b #c") {
		n++
		break
	}
	assert.Equal(t, 1, n)
}

func TestEachHashtagAllocs(t *testing.T) {
	text := "Launch day! #Go #golang #release and more #tags"
	allocs := testing.AllocsPerRun(100, func() {
		for tag := range trend.EachHashtag(text) {
			_ = tag
		}
	})
	assert.Zero(t, allocs)
}

func FuzzHashtags(f *testing.F) {
	for _, s := range []string{"#Go is #great", "a#b", "#日本語", "&#39;", "\xff#\xfe", "#_", "##"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		tags := trend.Hashtags(text)
		seen := map[string]bool{}
		for _, tag := range tags {
			if tag == "" || strings.ContainsAny(tag, "# \t\n") || !utf8.ValidString(tag) {
				t.Fatalf("bad tag %q from %q", tag, text)
			}
			if seen[tag] {
				t.Fatalf("duplicate %q", tag)
			}
			seen[tag] = true
		}
		// Idempotent: the tags, written as hashtags, are found again.
		var b strings.Builder
		for _, tag := range tags {
			b.WriteString("#" + tag + " ")
		}
		again := trend.Hashtags(b.String())
		if len(tags) > 0 && fmt.Sprint(again) != fmt.Sprint(tags) {
			t.Fatalf("not idempotent: %q -> %q", tags, again)
		}
	})
}

func ExampleHashtags() {
	fmt.Println(trend.Hashtags("Loving the new #GoLang release! #go #Golang #1"))
	// Output: [golang go]
}
