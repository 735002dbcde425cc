package listen

import (
	"context"
	"errors"
	"iter"
	"sync"

	"github.com/earshot-dev/earshot/listen/internal/seen"
)

// Source yields posts. It is configured when built; Posts only runs it.
//
// The sequence ends when the source is exhausted, when ctx is done (quietly:
// the caller owns ctx, so no error is yielded for it), or right after a
// non-nil error, which is always final: transient failures are retried
// inside the source. Breaking out of the loop stops all work the source
// started; no goroutine outlives the loop.
//
// Posts may be called more than once; each call starts a new run, resuming
// from a saved cursor where the source has one.
type Source interface {
	Posts(ctx context.Context) iter.Seq2[Post, error]
}

// SourceFunc adapts a function to a [Source].
type SourceFunc func(ctx context.Context) iter.Seq2[Post, error]

// Posts calls f(ctx).
func (f SourceFunc) Posts(ctx context.Context) iter.Seq2[Post, error] { return f(ctx) }

// Filter returns a source that yields only the posts of src for which keep
// returns true. Errors pass through. It panics if src or keep is nil.
func Filter(src Source, keep func(Post) bool) Source {
	if src == nil || keep == nil {
		panic("listen: Filter with nil source or keep func")
	}
	return SourceFunc(func(ctx context.Context) iter.Seq2[Post, error] {
		return func(yield func(Post, error) bool) {
			for p, err := range src.Posts(ctx) {
				if err != nil {
					yield(Post{}, err)
					return
				}
				if keep(p) && !yield(p, nil) {
					return
				}
			}
		}
	})
}

// Dedupe returns a source that drops posts already yielded, remembering
// the keys of the last n deliveries (n <= 0 means 10,000). Memory is
// bounded: about 16 bytes per remembered key. A post and its events (edit,
// delete) have different keys; two edits of one post share a key.
//
// Keys are remembered as 64-bit hashes; two different keys collide with a
// probability of about n/2^64 per post.
func Dedupe(src Source, n int) Source {
	if src == nil {
		panic("listen: Dedupe with nil source")
	}
	if n <= 0 {
		n = 10_000
	}
	// The seen-set is shared by every run of the returned source, so a
	// restarted loop does not deliver again what an earlier run delivered.
	delivered := seen.NewHashed(n)
	return SourceFunc(func(ctx context.Context) iter.Seq2[Post, error] {
		return func(yield func(Post, error) bool) {
			for p, err := range src.Posts(ctx) {
				if err != nil {
					yield(Post{}, err)
					return
				}
				if !delivered.Add(p.dedupeKey()) {
					continue
				}
				if !yield(p, nil) {
					return
				}
			}
		}
	})
}

// Merge returns a source that runs all srcs at once and yields their posts
// as they arrive (fan-in). Each source runs in its own goroutine and waits
// for the loop body to take its post, so a slow consumer slows every source
// down instead of filling a queue.
//
// When one source fails, Merge stops the others and yields, as its final
// error, the errors of all sources joined with [errors.Join]. Breaking out
// of the loop or cancelling ctx stops every source; all goroutines have
// returned by the time the sequence ends.
func Merge(srcs ...Source) Source {
	for _, s := range srcs {
		if s == nil {
			panic("listen: Merge with nil source")
		}
	}
	return SourceFunc(func(ctx context.Context) iter.Seq2[Post, error] {
		return func(yield func(Post, error) bool) {
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			type item struct {
				p   Post
				err error
			}
			ch := make(chan item)
			var wg sync.WaitGroup
			for _, s := range srcs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for p, err := range s.Posts(ctx) {
						select {
						case ch <- item{p, err}:
						case <-ctx.Done():
							return
						}
						if err != nil {
							return
						}
					}
				}()
			}
			go func() { wg.Wait(); close(ch) }()
			// drain stops the sources and waits for them, so no goroutine
			// outlives the sequence.
			drain := func() {
				cancel()
				for range ch {
				}
			}
			var errs []error
			for it := range ch {
				if it.err != nil {
					errs = append(errs, it.err)
					cancel() // stop the others; keep collecting their errors
					continue
				}
				if len(errs) > 0 {
					continue // a source failed: the rest are being stopped
				}
				if !yield(it.p, nil) {
					drain()
					return
				}
			}
			if len(errs) > 0 {
				yield(Post{}, errors.Join(errs...))
			}
		}
	})
}
