package story

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Status is where a draft stands in a [Queue].
type Status int8

const (
	Pending  Status = iota // waiting for a person
	Approved               // may be sent
	Rejected               // will never be sent
	Posted                 // sent
)

var statusNames = [...]string{"pending", "approved", "rejected", "posted"}

func (s Status) String() string {
	if int(s) >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", s)
}

// Item is a draft in the queue with its review.
type Item struct {
	Draft
	Status   Status    `json:"status"`
	Reviewer string    `json:"reviewer,omitempty"` // who approved or rejected it
	Reason   string    `json:"reason,omitempty"`   // why it was rejected
	At       time.Time `json:"at,omitzero"`        // when it was last reviewed
	Sent     Sent      `json:"sent,omitzero"`      // set once posted
}

// Queue holds drafts until a person approves them. Nothing leaves the
// queue without [Queue.Approve]: [Queue.Send] refuses anything else with
// [ErrNotApproved], and editing an approved draft withdraws the approval.
// The zero value is ready to use; a Queue is safe for concurrent use. It
// lives in memory: a host that needs the queue across restarts saves
// [Queue.Items] itself.
type Queue struct {
	mu    sync.Mutex
	items map[string]*Item
	order []string
}

// Add puts a draft in the queue as pending. Adding a draft whose ID is
// already there replaces its text only while it is still pending (a
// trend's alert grew, a re-drafted reply); otherwise Add does nothing.
// It reports whether the queue changed.
func (q *Queue) Add(d Draft) (bool, error) {
	if d.ID == "" {
		return false, fmt.Errorf("story: queue: draft has no ID")
	}
	if err := checkText(d.Text); err != nil {
		return false, fmt.Errorf("story: queue: draft %q: %w", d.ID, err)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.items == nil {
		q.items = map[string]*Item{}
	}
	if it, ok := q.items[d.ID]; ok {
		if it.Status != Pending || it.Text == d.Text {
			return false, nil
		}
		it.Draft = d
		return true, nil
	}
	q.items[d.ID] = &Item{Draft: d}
	q.order = append(q.order, d.ID)
	return true, nil
}

// Items returns copies of the queue's items with the given status, in
// the order they were added.
func (q *Queue) Items(s Status) []Item {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []Item
	for _, id := range q.order {
		if it := q.items[id]; it.Status == s {
			out = append(out, *it)
		}
	}
	return out
}

func (q *Queue) get(id string) (*Item, error) {
	it, ok := q.items[id]
	if !ok {
		return nil, fmt.Errorf("story: queue: %w %q", ErrUnknownDraft, id)
	}
	return it, nil
}

// Approve marks a pending draft as ready to send. reviewer names the
// person; it is required.
func (q *Queue) Approve(id, reviewer string, at time.Time) error {
	if strings.TrimSpace(reviewer) == "" {
		return fmt.Errorf("story: queue: approving %q needs a reviewer", id)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	it, err := q.get(id)
	if err != nil {
		return err
	}
	if it.Status != Pending {
		return fmt.Errorf("story: queue: cannot approve %q: it is %s", id, it.Status)
	}
	it.Status, it.Reviewer, it.At = Approved, reviewer, at
	return nil
}

// Edit replaces a draft's text, checked against the platform's limit.
// An approved draft goes back to pending: the new text needs its own
// approval. Rejected and posted drafts cannot be edited.
func (q *Queue) Edit(id, text string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	it, err := q.get(id)
	if err != nil {
		return err
	}
	if it.Status == Rejected || it.Status == Posted {
		return fmt.Errorf("story: queue: cannot edit %q: it is %s", id, it.Status)
	}
	rules := it.rules
	if rules == nil {
		rules = RulesFor(it.Platform)
	}
	if err := rules.Check(text); err != nil {
		return fmt.Errorf("story: queue: edit %q: %w", id, err)
	}
	it.Text, it.Status, it.Reviewer = text, Pending, ""
	return nil
}

// Reject drops a draft for good.
func (q *Queue) Reject(id, reviewer, reason string, at time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	it, err := q.get(id)
	if err != nil {
		return err
	}
	if it.Status == Posted {
		return fmt.Errorf("story: queue: cannot reject %q: it is posted", id)
	}
	it.Status, it.Reviewer, it.Reason, it.At = Rejected, reviewer, reason, at
	return nil
}

// Send publishes an approved draft with p, as a one-part [Thread] whose
// ID is the draft's ID (so a retry after a failure does not post twice)
// and which answers the draft's ReplyTo. Anything not approved is
// refused with [ErrNotApproved]; a draft already posted returns its Sent.
// The queue is not locked while p publishes.
func (q *Queue) Send(ctx context.Context, id string, p Publisher) (Sent, error) {
	q.mu.Lock()
	it, err := q.get(id)
	if err != nil {
		q.mu.Unlock()
		return Sent{}, err
	}
	switch it.Status {
	case Posted:
		s := it.Sent
		q.mu.Unlock()
		return s, nil
	case Approved:
	default:
		q.mu.Unlock()
		return Sent{}, fmt.Errorf("story: queue: %q is %s: %w", id, it.Status, ErrNotApproved)
	}
	th := Thread{ID: it.ID, Parts: []Part{{Text: it.Text}}, ReplyTo: it.ReplyTo}
	q.mu.Unlock()

	sent, err := p.Publish(ctx, th)
	if err != nil {
		return Sent{}, err
	}
	if len(sent) != 1 {
		return Sent{}, fmt.Errorf("story: queue: publisher returned %d posts for one part", len(sent))
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	// The approved text went out, even if someone edited it meanwhile.
	it.Text, it.Status, it.Sent = th.Parts[0].Text, Posted, sent[0]
	return sent[0], nil
}

// MarshalJSON saves the queue (every item, in order) so a host can keep
// it across restarts: write it after each change, read it back with
// [Queue.UnmarshalJSON]. Counting rules set by a custom [Replier.Rules]
// are not saved; restored drafts are checked with [RulesFor] their
// platform.
func (q *Queue) MarshalJSON() ([]byte, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	items := make([]Item, 0, len(q.order))
	for _, id := range q.order {
		items = append(items, *q.items[id])
	}
	return json.Marshal(items)
}

// UnmarshalJSON replaces the queue's content with saved items.
func (q *Queue) UnmarshalJSON(b []byte) error {
	var items []Item
	if err := json.Unmarshal(b, &items); err != nil {
		return fmt.Errorf("story: queue: %w", err)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items, q.order = map[string]*Item{}, nil
	for i := range items {
		it := items[i]
		if it.ID == "" {
			return fmt.Errorf("story: queue: saved item %d has no ID", i)
		}
		if _, dup := q.items[it.ID]; dup {
			return fmt.Errorf("story: queue: saved item %q twice", it.ID)
		}
		it.rules = RulesFor(it.Platform)
		q.items[it.ID] = &it
		q.order = append(q.order, it.ID)
	}
	return nil
}
