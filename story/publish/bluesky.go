package publish

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/story"
)

// Bluesky publishes app.bsky.feed.post records with
// com.atproto.repo.createRecord on a PDS. It logs in once with an app
// password (createSession), keeps the session, and refreshes it
// (refreshSession) when a call answers 400 ExpiredToken. Each part's
// record key is a TID chosen and saved in the journal before the first
// attempt and reused on every retry, so the PDS cannot store the part
// twice; after an unclear failure the publisher asks getRecord whether the
// record exists (the reference PDS answers a duplicate key with a bare
// 500, so the status code proves nothing). Replies carry root = part 1 and
// parent = the previous part. Mentions are resolved with
// com.atproto.identity.resolveHandle; unresolved ones get no facet.
//
// A Bluesky is safe for concurrent use; it publishes one thread at a time.
type Bluesky struct {
	eng       engine
	base      *url.URL
	ident     string
	password  httpx.Secret
	post, get *httpx.Client

	mu      sync.Mutex
	did     string
	access  httpx.Secret
	refresh httpx.Secret
	logins  int

	refs map[string]postRef // at:// URI -> cid and thread root, from getPosts

	tidMu   sync.Mutex
	lastTID uint64
	clockID uint64
}

// NewBluesky returns a publisher that logs in to the PDS at pdsURL
// ("https://bsky.social") as identifier (handle or email) with an app
// password.
func NewBluesky(pdsURL, identifier, appPassword string, opts ...Option) (*Bluesky, error) {
	u, err := url.Parse(strings.TrimRight(pdsURL, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("publish: bluesky: invalid PDS URL %q", pdsURL)
	}
	if identifier == "" || appPassword == "" {
		return nil, errors.New("publish: bluesky: empty identifier or password")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	b := &Bluesky{base: u, ident: identifier, password: httpx.Secret(appPassword)}
	var rnd [2]byte
	rand.Read(rnd[:])
	b.clockID = uint64(binary.BigEndian.Uint16(rnd[:])) & 0x3FF
	b.eng = engine{cfg: cfg, p: blueskyPlatform{b}}
	b.post, b.get = cfg.clients("bluesky", httpx.ParseATProto, b.password)
	return b, nil
}

// String describes the publisher without its password or tokens.
func (b *Bluesky) String() string { return "publish.Bluesky(" + b.base.String() + ", " + b.ident + ")" }

// GoString is String, so that %#v shows no secret either.
func (b *Bluesky) GoString() string { return b.String() }

// Publish implements [story.Publisher]. Sent.ID is the at:// URI and
// Sent.CID the record's CID.
func (b *Bluesky) Publish(ctx context.Context, t story.Thread) ([]story.Sent, error) {
	return b.eng.publish(ctx, t)
}

const tidAlphabet = "234567abcdefghijklmnopqrstuvwxyz"

// newTID returns a fresh TID: 53 bits of microseconds since the epoch
// and a 10-bit clock ID, base32-sortable, strictly increasing.
func (b *Bluesky) newTID() string {
	b.tidMu.Lock()
	defer b.tidMu.Unlock()
	v := uint64(b.eng.cfg.now().UnixMicro())&(1<<53-1)<<10 | b.clockID
	if v <= b.lastTID {
		v = b.lastTID + 1<<10
	}
	b.lastTID = v
	var s [13]byte
	for i := 12; i >= 0; i-- {
		s[i] = tidAlphabet[v&31]
		v >>= 5
	}
	return string(s[:])
}

// errExpired marks a call refused with 400 ExpiredToken.
var errExpired = errors.New("bluesky: access token expired")

// errNoTarget: the post to answer does not exist (deleted, or a bad URI).
var errNoTarget = errors.New("the post to answer was not found")

type postRef struct {
	cid  string
	root story.Sent // zero when the post is not itself a reply
}

// lookupPost returns the CID and thread root of a post by its at:// URI,
// with app.bsky.feed.getPosts (the PDS proxies it to the AppView).
func (p blueskyPlatform) lookupPost(ctx context.Context, uri string) (postRef, error) {
	p.b.mu.Lock()
	r, ok := p.b.refs[uri]
	p.b.mu.Unlock()
	if ok {
		return r, nil
	}
	resp, err := p.call(ctx, p.b.get, http.MethodGet, "app.bsky.feed.getPosts", url.Values{"uris": {uri}}, nil)
	if err != nil {
		return postRef{}, err
	}
	var out struct {
		Posts []struct {
			URI    string `json:"uri"`
			CID    string `json:"cid"`
			Record struct {
				Reply *struct {
					Root strongRef `json:"root"`
				} `json:"reply"`
			} `json:"record"`
		} `json:"posts"`
	}
	if err := json.Unmarshal(resp.Body, &out); err != nil {
		return postRef{}, fmt.Errorf("bluesky: decode getPosts: %w", err)
	}
	if len(out.Posts) == 0 || out.Posts[0].CID == "" {
		return postRef{}, fmt.Errorf("%w: %s", errNoTarget, uri)
	}
	r = postRef{cid: out.Posts[0].CID}
	if rp := out.Posts[0].Record.Reply; rp != nil && rp.Root.URI != "" {
		r.root = story.Sent{ID: rp.Root.URI, CID: rp.Root.CID}
	}
	p.b.mu.Lock()
	if p.b.refs == nil {
		p.b.refs = map[string]postRef{}
	}
	p.b.refs[uri] = r
	p.b.mu.Unlock()
	return r, nil
}

// completeRefs fills in the CIDs an answer to someone else's post needs:
// a Thread from a listen.Post knows the post's URI but not its CID nor
// its thread's root.
func (p blueskyPlatform) completeRefs(ctx context.Context, t story.Thread, root, parent story.Sent) (story.Sent, story.Sent, error) {
	if parent.ID != "" && parent.CID == "" {
		r, err := p.lookupPost(ctx, parent.ID)
		if err != nil {
			return root, parent, err
		}
		parent.CID = r.cid
	}
	if root.ID != "" && root.CID == "" {
		r, err := p.lookupPost(ctx, root.ID)
		if err != nil {
			return root, parent, err
		}
		if t.ReplyRoot.ID == "" && root.ID == t.ReplyTo.ID && r.root.ID != "" {
			root = r.root // the answered post is a reply itself: use its root
		} else {
			root.CID = r.cid
		}
	}
	return root, parent, nil
}

type blueskyPlatform struct{ b *Bluesky }

func (p blueskyPlatform) name() string { return "bluesky" }
func (p blueskyPlatform) account() string {
	return p.b.base.Host + "-" + accountHash(p.b.base.String(), p.b.ident)
}

func (p blueskyPlatform) check(part story.Part) error {
	if err := checkImages("bluesky", part, 4, 2000, 1000000); err != nil {
		return err
	}
	return story.BlueskyRules{}.Check(p.text(part))
}

func (p blueskyPlatform) newKey(story.Thread, int) string { return p.b.newTID() }

func (p blueskyPlatform) classify(err error) (outcome, time.Duration) {
	if errors.Is(err, errExpired) {
		return again, 0 // not written; the session was refreshed
	}
	if errors.Is(err, errNoTarget) {
		return refused, 0
	}
	var he *listen.HTTPError
	if errors.As(err, &he) && he.StatusCode == 400 && strings.HasPrefix(he.Message, "InvalidToken") {
		return refused, 0
	}
	return classifyHTTP(err)
}

func (p blueskyPlatform) xrpc(ctx context.Context, c *httpx.Client, method, nsid string, q url.Values, body any, token httpx.Secret) (*httpx.Response, error) {
	req, err := jsonRequest(ctx, method, p.b.base, "/xrpc/"+nsid, q, body, token)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(ctx, req)
	var he *listen.HTTPError
	if errors.As(err, &he) && he.StatusCode == 400 && strings.HasPrefix(he.Message, "ExpiredToken") {
		return nil, fmt.Errorf("%w: %v", errExpired, err)
	}
	return resp, err
}

type session struct {
	DID        string `json:"did"`
	AccessJwt  string `json:"accessJwt"`
	RefreshJwt string `json:"refreshJwt"`
}

// session returns the cached session, logging in only when there is none.
func (p blueskyPlatform) session(ctx context.Context) (did string, access httpx.Secret, err error) {
	b := p.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.access != "" {
		return b.did, b.access, nil
	}
	resp, err := p.xrpc(ctx, b.get, http.MethodPost, "com.atproto.server.createSession", nil,
		map[string]string{"identifier": b.ident, "password": string(b.password)}, "")
	if err != nil {
		return "", "", fmt.Errorf("bluesky: login: %w", err)
	}
	b.logins++
	return b.keep(resp.Body)
}

func (b *Bluesky) keep(body []byte) (string, httpx.Secret, error) {
	var s session
	if err := json.Unmarshal(body, &s); err != nil || s.AccessJwt == "" || s.DID == "" {
		return "", "", errors.New("bluesky: malformed session")
	}
	b.did, b.access, b.refresh = s.DID, httpx.Secret(s.AccessJwt), httpx.Secret(s.RefreshJwt)
	b.post.Secrets = append(b.post.Secrets[:1], b.access, b.refresh)
	b.get.Secrets = append(b.get.Secrets[:1], b.access, b.refresh)
	return b.did, b.access, nil
}

// renew refreshes the session after ExpiredToken; if the refresh token is
// refused too, it logs in again.
func (p blueskyPlatform) renew(ctx context.Context, stale httpx.Secret) error {
	b := p.b
	b.mu.Lock()
	if b.access != stale { // another call renewed it already
		b.mu.Unlock()
		return nil
	}
	refresh := b.refresh
	resp, err := p.xrpc(ctx, b.get, http.MethodPost, "com.atproto.server.refreshSession", nil, nil, refresh)
	if err == nil {
		_, _, err = b.keep(resp.Body)
		b.mu.Unlock()
		return err
	}
	b.access = ""
	b.mu.Unlock()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	_, _, err = p.session(ctx)
	return err
}

// call runs an authenticated XRPC call, renewing the session once on
// ExpiredToken.
func (p blueskyPlatform) call(ctx context.Context, c *httpx.Client, method, nsid string, q url.Values, body any) (*httpx.Response, error) {
	for try := 0; ; try++ {
		_, tok, err := p.session(ctx)
		if err != nil {
			return nil, err
		}
		resp, err := p.xrpc(ctx, c, method, nsid, q, body, tok)
		if errors.Is(err, errExpired) && try == 0 {
			if rerr := p.renew(ctx, tok); rerr != nil {
				return nil, rerr
			}
			continue
		}
		return resp, err
	}
}

type strongRef struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

func (p blueskyPlatform) record(ctx context.Context, t story.Thread, i int, rec *partRecord, root, parent story.Sent) (map[string]any, error) {
	part := t.Parts[i]
	root, parent, err := p.completeRefs(ctx, t, root, parent)
	if err != nil {
		return nil, err
	}
	text := part.Text
	if part.Spoiler != "" {
		text = part.Spoiler + "\n\n" + text
	}
	dids := map[string]string{}
	for _, h := range story.Handles(text) {
		resp, err := p.call(ctx, p.b.get, http.MethodGet, "com.atproto.identity.resolveHandle", url.Values{"handle": {h}}, nil)
		if err != nil {
			var he *listen.HTTPError
			if errors.As(err, &he) && he.StatusCode == 400 {
				continue // unknown handle: no facet
			}
			return nil, err
		}
		var r struct {
			DID string `json:"did"`
		}
		if json.Unmarshal(resp.Body, &r) == nil && r.DID != "" {
			dids[h] = r.DID
		}
	}
	resolve := func(h string) (string, bool) { d, ok := dids[h]; return d, ok }
	var facets []story.Facet
	if n := p.b.eng.cfg.shorten; n > 0 {
		text, facets = story.ShortenLinks(text, n, resolve)
	} else {
		facets = story.Facets(text, resolve)
	}
	r := map[string]any{
		"$type":     "app.bsky.feed.post",
		"text":      text,
		"createdAt": createdAt(rec),
	}
	if len(facets) > 0 {
		r["facets"] = facets
	}
	if t.Lang != "" {
		r["langs"] = []string{t.Lang}
	}
	if len(part.Images) > 0 {
		if err := p.upload(ctx, part, rec); err != nil {
			return nil, err
		}
		var imgs []map[string]any
		for k, im := range part.Images {
			imgs = append(imgs, map[string]any{"alt": im.Alt, "image": rec.Blobs[k]})
		}
		r["embed"] = map[string]any{"$type": "app.bsky.embed.images", "images": imgs}
	}
	if parent.ID != "" {
		r["reply"] = map[string]strongRef{
			"root":   {URI: root.ID, CID: root.CID},
			"parent": {URI: parent.ID, CID: parent.CID},
		}
	}
	return r, nil
}

func (p blueskyPlatform) post(ctx context.Context, t story.Thread, i int, rec *partRecord, root, parent story.Sent) (story.Sent, error) {
	record, err := p.record(ctx, t, i, rec, root, parent)
	if err != nil {
		return story.Sent{}, err
	}
	did, _, err := p.session(ctx)
	if err != nil {
		return story.Sent{}, err
	}
	resp, err := p.call(ctx, p.b.post, http.MethodPost, "com.atproto.repo.createRecord", nil, map[string]any{
		"repo": did, "collection": "app.bsky.feed.post", "rkey": rec.Key, "record": record,
	})
	if err != nil {
		return story.Sent{}, err
	}
	var ref strongRef
	if err := json.Unmarshal(resp.Body, &ref); err != nil || ref.URI == "" {
		return story.Sent{}, fmt.Errorf("bluesky: decode createRecord: %v", err)
	}
	return story.Sent{ID: ref.URI, CID: ref.CID}, nil
}

func (p blueskyPlatform) find(ctx context.Context, t story.Thread, i int, rec *partRecord, _ story.Sent) (story.Sent, bool, error) {
	if rec.Key == "" {
		return story.Sent{}, false, nil // never sent
	}
	did, _, err := p.session(ctx)
	if err != nil {
		return story.Sent{}, false, err
	}
	resp, err := p.call(ctx, p.b.get, http.MethodGet, "com.atproto.repo.getRecord",
		url.Values{"repo": {did}, "collection": {"app.bsky.feed.post"}, "rkey": {rec.Key}}, nil)
	if err != nil {
		var he *listen.HTTPError
		if errors.As(err, &he) && (he.StatusCode == 400 || he.StatusCode == 404) && strings.Contains(he.Message, "RecordNotFound") {
			return story.Sent{}, false, nil
		}
		return story.Sent{}, false, err
	}
	var got struct {
		strongRef
		Value struct {
			Text      string `json:"text"`
			CreatedAt string `json:"createdAt"`
		} `json:"value"`
	}
	if err := json.Unmarshal(resp.Body, &got); err != nil || got.URI == "" {
		return story.Sent{}, false, fmt.Errorf("bluesky: decode getRecord: %v", err)
	}
	if got.Value.Text != p.text(t.Parts[i]) || got.Value.CreatedAt != createdAt(rec) {
		// The key is taken by another record (a TID collision): ours was
		// never created under it, since a create with a taken key fails.
		// Take a fresh key; the engine saves it before the next attempt.
		rec.Key = p.b.newTID()
		return story.Sent{}, false, nil
	}
	return story.Sent{ID: got.URI, CID: got.CID}, true, nil
}

// text is the record text for a part, as post writes it.
func (p blueskyPlatform) text(part story.Part) string {
	text := part.Text
	if part.Spoiler != "" {
		text = part.Spoiler + "\n\n" + text
	}
	if n := p.b.eng.cfg.shorten; n > 0 {
		text, _ = story.ShortenLinks(text, n, nil)
	}
	return text
}

func createdAt(rec *partRecord) string { return rec.Since.UTC().Format("2006-01-02T15:04:05.000Z") }

// upload sends the part's images with com.atproto.repo.uploadBlob once;
// the blob references are kept in the journal record for retries.
func (p blueskyPlatform) upload(ctx context.Context, part story.Part, rec *partRecord) error {
	for i := len(rec.Blobs); i < len(part.Images); i++ {
		im := part.Images[i]
		resp, err := p.callRaw(ctx, "com.atproto.repo.uploadBlob", im.MIME, im.Data)
		if err != nil {
			return fmt.Errorf("bluesky: upload image %d: %w", i+1, err)
		}
		var b struct {
			Blob json.RawMessage `json:"blob"`
		}
		if err := json.Unmarshal(resp.Body, &b); err != nil || len(b.Blob) == 0 {
			return fmt.Errorf("bluesky: decode blob: %v", err)
		}
		rec.Blobs = append(rec.Blobs, b.Blob)
	}
	return nil
}

// callRaw posts raw bytes to an XRPC procedure, renewing the session once
// on ExpiredToken.
func (p blueskyPlatform) callRaw(ctx context.Context, nsid, mime string, data []byte) (*httpx.Response, error) {
	for try := 0; ; try++ {
		_, tok, err := p.session(ctx)
		if err != nil {
			return nil, err
		}
		u := *p.b.base
		u.Path += "/xrpc/" + nsid
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", mime)
		req.Header.Set("Authorization", "Bearer "+string(tok))
		resp, err := p.b.get.Do(ctx, req)
		var he *listen.HTTPError
		if errors.As(err, &he) && he.StatusCode == 400 && strings.HasPrefix(he.Message, "ExpiredToken") && try == 0 {
			if rerr := p.renew(ctx, tok); rerr != nil {
				return nil, rerr
			}
			continue
		}
		return resp, err
	}
}
