package hackernews

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"time"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/internal/adapter"
	"github.com/earshot-dev/earshot/listen/internal/htmltext"
)

// itemSource is the source of [NewItems].
type itemSource struct {
	opt options
	b   *adapter.Base
}

// NewItems returns a source reading Hacker News items by ID from the
// Firebase API, the "listening recipe": it yields every item after the
// saved cursor (the last processed ID) up to maxitem, in ID order. Without
// a saved cursor it starts at the current maxitem. An ID that answers
// null (created but not yet visible) is retried on later polls, up to
// [WithNullRetries] times, before it is skipped; without [listen.Follow]
// the run ends there and the next run starts with it. An item that does
// not decode, or is over the body limit, is skipped and reported.
// Deleted and dead items are passed over. With Follow it keeps polling
// maxitem.
//
// It takes the shared options of package listen (Follow, WithInterval 1m
// by default, ...) and WithBaseURL and WithNullRetries of this package.
// It does no I/O.
func NewItems(opts ...listen.Option) (*Source, error) {
	b, o, err := newBase("hackernews.NewItems", firebaseURL, opts)
	if err != nil {
		return nil, err
	}
	if o.searchOnly != "" {
		return nil, fmt.Errorf("hackernews: %s does not apply to hackernews.NewItems", o.searchOnly)
	}
	if o.nullRetries < 0 {
		return nil, errors.New("hackernews: negative null retries")
	}
	if b.Settings.Key == "" {
		b.Settings.Key = "hackernews:items:" + o.baseURL
	}
	return &Source{&itemSource{opt: o, b: b}}, nil
}

func (s *itemSource) Stats() listen.Stats { return s.b.Stats() }

func (s *itemSource) String() string {
	return "hackernews.Items(" + httpx.RedactURLString(s.opt.baseURL) + ")"
}

type item struct {
	ID          int64   `json:"id"`
	Type        string  `json:"type"`
	By          string  `json:"by"`
	Time        int64   `json:"time"`
	Text        string  `json:"text"`
	URL         string  `json:"url"`
	Title       string  `json:"title"`
	Score       int     `json:"score"`
	Descendants int     `json:"descendants"`
	Kids        []int64 `json:"kids"`
	Parent      int64   `json:"parent"`
	Deleted     bool    `json:"deleted"`
	Dead        bool    `json:"dead"`
}

// decodeItem decodes a Firebase item. ok is false for the literal null
// (an unknown or not yet visible ID).
func decodeItem(data []byte) (p listen.Post, ok bool, err error) {
	var it *item
	if err := json.Unmarshal(data, &it); err != nil {
		return listen.Post{}, false, &listen.DecodeError{Platform: Platform, Err: err}
	}
	if it == nil {
		return listen.Post{}, false, nil
	}
	if it.ID <= 0 {
		return listen.Post{}, false, &listen.DecodeError{Platform: Platform, Err: errors.New("item without id")}
	}
	return it.post(), true, nil
}

func (it *item) post() listen.Post {
	id := strconv.FormatInt(it.ID, 10)
	text, links := htmltext.Convert(it.Text)
	if it.Title != "" {
		title, _ := htmltext.Convert(it.Title)
		if text == "" {
			text = title
		} else {
			text = title + "\n\n" + text
		}
	}
	if it.URL != "" {
		links = append([]string{it.URL}, links...)
	}
	p := listen.Post{
		Platform: Platform,
		ID:       id,
		URL:      "https://news.ycombinator.com/item?id=" + id,
		Author:   listen.Author{ID: it.By, Handle: it.By},
		Text:     text,
		Created:  time.Unix(it.Time, 0).UTC(),
		Links:    links,
		Likes:    it.Score,
		Replies:  it.Descendants,
	}
	if it.Type == "comment" && it.Descendants == 0 {
		p.Replies = len(it.Kids)
	}
	if it.Parent != 0 {
		p.ReplyTo = strconv.FormatInt(it.Parent, 10)
	}
	if it.Deleted {
		p.Kind = listen.KindDelete
	}
	p.Repair()
	return p
}

// item reads one item. ok is false when the API answers null.
func (s *itemSource) item(ctx context.Context, id int64) (p listen.Post, ok bool, err error) {
	raw, err := s.itemJSON(ctx, id)
	if err != nil {
		return listen.Post{}, false, err
	}
	return decodeItem(raw)
}

func (s *itemSource) itemJSON(ctx context.Context, id int64) (json.RawMessage, error) {
	raw, err := getJSON[json.RawMessage](ctx, s.b.Client, s.opt.baseURL+"/item/"+strconv.FormatInt(id, 10)+".json")
	if err != nil {
		return nil, err
	}
	return *raw, nil
}

// itemsCursor is the last item ID processed (-1: none yet).
type itemsCursor struct{ last int64 }

// Restore implements [adapter.Cursor].
func (c *itemsCursor) Restore(saved string) error {
	if saved == "" {
		return nil
	}
	n, err := strconv.ParseInt(saved, 10, 64)
	if err != nil || n < 0 {
		return fmt.Errorf("%q is not an item id", saved)
	}
	c.last = n
	return nil
}

// Marshal implements [adapter.Cursor].
func (c *itemsCursor) Marshal() string {
	if c.last < 0 {
		return ""
	}
	return strconv.FormatInt(c.last, 10)
}

func (s *itemSource) Posts(ctx context.Context) iter.Seq2[listen.Post, error] {
	return s.b.Posts(ctx, func(r *adapter.Run) (adapter.Cursor, func(context.Context) error) {
		cur := &itemsCursor{last: -1}
		nulls := map[int64]int{}
		return cur, func(ctx context.Context) error {
			return r.Poll(ctx, func(ctx context.Context) (bool, error) { return false, s.walk(ctx, r, cur, nulls) })
		}
	})
}

// walk reads the items after the cursor up to maxitem.
func (s *itemSource) walk(ctx context.Context, r *adapter.Run, cur *itemsCursor, nulls map[int64]int) error {
	maxID, err := getJSON[int64](ctx, s.b.Client, s.opt.baseURL+"/maxitem.json")
	if err != nil {
		return err
	}
	if cur.last < 0 {
		cur.last = *maxID - 1 // start with the newest item
	}
	for id := cur.last + 1; id <= *maxID; id++ {
		raw, err := s.itemJSON(ctx, id)
		var tl *httpx.TooLargeError
		switch {
		case errors.As(err, &tl):
			r.Gap(ctx, "item "+strconv.FormatInt(id, 10)+" is over the body limit", err)
		case err != nil:
			return err
		}
		p, ok, derr := decodeItem(raw)
		switch {
		case err != nil:
		case derr != nil:
			r.Skip(ctx, strconv.FormatInt(id, 10), raw, derr)
		case !ok:
			if nulls[id]++; nulls[id] <= s.opt.nullRetries {
				return nil // not visible yet: try again next poll
			}
			delete(nulls, id)
			r.Skip(ctx, strconv.FormatInt(id, 10), raw, errors.New("item still null after retries"))
		case p.Kind == listen.KindDelete:
		default:
			delete(nulls, id)
			if err := r.Deliver(ctx, p, func() { cur.last = id }); err != nil {
				return err
			}
			continue
		}
		cur.last = id // passed over: the position moves on
		r.Commit()
	}
	return nil
}
