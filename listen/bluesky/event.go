package bluesky

import (
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/earshot-dev/earshot/listen"
)

// Platform is the value of [listen.Post.Platform] for Bluesky posts.
const Platform = "bluesky"

// Collections this package turns into posts.
const (
	CollectionPost   = "app.bsky.feed.post"
	CollectionRepost = "app.bsky.feed.repost"
	CollectionLike   = "app.bsky.feed.like"
)

// CollectionProfile is the account profile record. Add it with
// [WithCollections] to learn which accounts carry the "bot" self-label:
// profiles are not delivered, but later posts of such an account have
// Author.Bot set.
const CollectionProfile = "app.bsky.actor.profile"

// event is one Jetstream frame (the v1 wire, with the optional v2 sequence
// "cursor" field). Unknown fields are ignored.
type event struct {
	DID      string    `json:"did"`
	TimeUS   int64     `json:"time_us"`
	Seq      *int64    `json:"cursor"`
	Kind     string    `json:"kind"`
	Commit   *commit   `json:"commit"`
	Identity *identity `json:"identity"`

	seq      int64    // storage for Seq, filled by decodeFrame
	commit   commit   // storage for Commit, filled by decodeFrame
	identity identity // storage for Identity, filled by decodeFrame
}

type identity struct {
	DID    string `json:"did"`
	Handle string `json:"handle"`
}

type commit struct {
	Rev        string  `json:"rev"`
	Operation  string  `json:"operation"`
	Collection string  `json:"collection"`
	RKey       string  `json:"rkey"`
	Record     *record `json:"record"`
}

// record holds the fields of app.bsky.feed.post, .repost and .like that a
// post needs. Subject is raw because other collections (follows, blocks)
// use a bare DID string there.
type record struct {
	Text      string          `json:"text"`
	CreatedAt string          `json:"createdAt"`
	Langs     []string        `json:"langs"`
	Facets    []facet         `json:"facets"`
	Reply     *replyRef       `json:"reply"`
	Tags      []string        `json:"tags"`
	Subject   json.RawMessage `json:"subject"`
	Labels    *selfLabels     `json:"labels"`
}

// selfLabels is com.atproto.label.defs#selfLabels, the labels an author
// puts on a record (a post, or the profile: "bot" marks an automated
// account).
type selfLabels struct {
	Values []struct {
		Val string `json:"val"`
	} `json:"values"`
}

// has reports whether the labels hold val.
func (l *selfLabels) has(val string) bool {
	if l == nil {
		return false
	}
	for _, v := range l.Values {
		if v.Val == val {
			return true
		}
	}
	return false
}

type strongRef struct {
	URI string `json:"uri"` // the cid is not needed
}

type replyRef struct {
	Root   strongRef `json:"root"`
	Parent strongRef `json:"parent"`
}

type facet struct {
	Index struct {
		ByteStart int `json:"byteStart"`
		ByteEnd   int `json:"byteEnd"`
	} `json:"index"`
	Features []feature `json:"features"`
}

type feature struct {
	Type string `json:"$type"`
	URI  string `json:"uri"`
	DID  string `json:"did"`
	Tag  string `json:"tag"`
}

var errNoDID = errors.New("event has no did")

// decodeEvent decodes one Jetstream frame. It resets ev first, so one
// value can be reused for every frame of a connection.
func decodeEvent(b []byte, ev *event) error {
	if err := decodeFrame(b, ev); err != nil {
		return err
	}
	if ev.DID == "" {
		return errNoDID
	}
	return nil
}

// atURI returns the at:// URI of a record.
func atURI(did, collection, rkey string) string {
	return "at://" + did + "/" + collection + "/" + rkey
}

// webURL returns the bsky.app address of the post with the given at://
// URI, or "" if uri is not a post URI.
func webURL(uri string) string {
	rest, ok := strings.CutPrefix(uri, "at://")
	if !ok {
		return ""
	}
	did, rest, ok := strings.Cut(rest, "/")
	if !ok {
		return ""
	}
	rkey, ok := strings.CutPrefix(rest, CollectionPost+"/")
	if !ok || rkey == "" || strings.Contains(rkey, "/") {
		return ""
	}
	return "https://bsky.app/profile/" + did + "/post/" + rkey
}

// usTime converts Jetstream microseconds to a UTC time.
func usTime(us int64) time.Time { return time.UnixMicro(us).UTC() }

// parseTime parses an atproto datetime (RFC 3339, often with
// milliseconds or microseconds); it returns the zero time if s is not one.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// toPost maps a commit event to a post. ok is false for events that are
// not about posts, reposts or likes (other collections, identity and
// account events) and for records of the wrong shape.
func toPost(ev *event) (p listen.Post, ok bool) {
	c := ev.Commit
	if ev.Kind != "commit" || c == nil || c.RKey == "" {
		return p, false
	}
	switch c.Collection {
	case CollectionPost, CollectionRepost, CollectionLike:
	default:
		return p, false
	}
	p = listen.Post{
		Platform: Platform,
		ID:       atURI(ev.DID, c.Collection, c.RKey),
		Author:   listen.Author{ID: ev.DID},
		Created:  usTime(ev.TimeUS),
	}
	switch c.Operation {
	case "delete":
		p.Kind = listen.KindDelete
		repair(&p)
		return p, true
	case "create", "update":
	default:
		return p, false
	}
	r := c.Record
	if r == nil {
		return p, false
	}
	if t := parseTime(r.CreatedAt); !t.IsZero() {
		p.Created = t
	}
	switch c.Collection {
	case CollectionPost:
		if c.Operation == "update" {
			p.Kind = listen.KindUpdate
		}
		p.URL = webURL(p.ID)
		mapPostRecord(&p, r)
	case CollectionRepost, CollectionLike:
		p.Kind = listen.KindRepost
		if c.Collection == CollectionLike {
			p.Kind = listen.KindLike
		}
		var s strongRef
		if len(r.Subject) == 0 || r.Subject[0] != '{' || json.Unmarshal(r.Subject, &s) != nil || s.URI == "" {
			return p, false
		}
		p.Subject = s.URI
	}
	repair(&p)
	return p, true
}

// repair makes every string of p valid UTF-8 (the fast JSON decoder,
// unlike encoding/json, passes invalid bytes through).
func repair(p *listen.Post) {
	p.Repair()
	for _, s := range []*string{&p.ID, &p.Author.ID, &p.URL, &p.Lang, &p.ReplyTo, &p.Thread, &p.Subject} {
		if !utf8.ValidString(*s) {
			*s = strings.ToValidUTF8(*s, "\uFFFD")
		}
	}
	for i := range p.Links {
		if !utf8.ValidString(p.Links[i]) {
			p.Links[i] = strings.ToValidUTF8(p.Links[i], "\uFFFD")
		}
	}
}

// mapPostRecord copies an app.bsky.feed.post record into p: text,
// language, reply refs, facets as tags, mentions and links, and a "bot"
// self-label.
func mapPostRecord(p *listen.Post, r *record) {
	p.Text = r.Text
	p.Author.Bot = p.Author.Bot || r.Labels.has("bot")
	if len(r.Langs) > 0 {
		p.Lang = r.Langs[0]
	}
	if r.Reply != nil {
		p.ReplyTo = r.Reply.Parent.URI
		p.Thread = r.Reply.Root.URI
	}
	for _, f := range r.Facets {
		for _, ft := range f.Features {
			switch ft.Type {
			case "app.bsky.richtext.facet#tag":
				if tag := strings.TrimPrefix(ft.Tag, "#"); tag != "" {
					p.Tags = appendUnique(p.Tags, tag)
				}
			case "app.bsky.richtext.facet#link":
				if ft.URI != "" {
					p.Links = appendUnique(p.Links, ft.URI)
				}
			case "app.bsky.richtext.facet#mention":
				if h := mentionText(r.Text, f.Index.ByteStart, f.Index.ByteEnd); h != "" {
					p.Mentions = appendUnique(p.Mentions, h)
				} else if ft.DID != "" {
					p.Mentions = appendUnique(p.Mentions, ft.DID)
				}
			}
		}
	}
	for _, tag := range r.Tags {
		if tag = strings.TrimPrefix(tag, "#"); tag != "" {
			p.Tags = appendUnique(p.Tags, tag)
		}
	}
}

// mentionText returns the handle a mention facet covers ("@alice.test" ->
// "alice.test"), or "" if the byte range does not hold one.
func mentionText(text string, start, end int) string {
	if start < 0 || end > len(text) || start >= end {
		return ""
	}
	h := strings.TrimPrefix(text[start:end], "@")
	if h == "" || strings.ContainsAny(h, " \t\n@") {
		return ""
	}
	return h
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}
