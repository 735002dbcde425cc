package story

import (
	"context"
	"errors"
	"fmt"

	"github.com/rivo/uniseg"
)

// Errors callers act on. Every error from this package and its
// sub-packages that stands for one of these conditions unwraps to it.
var (
	ErrEmpty        = errors.New("story: empty text")
	ErrInvalidUTF8  = errors.New("story: invalid UTF-8")
	ErrTooLong      = errors.New("story: text too long")
	ErrInvalidChar  = errors.New("story: character not allowed") // X refuses U+FFFE, U+FEFF, U+FFFF
	ErrNotApproved  = errors.New("story: draft not approved")
	ErrUnknownDraft = errors.New("story: unknown draft")
)

// LengthError reports text that does not fit a platform's limit. Part is
// the index of the offending part in a thread (0 for a single post), Word
// the unbreakable word that does not fit on its own, if that is the cause.
type LengthError struct {
	Platform string
	Part     int
	Length   int // in the platform's unit
	Limit    int
	Bytes    int // UTF-8 length, set when a byte limit was exceeded
	MaxBytes int
	Word     string
}

func (e *LengthError) Error() string {
	if e.Word != "" {
		w := shorten(e.Word, 40)
		return fmt.Sprintf("story: %s: part %d: word %q of length %d exceeds limit %d", e.Platform, e.Part+1, w, e.Length, e.Limit)
	}
	if e.MaxBytes > 0 && e.Bytes > e.MaxBytes {
		return fmt.Sprintf("story: %s: part %d: %d bytes exceed limit %d", e.Platform, e.Part+1, e.Bytes, e.MaxBytes)
	}
	return fmt.Sprintf("story: %s: part %d: length %d exceeds limit %d", e.Platform, e.Part+1, e.Length, e.Limit)
}

func (e *LengthError) Unwrap() error { return ErrTooLong }

// shorten returns s cut to at most max bytes at the end of a grapheme
// cluster, with "…" when it was cut: never inside a UTF-8 sequence, an
// accented letter or an emoji sequence.
func shorten(s string, max int) string {
	if len(s) <= max {
		return s
	}
	end, state, rest := 0, -1, s
	for len(rest) > 0 {
		var c string
		c, rest, _, state = uniseg.FirstGraphemeClusterInString(rest, state)
		if end+len(c) > max {
			break
		}
		end += len(c)
	}
	return s[:end] + "…"
}

// Image is a picture to attach to a part, carried along with its alt text.
// Publishers that cannot upload media reject parts with images rather than
// dropping them.
type Image struct {
	Data []byte `json:"-"`
	MIME string `json:"mime,omitempty"`
	Alt  string `json:"alt"`
}

// Part is one post of a thread.
type Part struct {
	Text    string  `json:"text"`
	Spoiler string  `json:"spoiler,omitempty"` // content warning (Mastodon spoiler_text)
	Images  []Image `json:"images,omitempty"`
}

// Thread is a story to publish as a chain of posts, each part a reply to
// the previous one. ID names the story: it must be stable across restarts,
// because publishers derive idempotency keys and journal entries from it.
//
// A thread that answers someone else's post sets ReplyTo to that post:
// its ID (on Bluesky its at:// URI; the Bluesky publisher looks up the CID
// and the root of that post's thread when ReplyTo.CID and ReplyRoot are
// left zero, as they are for a [listen.Post]).
type Thread struct {
	ID        string `json:"id"`
	Parts     []Part `json:"parts"`
	Lang      string `json:"lang,omitempty"` // ISO 639-1, optional
	ReplyTo   Sent   `json:"reply_to,omitzero"`
	ReplyRoot Sent   `json:"reply_root,omitzero"`
}

// Sent identifies one published part. ID is the platform's post ID; on
// Bluesky it is the at:// URI and CID holds the record's CID.
type Sent struct {
	ID  string `json:"id"`
	CID string `json:"cid,omitempty"`
	URL string `json:"url,omitempty"`
}

// Publisher publishes a thread in order, each part replying to the one
// before. Implementations are idempotent: publishing the same thread again
// (same ID) after a crash or a failure resumes after the last part really
// posted and returns every part's Sent value. The returned slice has one
// entry per part that is known to be posted, in order, even on error.
type Publisher interface {
	Publish(ctx context.Context, t Thread) ([]Sent, error)
}

// PublisherFunc adapts a function to [Publisher].
type PublisherFunc func(ctx context.Context, t Thread) ([]Sent, error)

// Publish calls f(ctx, t).
func (f PublisherFunc) Publish(ctx context.Context, t Thread) ([]Sent, error) { return f(ctx, t) }
