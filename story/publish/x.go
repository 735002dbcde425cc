package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/story"
)

// X publishes with POST /2/tweets using a user-context token (OAuth 2.0
// with tweet.write, tweet.read and users.read). X has no idempotency key:
// after an unclear failure, and when X answers 403 "duplicate content",
// the publisher reads the user's recent posts (GET /2/users/me once, then
// GET /2/users/{id}/tweets) and takes a post with the same text (links
// compared without their t.co rewriting) replying to the same parent as
// proof. A 403 duplicate that the look-up does not confirm is reported,
// never taken as success.
//
// An X is safe for concurrent use; it publishes one thread at a time.
type X struct {
	eng       engine
	base      *url.URL
	token     httpx.Secret
	post, get *httpx.Client

	mu     sync.Mutex
	userID string
}

// NewX returns a publisher for the user whose token is given, on the API
// at baseURL ("https://api.x.com").
func NewX(baseURL, token string, opts ...Option) (*X, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("publish: x: invalid base URL %q", baseURL)
	}
	if token == "" {
		return nil, errors.New("publish: x: empty token")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	x := &X{base: u, token: httpx.Secret(token)}
	x.post, x.get = cfg.clients("x", httpx.ParseX, x.token)
	// X asks for at least 60 s after a 429 and 5 s after a server error.
	x.post.Retry.MinRateLimitWait = time.Minute
	x.get.Retry.MinRateLimitWait, x.get.Retry.MinServerWait = time.Minute, 5*time.Second
	x.eng = engine{cfg: cfg, p: xPlatform{x}}
	return x, nil
}

// String describes the publisher without its token.
func (x *X) String() string { return "publish.X(" + x.base.String() + ")" }

// GoString is String, so that %#v shows no secret either.
func (x *X) GoString() string { return x.String() }

// Publish implements [story.Publisher]. Sent.ID is the post ID.
func (x *X) Publish(ctx context.Context, t story.Thread) ([]story.Sent, error) {
	return x.eng.publish(ctx, t)
}

type xPlatform struct{ x *X }

func (p xPlatform) name() string    { return "x" }
func (p xPlatform) account() string { return accountHash(p.x.base.String(), string(p.x.token)) }

func (p xPlatform) check(part story.Part) error {
	if err := noImages("x", part); err != nil {
		return err
	}
	if part.Spoiler != "" {
		return errors.New("publish: x: content warnings are not supported")
	}
	return story.XRules{}.Check(part.Text)
}

func (p xPlatform) newKey(story.Thread, int) string { return "" }

func (p xPlatform) classify(err error) (outcome, time.Duration) {
	if isDuplicate(err) {
		// Maybe posted by an attempt whose answer was lost, maybe an old
		// post with the same text: look once, and never resend blindly.
		return settled, 0
	}
	kind, wait := classifyHTTP(err)
	var he *listen.HTTPError
	if kind == unclear && errors.As(err, &he) && wait < 5*time.Second {
		wait = 5 * time.Second // X asks for at least 5 s after a server error
	}
	return kind, wait
}

func isDuplicate(err error) bool {
	var he *listen.HTTPError
	return errors.As(err, &he) && he.StatusCode == 403 && strings.Contains(strings.ToLower(he.Message), "duplicate")
}

func (p xPlatform) do(ctx context.Context, c *httpx.Client, method, path string, q url.Values, body any) (*httpx.Response, error) {
	req, err := jsonRequest(ctx, method, p.x.base, path, q, body, p.x.token)
	if err != nil {
		return nil, err
	}
	return c.Do(ctx, req)
}

func (p xPlatform) post(ctx context.Context, t story.Thread, i int, _ *partRecord, _, parent story.Sent) (story.Sent, error) {
	body := map[string]any{"text": t.Parts[i].Text}
	if parent.ID != "" {
		body["reply"] = map[string]string{"in_reply_to_tweet_id": parent.ID}
	}
	resp, err := p.do(ctx, p.x.post, http.MethodPost, "/2/tweets", nil, body)
	if err != nil {
		return story.Sent{}, err
	}
	var r struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(resp.Body, &r); err != nil || r.Data.ID == "" {
		return story.Sent{}, fmt.Errorf("x: decode post: %v", err)
	}
	return story.Sent{ID: r.Data.ID}, nil
}

func (p xPlatform) me(ctx context.Context) (string, error) {
	p.x.mu.Lock()
	id := p.x.userID
	p.x.mu.Unlock()
	if id != "" {
		return id, nil
	}
	resp, err := p.do(ctx, p.x.get, http.MethodGet, "/2/users/me", nil, nil)
	if err != nil {
		return "", err
	}
	var r struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(resp.Body, &r); err != nil || r.Data.ID == "" {
		return "", fmt.Errorf("x: decode user: %v", err)
	}
	p.x.mu.Lock()
	p.x.userID = r.Data.ID
	p.x.mu.Unlock()
	return r.Data.ID, nil
}

type xTweet struct {
	ID         string    `json:"id"`
	Text       string    `json:"text"`
	CreatedAt  time.Time `json:"created_at"`
	References []struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"referenced_tweets"`
}

func (p xPlatform) find(ctx context.Context, t story.Thread, i int, rec *partRecord, parent story.Sent) (story.Sent, bool, error) {
	id, err := p.me(ctx)
	if err != nil {
		return story.Sent{}, false, err
	}
	q := url.Values{"max_results": {"20"}, "tweet.fields": {"created_at,referenced_tweets"}}
	resp, err := p.do(ctx, p.x.get, http.MethodGet, "/2/users/"+url.PathEscape(id)+"/tweets", q, nil)
	if err != nil {
		return story.Sent{}, false, err
	}
	var r struct {
		Data []xTweet `json:"data"`
	}
	if err := json.Unmarshal(resp.Body, &r); err != nil {
		return story.Sent{}, false, fmt.Errorf("x: decode tweets: %w", err)
	}
	want := xComparable(t.Parts[i].Text)
	since := rec.Since.Add(-5 * time.Minute)
	for _, tw := range r.Data {
		replyTo := ""
		for _, ref := range tw.References {
			if ref.Type == "replied_to" {
				replyTo = ref.ID
			}
		}
		if replyTo != parent.ID || (!tw.CreatedAt.IsZero() && tw.CreatedAt.Before(since)) {
			continue
		}
		if xComparable(tw.Text) == want {
			return story.Sent{ID: tw.ID}, true, nil
		}
	}
	return story.Sent{}, false, nil
}

var xURLRe = regexp.MustCompile(`https?://\S+`)

// xComparable drops links (X rewrites them to t.co), HTML entities and
// whitespace, so a posted text compares equal to what was sent.
func xComparable(s string) string {
	return squash(xURLRe.ReplaceAllString(html.UnescapeString(s), ""))
}
