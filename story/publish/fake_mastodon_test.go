package publish_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/earshot-dev/earshot/story"
)

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
		return ulid(time.Now(), uint64(f.next))
	}
	return strconv.FormatInt(109348677773283600+int64(f.next), 10)
}

// ulid returns a GoToSocial status ID: a 26-character ULID, 48 bits of
// milliseconds and 80 bits of entropy (here a counter) in Crockford's
// base32, ordered by time (§12).
func ulid(at time.Time, n uint64) string {
	const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	var b [26]byte
	ms := uint64(at.UnixMilli())
	for i := 9; i >= 0; i-- {
		b[i] = crockford[ms&31]
		ms >>= 5
	}
	for i := 25; i >= 10; i-- {
		b[i] = crockford[n&31]
		n >>= 5
	}
	return string(b[:])
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
		if (story.BlueskyRules{}).Count(desc) > 1500 {
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
			msg := "Too many requests"
			if f.GoToSocial {
				msg = "rate limit reached"
			}
			writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": msg})
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
		if n := (story.MastodonRules{MaxCharacters: max, Spoiler: body.Spoiler}).Count(body.Status); n > max {
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

func (f *fakeMastodon) postCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.Posts
}
