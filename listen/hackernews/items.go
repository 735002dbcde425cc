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
	"github.com/earshot-dev/earshot/listen/internal/htmltext"
)

// Items reads Hacker News items by ID from the Firebase API. Its Posts
// walks new IDs up to maxitem (the "listening recipe"); [Items.Item] reads
// one item. It is a [listen.Source] and a [listen.StatsReporter], safe for
// concurrent use.
type Items struct {
	cfg      config
	client   *httpx.Client
	counters listen.Counters
}

// NewItems returns an item reader for the Firebase API. It does no I/O.
func NewItems(opts ...Option) (*Items, error) {
	cfg, err := newConfig(FirebaseURL, opts)
	if err != nil {
		return nil, err
	}
	if cfg.nullRetries < 0 {
		return nil, errors.New("hackernews: negative null retries")
	}
	s := &Items{cfg: cfg}
	s.client = newClient(cfg, &s.counters)
	return s, nil
}

// Stats implements [listen.StatsReporter].
func (s *Items) Stats() listen.Stats { return s.counters.Stats() }

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

// DecodeItem decodes a Firebase item. ok is false for the literal null
// (an unknown or not yet visible ID).
func DecodeItem(data []byte) (p listen.Post, ok bool, err error) {
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

// Item reads one item. ok is false when the API answers null.
func (s *Items) Item(ctx context.Context, id int64) (p listen.Post, ok bool, err error) {
	raw, err := getJSON[json.RawMessage](ctx, s.client, &s.counters, s.cfg.retry, s.cfg.baseURL+"/item/"+strconv.FormatInt(id, 10)+".json")
	if err != nil {
		return listen.Post{}, false, err
	}
	return DecodeItem(*raw)
}

func (s *Items) maxItem(ctx context.Context) (int64, error) {
	v, err := getJSON[int64](ctx, s.client, &s.counters, s.cfg.retry, s.cfg.baseURL+"/maxitem.json")
	if err != nil {
		return 0, err
	}
	return *v, nil
}

// Posts implements [listen.Source]: it yields every item after the saved
// cursor (the last processed ID) up to maxitem, in ID order. Without a
// saved cursor it starts at the current maxitem. An ID that answers null
// (created but not yet visible) is retried on later polls, up to
// [WithNullRetries] times, before it is skipped. Deleted and dead items
// are skipped. With [Follow] it keeps polling maxitem.
func (s *Items) Posts(ctx context.Context) iter.Seq2[listen.Post, error] {
	return func(yield func(listen.Post, error) bool) {
		fail := func(err error) {
			if ctx.Err() == nil {
				yield(listen.Post{}, err)
			}
		}
		var last int64 = -1
		if st := s.cfg.store; st != nil {
			raw, err := st.Load(ctx, s.cfg.storeKey)
			if err != nil {
				fail(fmt.Errorf("hackernews: load cursor: %w", err))
				return
			}
			if raw != "" {
				if last, err = strconv.ParseInt(raw, 10, 64); err != nil || last < 0 {
					fail(fmt.Errorf("hackernews: cursor %q is not an item id", raw))
					return
				}
			}
		}
		nulls := map[int64]int{}
		for {
			max, err := s.maxItem(ctx)
			if err != nil {
				fail(err)
				return
			}
			if last < 0 {
				last = max - 1 // start with the newest item
			}
		walk:
			for id := last + 1; id <= max; id++ {
				p, ok, err := s.Item(ctx, id)
				var de *listen.DecodeError
				switch {
				case errors.As(err, &de):
					s.counters.Skip() // a broken item: skip it, not the walk
				case err != nil:
					fail(err)
					return
				case !ok:
					if nulls[id]++; nulls[id] <= s.cfg.nullRetries {
						break walk // not visible yet: try again next poll
					}
					delete(nulls, id)
					s.counters.Skip()
				case p.Kind == listen.KindDelete:
					s.counters.Skip()
				default:
					delete(nulls, id)
					now := time.Now()
					more := yield(p, nil)
					s.counters.Deliver(p.Created, now)
					last = id
					if err := s.save(ctx, last); err != nil && more {
						fail(err)
						return
					}
					if !more {
						return
					}
					continue
				}
				last = id
				if err := s.save(ctx, last); err != nil {
					fail(err)
					return
				}
			}
			if !s.cfg.follow && last >= max {
				return
			}
			if httpx.Sleep(ctx, s.cfg.interval) != nil {
				return
			}
		}
	}
}

func (s *Items) save(ctx context.Context, last int64) error {
	if st := s.cfg.store; st != nil {
		if err := st.Save(ctx, s.cfg.storeKey, strconv.FormatInt(last, 10)); err != nil {
			return fmt.Errorf("hackernews: save cursor: %w", err)
		}
	}
	return nil
}
