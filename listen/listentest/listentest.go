// Package listentest checks [listen.Source] implementations against the
// Source contract and provides sources for tests.
//
// Every adapter runs [Run] against a fake server that speaks the platform's
// wire format, as slogtest does for slog handlers:
//
//	func TestConformance(t *testing.T) {
//		listentest.Run(t, func(t *testing.T) listen.Source {
//			srv := newFakeServer(t) // yields at least 3 posts
//			src, err := mastodon.New(srv.URL, "golang")
//			require.NoError(t, err)
//			return src
//		})
//	}
package listentest

import (
	"context"
	"errors"
	"iter"
	"testing"
	"time"
	"unicode/utf8"

	"go.uber.org/goleak"

	"github.com/earshot-dev/earshot/listen"
)

// timeout bounds how long each check waits for the source.
const timeout = 20 * time.Second

// Run checks the contract of the sources newSource builds. Each call of
// newSource must return a fresh source (with a fresh fake server if it
// needs one) that yields at least three posts; after them it may end, fail
// or keep running until its context is done.
//
// It checks that breaking out of the loop stops all work, that cancelling
// the context ends the sequence without an error, that an error is the
// last thing yielded, that posts carry a platform, an ID and valid UTF-8,
// and that no goroutine outlives the loop.
func Run(t *testing.T, newSource func(t *testing.T) listen.Source) {
	t.Helper()

	t.Run("PostsAreWellFormed", func(t *testing.T) {
		src := newSource(t)
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		n := 0
		for p, err := range src.Posts(ctx) {
			if err != nil {
				if n < 3 {
					t.Fatalf("error after %d posts, want at least 3 posts first: %v", n, err)
				}
				break
			}
			if p.Platform == "" || p.ID == "" {
				t.Errorf("post %d has no platform or ID: %+v", n, p)
			}
			if !utf8.ValidString(p.Text) {
				t.Errorf("post %s has invalid UTF-8 text", p.Key())
			}
			if n++; n == 3 {
				break
			}
		}
		if n < 3 {
			t.Fatalf("got %d posts, want at least 3 (ctx: %v)", n, ctx.Err())
		}
	})

	t.Run("BreakStopsWork", func(t *testing.T) {
		src := newSource(t)
		ignore := goleak.IgnoreCurrent()
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		got := false
		for _, err := range src.Posts(ctx) {
			if err != nil {
				t.Fatalf("unexpected error before the first post: %v", err)
			}
			got = true
			break
		}
		if !got {
			t.Fatalf("no post before the source ended (ctx: %v)", ctx.Err())
		}
		// ctx is still live: only the break may have stopped the source.
		if err := goleak.Find(ignore); err != nil {
			t.Errorf("goroutines still running after break: %v", err)
		}
	})

	t.Run("CancelEndsQuietly", func(t *testing.T) {
		src := newSource(t)
		ignore := goleak.IgnoreCurrent()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan struct{})
		var afterCancel []error
		go func() {
			defer close(done)
			n := 0
			for _, err := range src.Posts(ctx) {
				if ctx.Err() != nil && err != nil {
					afterCancel = append(afterCancel, err)
				}
				if err == nil {
					if n++; n == 1 {
						cancel()
					}
				}
			}
		}()
		select {
		case <-done:
		case <-time.After(timeout):
			t.Fatalf("sequence did not end within %v of cancelling its context", timeout)
		}
		if len(afterCancel) > 0 {
			t.Errorf("cancelling ctx must end the sequence quietly, got errors: %v", errors.Join(afterCancel...))
		}
		if err := goleak.Find(ignore); err != nil {
			t.Errorf("goroutines still running after cancel: %v", err)
		}
	})

	t.Run("ErrorIsLast", func(t *testing.T) {
		src := newSource(t)
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		var sawErr error
		count := 0
		for _, err := range src.Posts(ctx) {
			if sawErr != nil {
				t.Fatalf("yielded again after the error %v", sawErr)
			}
			if err != nil {
				sawErr = err
				continue // keep looping: a correct source stops by itself
			}
			if count++; count >= 3 {
				break
			}
		}
	})
}

// Static returns a source that yields posts in order and then ends.
func Static(posts ...listen.Post) listen.Source {
	return listen.SourceFunc(func(ctx context.Context) iter.Seq2[listen.Post, error] {
		return func(yield func(listen.Post, error) bool) {
			for _, p := range posts {
				if ctx.Err() != nil || !yield(p, nil) {
					return
				}
			}
		}
	})
}

// Failing returns a source that yields posts and then err.
func Failing(err error, posts ...listen.Post) listen.Source {
	return listen.SourceFunc(func(ctx context.Context) iter.Seq2[listen.Post, error] {
		return func(yield func(listen.Post, error) bool) {
			for _, p := range posts {
				if ctx.Err() != nil || !yield(p, nil) {
					return
				}
			}
			if ctx.Err() == nil {
				yield(listen.Post{}, err)
			}
		}
	})
}
