package reddit

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/earshot-dev/earshot/listen"
)

// Platform is the Post.Platform of every post from this package.
const Platform = "reddit"

// flexNum decodes a JSON number, a numeric string, null, or false
// ("edited": false) into a float; anything absent or false is 0.
type flexNum float64

func (n *flexNum) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0, bytes.Equal(b, []byte("null")), bytes.Equal(b, []byte("false")):
		*n = 0
		return nil
	case bytes.Equal(b, []byte("true")):
		*n = 1
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			*n = 0
			return nil
		}
		b = []byte(s)
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return errors.New("reddit: not a number: " + string(b))
	}
	*n = flexNum(f)
	return nil
}

// clampInt converts a float count to int without overflow.
func clampInt(f flexNum) int {
	switch {
	case f > math.MaxInt32:
		return math.MaxInt32
	case f < math.MinInt32:
		return math.MinInt32
	}
	return int(f)
}

type listing struct {
	Kind string `json:"kind"`
	Data struct {
		After    *string           `json:"after"`
		Before   *string           `json:"before"`
		Children []json.RawMessage `json:"children"`
	} `json:"data"`
}

type thing struct {
	Kind string    `json:"kind"`
	Data thingData `json:"data"`
}

type thingData struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Subreddit   string          `json:"subreddit"`
	Author      string          `json:"author"`
	AuthorFull  string          `json:"author_fullname"`
	Title       string          `json:"title"`
	Selftext    string          `json:"selftext"`
	Body        string          `json:"body"`
	URL         string          `json:"url"`
	Permalink   string          `json:"permalink"`
	CreatedUTC  flexNum         `json:"created_utc"`
	Score       flexNum         `json:"score"`
	NumComments flexNum         `json:"num_comments"`
	IsSelf      bool            `json:"is_self"`
	Edited      flexNum         `json:"edited"` // false or a float timestamp
	LinkID      string          `json:"link_id"`
	ParentID    string          `json:"parent_id"`
	Replies     json.RawMessage `json:"replies"` // "" or a Listing
}

// skipped is a child of a listing that could not be decoded.
type skipped struct {
	raw []byte
	err error
}

// decodeListing decodes a Reddit Listing of posts (t3) and comments (t1)
// into Posts, in the listing's order, with the "after" cursor. Other kinds
// ("more" stubs, t5 ...) are skipped. It goes child by child: a child
// that does not decode is returned as a skip, and the others are kept.
func decodeListing(data []byte) (posts []listen.Post, skips []skipped, after string, err error) {
	var l listing
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, nil, "", &listen.DecodeError{Platform: Platform, Err: err}
	}
	if l.Kind != "Listing" {
		return nil, nil, "", &listen.DecodeError{Platform: Platform, Err: errors.New("not a Listing: kind " + strconv.Quote(l.Kind))}
	}
	for _, raw := range l.Data.Children {
		var t thing
		if err := json.Unmarshal(raw, &t); err != nil {
			skips = append(skips, skipped{raw, err})
			continue
		}
		if p, ok := t.post(); ok {
			posts = append(posts, p)
		}
	}
	if l.Data.After != nil {
		after = *l.Data.After
	}
	return posts, skips, after, nil
}

func (t *thing) post() (listen.Post, bool) {
	d := &t.Data
	if (t.Kind != "t3" && t.Kind != "t1") || d.ID == "" {
		return listen.Post{}, false
	}
	name := d.Name
	if name == "" {
		name = t.Kind + "_" + d.ID
	}
	sec, frac := math.Modf(float64(d.CreatedUTC))
	p := listen.Post{
		Platform: Platform,
		ID:       name,
		Author:   listen.Author{ID: d.AuthorFull, Handle: "u/" + d.Author},
		Created:  time.Unix(int64(sec), int64(frac*1e9)).UTC(),
		Likes:    clampInt(d.Score),
		Replies:  clampInt(d.NumComments),
	}
	if d.Author == "" {
		p.Author.Handle = ""
	}
	if d.Permalink != "" {
		p.URL = "https://www.reddit.com" + d.Permalink
	}
	if t.Kind == "t3" {
		p.Text = d.Title
		if d.Selftext != "" {
			p.Text += "\n\n" + d.Selftext
		}
		if !d.IsSelf && d.URL != "" {
			p.Links = []string{d.URL}
		}
	} else {
		p.Text = d.Body
		p.ReplyTo = d.ParentID
		p.Thread = d.LinkID
	}
	if d.Subreddit != "" {
		p.Tags = []string{"r/" + d.Subreddit}
	}
	p.Repair()
	return p, true
}
