package natsjs

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Defaults of the options.
const (
	DefaultStream        = "EARSHOT_POSTS"
	DefaultSubject       = "earshot.posts"
	DefaultPartitions    = 16
	DefaultDuplicates    = 2 * time.Minute
	DefaultMaxInFlight   = 4096
	DefaultBatch         = 256
	DefaultMaxWait       = 500 * time.Millisecond
	DefaultAckWait       = 30 * time.Second
	DefaultMaxDeliver    = -1 // unlimited
	DefaultMaxAckPending = 4096
	DefaultSeen          = 100_000
	DefaultMaxRetryTime  = 2 * time.Minute
	DefaultLeaseTTL      = 10 * time.Second
	DefaultCommitEvery   = 64
)

// Option configures [EnsureStream], [NewPublisher], [New] and [NewGroup]. Options
// only record values; the constructors validate them. Options that do not
// apply to a constructor are ignored by it.
type Option func(*config)

type config struct {
	stream       string
	subject      string
	partitions   int
	duplicates   time.Duration
	memory       bool
	replicas     int
	maxInFlight  int
	batch        int
	maxWait      time.Duration
	ackWait      time.Duration
	maxDeliver   int
	backoff      []time.Duration
	maxAckPend   int
	seen         int
	syncAck      bool
	maxRetryTime time.Duration
	leaseTTL     time.Duration
	commitEvery  int
	logger       *slog.Logger
}

// WithStream names the JetStream stream that holds the posts
// (default [DefaultStream]).
func WithStream(name string) Option { return func(c *config) { c.stream = name } }

// WithSubject sets the subject prefix (default [DefaultSubject]). A post
// is published to <prefix>.<platform>.<partition>.
func WithSubject(prefix string) Option { return func(c *config) { c.subject = prefix } }

// WithPartitions sets how many partitions per platform the subjects are cut
// into, by a hash of the post's key (default [DefaultPartitions]).
// Consumers may filter on a subset of them.
func WithPartitions(n int) Option { return func(c *config) { c.partitions = n } }

// WithDuplicateWindow sets the stream's duplicate window: a post published
// again within it (same Nats-Msg-Id) is dropped by the server (default
// [DefaultDuplicates]).
func WithDuplicateWindow(d time.Duration) Option { return func(c *config) { c.duplicates = d } }

// WithMemoryStorage keeps the stream in memory instead of on disk.
func WithMemoryStorage() Option { return func(c *config) { c.memory = true } }

// WithReplicas sets the stream's replica count in a cluster (default 1).
func WithReplicas(n int) Option { return func(c *config) { c.replicas = n } }

// WithMaxInFlight bounds the publishes a [Publisher] has sent but not yet
// seen acknowledged (default [DefaultMaxInFlight], at most 32768).
func WithMaxInFlight(n int) Option { return func(c *config) { c.maxInFlight = n } }

// WithBatch sets how many messages a [Source] fetches at once (default
// [DefaultBatch]).
func WithBatch(n int) Option { return func(c *config) { c.batch = n } }

// WithMaxWait sets how long one fetch waits for a full batch (default
// [DefaultMaxWait]). A [Source.Posts] loop that breaks or whose ctx is
// cancelled returns once the open fetch has ended, within this time.
func WithMaxWait(d time.Duration) Option { return func(c *config) { c.maxWait = d } }

// WithAckWait sets how long the server waits for the acknowledgement of a
// delivered post before it delivers it again, possibly to another worker
// (default [DefaultAckWait]). It bounds how long one loop body may take.
func WithAckWait(d time.Duration) Option { return func(c *config) { c.ackWait = d } }

// WithMaxDeliver bounds how often one post is delivered (default
// unlimited).
func WithMaxDeliver(n int) Option { return func(c *config) { c.maxDeliver = n } }

// WithBackoff sets the redelivery delays of the consumer, replacing AckWait
// for the first len(d) redeliveries (see JetStream's BackOff).
func WithBackoff(d ...time.Duration) Option {
	return func(c *config) { c.backoff = append([]time.Duration(nil), d...) }
}

// WithMaxAckPending bounds the posts delivered to all workers of a consumer
// and not yet acknowledged (default [DefaultMaxAckPending]).
func WithMaxAckPending(n int) Option { return func(c *config) { c.maxAckPend = n } }

// WithDedupeSize sets how many delivered keys a [Source] remembers to drop
// redeliveries of posts its host already handled (default [DefaultSeen]).
func WithDedupeSize(n int) Option { return func(c *config) { c.seen = n } }

// WithSyncAck makes a [Source] wait for the server to confirm each
// acknowledgement before it yields the next post. It is slower, and it
// narrows the window in which a worker that dies right after its loop body
// returned gets its post delivered again elsewhere.
func WithSyncAck() Option { return func(c *config) { c.syncAck = true } }

// WithMaxRetryTime bounds how long transient failures (a server restart, a
// lost connection) are retried before the error reaches the caller
// (default [DefaultMaxRetryTime]).
func WithMaxRetryTime(d time.Duration) Option { return func(c *config) { c.maxRetryTime = d } }

// WithLeaseTTL sets how long a [Group] worker's lease on a partition lasts
// without renewal (default [DefaultLeaseTTL], at least 1s): a partition
// whose worker died is taken over within about this time.
func WithLeaseTTL(d time.Duration) Option { return func(c *config) { c.leaseTTL = d } }

// WithCommitEvery sets after how many handled posts a [Reader] records its
// position in the group's cursor bucket (default [DefaultCommitEvery]); it
// also records it every second while posts come slowly and when its loop
// ends. It bounds how many posts are handled again when a worker dies.
func WithCommitEvery(n int) Option { return func(c *config) { c.commitEvery = n } }

// WithLogger logs retried failures; by default nothing is logged.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

func newConfig(opts []Option) (*config, error) {
	c := &config{
		stream: DefaultStream, subject: DefaultSubject, partitions: DefaultPartitions,
		duplicates: DefaultDuplicates, replicas: 1, maxInFlight: DefaultMaxInFlight,
		batch: DefaultBatch, maxWait: DefaultMaxWait, ackWait: DefaultAckWait,
		maxDeliver: DefaultMaxDeliver, maxAckPend: DefaultMaxAckPending, seen: DefaultSeen,
		maxRetryTime: DefaultMaxRetryTime, leaseTTL: DefaultLeaseTTL, commitEvery: DefaultCommitEvery,
	}
	for _, o := range opts {
		o(c)
	}
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf("natsjs: "+format, args...))
		}
	}
	check(c.stream != "" && validToken(c.stream), "invalid stream name %q", c.stream)
	check(c.subject != "" && validSubject(c.subject), "invalid subject prefix %q", c.subject)
	check(c.partitions > 0, "partitions must be positive, got %d", c.partitions)
	check(c.duplicates > 0, "duplicate window must be positive, got %v", c.duplicates)
	check(c.replicas > 0, "replicas must be positive, got %d", c.replicas)
	check(c.maxInFlight > 0, "max in flight must be positive, got %d", c.maxInFlight)
	check(c.batch > 0, "batch must be positive, got %d", c.batch)
	check(c.maxWait >= 10*time.Millisecond, "max wait must be at least 10ms, got %v", c.maxWait)
	check(c.ackWait > 0, "ack wait must be positive, got %v", c.ackWait)
	check(c.maxDeliver != 0, "max deliver must be positive or -1, got %d", c.maxDeliver)
	check(c.maxAckPend > 0, "max ack pending must be positive, got %d", c.maxAckPend)
	check(c.seen > 0, "seen must be positive, got %d", c.seen)
	check(c.maxRetryTime > 0, "max retry time must be positive, got %v", c.maxRetryTime)
	check(c.leaseTTL >= time.Second, "lease ttl must be at least 1s, got %v", c.leaseTTL)
	check(c.commitEvery > 0, "commit every must be positive, got %d", c.commitEvery)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

func (c *config) storage() jetstream.StorageType {
	if c.memory {
		return jetstream.MemoryStorage
	}
	return jetstream.FileStorage
}

func validToken(s string) bool {
	for _, r := range s {
		if r <= ' ' || r == '.' || r == '*' || r == '>' || r == 0x7f {
			return false
		}
	}
	return true
}

func validSubject(s string) bool {
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if i == start || !validToken(s[start:i]) {
				return false
			}
			start = i + 1
		}
	}
	return true
}
