package publish_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/earshot-dev/earshot/story"
)

// The fakes below speak the wire formats of wire-formats.md §1.6, §2.4-2.6,
// §6.4-6.5 and §12: payload shapes, status codes, error bodies and
// rate-limit headers as the real servers send them.

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func bearer(r *http.Request) string {
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

// ---------------------------------------------------------------- Mastodon

type mastoStatus struct {
	ID        string
	Text      string
	Spoiler   string
	ReplyTo   string
	CreatedAt time.Time
	Key       string
	MediaIDs  []string
}

type fakeMastodon struct {
	mu          sync.Mutex
	GoToSocial  bool // ignore Idempotency-Key, 400 instead of 422, ULID ids, 5,000 chars
	Token       string
	AccountID   string
	Statuses    []mastoStatus
	keys        map[string]string // Idempotency-Key -> status id
	next        int
	RateLimited int               // answer this many POSTs with 429 first
	Posts       int               // POST attempts that reached the handler
	Remote      map[string]string // URL of a post on another server -> its local ID
	Media       map[string]string // media ID -> description
	Uploads     int
}

func newFakeMastodon(gts bool) *fakeMastodon {
	return &fakeMastodon{GoToSocial: gts, Token: "masto-secret-token", AccountID: "109348677773283527", keys: map[string]string{}, next: 1}
}

func (f *fakeMastodon) newID() string {
	f.next++
	if f.GoToSocial {
		return fmt.Sprintf("01HQ%022d", f.next) // 26 characters, ULID-like
	}
	return strconv.FormatInt(109348677773283600+int64(f.next), 10)
}

func (f *fakeMastodon) fail(w http.ResponseWriter, msg string) {
	code := http.StatusUnprocessableEntity
	if f.GoToSocial {
		code = http.StatusBadRequest
	}
	writeJSON(w, code, map[string]string{"error": msg})
}

func (f *fakeMastodon) rateHeaders(w http.ResponseWriter, remaining int) {
	w.Header().Set("X-RateLimit-Limit", "300")
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	w.Header().Set("X-RateLimit-Reset", time.Now().Add(time.Minute).UTC().Format("2006-01-02T15:04:05.000000Z"))
}

var (
	fakeLinkRe    = regexp.MustCompile(`https?://\S+`)
	fakeMentionRe = regexp.MustCompile(`@([A-Za-z0-9_]+)@([A-Za-z0-9.-]+\.[A-Za-z]+)`)
)

// statusHTML renders text as Mastodon does: paragraphs, <br />, links split
// into invisible and ellipsis spans.
func statusHTML(text string) string {
	linkRe, mentionRe := fakeLinkRe, fakeMentionRe
	esc := func(s string) string {
		s = strings.ReplaceAll(html.EscapeString(s), "\n", "<br />")
		// Remote mentions show without their server, as on Mastodon.
		return mentionRe.ReplaceAllString(s, `<span class="h-card" translate="no"><a href="https://$2/@$1" class="u-url mention">@<span>$1</span></a></span>`)
	}
	var paras []string
	for _, p := range strings.Split(text, "\n\n") {
		var b strings.Builder
		last := 0
		for _, m := range linkRe.FindAllStringIndex(p, -1) {
			b.WriteString(esc(p[last:m[0]]))
			u := p[m[0]:m[1]]
			scheme, rest, _ := strings.Cut(u, "//")
			show, hidden := rest, ""
			if len(rest) > 30 {
				show, hidden = rest[:30], rest[30:]
			}
			fmt.Fprintf(&b, `<a href="%s" rel="nofollow noopener" target="_blank"><span class="invisible">%s//</span><span class="ellipsis">%s</span><span class="invisible">%s</span></a>`,
				html.EscapeString(u), scheme, html.EscapeString(show), html.EscapeString(hidden))
			last = m[1]
		}
		b.WriteString(esc(p[last:]))
		paras = append(paras, "<p>"+b.String()+"</p>")
	}
	return strings.Join(paras, "")
}

func (f *fakeMastodon) statusJSON(s mastoStatus) map[string]any {
	var reply any
	if s.ReplyTo != "" {
		reply = s.ReplyTo
	}
	return map[string]any{
		"id": s.ID, "created_at": s.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z"),
		"in_reply_to_id": reply, "sensitive": s.Spoiler != "", "spoiler_text": s.Spoiler,
		"visibility": "public", "uri": "https://fake.example/users/hens/statuses/" + s.ID,
		"url": "https://fake.example/@hens/" + s.ID, "content": statusHTML(s.Text),
		"account":           map[string]any{"id": f.AccountID, "username": "hens", "acct": "hens"},
		"media_attachments": f.attachments(s.MediaIDs),
	}
}

func (f *fakeMastodon) attachments(ids []string) []map[string]any {
	out := []map[string]any{}
	for _, id := range ids {
		out = append(out, map[string]any{"id": id, "type": "image", "description": f.Media[id]})
	}
	return out
}

func (f *fakeMastodon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if bearer(r) != f.Token {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "The access token is invalid"})
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/v2/search":
		out := map[string]any{"accounts": []any{}, "hashtags": []any{}, "statuses": []any{}}
		if id, ok := f.Remote[r.URL.Query().Get("q")]; ok && r.URL.Query().Get("resolve") == "true" {
			out["statuses"] = []any{f.statusJSON(mastoStatus{ID: id, Text: "a remote post", CreatedAt: time.Now()})}
		}
		writeJSON(w, 200, out)
	case r.Method == http.MethodGet && r.URL.Path == "/api/v2/instance":
		max := 500
		if f.GoToSocial {
			max = 5000
		}
		writeJSON(w, 200, map[string]any{"domain": "fake.example", "title": "Fake", "version": "4.3.0",
			"configuration": map[string]any{
				"urls":     map[string]string{"streaming": "wss://fake.example"},
				"statuses": map[string]int{"max_characters": max, "max_media_attachments": 4, "characters_reserved_per_url": 23},
			}})
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/accounts/verify_credentials":
		f.rateHeaders(w, 299)
		writeJSON(w, 200, map[string]any{"id": f.AccountID, "username": "hens", "acct": "hens"})
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/accounts/"+f.AccountID+"/statuses":
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		if limit <= 0 || limit > 40 {
			limit = 20
		}
		var out []map[string]any
		for i := len(f.Statuses) - 1; i >= 0 && len(out) < limit; i-- {
			out = append(out, f.statusJSON(f.Statuses[i]))
		}
		if out == nil {
			out = []map[string]any{}
		}
		f.rateHeaders(w, 299)
		writeJSON(w, 200, out)
	case r.Method == http.MethodPost && r.URL.Path == "/api/v2/media":
		f.Uploads++
		file, hdr, err := r.FormFile("file")
		if err != nil {
			f.fail(w, "Validation failed: File can't be blank")
			return
		}
		file.Close()
		desc := r.FormValue("description")
		if (story.Bluesky{}).Count(desc) > 1500 {
			f.fail(w, "Validation failed: Description is too long (maximum is 1500 characters)")
			return
		}
		if f.Media == nil {
			f.Media = map[string]string{}
		}
		id := f.newID()
		f.Media[id] = desc
		code, url := 200, any("https://fake.example/media/"+id)
		if f.Uploads%2 == 0 { // still processing: 202 and no URL yet
			code, url = 202, nil
		}
		writeJSON(w, code, map[string]any{"id": id, "type": "image", "url": url, "description": desc, "mime": hdr.Header.Get("Content-Type")})
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/statuses":
		f.Posts++
		if f.RateLimited > 0 {
			f.RateLimited--
			f.rateHeaders(w, 0)
			w.Header().Set("Retry-After", "3")
			writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "Too many requests"})
			return
		}
		var body struct {
			Status      string   `json:"status"`
			InReplyToID string   `json:"in_reply_to_id"`
			Spoiler     string   `json:"spoiler_text"`
			Visibility  string   `json:"visibility"`
			MediaIDs    []string `json:"media_ids"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			f.fail(w, "Validation failed: malformed JSON")
			return
		}
		key := r.Header.Get("Idempotency-Key")
		if id, ok := f.keys[key]; ok && key != "" && !f.GoToSocial {
			for _, s := range f.Statuses {
				if s.ID == id {
					writeJSON(w, 200, f.statusJSON(s))
					return
				}
			}
		}
		max := 500
		if f.GoToSocial {
			max = 5000
		}
		if strings.TrimSpace(body.Status) == "" {
			f.fail(w, "Validation failed: Text can't be blank")
			return
		}
		if n := (story.Mastodon{MaxCharacters: max, Spoiler: body.Spoiler}).Count(body.Status); n > max {
			f.fail(w, fmt.Sprintf("Validation failed: Text character limit of %d exceeded", max))
			return
		}
		if body.InReplyToID != "" && !f.has(body.InReplyToID) {
			writeJSON(w, 404, map[string]string{"error": "Record not found"})
			return
		}
		for _, m := range body.MediaIDs {
			if _, ok := f.Media[m]; !ok {
				f.fail(w, "Validation failed: Media attachments are invalid")
				return
			}
		}
		s := mastoStatus{ID: f.newID(), Text: body.Status, Spoiler: body.Spoiler, ReplyTo: body.InReplyToID, CreatedAt: time.Now(), Key: key, MediaIDs: body.MediaIDs}
		f.Statuses = append(f.Statuses, s)
		if key != "" {
			f.keys[key] = s.ID
		}
		f.rateHeaders(w, 298)
		writeJSON(w, 200, f.statusJSON(s))
	default:
		writeJSON(w, 404, map[string]string{"error": "Record not found"})
	}
}

func (f *fakeMastodon) has(id string) bool {
	for _, s := range f.Statuses {
		if s.ID == id {
			return true
		}
	}
	return false
}

// posted returns the server's posts as (text, id, parent id) in order.
func (f *fakeMastodon) posted() []fakePost {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakePost
	for _, s := range f.Statuses {
		out = append(out, fakePost{Text: s.Text, ID: s.ID, Parent: s.ReplyTo})
	}
	return out
}

type fakePost struct {
	Text, ID, Parent, Root string
}

// ---------------------------------------------------------------- Bluesky

type otherPost struct {
	CID, RootURI, RootCID string
}

type bskyRecord struct {
	Rkey   string
	CID    string
	Record map[string]any
}

type fakeBluesky struct {
	mu       sync.Mutex
	DID      string
	Handle   string
	Password string
	Handles  map[string]string
	Records  []bskyRecord
	access   map[string]bool // token -> still valid
	refresh  map[string]bool
	n        int
	Logins   int
	Refresh  int
	Expired  int // createRecord calls answered 400 ExpiredToken
	Posts    int
	Limited  int                  // answer this many createRecord calls with 429
	Others   map[string]otherPost // at:// URI -> someone else's post (AppView)
	Blobs    map[string]int       // CID -> size
	Uploads  int
}

func newFakeBluesky() *fakeBluesky {
	return &fakeBluesky{
		DID: "did:plc:u5cwb2mwiv2bfq53cjufe6yn", Handle: "hens.test", Password: "app-pass-word-1234",
		Handles: map[string]string{"alice.test": "did:plc:alice000000000000000000"},
		access:  map[string]bool{}, refresh: map[string]bool{},
	}
}

var tidRe = regexp.MustCompile(`^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$`)

func xrpcErr(w http.ResponseWriter, code int, name, msg string) {
	body := map[string]string{"error": name}
	if msg != "" {
		body["message"] = msg
	}
	writeJSON(w, code, body)
}

// ExpireAll makes every access token expired, as after a few hours.
func (f *fakeBluesky) ExpireAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k := range f.access {
		f.access[k] = false
	}
}

func (f *fakeBluesky) issue() map[string]any {
	f.n++
	a, r := fmt.Sprintf("eyJhY2Nlc3Mi.%d.sig", f.n), fmt.Sprintf("eyJyZWZyZXNoIg.%d.sig", f.n)
	f.access[a], f.refresh[r] = true, true
	return map[string]any{"did": f.DID, "handle": f.Handle, "accessJwt": a, "refreshJwt": r, "active": true}
}

func (f *fakeBluesky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("RateLimit-Limit", "3000")
	w.Header().Set("RateLimit-Remaining", "2999")
	w.Header().Set("RateLimit-Reset", strconv.FormatInt(time.Now().Add(5*time.Minute).Unix(), 10))
	w.Header().Set("RateLimit-Policy", "3000;w=300")
	nsid := strings.TrimPrefix(r.URL.Path, "/xrpc/")
	switch nsid {
	case "com.atproto.server.createSession":
		var body struct{ Identifier, Password string }
		json.NewDecoder(r.Body).Decode(&body)
		if body.Identifier != f.Handle || body.Password != f.Password {
			xrpcErr(w, 401, "AuthenticationRequired", "Invalid identifier or password")
			return
		}
		f.Logins++
		writeJSON(w, 200, f.issue())
		return
	case "com.atproto.server.refreshSession":
		tok := bearer(r)
		if !f.refresh[tok] {
			xrpcErr(w, 400, "ExpiredToken", "Token has been revoked")
			return
		}
		f.refresh[tok] = false // rotation
		f.Refresh++
		writeJSON(w, 200, f.issue())
		return
	case "com.atproto.identity.resolveHandle":
		if did, ok := f.Handles[r.URL.Query().Get("handle")]; ok {
			writeJSON(w, 200, map[string]string{"did": did})
			return
		}
		xrpcErr(w, 400, "InvalidRequest", "Unable to resolve handle")
		return
	}
	valid, known := f.access[bearer(r)]
	if !known {
		xrpcErr(w, 400, "InvalidToken", "Token could not be verified")
		return
	}
	if !valid {
		if nsid == "com.atproto.repo.createRecord" {
			f.Expired++
		}
		xrpcErr(w, 400, "ExpiredToken", "Token has expired")
		return
	}
	switch nsid {
	case "app.bsky.feed.getPosts":
		posts := []map[string]any{}
		for _, uri := range r.URL.Query()["uris"] {
			o, ok := f.Others[uri]
			if !ok {
				continue // unknown or deleted posts are left out
			}
			rec := map[string]any{"$type": "app.bsky.feed.post", "text": "a post", "createdAt": "2026-11-22T09:00:00.000Z"}
			if o.RootURI != "" {
				rec["reply"] = map[string]any{"root": map[string]string{"uri": o.RootURI, "cid": o.RootCID}, "parent": map[string]string{"uri": o.RootURI, "cid": o.RootCID}}
			}
			posts = append(posts, map[string]any{"uri": uri, "cid": o.CID, "author": map[string]string{"did": "did:plc:bob", "handle": "bob.test"}, "record": rec, "indexedAt": "2026-11-22T09:00:01.000Z"})
		}
		writeJSON(w, 200, map[string]any{"posts": posts})
	case "com.atproto.repo.uploadBlob":
		f.Uploads++
		data, _ := io.ReadAll(r.Body)
		if len(data) > 1000000 {
			xrpcErr(w, 400, "BlobTooLarge", "This file is too large")
			return
		}
		sum := sha256.Sum256(data)
		cid := "bafkrei" + hex.EncodeToString(sum[:12])
		if f.Blobs == nil {
			f.Blobs = map[string]int{}
		}
		f.Blobs[cid] = len(data)
		writeJSON(w, 200, map[string]any{"blob": map[string]any{"$type": "blob", "ref": map[string]string{"$link": cid}, "mimeType": r.Header.Get("Content-Type"), "size": len(data)}})
	case "com.atproto.repo.createRecord":
		f.Posts++
		if f.Limited > 0 {
			f.Limited--
			w.Header().Set("RateLimit-Remaining", "0")
			w.Header().Set("RateLimit-Reset", strconv.FormatInt(time.Now().Add(2*time.Second).Unix(), 10))
			xrpcErr(w, 429, "RateLimitExceeded", "Rate Limit Exceeded")
			return
		}
		var body struct {
			Repo, Collection, Rkey string
			Record                 map[string]any
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			xrpcErr(w, 400, "InvalidRequest", "Invalid JSON")
			return
		}
		if body.Repo != f.DID || body.Collection != "app.bsky.feed.post" {
			xrpcErr(w, 400, "InvalidRequest", "Invalid repo or collection")
			return
		}
		if !tidRe.MatchString(body.Rkey) {
			xrpcErr(w, 400, "InvalidRequest", "Invalid record key")
			return
		}
		if msg := validatePost(body.Record); msg != "" {
			xrpcErr(w, 400, "InvalidRequest", "Invalid app.bsky.feed.post record: "+msg)
			return
		}
		if msg := f.validateEmbed(body.Record); msg != "" {
			xrpcErr(w, 400, "InvalidRequest", "Invalid app.bsky.feed.post record: "+msg)
			return
		}
		for _, rec := range f.Records {
			if rec.Rkey == body.Rkey {
				// The reference PDS: a bare 500 for a duplicate key (§12).
				xrpcErr(w, 500, "InternalServerError", "Internal Server Error")
				return
			}
		}
		b, _ := json.Marshal(body.Record)
		sum := sha256.Sum256(b)
		rec := bskyRecord{Rkey: body.Rkey, CID: "bafyrei" + hex.EncodeToString(sum[:12]), Record: body.Record}
		f.Records = append(f.Records, rec)
		writeJSON(w, 200, map[string]any{"uri": f.uri(rec.Rkey), "cid": rec.CID,
			"commit": map[string]string{"cid": "bafyreicommit", "rev": "3k4duaz5vfs2b"}, "validationStatus": "valid"})
	case "com.atproto.repo.getRecord":
		q := r.URL.Query()
		if q.Get("repo") != f.DID || q.Get("collection") != "app.bsky.feed.post" {
			xrpcErr(w, 400, "InvalidRequest", "Could not find repo")
			return
		}
		for _, rec := range f.Records {
			if rec.Rkey == q.Get("rkey") {
				writeJSON(w, 200, map[string]any{"uri": f.uri(rec.Rkey), "cid": rec.CID, "value": rec.Record})
				return
			}
		}
		xrpcErr(w, 400, "RecordNotFound", "Could not locate record: "+f.uri(q.Get("rkey")))
	default:
		xrpcErr(w, 501, "MethodNotImplemented", "Method Not Implemented")
	}
}

func (f *fakeBluesky) validateEmbed(rec map[string]any) string {
	embed, ok := rec["embed"].(map[string]any)
	if !ok {
		return ""
	}
	if embed["$type"] != "app.bsky.embed.images" {
		return "Record/embed has an unknown type"
	}
	imgs, _ := embed["images"].([]any)
	if len(imgs) == 0 || len(imgs) > 4 {
		return "Record/embed/images must have between 1 and 4 items"
	}
	for _, im := range imgs {
		m := im.(map[string]any)
		if _, ok := m["alt"].(string); !ok {
			return `Record/embed/images/0 must have the property "alt"`
		}
		blob, _ := m["image"].(map[string]any)
		ref, _ := blob["ref"].(map[string]any)
		link, _ := ref["$link"].(string)
		if _, ok := f.Blobs[link]; !ok {
			return "Could not find blob: " + link
		}
	}
	return ""
}

func (f *fakeBluesky) uri(rkey string) string {
	return "at://" + f.DID + "/app.bsky.feed.post/" + rkey
}

// validatePost checks what the reference PDS checks (§12), and the facet
// rules the PDS does not check but clients must keep.
func validatePost(rec map[string]any) string {
	text, _ := rec["text"].(string)
	if n := (story.Bluesky{}).Count(text); n > 300 {
		return "Record/text must not be longer than 300 graphemes"
	}
	if len(text) > 3000 {
		return "Record/text must not be longer than 3000 characters"
	}
	if _, ok := rec["createdAt"].(string); !ok {
		return `Record must have the property "createdAt"`
	}
	if reply, ok := rec["reply"].(map[string]any); ok {
		if _, ok := reply["root"]; !ok {
			return `Record/reply must have the property "root"`
		}
	}
	facets, _ := rec["facets"].([]any)
	prevEnd := 0
	for _, fa := range facets {
		idx := fa.(map[string]any)["index"].(map[string]any)
		s, e := int(idx["byteStart"].(float64)), int(idx["byteEnd"].(float64))
		if s < 0 {
			return "Record/facets/0/index/byteStart must be greater than or equal to 0"
		}
		if e > len(text) || s < prevEnd || e <= s {
			return "facet out of range or overlapping" // stricter than the PDS
		}
		prevEnd = e
	}
	return ""
}

func (f *fakeBluesky) posted() []fakePost {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakePost
	for _, rec := range f.Records {
		p := fakePost{Text: rec.Record["text"].(string), ID: f.uri(rec.Rkey)}
		if reply, ok := rec.Record["reply"].(map[string]any); ok {
			p.Parent = reply["parent"].(map[string]any)["uri"].(string)
			p.Root = reply["root"].(map[string]any)["uri"].(string)
		}
		out = append(out, p)
	}
	return out
}

// ---------------------------------------------------------------- X

type xTweet struct {
	ID, Text, ReplyTo string
	CreatedAt         time.Time
}

type fakeX struct {
	mu      sync.Mutex
	Token   string
	UserID  string
	Tweets  []xTweet
	next    int64
	Posts   int
	Limited int // answer this many POSTs with 429
}

func newFakeX() *fakeX {
	return &fakeX{Token: "x-user-token-secret", UserID: "2244994945", next: 1445880548472328192}
}

var xLinkRe = regexp.MustCompile(`https?://\S+`)

func (f *fakeX) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("x-rate-limit-limit", "100")
	w.Header().Set("x-rate-limit-remaining", "99")
	w.Header().Set("x-rate-limit-reset", strconv.FormatInt(time.Now().Add(15*time.Minute).Unix(), 10))
	if bearer(r) != f.Token {
		writeJSON(w, 401, map[string]any{"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/2/users/me":
		writeJSON(w, 200, map[string]any{"data": map[string]string{"id": f.UserID, "name": "Hillside Eggs", "username": "hillside_eggs"}})
	case r.Method == http.MethodGet && r.URL.Path == "/2/users/"+f.UserID+"/tweets":
		max, _ := strconv.Atoi(r.URL.Query().Get("max_results"))
		if max < 5 || max > 100 {
			writeJSON(w, 400, map[string]any{"title": "Invalid Request", "detail": "max_results must be between 5 and 100", "type": "https://api.twitter.com/2/problems/invalid-request", "status": 400})
			return
		}
		var data []map[string]any
		for i := len(f.Tweets) - 1; i >= 0 && len(data) < max; i-- {
			t := f.Tweets[i]
			m := map[string]any{"id": t.ID, "text": f.rendered(t.Text), "edit_history_tweet_ids": []string{t.ID},
				"created_at": t.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z")}
			if t.ReplyTo != "" {
				m["referenced_tweets"] = []map[string]string{{"type": "replied_to", "id": t.ReplyTo}}
			}
			data = append(data, m)
		}
		if len(data) == 0 {
			writeJSON(w, 200, map[string]any{"meta": map[string]int{"result_count": 0}})
			return
		}
		writeJSON(w, 200, map[string]any{"data": data, "meta": map[string]any{"result_count": len(data), "newest_id": data[0]["id"], "oldest_id": data[len(data)-1]["id"]}})
	case r.Method == http.MethodPost && r.URL.Path == "/2/tweets":
		f.Posts++
		if f.Limited > 0 {
			f.Limited--
			w.Header().Set("x-rate-limit-remaining", "0")
			w.Header().Set("x-rate-limit-reset", strconv.FormatInt(time.Now().Add(90*time.Second).Unix(), 10))
			writeJSON(w, 429, map[string]any{"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429})
			return
		}
		var body struct {
			Text  string `json:"text"`
			Reply *struct {
				InReplyToTweetID string `json:"in_reply_to_tweet_id"`
			} `json:"reply"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeJSON(w, 400, map[string]any{"title": "Invalid Request", "detail": "malformed JSON", "type": "https://api.twitter.com/2/problems/invalid-request", "status": 400})
			return
		}
		if err := (story.X{}).Check(body.Text); err != nil {
			writeJSON(w, 400, map[string]any{"errors": []map[string]string{{"message": "text: too long"}}, "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.", "type": "https://api.twitter.com/2/problems/invalid-request", "status": 400})
			return
		}
		for _, t := range f.Tweets {
			if t.Text == body.Text {
				writeJSON(w, 403, map[string]any{"detail": "You are not allowed to create a Tweet with duplicate content.", "type": "about:blank", "title": "Forbidden", "status": 403})
				return
			}
		}
		t := xTweet{ID: strconv.FormatInt(f.next, 10), Text: body.Text, CreatedAt: time.Now()}
		f.next += 1000
		if body.Reply != nil {
			t.ReplyTo = body.Reply.InReplyToTweetID
		}
		f.Tweets = append(f.Tweets, t)
		writeJSON(w, 201, map[string]any{"data": map[string]any{"id": t.ID, "text": f.rendered(t.Text), "edit_history_tweet_ids": []string{t.ID}}})
	default:
		writeJSON(w, 404, map[string]any{"title": "Not Found Error", "type": "https://api.twitter.com/2/problems/resource-not-found", "status": 404})
	}
}

// rendered is the text as X returns it: links as t.co, & as &amp;.
func (f *fakeX) rendered(s string) string {
	s = strings.ReplaceAll(s, "&", "&amp;")
	return xLinkRe.ReplaceAllStringFunc(s, func(u string) string {
		sum := sha256.Sum256([]byte(u))
		return "https://t.co/" + hex.EncodeToString(sum[:5])
	})
}

func (f *fakeX) posted() []fakePost {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakePost
	for _, t := range f.Tweets {
		out = append(out, fakePost{Text: t.Text, ID: t.ID, Parent: t.ReplyTo})
	}
	return out
}

// checkThreads verifies the server's posts: each (thread, part) exactly
// once, each part replying to the previous one, root = part 1 where the
// platform has roots. Texts start with "T<thread> P<part> ".
func checkThreads(posts []fakePost, threads, parts int) (dups, lost int, chainErrs []string) {
	byKey := map[string][]fakePost{}
	for _, p := range posts {
		var th, pt int
		fmt.Sscanf(p.Text, "T%d P%d", &th, &pt)
		byKey[fmt.Sprint(th, "/", pt)] = append(byKey[fmt.Sprint(th, "/", pt)], p)
	}
	for th := 0; th < threads; th++ {
		var prev, root fakePost
		for pt := 1; pt <= parts; pt++ {
			got := byKey[fmt.Sprint(th, "/", pt)]
			switch {
			case len(got) == 0:
				lost++
				continue
			case len(got) > 1:
				dups += len(got) - 1
			}
			p := got[0]
			if pt == 1 {
				root = p
				if p.Parent != "" {
					chainErrs = append(chainErrs, fmt.Sprintf("T%d P1 has a parent", th))
				}
			} else {
				if p.Parent != prev.ID {
					chainErrs = append(chainErrs, fmt.Sprintf("T%d P%d parent %s, want %s", th, pt, p.Parent, prev.ID))
				}
				if p.Root != "" && p.Root != root.ID {
					chainErrs = append(chainErrs, fmt.Sprintf("T%d P%d root %s, want %s", th, pt, p.Root, root.ID))
				}
			}
			prev = p
		}
	}
	sort.Strings(chainErrs)
	return dups, lost, chainErrs
}
