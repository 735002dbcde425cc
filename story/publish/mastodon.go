package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/story"
)

// Mastodon publishes to a Mastodon-API server (Mastodon, GoToSocial,
// Akkoma...) with POST /api/v1/statuses. Each part carries a deterministic
// Idempotency-Key ("earshot/<thread>/<part>"), which Mastodon honours for
// an hour. Because GoToSocial ignores that header, after any unclear
// failure the publisher also reads the account's recent statuses
// (verify_credentials, then GET /api/v1/accounts/{id}/statuses) and takes
// a status with the same text, replying to the same parent, created since
// the first attempt, as proof that the part was posted.
//
// A Mastodon is safe for concurrent use; it publishes one thread at a time.
type Mastodon struct {
	eng       engine
	base      *url.URL
	token     httpx.Secret
	post, get *httpx.Client

	mu        sync.Mutex
	accountID string
	learned   story.MastodonRules // from Rules
	local     map[string]string   // URL of a post to answer -> its ID on this server
}

// NewMastodon returns a publisher for the account whose access token
// (scope write:statuses and read:accounts) is given, on the server at
// baseURL ("https://mastodon.social").
func NewMastodon(baseURL, token string, opts ...Option) (*Mastodon, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("publish: mastodon: invalid base URL %q", baseURL)
	}
	if token == "" {
		return nil, fmt.Errorf("publish: mastodon: empty token")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	m := &Mastodon{base: u, token: httpx.Secret(token)}
	m.post, m.get = cfg.clients("mastodon", httpx.ParseMastodon, m.token)
	m.eng = engine{cfg: cfg, p: mastodonPlatform{m}}
	return m, nil
}

// String describes the publisher without its token.
func (m *Mastodon) String() string { return "publish.Mastodon(" + m.base.String() + ")" }

// GoString is String, so that %#v shows no secret either.
func (m *Mastodon) GoString() string { return m.String() }

// Publish implements [story.Publisher]. Sent.ID is the status ID and
// Sent.URL its URL.
func (m *Mastodon) Publish(ctx context.Context, t story.Thread) ([]story.Sent, error) {
	return m.eng.publish(ctx, t)
}

type mastodonPlatform struct{ m *Mastodon }

func (p mastodonPlatform) name() string { return "mastodon" }
func (p mastodonPlatform) account() string {
	return p.m.base.Host + "-" + accountHash(p.m.base.String(), string(p.m.token))
}

func (p mastodonPlatform) check(part story.Part) error {
	if err := checkImages("mastodon", part, 4, 1500, 0); err != nil {
		return err
	}
	p.m.mu.Lock()
	r := p.m.learned
	p.m.mu.Unlock()
	if n := p.m.eng.cfg.maxChars; n > 0 {
		r.MaxCharacters = n
	}
	r.Spoiler = part.Spoiler
	return r.Check(part.Text)
}

func (p mastodonPlatform) newKey(t story.Thread, i int) string {
	return "earshot/" + t.ID + "/" + strconv.Itoa(i+1)
}

func (p mastodonPlatform) classify(err error) (outcome, time.Duration) {
	if errors.Is(err, errNoTarget) {
		return refused, 0
	}
	return classifyHTTP(err)
}

func (p mastodonPlatform) request(ctx context.Context, method, path string, q url.Values, body any) (*http.Request, error) {
	req, err := jsonRequest(ctx, method, p.m.base, path, q, body, p.m.token)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	return req, nil
}

type mastodonStatus struct {
	ID          string    `json:"id"`
	URL         string    `json:"url"`
	Content     string    `json:"content"`
	SpoilerText string    `json:"spoiler_text"`
	InReplyToID *string   `json:"in_reply_to_id"`
	CreatedAt   time.Time `json:"created_at"`
}

// localParent returns the ID of the post to reply to as this server
// knows it. A post found elsewhere (a listen.Post from another instance)
// has an ID of that instance; its URL is resolved with
// GET /api/v2/search?q=<url>&resolve=true.
func (p mastodonPlatform) localParent(ctx context.Context, t story.Thread, i int, parent story.Sent) (story.Sent, error) {
	if i > 0 || parent.URL == "" {
		return parent, nil
	}
	p.m.mu.Lock()
	id, ok := p.m.local[parent.URL]
	p.m.mu.Unlock()
	if ok {
		return story.Sent{ID: id, URL: parent.URL}, nil
	}
	q := url.Values{"q": {parent.URL}, "resolve": {"true"}, "type": {"statuses"}, "limit": {"1"}}
	req, err := p.request(ctx, http.MethodGet, "/api/v2/search", q, nil)
	if err != nil {
		return parent, err
	}
	resp, err := p.m.get.Do(ctx, req)
	if err != nil {
		return parent, fmt.Errorf("mastodon: resolve %s: %w", parent.URL, err)
	}
	var out struct {
		Statuses []mastodonStatus `json:"statuses"`
	}
	if err := json.Unmarshal(resp.Body, &out); err != nil {
		return parent, fmt.Errorf("mastodon: decode search: %w", err)
	}
	if len(out.Statuses) == 0 || out.Statuses[0].ID == "" {
		return parent, fmt.Errorf("%w: %s", errNoTarget, parent.URL)
	}
	p.m.mu.Lock()
	if p.m.local == nil {
		p.m.local = map[string]string{}
	}
	p.m.local[parent.URL] = out.Statuses[0].ID
	p.m.mu.Unlock()
	return story.Sent{ID: out.Statuses[0].ID, URL: parent.URL}, nil
}

func (p mastodonPlatform) post(ctx context.Context, t story.Thread, i int, rec *partRecord, _, parent story.Sent) (story.Sent, error) {
	part := t.Parts[i]
	parent, err := p.localParent(ctx, t, i, parent)
	if err != nil {
		return story.Sent{}, err
	}
	body := map[string]any{"status": part.Text, "visibility": p.m.eng.cfg.visibility}
	if parent.ID != "" {
		body["in_reply_to_id"] = parent.ID
	}
	if part.Spoiler != "" {
		body["spoiler_text"] = part.Spoiler
	}
	if t.Lang != "" {
		body["language"] = t.Lang
	}
	if len(part.Images) > 0 {
		if err := p.upload(ctx, part, rec); err != nil {
			return story.Sent{}, err
		}
		body["media_ids"] = rec.Media
	}
	req, err := p.request(ctx, http.MethodPost, "/api/v1/statuses", nil, body)
	if err != nil {
		return story.Sent{}, err
	}
	req.Header.Set("Idempotency-Key", rec.Key)
	resp, err := p.m.post.Do(ctx, req)
	if err != nil {
		return story.Sent{}, err
	}
	var st mastodonStatus
	if err := json.Unmarshal(resp.Body, &st); err != nil || st.ID == "" {
		return story.Sent{}, fmt.Errorf("mastodon: decode status: %v", err) // unclear: look it up
	}
	return story.Sent{ID: st.ID, URL: st.URL}, nil
}

func (p mastodonPlatform) accountIDOf(ctx context.Context) (string, error) {
	p.m.mu.Lock()
	id := p.m.accountID
	p.m.mu.Unlock()
	if id != "" {
		return id, nil
	}
	req, err := p.request(ctx, http.MethodGet, "/api/v1/accounts/verify_credentials", nil, nil)
	if err != nil {
		return "", err
	}
	resp, err := p.m.get.Do(ctx, req)
	if err != nil {
		return "", err
	}
	var acct struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(resp.Body, &acct); err != nil || acct.ID == "" {
		return "", fmt.Errorf("mastodon: decode account: %v", err)
	}
	p.m.mu.Lock()
	p.m.accountID = acct.ID
	p.m.mu.Unlock()
	return acct.ID, nil
}

func (p mastodonPlatform) find(ctx context.Context, t story.Thread, i int, rec *partRecord, parent story.Sent) (story.Sent, bool, error) {
	parent, err := p.localParent(ctx, t, i, parent)
	if err != nil {
		return story.Sent{}, false, err
	}
	id, err := p.accountIDOf(ctx)
	if err != nil {
		return story.Sent{}, false, err
	}
	q := url.Values{"limit": {"40"}, "exclude_reblogs": {"true"}}
	req, err := p.request(ctx, http.MethodGet, "/api/v1/accounts/"+url.PathEscape(id)+"/statuses", q, nil)
	if err != nil {
		return story.Sent{}, false, err
	}
	resp, err := p.m.get.Do(ctx, req)
	if err != nil {
		return story.Sent{}, false, err
	}
	var list []mastodonStatus
	if err := json.Unmarshal(resp.Body, &list); err != nil {
		return story.Sent{}, false, fmt.Errorf("mastodon: decode statuses: %w", err)
	}
	part := t.Parts[i]
	want := squash(remoteMentionRe.ReplaceAllString(part.Text, "$1"))
	since := rec.Since.Add(-5 * time.Minute) // server clocks differ
	for _, st := range list {
		reply := ""
		if st.InReplyToID != nil {
			reply = *st.InReplyToID
		}
		if reply != parent.ID || st.CreatedAt.Before(since) || st.SpoilerText != part.Spoiler {
			continue
		}
		if squash(remoteMentionRe.ReplaceAllString(htmlText(st.Content), "$1")) == want {
			return story.Sent{ID: st.ID, URL: st.URL}, true, nil
		}
	}
	return story.Sent{}, false, nil
}

var (
	tagRe = regexp.MustCompile(`<[^>]*>`)
	// remoteMentionRe: Mastodon shows @user@host as @user in content.
	remoteMentionRe = regexp.MustCompile(`(@[\p{L}\p{N}_][\p{L}\p{N}_.-]*)@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+`)
)

// htmlText turns a status's HTML content into text: tags dropped (links
// keep their full text, which Mastodon splits into invisible spans),
// entities decoded.
func htmlText(s string) string {
	s = strings.NewReplacer("<br>", "\n", "<br/>", "\n", "<br />", "\n", "</p><p>", "\n\n").Replace(s)
	return html.UnescapeString(tagRe.ReplaceAllString(s, ""))
}

// squash removes all whitespace, for comparing texts whose line breaks a
// server may have rewritten.
func squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// upload sends the part's images with their alt text (POST /api/v2/media)
// once; the IDs are kept in the journal record for retries. A repeated
// upload after a crash only leaves an unattached file the server deletes.
func (p mastodonPlatform) upload(ctx context.Context, part story.Part, rec *partRecord) error {
	for i := len(rec.Media); i < len(part.Images); i++ {
		im := part.Images[i]
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="image%d"`, i+1))
		h.Set("Content-Type", im.MIME)
		fw, _ := mw.CreatePart(h)
		fw.Write(im.Data)
		mw.WriteField("description", im.Alt)
		mw.Close()
		u := *p.m.base
		u.Path += "/api/v2/media"
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(buf.Bytes()))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+string(p.m.token))
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := p.m.get.Do(ctx, req) // retried: a duplicate upload is harmless
		if err != nil {
			return fmt.Errorf("mastodon: upload image %d: %w", i+1, err)
		}
		var m struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(resp.Body, &m); err != nil || m.ID == "" {
			return fmt.Errorf("mastodon: decode media: %v", err)
		}
		rec.Media = append(rec.Media, m.ID)
	}
	return nil
}

// Rules reads the server's counting rules from GET /api/v2/instance
// (configuration.statuses.max_characters and characters_reserved_per_url),
// for [story.Split]. Unless [WithMaxCharacters] was given, the publisher
// then validates parts against the server's limit too. GoToSocial and
// forks that leave a field out get Mastodon's defaults for it. A server
// that cannot be reached is reported at once, without retries.
func (m *Mastodon) Rules(ctx context.Context) (story.MastodonRules, error) {
	p := mastodonPlatform{m}
	req, err := p.request(ctx, http.MethodGet, "/api/v2/instance", nil, nil)
	if err != nil {
		return story.MastodonRules{}, err
	}
	pctx, probe, done := withProbe(ctx)
	resp, err := m.get.Do(pctx, req)
	done()
	if err != nil {
		if nc := probe.unsent(); nc != nil && ctx.Err() == nil {
			err = nc // a server that cannot be reached is not retried
		}
		return story.MastodonRules{}, fmt.Errorf("publish: mastodon: instance: %w", err)
	}
	var inst struct {
		Configuration struct {
			Statuses struct {
				MaxCharacters            int `json:"max_characters"`
				CharactersReservedPerURL int `json:"characters_reserved_per_url"`
			} `json:"statuses"`
		} `json:"configuration"`
	}
	if err := json.Unmarshal(resp.Body, &inst); err != nil {
		return story.MastodonRules{}, fmt.Errorf("publish: mastodon: decode instance: %w", err)
	}
	r := story.MastodonRules{MaxCharacters: inst.Configuration.Statuses.MaxCharacters, URLLength: inst.Configuration.Statuses.CharactersReservedPerURL}
	m.mu.Lock()
	if m.eng.cfg.maxChars == 0 {
		m.learned = r
	}
	m.mu.Unlock()
	return r, nil
}
