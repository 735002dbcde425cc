package storytest_test

import (
	"context"
	"testing"

	"github.com/earshot-dev/earshot/story"
	"github.com/earshot-dev/earshot/story/storytest"
)

func TestRunStoreOnMemoryStore(t *testing.T) { storytest.RunStore(t, &story.MemoryStore{}) }

// chain is a minimal in-memory publisher: the reference the suite checks.
type chain struct {
	posts []storytest.Posted
	sent  map[string][]story.Sent
}

func (c *chain) Publish(ctx context.Context, t story.Thread) ([]story.Sent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, p := range t.Parts {
		if err := (story.MastodonRules{}).Check(p.Text); err != nil {
			return nil, err
		}
	}
	if s, ok := c.sent[t.ID]; ok {
		return s, nil
	}
	var out []story.Sent
	for i, p := range t.Parts {
		id := string(rune('a' + len(c.posts)))
		parent := ""
		if i > 0 {
			parent = out[i-1].ID
		}
		c.posts = append(c.posts, storytest.Posted{ID: id, Text: p.Text, Parent: parent})
		out = append(out, story.Sent{ID: id})
	}
	c.sent[t.ID] = out
	return out, nil
}

func TestRunPublisherOnReference(t *testing.T) {
	c := &chain{sent: map[string][]story.Sent{}}
	storytest.RunPublisher(t, storytest.Harness{
		New:    func(*testing.T) story.Publisher { return c },
		Posted: func() []storytest.Posted { return c.posts },
		Limit:  501,
	})
}
