package natsjs

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/earshot-dev/earshot/trend"
)

// kvKey encodes an arbitrary string as a key-value key (which allows only
// letters, digits and -/_=.).
func kvKey(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// Cursors is a [listen.CursorStore] kept in a JetStream key-value bucket,
// so that the worker that takes over a source resumes where the previous
// one stopped. It is safe for concurrent use.
type Cursors struct {
	kv jetstream.KeyValue
}

// NewCursors opens the key-value bucket named bucket, creating it (file
// storage, one value per key) if needed.
func NewCursors(ctx context.Context, js jetstream.JetStream, bucket string) (*Cursors, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: bucket, Description: "earshot cursors", History: 1})
	if err != nil {
		return nil, fmt.Errorf("natsjs: cursors bucket %s: %w", bucket, err)
	}
	return &Cursors{kv: kv}, nil
}

// Load implements [listen.CursorStore].
func (c *Cursors) Load(ctx context.Context, key string) (string, error) {
	e, err := c.kv.Get(ctx, kvKey(key))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("natsjs: load cursor %s: %w", key, err)
	}
	return string(e.Value()), nil
}

// Save implements [listen.CursorStore].
func (c *Cursors) Save(ctx context.Context, key, cursor string) error {
	if _, err := c.kv.PutString(ctx, kvKey(key), cursor); err != nil {
		return fmt.Errorf("natsjs: save cursor %s: %w", key, err)
	}
	return nil
}

// ErrHeld is returned by [Leases.Acquire] when another holder has the lease.
var ErrHeld = errors.New("natsjs: lease held by another worker")

// ErrLost is returned by [Lease.Renew] when the lease expired and another
// worker took it, or it was released.
var ErrLost = errors.New("natsjs: lease lost")

// Leases hands out named leases, so that only one worker at a time polls a
// source. A lease is a key in a key-value bucket whose values expire after
// the bucket's TTL: the holder renews it by a compare-and-set on the key's
// revision, and when it stops renewing (it died or was cut off), the key
// expires and another worker's [Leases.Acquire] succeeds.
//
// A holder must stop its work when [Lease.Renew] fails; [Leases.Run] does
// that for it. It is safe for concurrent use.
type Leases struct {
	kv     jetstream.KeyValue
	nc     *nats.Conn
	ttl    time.Duration
	logger *slog.Logger
}

// NewLeases opens the bucket named bucket with values expiring after ttl
// (at least 1s), creating it if needed. Of the options, only [WithLogger]
// applies: [Leases.Run] logs the failures it retries.
func NewLeases(ctx context.Context, js jetstream.JetStream, bucket string, ttl time.Duration, opts ...Option) (*Leases, error) {
	if ttl < time.Second {
		return nil, fmt.Errorf("natsjs: lease ttl %v, want at least 1s", ttl)
	}
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: bucket, Description: "earshot leases", History: 1, TTL: ttl})
	if err != nil {
		return nil, fmt.Errorf("natsjs: leases bucket %s: %w", bucket, err)
	}
	return &Leases{kv: kv, nc: js.Conn(), ttl: ttl, logger: c.logger}, nil
}

// Lease is one held lease. Renew it well within the TTL.
type Lease struct {
	l     *Leases
	key   string
	value []byte // the holder, a newline and a token of this Lease
	rev   uint64
}

// Acquire takes the lease name for holder, or returns [ErrHeld].
func (l *Leases) Acquire(ctx context.Context, name, holder string) (*Lease, error) {
	value := []byte(holder + "\n" + nuid.Next())
	rev, err := l.kv.Create(ctx, kvKey(name), value)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return nil, ErrHeld
	}
	if err != nil {
		return nil, fmt.Errorf("natsjs: acquire lease %s: %w", name, err)
	}
	return &Lease{l: l, key: kvKey(name), value: value, rev: rev}, nil
}

// Holder returns who holds the lease name, or "" if no one does.
func (l *Leases) Holder(ctx context.Context, name string) (string, error) {
	e, err := l.kv.Get(ctx, kvKey(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("natsjs: lease %s: %w", name, err)
	}
	holder, _, _ := strings.Cut(string(e.Value()), "\n")
	return holder, nil
}

// Renew extends the lease by the TTL. It returns an error wrapping
// [ErrLost] if someone else holds it now.
func (le *Lease) Renew(ctx context.Context) error {
	rev, err := le.l.kv.Update(ctx, le.key, le.value, le.rev)
	if errors.Is(err, jetstream.ErrKeyExists) {
		// Renewed by the last Renew, whose answer was lost with the
		// connection? The value is still this Lease's then.
		if e, gerr := le.l.kv.Get(ctx, le.key); gerr == nil && bytes.Equal(e.Value(), le.value) {
			rev, err = le.l.kv.Update(ctx, le.key, le.value, e.Revision())
		}
	}
	if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("%w (%v)", ErrLost, err)
	}
	if err != nil {
		return fmt.Errorf("natsjs: renew lease: %w", err)
	}
	le.rev = rev
	return nil
}

// Release gives the lease up, if it is still held.
func (le *Lease) Release(ctx context.Context) error {
	err := le.l.kv.Delete(ctx, le.key, jetstream.LastRevision(le.rev))
	if err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
		return fmt.Errorf("natsjs: release lease: %w", err)
	}
	return nil
}

// Run waits until holder gets the lease name (or the connection is
// closed: then it returns the error), then runs work with a
// context that is cancelled when the lease is lost, renewing the lease
// every third of the TTL. When renewals fail for half the TTL (the worker
// is cut off from the server), work's context is cancelled, before the key
// can expire and another worker take the lease. It returns work's error,
// ctx's error when ctx ends first, or an error wrapping [ErrLost] when the
// lease was lost (also when work then returns its context's error; when
// the host closed the connection meanwhile, the error wraps
// nats.ErrConnectionClosed instead). The lease is released when work
// returns. Run's renewing goroutine has
// stopped when it returns.
func (l *Leases) Run(ctx context.Context, name, holder string, work func(ctx context.Context) error) error {
	var le *Lease
	var acquired time.Time
	for {
		var err error
		acquired = time.Now()
		le, err = l.Acquire(ctx, name, holder)
		if err == nil {
			break
		}
		if !errors.Is(err, ErrHeld) {
			if l.nc.IsClosed() {
				return err // final: the host closed the connection
			}
			l.logger.Debug("natsjs: retry", "what", "lease "+name, "err", err)
		}
		// Held by another worker, or a transient failure: try again.
		if err := sleep(ctx, l.ttl/4); err != nil {
			return err
		}
	}
	wctx, cancel := context.WithCancelCause(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(l.ttl / 3)
		defer t.Stop()
		lastOK := acquired
		for {
			select {
			case <-wctx.Done():
				return
			case <-t.C:
			}
			sent := time.Now()
			rctx, c := context.WithTimeout(wctx, l.ttl/4)
			err := le.Renew(rctx)
			c()
			switch {
			case err == nil:
				lastOK = sent // the key expires a TTL after this at the earliest
			case l.nc.IsClosed():
				cancel(fmt.Errorf("natsjs: lease %s: %w", name, nats.ErrConnectionClosed))
				return
			case errors.Is(err, ErrLost), time.Since(lastOK) > l.ttl/2:
				// Stop well before the key can expire and another
				// worker can take the lease.
				l.logger.Debug("natsjs: lease lost", "lease", name, "err", err)
				cancel(fmt.Errorf("natsjs: lease %s: %w", name, ErrLost))
				return
			default:
				l.logger.Debug("natsjs: retry", "what", "renew lease "+name, "err", err)
			}
		}
	}()
	err := work(wctx)
	cause := context.Cause(wctx)
	cancel(nil)
	wg.Wait()
	rctx, c := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	_ = le.Release(rctx)
	c()
	if ctx.Err() == nil && cause != nil && (err == nil || errors.Is(err, context.Canceled)) {
		err = cause // work ended because the lease was lost or the connection closed
	}
	return err
}

// Snapshots keeps each worker's [trend.Sketch] in a JetStream object
// store bucket (a sketch with the default settings takes about 13 MB,
// more than a key-value entry holds), and merges them into the cluster's
// view. It is safe for concurrent use.
type Snapshots struct {
	os jetstream.ObjectStore
}

// NewSnapshots opens the object store named bucket, creating it if needed.
func NewSnapshots(ctx context.Context, js jetstream.JetStream, bucket string) (*Snapshots, error) {
	os, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: bucket, Description: "earshot trend snapshots"})
	if err != nil {
		return nil, fmt.Errorf("natsjs: snapshots bucket %s: %w", bucket, err)
	}
	return &Snapshots{os: os}, nil
}

// Save stores s as worker's snapshot, replacing the previous one. It
// encodes s in the caller's goroutine: a Sketch is not safe for concurrent
// use, so call Save from the loop that feeds it.
func (sn *Snapshots) Save(ctx context.Context, worker string, s *trend.Sketch) error {
	b, err := s.MarshalBinary()
	if err != nil {
		return fmt.Errorf("natsjs: snapshot %s: %w", worker, err)
	}
	if _, err := sn.os.Put(ctx, jetstream.ObjectMeta{Name: worker}, bytes.NewReader(b)); err != nil {
		return fmt.Errorf("natsjs: save snapshot %s: %w", worker, err)
	}
	return nil
}

// Delete removes worker's snapshot, for a worker that leaves the cluster
// after its counts were merged elsewhere.
func (sn *Snapshots) Delete(ctx context.Context, worker string) error {
	if err := sn.os.Delete(ctx, worker); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
		return fmt.Errorf("natsjs: delete snapshot %s: %w", worker, err)
	}
	return nil
}

// Merged reads every worker's snapshot and merges them with
// [trend.Sketch.Merge]: the counts are those one process would have on
// all the workers' posts. All snapshots must have the same configuration.
// With no snapshots it returns an empty Sketch.
func (sn *Snapshots) Merged(ctx context.Context) (*trend.Sketch, error) {
	infos, err := sn.os.List(ctx)
	if errors.Is(err, jetstream.ErrNoObjectsFound) {
		return &trend.Sketch{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("natsjs: list snapshots: %w", err)
	}
	slices.SortFunc(infos, func(a, b *jetstream.ObjectInfo) int { return strings.Compare(a.Name, b.Name) })
	var out *trend.Sketch
	for _, info := range infos {
		if info.Deleted {
			continue
		}
		b, err := sn.os.GetBytes(ctx, info.Name)
		if errors.Is(err, jetstream.ErrObjectNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("natsjs: get snapshot %s: %w", info.Name, err)
		}
		s := new(trend.Sketch)
		if err := s.UnmarshalBinary(b); err != nil {
			return nil, fmt.Errorf("natsjs: snapshot %s: %w", info.Name, err)
		}
		if out == nil {
			out = s
			continue
		}
		if err := out.Merge(s); err != nil {
			return nil, fmt.Errorf("natsjs: merge snapshot %s: %w", info.Name, err)
		}
	}
	if out == nil {
		out = &trend.Sketch{}
	}
	return out, nil
}
