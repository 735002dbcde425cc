package httpx

import (
	"context"
	"errors"

	"github.com/earshot-dev/earshot/listen"
)

// AfterPoll handles the error of one poll in an adapter's polling loop.
// A nil err resets bo and returns (false, nil): go on with the results.
// A [listen.DecodeError] (a garbled page) waits out bo's next delay and
// returns retry: poll again; once bo gives up it is returned as final.
// Any other err is final. If ctx ends during the wait, AfterPoll returns
// ctx's error; the loop should check ctx first and end quietly:
//
//	posts, err := poll(ctx)
//	retry, err := httpx.AfterPoll(ctx, bo, err)
//	if ctx.Err() != nil {
//		return
//	}
//	if err != nil {
//		yield(listen.Post{}, err)
//		return
//	}
//	if retry {
//		continue
//	}
func AfterPoll(ctx context.Context, bo *Backoff, err error) (retry bool, final error) {
	var de *listen.DecodeError
	switch {
	case err == nil:
		bo.Reset()
		return false, nil
	case !errors.As(err, &de):
		return false, err
	}
	d, ok := bo.Next()
	if !ok {
		return false, err
	}
	if err := Sleep(ctx, d); err != nil {
		return false, err
	}
	return true, nil
}
