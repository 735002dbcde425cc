package publish_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/earshot-dev/earshot/story"
)

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
	case "com.atproto.repo.putRecord":
		// Not used by the publisher; as the reference PDS answers (§12).
		var body struct {
			Repo, Collection, Rkey string
			Record                 map[string]any
			SwapRecord             *string `json:"swapRecord"`
		}
		raw, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(raw, &body); err != nil || body.Repo != f.DID {
			xrpcErr(w, 400, "InvalidRequest", "Invalid repo")
			return
		}
		var fields map[string]json.RawMessage
		json.Unmarshal(raw, &fields)
		swapNull := string(fields["swapRecord"]) == "null"
		for i, rec := range f.Records {
			if rec.Rkey == body.Rkey {
				if swapNull || (body.SwapRecord != nil && *body.SwapRecord != rec.CID) {
					xrpcErr(w, 400, "InvalidSwap", "Record was at "+rec.CID)
					return
				}
				f.Records[i].Record = body.Record
				writeJSON(w, 200, map[string]any{"uri": f.uri(rec.Rkey), "cid": rec.CID, "validationStatus": "valid"})
				return
			}
		}
		rec := bskyRecord{Rkey: body.Rkey, CID: "bafyreiput" + body.Rkey, Record: body.Record}
		f.Records = append(f.Records, rec)
		writeJSON(w, 200, map[string]any{"uri": f.uri(rec.Rkey), "cid": rec.CID, "validationStatus": "valid"})
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
	if n := (story.BlueskyRules{}).Count(text); n > 300 {
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
	if langs, _ := rec["langs"].([]any); len(langs) > 3 {
		return "Record/langs must not have more than 3 elements"
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
		features, _ := fa.(map[string]any)["features"].([]any)
		for _, ft := range features {
			m, _ := ft.(map[string]any)
			switch m["$type"] {
			case "app.bsky.richtext.facet#mention":
				if did, _ := m["did"].(string); !strings.HasPrefix(did, "did:") {
					return "Record/facets/0/features/0/did must be a valid did"
				}
			case "app.bsky.richtext.facet#link":
				if u, err := url.Parse(fmt.Sprint(m["uri"])); err != nil || u.Scheme == "" {
					return "Record/facets/0/features/0/uri must be a valid uri"
				}
			case "app.bsky.richtext.facet#tag":
				if tag, _ := m["tag"].(string); (story.BlueskyRules{}).Count(tag) > 64 {
					return "Record/facets/0/features/0/tag must not be longer than 64 graphemes"
				}
			}
		}
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

func (f *fakeBluesky) postCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.Posts
}
