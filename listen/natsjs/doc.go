// Package natsjs scales an earshot pipeline out over NATS JetStream. It is a
// separate Go module, so the core module keeps its small dependency list.
//
// Pollers (one per platform query, see [Leases]) publish posts with a
// [Publisher]; any number of workers read them with a [Source], which is a
// [listen.Source]: the host's loop stays the same, only src changes.
//
//	pub, _ := natsjs.NewPublisher(js)
//	n, err := pub.PublishAll(ctx, mastodonSource) // in the poller
//
//	src, _ := natsjs.New(js, "workers")        // in each worker
//	for p, err := range src.Posts(ctx) { ... } // the usual loop
//
// # Subjects and duplicates
//
// [EnsureStream] creates the stream (file storage by default). A post goes
// to <prefix>.<platform>.<partition> (see [Subject]), the partition a hash
// of its key, so consumers can split the work by subject filter. Each
// message carries the post's [MsgID] (its key) as Nats-Msg-Id: the server
// drops a post published again within the duplicate window, so two
// pollers that overlap never double a post. The stream allows fast batch
// publishing, which a [Publisher] uses to have many posts confirmed at
// once.
//
// # Wire format
//
// A message body is one post in a compact binary format ([AppendPost],
// [DecodePost]); encoding and decoding a post costs about a fifteenth of
// what JSON does (BenchmarkCodec). All integers are varints as in
// [encoding/binary]: "uvarint" is unsigned, "varint" zigzag-signed. In
// order:
//
//	0xE1                  format v1 (JSON never starts with it)
//	kind                  one byte, [listen.Kind]
//	flags                 one byte: 1 = Created is set, 2 = Author.Bot,
//	                      4 = LangDetected; other bits are 0 (readers
//	                      before bits 2 and 4 refuse posts that set them)
//	11 strings            Platform, ID, URL, Author.ID, Author.Handle,
//	                      Author.Name, Text, Lang, ReplyTo, Thread, Subject;
//	                      each a uvarint length and the bytes as they are
//	created (if flag 1)   varint Unix seconds, uvarint nanoseconds (< 1e9),
//	                      varint zone offset in seconds (0 decodes as UTC)
//	3 lists               Tags, Mentions, Links; each a uvarint count and
//	                      that many strings (an empty list decodes as nil)
//	5 varints             Author.Followers, Likes, Reposts, Replies, Quotes
//
// Nothing may follow. A body that starts with '{' is read as the JSON of
// [listen.Post], which earlier versions published, so their streams stay
// readable. Anything else is a [*DecodeError] ([ErrCorrupt]); a Source
// terminates such a message instead of delivering it. The post's key is
// also in the Nats-Msg-Id header; no other header is set.
//
// # Delivery
//
// A [Source] reads a durable pull consumer in bounded batches
// ([WithBatch], [WithMaxWait]) and acknowledges each post after the loop
// body has returned normally for it: at least once from end to end. Posts a worker
// had not finished when it died are delivered again to another worker
// after the ack wait ([WithAckWait], [WithMaxDeliver], [WithBackoff]).
// Exactly once is approached with the publish dedupe, a bounded seen-set
// per Source, and a guard bucket for posts whose ack may have been lost
// with a connection; see [Source] for the remaining window.
//
// A [Group] is the cheaper way (a Source takes 1.1-1.2 times its CPU per
// post, BENCHMARKS.md): the workers share the stream's partitions, each
// partition read in order by one worker at a time under a lease, which
// records how far it has got every [WithCommitEvery] posts instead of
// acknowledging each one. A worker that dies leaves at most twice that
// many posts per partition to be handled again by the worker that takes
// the partition over.
//
//	g, _ := natsjs.NewGroup(ctx, js, "workers", natsjs.WithPartitions(3))
//	err := g.Run(ctx, "worker-1", func(p int) bool { return p%3 == 1 },
//		func(ctx context.Context, r *natsjs.Reader) error {
//			for p, err := range r.Posts(ctx) { ... } // one loop per partition held
//		})
//
// # State
//
// [Cursors] is a [listen.CursorStore] in a key-value bucket. [Leases] make
// sure one worker at a time polls a source, with failover when it dies.
// [Snapshots] stores each worker's [trend.Sketch] and merges them
// ([trend.Sketch.Merge] is commutative and associative), so the cluster
// reports the trending keys one process would on the same posts.
//
// # Who owns what
//
// The host owns the NATS connection and the [jetstream.JetStream] handle:
// it creates them (with reconnect settings of its choice; we recommend
// nats.MaxReconnects(-1) and jetstream.WithPublishAsyncTimeout, so that
// puts to the object store cannot hang across a reconnect), and closes
// them; nothing here closes them. The host owns ctx: cancelling it ends a
// [Source.Posts] loop quietly, and [Leases.Run]'s work. Goroutines: a
// Source reads the answers to its pull requests in the loop's own
// goroutine, on an inbox subscription that lives as long as the Posts
// call, and runs one keep-alive goroutine per Posts call (it marks posts
// whose ack may be lost and tells the server a long loop body is still in
// progress); [Leases.Run] runs one renewing goroutine; a [Reader] reads in
// the loop's goroutine and runs one goroutine that commits its position
// (and, while a commit or consumer request waits for its answer, one that
// ends the wait if the connection drops);
// [Group.Run] runs one goroutine per partition, and under each the
// lease's. All of them have stopped when the call returns.
//
// What is committed follows [listen]: a Source acknowledges a post, and a
// Reader records it in its position, only when the loop body returns
// normally for it with ctx still live. A post whose body broke out of the
// loop, panicked, or ran while ctx ended is delivered again (a Source
// hands it back at once, a negative ack), so a host that cannot handle a
// post breaks out and loses nothing. Posts a Source received but did not
// yield when the loop ends are handed back too, which takes up to
// [WithMaxWait] while a fetch is still open.
//
// Transient failures (a server restart, a cut connection) are retried
// inside, with backoff, for up to [WithMaxRetryTime]; an error that
// reaches the caller is final. Nothing is logged unless [WithLogger] is
// given.
package natsjs
