package mastodon

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/listen"
)

// Platform is the Post.Platform of every post from this package.
const Platform = "mastodon"

// status is the part of the Status entity we use. IDs stay strings.
type status struct {
	ID              string    `json:"id"`
	URI             string    `json:"uri"`
	URL             *string   `json:"url"`
	CreatedAt       time.Time `json:"created_at"`
	EditedAt        *string   `json:"edited_at"`
	InReplyToID     *string   `json:"in_reply_to_id"`
	Language        *string   `json:"language"`
	Content         string    `json:"content"`
	SpoilerText     string    `json:"spoiler_text"`
	RepliesCount    int       `json:"replies_count"`
	ReblogsCount    int       `json:"reblogs_count"`
	FavouritesCount int       `json:"favourites_count"`
	QuotesCount     int       `json:"quotes_count"`
	Reblog          *status   `json:"reblog"`
	Account         account   `json:"account"`
	Mentions        []mention `json:"mentions"`
	Tags            []tag     `json:"tags"`
}

type account struct {
	ID             string `json:"id"`
	Username       string `json:"username"`
	Acct           string `json:"acct"`
	DisplayName    string `json:"display_name"`
	FollowersCount int    `json:"followers_count"`
	Bot            bool   `json:"bot"`
}

type mention struct {
	Acct string `json:"acct"`
}

type tag struct {
	Name string `json:"name"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// DecodeStatus decodes one Status entity (JSON) into a Post of kind
// [listen.KindPost], with the HTML content converted to plain text.
// host is the instance host, used to qualify local accounts' handles
// ("alice" on mastodon.social becomes "alice@mastodon.social"); it may be "".
func DecodeStatus(data []byte, host string) (listen.Post, error) {
	var s status
	if err := decodeStatus(data, &s); err != nil {
		return listen.Post{}, &listen.DecodeError{Platform: Platform, Err: err}
	}
	if s.ID == "" {
		return listen.Post{}, &listen.DecodeError{Platform: Platform, Err: fmt.Errorf("status without id")}
	}
	return s.post(host), nil
}

// decodeStatus decodes with the fast decoder, falling back to
// encoding/json for anything it does not handle.
func decodeStatus(data []byte, st *status) error {
	if err := decodeStatusFast(data, st); err == nil {
		return nil
	}
	*st = status{}
	return json.Unmarshal(data, st)
}

func (s *status) post(host string) listen.Post {
	src := s
	kind := listen.KindPost
	subject := ""
	if s.Reblog != nil && s.Reblog.ID != "" {
		kind, subject, src = listen.KindRepost, s.Reblog.ID, s.Reblog
	}
	t := htmlToText(src.Content)
	text := t.Text
	if src.SpoilerText != "" {
		text = strings.TrimSpace(src.SpoilerText + "\n\n" + text)
	}
	handle := s.Account.Acct
	if handle == "" {
		handle = s.Account.Username
	}
	if host != "" && handle != "" && strings.IndexByte(handle, '@') < 0 {
		handle += "@" + host
	}
	p := listen.Post{
		Platform: Platform,
		ID:       s.ID,
		Kind:     kind,
		Subject:  subject,
		URL:      str(s.URL),
		Author: listen.Author{
			ID:        s.Account.ID,
			Handle:    handle,
			Name:      s.Account.DisplayName,
			Followers: s.Account.FollowersCount,
			Bot:       s.Account.Bot,
		},
		Text:    text,
		Lang:    str(src.Language),
		Created: s.CreatedAt.UTC(),
		ReplyTo: str(src.InReplyToID),
		Links:   t.Links,
		Likes:   src.FavouritesCount,
		Reposts: src.ReblogsCount,
		Replies: src.RepliesCount,
		Quotes:  src.QuotesCount,
	}
	if p.URL == "" {
		p.URL = s.URI
	}
	if len(src.Tags) > 0 {
		p.Tags = make([]string, 0, len(src.Tags))
		for _, tg := range src.Tags {
			if tg.Name != "" {
				p.Tags = append(p.Tags, tg.Name)
			}
		}
	}
	if len(src.Mentions) > 0 {
		p.Mentions = make([]string, 0, len(src.Mentions))
		for _, m := range src.Mentions {
			if m.Acct != "" {
				p.Mentions = append(p.Mentions, m.Acct)
			}
		}
	}
	p.Repair()
	return p
}

// idLess orders status IDs as Mastodon-API servers do: numeric strings
// (Mastodon) compare by length, then lexically; fixed-length ULIDs
// (GoToSocial) compare lexically. IDs are never parsed as numbers.
func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
