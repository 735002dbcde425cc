// Package storytest checks that implementations of the story interfaces
// behave as the package documents: [RunStore] for a [story.Store] and
// [RunPublisher] for a [story.Publisher], as slogtest does for handlers.
package storytest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/earshot-dev/earshot/story"
)

// RunStore checks a Store: a missing key loads as nil, the last save
// wins, returned values are copies, and concurrent use is safe.
func RunStore(t *testing.T, s story.Store) {
	t.Helper()
	ctx := context.Background()
	v, err := s.Load(ctx, "storytest/missing")
	if err != nil || v != nil {
		t.Fatalf("Load(missing) = %q, %v; want nil, nil", v, err)
	}
	for _, val := range []string{`{"n":1}`, `{"n":2}`} {
		if err := s.Save(ctx, "storytest/a", []byte(val)); err != nil {
			t.Fatalf("Save: %v", err)
		}
	}
	v, err = s.Load(ctx, "storytest/a")
	if err != nil || string(v) != `{"n":2}` {
		t.Fatalf("Load after two saves = %q, %v; want the last", v, err)
	}
	v[0] = 'X'
	if v, _ := s.Load(ctx, "storytest/a"); string(v) != `{"n":2}` {
		t.Fatalf("a caller's change to a loaded value reached the store: %q", v)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 80)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				if err := s.Save(ctx, fmt.Sprint("storytest/k", i), []byte(fmt.Sprint(j))); err != nil {
					errs <- err
				}
				if _, err := s.Load(ctx, fmt.Sprint("storytest/k", i)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent use: %v", err)
	}
	for i := 0; i < 8; i++ {
		if v, err := s.Load(ctx, fmt.Sprint("storytest/k", i)); err != nil || string(v) != "9" {
			t.Errorf("key %d after concurrent saves = %q, %v; want 9", i, v, err)
		}
	}
}

// Posted is a post as the platform shows it.
type Posted struct {
	ID, Text string
	Parent   string // ID of the post it replies to, "" for none
}

// Harness connects [RunPublisher] to a publisher under test.
type Harness struct {
	// New returns a publisher. Every call must return a fresh instance
	// sharing the same journal (a restart of the host).
	New func(t *testing.T) story.Publisher
	// Posted returns what the platform has, in posting order.
	Posted func() []Posted
	// Limit is a text length the platform refuses (e.g. 501 for a
	// default Mastodon); 0 skips that check.
	Limit int
}

// RunPublisher checks a Publisher: threads are posted in order with each
// part replying to the previous one, publishing again (also from a new
// instance) posts nothing, a part over the limit or a blank thread is
// refused before anything is posted, and a cancelled ctx posts nothing
// and is reported.
func RunPublisher(t *testing.T, h Harness) {
	t.Helper()
	ctx := context.Background()
	th := story.Thread{ID: "storytest-1", Parts: []story.Part{
		{Text: "storytest 1/3 the hens are out"}, {Text: "storytest 2/3 the sun is up"}, {Text: "storytest 3/3 eggs at noon"},
	}}
	pub := h.New(t)
	sent, err := pub.Publish(ctx, th)
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if len(sent) != 3 {
		t.Fatalf("Publish returned %d parts, want 3", len(sent))
	}
	posted := h.Posted()
	if len(posted) != 3 {
		t.Fatalf("platform has %d posts, want 3", len(posted))
	}
	for i, p := range posted {
		if !strings.Contains(p.Text, th.Parts[i].Text) {
			t.Errorf("post %d is %q, want part %d", i+1, p.Text, i+1)
		}
		want := ""
		if i > 0 {
			want = posted[i-1].ID
		}
		if p.Parent != want {
			t.Errorf("post %d replies to %q, want %q", i+1, p.Parent, want)
		}
	}
	for _, again := range []story.Publisher{pub, h.New(t)} {
		s2, err := again.Publish(ctx, th)
		if err != nil {
			t.Fatalf("Publish again: %v", err)
		}
		if fmt.Sprint(s2) != fmt.Sprint(sent) {
			t.Errorf("Publish again returned %v, want %v", s2, sent)
		}
	}
	if n := len(h.Posted()); n != 3 {
		t.Errorf("publishing again posted %d more", n-3)
	}
	if h.Limit > 0 {
		long := story.Thread{ID: "storytest-long", Parts: []story.Part{{Text: "fine"}, {Text: strings.Repeat("a", h.Limit)}}}
		_, err := pub.Publish(ctx, long)
		if !errors.Is(err, story.ErrTooLong) {
			t.Errorf("a part over the limit: err %v, want ErrTooLong", err)
		}
	}
	if _, err := pub.Publish(ctx, story.Thread{ID: "storytest-blank", Parts: []story.Part{{Text: " \n"}}}); !errors.Is(err, story.ErrEmpty) {
		t.Errorf("a blank part: err %v, want ErrEmpty", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := pub.Publish(cctx, story.Thread{ID: "storytest-cancel", Parts: []story.Part{{Text: "never"}}}); err == nil {
		t.Errorf("Publish with a cancelled ctx succeeded")
	}
	if n := len(h.Posted()); n != 3 {
		t.Errorf("refused or cancelled threads posted %d posts", n-3)
	}
}
