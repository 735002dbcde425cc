package listen

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// referenceTokens is the tokenizer written the simple way, one character
// at a time, every word through word. scan must give the same tokens.
func referenceTokens(s string) []tokenKey {
	var out []tokenKey
	sc := scanner{keys: &out, bloom: &allOnes}
	var pending uint8
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiFold[c] != 0 && asciiFold[c] < markHash {
				key, end := word(s, i)
				sc.token(key*spread|1, pending)
				pending, i = 0, end
				continue
			}
			pending = 0
			switch c {
			case '#':
				pending = flagHash
			case '@':
				pending = flagMention
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch classify(r) {
		case runeWord:
			key, end := word(s, i)
			sc.token(key*spread|1, pending)
			pending, i = 0, end
			continue
		case runeSymbol:
			var buf [utf8.UTFMax]byte
			var key uint64
			for _, b := range buf[:utf8.EncodeRune(buf[:], r)] {
				key = key<<8 | uint64(b)
			}
			sc.token(key*spread|1, 0)
		case runeIgnore:
			i += size
			continue
		}
		pending = 0
		i += size
	}
	return out
}

func sameTokens(t *testing.T, s string) {
	t.Helper()
	got, want := tokens(s, 0), referenceTokens(s)
	if len(got) != len(want) {
		t.Fatalf("%q: %d tokens, reference %d", s, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%q: token %d differs: %+v, reference %+v", s, i, got[i], want[i])
		}
	}
}

func TestScanMatchesReference(t *testing.T) {
	for _, s := range []string{
		"", " ", "a", "abcdefg", "abcdefgh", "abcdefghi", "Larkspur\u200d coffee", "Lark\u200dspur",
		"#AcmeFail @acme@mastodon.social # foo #@bar", "caf\u00e9 CAFE\u0301 z\u00fcrich \u0141\u00f3d\u017a",
		"this is \U0001F525\U0001F525 and \u2764\ufe0f \U0001F469\u200d\U0001F4BB!", "wi-fi don't new_feature 2026",
		"\xff\xfe bad utf8 \xc3", "\u65e5\u672c travel \u2014 ok\u2026", "MIXED case WORDS_with_UNDERSCORES9",
		strings.Repeat("x", 20) + " " + strings.Repeat("Y", 9), "end#", "a@", "tab\tnew\nline\r\n",
	} {
		sameTokens(t, s)
	}
}

func FuzzScanMatchesReference(f *testing.F) {
	for _, s := range []string{"Larkspur's #NotHappy @acme \U0001F525", "caf\u00e9\u0301 x\u200dy", "a\xffb", "abcdefgh abcdefghi"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { sameTokens(t, s) })
}

// The fast paths of classify and foldRune agree with the Unicode tables
// on every code point.
func TestFastPathsMatchUnicodeTables(t *testing.T) {
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if got, want := classify(r), classifySlow(r); got != want {
			t.Fatalf("classify(%U) = %d, tables say %d", r, got, want)
		}
		if got, want := foldRune(r), foldRuneSlow(r); got != want {
			t.Fatalf("foldRune(%U) = %U, tables say %U", r, got, want)
		}
	}
}
