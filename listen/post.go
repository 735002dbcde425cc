package listen

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind tells what a [Post] value reports. The zero value, [KindPost], is
// an ordinary new post; the other kinds are events about a post.
type Kind uint8

const (
	KindPost   Kind = iota // a new post (the zero value)
	KindUpdate             // an edit of the post with the same ID
	KindDelete             // the post with this ID was deleted; only ID, Platform and Created are set
	KindRepost             // a reshare of the post named by Subject (boost, repost, retweet)
	KindLike               // a like of the post named by Subject (favourite, upvote)
)

var kindNames = [...]string{"post", "update", "delete", "repost", "like"}

// String returns the kind's name: "post", "update", "delete", "repost" or "like".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// MarshalText implements [encoding.TextMarshaler].
func (k Kind) MarshalText() ([]byte, error) {
	if int(k) >= len(kindNames) {
		return nil, fmt.Errorf("listen: unknown kind %d", k)
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler]. The empty string is
// [KindPost].
func (k *Kind) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*k = KindPost
		return nil
	}
	for i, n := range kindNames {
		if string(b) == n {
			*k = Kind(i)
			return nil
		}
	}
	return fmt.Errorf("listen: unknown kind %q", b)
}

// Author is who wrote a post. Fields the platform does not report are zero.
type Author struct {
	ID        string `json:"id,omitempty"`        // platform account ID (a DID on Bluesky)
	Handle    string `json:"handle,omitempty"`    // e.g. "alice@mastodon.social", "alice.bsky.social", "u/alice"
	Name      string `json:"name,omitempty"`      // display name
	Followers int    `json:"followers,omitempty"` // 0 when unknown
	Bot       bool   `json:"bot,omitempty"`       // the platform marks the account as automated (Mastodon account.bot, Bluesky "bot" self-label)
}

// Post is one post, or one event about a post, from any platform. It is a
// plain value: copy it, store it, compare its fields. Slices in a Post
// delivered by a [Source] belong to the receiver.
//
// Platform+":"+ID (see [Post.Key]) is unique across platforms. IDs are
// opaque strings, even where a platform sends numbers.
type Post struct {
	Platform string    `json:"platform"`
	ID       string    `json:"id"`
	Kind     Kind      `json:"kind,omitempty"`
	URL      string    `json:"url,omitempty"`
	Author   Author    `json:"author"`
	Text     string    `json:"text"`           // plain text; HTML is converted by the adapter
	Lang     string    `json:"lang,omitempty"` // BCP 47 tag as the platform reports it, "" when unknown
	Created  time.Time `json:"created"`

	// LangDetected is true when Lang was guessed from Text by a language
	// detector ([DetectLang]) because the platform did not report it.
	LangDetected bool `json:"lang_detected,omitempty"`

	ReplyTo string `json:"reply_to,omitempty"` // ID of the post this one answers
	Thread  string `json:"thread,omitempty"`   // ID of the thread's root post
	Subject string `json:"subject,omitempty"`  // for KindRepost and KindLike: ID of the post reshared or liked

	Tags     []string `json:"tags,omitempty"`     // hashtags without '#'
	Mentions []string `json:"mentions,omitempty"` // handles without '@'
	Links    []string `json:"links,omitempty"`    // absolute URLs

	Likes   int `json:"likes,omitempty"`
	Reposts int `json:"reposts,omitempty"`
	Replies int `json:"replies,omitempty"`
	Quotes  int `json:"quotes,omitempty"`
}

// Key returns Platform+":"+ID, the post's unique key across platforms.
func (p *Post) Key() string { return p.Platform + ":" + p.ID }

// dedupeKey identifies one delivery: a post and its events get different
// keys, so an edit is not dropped as a duplicate of the post.
func (p *Post) dedupeKey() string {
	if p.Kind == KindPost {
		return p.Key()
	}
	return p.Key() + "#" + p.Kind.String()
}

// String returns a short one-line description for logs.
func (p Post) String() string {
	const max = 60
	t := strings.Join(strings.Fields(p.Text), " ")
	if utf8.RuneCountInString(t) > max {
		r := []rune(t)
		t = string(r[:max]) + "…"
	}
	who := p.Author.Handle
	if who == "" {
		who = p.Author.ID
	}
	s := p.Key()
	if p.Kind != KindPost {
		s += " " + p.Kind.String()
	}
	if who != "" {
		s += " @" + who
	}
	return s + " " + fmt.Sprintf("%q", t)
}

// Repair makes the post's strings valid UTF-8, replacing each invalid byte
// sequence with U+FFFD. Adapters call it on what they decode, so a consumer
// never sees invalid UTF-8.
func (p *Post) Repair() {
	fix := func(s *string) {
		if !utf8.ValidString(*s) {
			*s = strings.ToValidUTF8(*s, "\uFFFD")
		}
	}
	fix(&p.Text)
	fix(&p.Author.Name)
	fix(&p.Author.Handle)
	for i := range p.Tags {
		fix(&p.Tags[i])
	}
	for i := range p.Mentions {
		fix(&p.Mentions[i])
	}
}
