package natsjs

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/earshot-dev/earshot/listen"
)

// EnsureStream creates the stream that holds the posts, or updates its
// configuration: subjects <prefix>.>, file storage (unless
// [WithMemoryStorage]), the duplicate window of [WithDuplicateWindow]. Run it
// once before publishing; running it again is harmless.
func EnsureStream(ctx context.Context, js jetstream.JetStream, opts ...Option) error {
	c, err := newConfig(opts)
	if err != nil {
		return err
	}
	cfg := jetstream.StreamConfig{
		Name:        c.stream,
		Description: "earshot posts",
		Subjects:    []string{c.subject + ".>"},
		Storage:     c.storage(),
		// Publishers send fast batches where the server supports them.
		AllowBatchPublish: true,
		Replicas:          c.replicas,
		Duplicates:        c.duplicates,
		Retention:         jetstream.LimitsPolicy,
	}
	_, err = js.CreateOrUpdateStream(ctx, cfg)
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		// A server older than 2.14 may refuse the setting; publishers
		// then acknowledge post by post.
		cfg.AllowBatchPublish = false
		if _, err2 := js.CreateOrUpdateStream(ctx, cfg); err2 == nil {
			err = nil
		}
	}
	if err != nil {
		return fmt.Errorf("natsjs: ensure stream %s: %w", c.stream, err)
	}
	return nil
}

// Subject returns the subject a post is published to:
// prefix.platform.partition, with the partition a hash of the post's key
// modulo partitions. Characters that subjects do not allow in a platform
// name ('.', '*', '>', spaces) are replaced by '_'.
func Subject(prefix string, partitions int, p *listen.Post) string {
	return prefix + "." + token(p.Platform) + "." + strconv.Itoa(Partition(p.Key(), partitions))
}

// Partition returns the partition of a post key: FNV-1a of the key modulo
// n. It is stable across processes and versions.
func Partition(key string, n int) int {
	if n <= 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(n))
}

// partition is Partition(platform+":"+id, n) without building the key.
func partition(platform, id string, n int) int {
	if n <= 1 {
		return 0
	}
	const offset, prime = 2166136261, 16777619
	h := uint32(offset)
	for i := 0; i < len(platform); i++ {
		h = (h ^ uint32(platform[i])) * prime
	}
	h = (h ^ ':') * prime
	for i := 0; i < len(id); i++ {
		h = (h ^ uint32(id[i])) * prime
	}
	return int(h % uint32(n))
}

func token(s string) string {
	if s == "" {
		return "_"
	}
	if validToken(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r == '.' || r == '*' || r == '>' || r == 0x7f {
			return '_'
		}
		return r
	}, s)
}

// MsgID returns the message ID a post is published with (header
// Nats-Msg-Id): its key, plus "#kind" for events other than a new post, so
// an edit is not dropped as a duplicate of the post it edits.
func MsgID(p *listen.Post) string {
	if p.Kind == listen.KindPost {
		return p.Key()
	}
	return p.Key() + "#" + p.Kind.String()
}
