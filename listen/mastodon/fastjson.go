package mastodon

import (
	"errors"
	"math/bits"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/listen/internal/jsonscan"
)

// The fast decoder for the Status fields we use, on [jsonscan] in strict
// mode. It is about three times faster than encoding/json on real
// statuses, which carry many fields we skip. It accepts only input
// encoding/json accepts and gives the same result (checked by
// FuzzFastDecode); on anything unusual (case variants of keys, duplicate
// keys, non-ASCII keys, invalid UTF-8, type mismatches) it reports
// errFallback and the caller uses encoding/json, which then produces the
// same value or the proper error.

var errFallback = errors.New("mastodon: fall back to encoding/json")

// keySet is the keys of an object a decoder looks for, indexed by
// length; never written after it is made.
type keySet struct {
	names []string
	byLen [32]uint64 // bit j: names[j] has this length
}

// newKeySet panics (at init: the sets are package variables) for more
// than 64 names or a name of 32 bytes or more, which the masks cannot
// hold; a 65th name would otherwise shift out of its mask and never match.
func newKeySet(names ...string) *keySet {
	if len(names) > 64 {
		panic("mastodon: more than 64 keys in a key set")
	}
	ks := &keySet{names: names}
	for j, name := range names {
		ks.byLen[len(name)] |= 1 << j // an index out of range for a long name
	}
	return ks
}

// object calls field for each key of an object that is one of known;
// field must consume the value. Keys are compared exactly; a key that
// matches a known one only case-insensitively, a non-ASCII key, or a
// known key seen twice fails the scan (encoding/json folds case and
// merges duplicates its own way).
func object(sc *jsonscan.Scanner, known *keySet, field func(k int)) {
	if sc.Peek() != '{' {
		sc.Fail()
		return
	}
	sc.Object()
	var seen uint64
	first := true
	for {
		key, ok := sc.NextKey(&first)
		if !ok {
			return
		}
		var same uint64 // the known keys as long as this one
		if len(key) < len(known.byLen) {
			same = known.byLen[len(key)]
		}
		k := -1
		for m := same; m != 0; m &= m - 1 {
			if j := bits.TrailingZeros64(m); known.names[j] == key {
				k = j
				break
			}
		}
		if k < 0 {
			for j := 0; j < len(key); j++ {
				if key[j] >= 0x80 {
					sc.Fail()
					return
				}
			}
			for m := same; m != 0; m &= m - 1 {
				if strings.EqualFold(known.names[bits.TrailingZeros64(m)], key) {
					sc.Fail()
					return
				}
			}
			sc.Skip()
			continue
		}
		if seen&(1<<k) != 0 {
			sc.Fail()
			return
		}
		seen |= 1 << k
		field(k)
	}
}

// array calls elem for each element of an array (null is an empty array).
func array(sc *jsonscan.Scanner, elem func()) {
	if !sc.Array() {
		return
	}
	first := true
	for sc.NextElem(&first) {
		elem()
	}
}

var statusKeys = newKeySet("id", "uri", "url", "created_at", "edited_at", "in_reply_to_id", "language", "content",
	"spoiler_text", "replies_count", "reblogs_count", "favourites_count", "quotes_count", "reblog", "account", "mentions", "tags")

var accountKeys = newKeySet("id", "username", "acct", "display_name", "followers_count", "bot")

func decodeStatusObj(s *jsonscan.Scanner, st *status, depth int) {
	if depth > 8 {
		s.Fail()
		return
	}
	object(s, statusKeys, func(k int) {
		switch k {
		case 0:
			st.ID = strOrNull(s, st.ID)
		case 1:
			st.URI = strOrNull(s, st.URI)
		case 2:
			st.URL = optStr(s)
		case 3:
			if s.Null() {
				return
			}
			v := s.StrView() // parsed at once: no copy
			if s.Err() != nil {
				return
			}
			t, err := time.Parse(time.RFC3339, v)
			if err != nil || len(v) < len("2006-01-02T15:04:05Z") || v[10] != 'T' {
				s.Fail()
				return
			}
			st.CreatedAt = t
		case 4:
			st.EditedAt = optStr(s)
		case 5:
			st.InReplyToID = optStr(s)
		case 6:
			st.Language = optStr(s)
		case 7:
			st.Content = strOrNull(s, st.Content)
		case 8:
			st.SpoilerText = strOrNull(s, st.SpoilerText)
		case 9:
			st.RepliesCount = intOrKeep(s, st.RepliesCount)
		case 10:
			st.ReblogsCount = intOrKeep(s, st.ReblogsCount)
		case 11:
			st.FavouritesCount = intOrKeep(s, st.FavouritesCount)
		case 12:
			st.QuotesCount = intOrKeep(s, st.QuotesCount)
		case 13:
			if s.Null() {
				st.Reblog = nil
				return
			}
			rb := &status{}
			if decodeStatusObj(s, rb, depth+1); s.Err() == nil {
				st.Reblog = rb
			}
		case 14:
			if s.Null() {
				return
			}
			a := &st.Account
			object(s, accountKeys, func(k int) {
				switch k {
				case 0:
					a.ID = strOrNull(s, a.ID)
				case 1:
					a.Username = strOrNull(s, a.Username)
				case 2:
					a.Acct = strOrNull(s, a.Acct)
				case 3:
					a.DisplayName = strOrNull(s, a.DisplayName)
				case 4:
					a.FollowersCount = intOrKeep(s, a.FollowersCount)
				case 5:
					if !s.Null() {
						a.Bot = s.Bool()
					}
				}
			})
		case 15:
			if s.Null() {
				st.Mentions = nil
				return
			}
			st.Mentions = []mention{}
			array(s, func() {
				var m mention
				if !s.Null() {
					object(s, mentionKeys, func(int) { m.Acct = strOrNull(s, m.Acct) })
				}
				st.Mentions = append(st.Mentions, m)
			})
		case 16:
			if s.Null() {
				st.Tags = nil
				return
			}
			st.Tags = []tag{}
			array(s, func() {
				var t tag
				if !s.Null() {
					object(s, tagKeys, func(int) { t.Name = strOrNull(s, t.Name) })
				}
				st.Tags = append(st.Tags, t)
			})
		}
	})
}

var (
	mentionKeys = newKeySet("acct")
	tagKeys     = newKeySet("name")
)

// strOrNull decodes a string; null keeps old (encoding/json semantics).
func strOrNull(s *jsonscan.Scanner, old string) string {
	if s.Null() {
		return old
	}
	return s.Str()
}

// optStr decodes a string or null.
func optStr(s *jsonscan.Scanner) *string {
	if s.Null() {
		return nil
	}
	v := s.Str()
	return &v
}

// intOrKeep decodes an int; null keeps old (encoding/json semantics).
func intOrKeep(s *jsonscan.Scanner, old int) int {
	if s.Null() {
		return old
	}
	return int(s.Int())
}

// decodeStatusFast decodes one status object that is the whole input.
// The strings are copies: the caller may reuse b.
func decodeStatusFast(b []byte, st *status) error {
	s := jsonscan.Scanner{Strict: true}
	s.ResetBytes(b)
	return finishStatus(&s, st)
}

// decodeStatusString decodes one status object that is the whole input;
// the strings are substrings of data.
func decodeStatusString(data string, st *status) error {
	s := jsonscan.Scanner{Strict: true}
	s.Reset(data)
	return finishStatus(&s, st)
}

func finishStatus(s *jsonscan.Scanner, st *status) error {
	decodeStatusObj(s, st, 0)
	if s.Finish() != nil {
		return errFallback
	}
	return nil
}
