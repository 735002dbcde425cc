package listentest

import (
	"context"
	"testing"

	"github.com/earshot-dev/earshot/listen"
)

// Resume checks what a source commits. src must save its cursor in a
// store (WithCursorStore) and have at least eight posts to deliver; each
// run of its Posts resumes from what the runs before it committed.
//
// A post is committed only when the loop body returns normally for it
// with ctx live. Resume handles two posts and breaks out on the third:
// the next run must deliver the third again, and not the first two. It
// then panics in the body on a post, and cancels ctx while the body
// handles another: each must come again in the next run.
func Resume(t *testing.T, src listen.Source) {
	t.Helper()
	type outcome struct {
		seen    []string
		last    string
		stopped bool
	}
	// run reads posts, calling body for each until body says stop; it
	// recovers a panic of body.
	run := func(name string, body func(ctx context.Context, cancel context.CancelFunc, p listen.Post) (stop bool)) (o outcome) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		defer func() {
			if r := recover(); r != nil && r != errPanicked {
				panic(r)
			}
		}()
		for p, err := range src.Posts(ctx) {
			if err != nil {
				t.Fatalf("%s: unexpected error: %v", name, err)
			}
			o.seen = append(o.seen, p.Key()+"#"+p.Kind.String())
			o.last = o.seen[len(o.seen)-1]
			if body(ctx, cancel, p) {
				o.stopped = true
				break
			}
		}
		return o
	}
	contains := func(keys []string, k string) bool {
		for _, x := range keys {
			if x == k {
				return true
			}
		}
		return false
	}

	// 1: handle two posts, break out on the third without handling it.
	n := 0
	a := run("break", func(context.Context, context.CancelFunc, listen.Post) bool { n++; return n == 3 })
	if len(a.seen) < 3 {
		t.Fatalf("break: got %d posts, want at least 3", len(a.seen))
	}
	brokeOn := a.last

	// 2: the third comes again, the first two do not; then panic in the
	// body on the next post.
	var b outcome
	func() {
		got := false
		b = run("panic", func(_ context.Context, _ context.CancelFunc, p listen.Post) bool {
			k := p.Key() + "#" + p.Kind.String()
			if got {
				panic(errPanicked)
			}
			got = k == brokeOn
			return false
		})
	}()
	if !contains(b.seen, brokeOn) {
		t.Fatalf("the post the loop broke out on (%s) did not come again; the next run saw %v", brokeOn, b.seen)
	}
	for _, k := range a.seen[:2] {
		if contains(b.seen, k) {
			t.Errorf("%s was handled, yet it came again after the restart", k)
		}
	}
	panickedOn := b.last
	if panickedOn == brokeOn {
		t.Fatalf("the source ended after %s; it needs more posts", brokeOn)
	}

	// 3: the post the body panicked on comes again; cancel ctx while
	// handling the next one (the body returns normally).
	got := false
	c := run("cancel", func(_ context.Context, cancel context.CancelFunc, p listen.Post) bool {
		k := p.Key() + "#" + p.Kind.String()
		if got {
			cancel()
			return false // a normal return, but with ctx done
		}
		got = k == panickedOn
		return false
	})
	if !contains(c.seen, panickedOn) {
		t.Fatalf("the post the body panicked on (%s) did not come again; the next run saw %v", panickedOn, c.seen)
	}
	cancelledOn := c.last
	if cancelledOn == panickedOn {
		t.Fatalf("the source ended after %s; it needs more posts", panickedOn)
	}

	// 4: the post handled while ctx ended comes again.
	d := run("after cancel", func(_ context.Context, _ context.CancelFunc, p listen.Post) bool {
		return p.Key()+"#"+p.Kind.String() == cancelledOn
	})
	if !contains(d.seen, cancelledOn) {
		t.Fatalf("the post handled while ctx ended (%s) did not come again; the next run saw %v", cancelledOn, d.seen)
	}
}

// errPanicked is what the body panics with in [Resume].
var errPanicked = &panicValue{}

type panicValue struct{}
