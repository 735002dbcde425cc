package publish

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/earshot-dev/earshot/story"
)

// DryRun is a [story.Publisher] that posts nothing: it validates each part
// with Rules (like a real publisher, before anything is "sent") and
// records the thread. Publishing the same thread ID again returns the same
// Sent values and records nothing new, as a real publisher would.
// The zero value accepts any non-blank text; it is safe for concurrent use.
type DryRun struct {
	Rules story.Rules // nil: only blank text and invalid UTF-8 are refused

	mu      sync.Mutex
	threads []story.Thread
	sent    map[string][]story.Sent
}

// Publish implements [story.Publisher]. IDs are "dry-<n>".
func (d *DryRun) Publish(ctx context.Context, t story.Thread) ([]story.Sent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if t.ID == "" {
		return nil, errors.New("publish: dry run: thread has no ID")
	}
	if len(t.Parts) == 0 {
		return nil, fmt.Errorf("publish: dry run: thread %q: %w", t.ID, story.ErrEmpty)
	}
	rules := d.Rules
	if rules == nil {
		rules = story.MastodonRules{MaxCharacters: 1 << 30}
	}
	for i, p := range t.Parts {
		if err := rules.Check(p.Text); err != nil {
			var le *story.LengthError
			if errors.As(err, &le) {
				le.Part = i
			}
			return nil, &PartError{Platform: "dry run", Thread: t.ID, Part: i, Err: err}
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.sent[t.ID]; ok {
		return append([]story.Sent(nil), s...), nil
	}
	if d.sent == nil {
		d.sent = map[string][]story.Sent{}
	}
	var out []story.Sent
	for range t.Parts {
		out = append(out, story.Sent{ID: "dry-" + strconv.Itoa(d.count()+len(out)+1)})
	}
	d.sent[t.ID] = out
	t.Parts = append([]story.Part(nil), t.Parts...)
	d.threads = append(d.threads, t)
	return append([]story.Sent(nil), out...), nil
}

func (d *DryRun) count() int {
	n := 0
	for _, s := range d.sent {
		n += len(s)
	}
	return n
}

// Threads returns the threads recorded so far, in order.
func (d *DryRun) Threads() []story.Thread {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]story.Thread(nil), d.threads...)
}
