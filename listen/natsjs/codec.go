package natsjs

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/earshot-dev/earshot/listen"
)

// codecV1 is the first byte of a post in the binary format (see the
// package documentation). JSON text never starts with it.
const codecV1 = 0xE1

// Bits of the flags byte.
const (
	flagCreated      = 1 // Created is set (and follows the strings)
	flagBot          = 2 // Author.Bot
	flagLangDetected = 4 // LangDetected
)

// ErrCorrupt is the sentinel of a [DecodeError]: a message body that is
// not a post.
var ErrCorrupt = errors.New("natsjs: corrupt post")

// DecodeError reports a message body that [DecodePost] cannot read: Offset
// is the byte at which decoding failed and Field what it was reading. It
// unwraps to [ErrCorrupt].
type DecodeError struct {
	Offset int
	Field  string
	Err    error // the JSON decoder's error, for a JSON body; nil otherwise
}

func (e *DecodeError) Error() string {
	s := "natsjs: corrupt post: " + e.Field + " at byte " + strconv.Itoa(e.Offset)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns [ErrCorrupt].
func (e *DecodeError) Unwrap() error { return ErrCorrupt }

// AppendPost appends the binary encoding of p to dst and returns the
// extended slice. The format is described in the package documentation;
// strings are written byte for byte, invalid UTF-8 included.
func AppendPost(dst []byte, p *listen.Post) []byte {
	dst = append(dst, codecV1, byte(p.Kind))
	var flags byte
	if !p.Created.IsZero() {
		flags |= flagCreated
	}
	if p.Author.Bot {
		flags |= flagBot
	}
	if p.LangDetected {
		flags |= flagLangDetected
	}
	dst = append(dst, flags)
	for _, s := range stringFields(p) {
		dst = appendString(dst, s)
	}
	if flags&flagCreated != 0 {
		_, off := p.Created.Zone()
		dst = binary.AppendVarint(dst, p.Created.Unix())
		dst = binary.AppendUvarint(dst, uint64(p.Created.Nanosecond()))
		dst = binary.AppendVarint(dst, int64(off))
	}
	for _, list := range [...][]string{p.Tags, p.Mentions, p.Links} {
		dst = binary.AppendUvarint(dst, uint64(len(list)))
		for _, s := range list {
			dst = appendString(dst, s)
		}
	}
	for _, n := range [...]int{p.Author.Followers, p.Likes, p.Reposts, p.Replies, p.Quotes} {
		dst = binary.AppendVarint(dst, int64(n))
	}
	return dst
}

// stringFields returns p's strings in the order of the format.
func stringFields(p *listen.Post) [11]string {
	return [...]string{p.Platform, p.ID, p.URL, p.Author.ID, p.Author.Handle,
		p.Author.Name, p.Text, p.Lang, p.ReplyTo, p.Thread, p.Subject}
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// postSize returns an upper bound of len(AppendPost(nil, p)).
func postSize(p *listen.Post) int {
	n := 3 + 3*binary.MaxVarintLen64 + 8*binary.MaxVarintLen64
	for _, s := range stringFields(p) {
		n += uvarintLen(len(s)) + len(s)
	}
	for _, list := range [...][]string{p.Tags, p.Mentions, p.Links} {
		for _, s := range list {
			n += uvarintLen(len(s)) + len(s)
		}
	}
	return n
}

func uvarintLen(n int) int {
	l := 1
	for ; n >= 0x80; n >>= 7 {
		l++
	}
	return l
}

// DecodePost decodes a message body written by [AppendPost], or by an
// earlier version of this package, which published posts as JSON (a body
// starting with '{'). Strings are kept byte for byte, invalid UTF-8
// included (a [Source] repairs them before it yields a post). The decoded
// post's strings share one allocation. A body that is not a post returns a
// [*DecodeError]; a post without platform or ID is not a post.
func DecodePost(data []byte) (listen.Post, error) {
	if len(data) > 0 && data[0] == '{' {
		var p listen.Post
		if err := json.Unmarshal(data, &p); err != nil {
			return listen.Post{}, &DecodeError{Field: "json", Err: err}
		}
		if p.Platform == "" || p.ID == "" {
			return listen.Post{}, &DecodeError{Field: "platform and id"}
		}
		return p, nil
	}
	if len(data) < 3 || data[0] != codecV1 {
		return listen.Post{}, &DecodeError{Field: "format"}
	}
	d := decoder{s: string(data)}
	var p listen.Post
	p.Kind = listen.Kind(data[1])
	if p.Kind > listen.KindLike { // the last kind listen defines
		return listen.Post{}, &DecodeError{Offset: 1, Field: "kind"}
	}
	flags := data[2]
	if flags&^(flagCreated|flagBot|flagLangDetected) != 0 {
		return listen.Post{}, &DecodeError{Offset: 2, Field: "flags"}
	}
	p.Author.Bot = flags&flagBot != 0
	p.LangDetected = flags&flagLangDetected != 0
	d.off = 3
	p.Platform = d.string("platform")
	p.ID = d.string("id")
	p.URL = d.string("url")
	p.Author.ID = d.string("author.id")
	p.Author.Handle = d.string("author.handle")
	p.Author.Name = d.string("author.name")
	p.Text = d.string("text")
	p.Lang = d.string("lang")
	p.ReplyTo = d.string("reply_to")
	p.Thread = d.string("thread")
	p.Subject = d.string("subject")
	if flags&flagCreated != 0 {
		sec := d.varint("created")
		nsec := d.uvarint("created")
		off := d.varint("created")
		if d.err == nil && (nsec >= 1e9 || off <= -24*3600 || off >= 24*3600) {
			d.fail("created")
		}
		if d.err == nil {
			p.Created = time.Unix(sec, int64(nsec)).UTC()
			if off != 0 {
				p.Created = p.Created.In(time.FixedZone("", int(off)))
			}
		}
	}
	p.Tags = d.strings("tags")
	p.Mentions = d.strings("mentions")
	p.Links = d.strings("links")
	p.Author.Followers = d.int("author.followers")
	p.Likes = d.int("likes")
	p.Reposts = d.int("reposts")
	p.Replies = d.int("replies")
	p.Quotes = d.int("quotes")
	if d.err == nil && d.off != len(d.s) {
		d.fail("end")
	}
	if d.err != nil {
		return listen.Post{}, d.err
	}
	if p.Platform == "" || p.ID == "" {
		return listen.Post{}, &DecodeError{Offset: 3, Field: "platform and id"}
	}
	return p, nil
}

// decoder reads the binary format from s, a copy of the message body, so
// that the strings it returns are substrings of one allocation. After the
// first failure it returns zero values and keeps the failure in err.
type decoder struct {
	s   string
	off int
	err *DecodeError
}

func (d *decoder) fail(field string) {
	if d.err == nil {
		d.err = &DecodeError{Offset: d.off, Field: field}
	}
}

func (d *decoder) uvarint(field string) uint64 {
	if d.err != nil {
		return 0
	}
	var x uint64
	var shift uint
	for i := 0; i < binary.MaxVarintLen64 && d.off < len(d.s); i++ {
		b := d.s[d.off]
		d.off++
		if b < 0x80 {
			if i == binary.MaxVarintLen64-1 && b > 1 {
				break // overflows 64 bits
			}
			return x | uint64(b)<<shift
		}
		x |= uint64(b&0x7f) << shift
		shift += 7
	}
	d.fail(field)
	return 0
}

func (d *decoder) varint(field string) int64 {
	u := d.uvarint(field)
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

func (d *decoder) int(field string) int {
	n := d.varint(field)
	if n > math.MaxInt || n < math.MinInt {
		d.fail(field)
		return 0
	}
	return int(n)
}

func (d *decoder) string(field string) string {
	n := d.uvarint(field)
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.s)-d.off) {
		d.fail(field)
		return ""
	}
	s := d.s[d.off : d.off+int(n)]
	d.off += int(n)
	return s
}

func (d *decoder) strings(field string) []string {
	n := d.uvarint(field)
	if d.err != nil || n == 0 {
		return nil
	}
	if n > uint64(len(d.s)-d.off) { // each string takes at least one byte
		d.fail(field)
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.string(field)
	}
	if d.err != nil {
		return nil
	}
	return out
}
