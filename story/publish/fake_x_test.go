package publish_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/earshot-dev/earshot/story"
)

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
		if err := (story.XRules{}).Check(body.Text); err != nil {
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

func (f *fakeX) postCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.Posts
}
