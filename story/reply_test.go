package story_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/story"
	"github.com/earshot-dev/earshot/trend"
)

func post(platform, handle, text string) listen.Post {
	return listen.Post{Platform: platform, ID: "109", Author: listen.Author{Handle: handle}, Text: text}
}

func TestTriage(t *testing.T) {
	var tr story.Triage
	cases := []struct {
		text  string
		lang  string
		score float64
		kind  listen.Kind
		want  story.Need
	}{
		{"My eggs arrived broken, again. Not happy.", "", -0.6, listen.KindPost, story.NeedComplaint},
		{"my parcel still hasn't arrived", "en", 0, listen.KindPost, story.NeedComplaint}, // a polite complaint: compound 0
		{"Do you deliver to Leipzig", "", 0, listen.KindPost, story.NeedQuestion},
		{"are the hens free-range?", "en-GB", 0.1, listen.KindPost, story.NeedQuestion},
		{"Best eggs in town, thank you!", "", 0.8, listen.KindPost, story.NeedPraise},
		{"Saw the farm today https://example.com/?q=1", "", 0.0, listen.KindPost, story.NeedNone},
		{"Why is my order late?!", "", -0.5, listen.KindPost, story.NeedComplaint}, // complaint first
		{"Best eggs!", "", 0.9, listen.KindLike, story.NeedNone},
		// Languages the complaint model does not know: compound at or below -0.3.
		{"Meine Eier kamen zerbrochen an.", "de", -0.6, listen.KindPost, story.NeedComplaint},
		{"Meine Eier kamen an.", "de", 0, listen.KindPost, story.NeedNone},
	}
	for _, tc := range cases {
		p := post("mastodon", "alice@example.social", tc.text)
		p.Kind, p.Lang = tc.kind, tc.lang
		assert.Equal(t, tc.want, tr.Need(p, sentiment.Score{Compound: tc.score}), tc.text)
	}
	de := post("x", "bob", "meh, Eier kaputt")
	de.Lang = "de"
	strict := story.Triage{Complaint: -0.9}
	assert.Equal(t, story.NeedNone, strict.Need(de, sentiment.Score{Compound: -0.6}))
	assert.Equal(t, story.NeedComplaint, story.Triage{}.Need(de, sentiment.Score{Compound: -0.6}))

	// A host's own rule replaces the model.
	keywords := story.Triage{Complaints: func(p listen.Post, _ sentiment.Score) bool { return strings.Contains(p.Text, "cracked") }}
	assert.Equal(t, story.NeedComplaint, keywords.Need(post("x", "bob", "cracked"), sentiment.Score{}))
	assert.Equal(t, story.NeedNone, keywords.Need(post("x", "bob", "my parcel still hasn't arrived"), sentiment.Score{}))
}

func replier() *story.Replier {
	tm := func(s string) *template.Template { return template.Must(template.New("").Parse(s)) }
	return &story.Replier{
		Templates: map[story.Need]*template.Template{
			story.NeedComplaint: tm(`I'm sorry about that. Please write to {{.Data}} and we'll make it right today.`),
			story.NeedQuestion:  tm(`{{.Mention}} good question! Our FAQ: https://hillside-eggs.example.com/faq`),
			story.NeedPraise:    tm(`Thank you! The hens say hi 🐔`),
		},
		Data: "eggs@hillside.example",
	}
}

func TestReplierDraft(t *testing.T) {
	r := replier()
	d, ok, err := r.Draft(post("mastodon", "alice@mastodon.social", "Cracked eggs again! Not happy."), sentiment.Score{Compound: -0.7})
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "@alice@mastodon.social I'm sorry about that. Please write to eggs@hillside.example and we'll make it right today.", d.Text)
	assert.Equal(t, "reply/mastodon:109", d.ID)
	assert.Equal(t, "109", d.ReplyTo.ID)
	assert.Equal(t, story.NeedComplaint, d.Need)

	d, ok, err = r.Draft(post("bluesky", "bob.bsky.social", "do you ship eggs?"), sentiment.Score{})
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "@bob.bsky.social good question! Our FAQ: https://hillside-eggs.example.com/faq", d.Text, "mention not doubled")

	_, ok, err = r.Draft(post("x", "carol", "nice weather"), sentiment.Score{Compound: 0.2})
	require.NoError(t, err)
	assert.False(t, ok)

	long := replier()
	long.Data = strings.Repeat("very ", 60) + "long"
	_, _, err = long.Draft(post("x", "carol", "broken!"), sentiment.Score{Compound: -0.8})
	assert.ErrorIs(t, err, story.ErrTooLong)

	bad := &story.Replier{Templates: map[story.Need]*template.Template{
		story.NeedPraise: template.Must(template.New("").Option("missingkey=error").Parse(`{{.Data.shop}}`)),
	}, Data: map[string]string{}}
	_, _, err = bad.Draft(post("x", "carol", "love it"), sentiment.Score{Compound: 0.9})
	assert.ErrorContains(t, err, "story: reply to x:109: template")
}

// recorder is a Publisher that records what it was asked to publish.
type recorder struct{ threads []story.Thread }

func (r *recorder) Publish(_ context.Context, t story.Thread) ([]story.Sent, error) {
	r.threads = append(r.threads, t)
	return []story.Sent{{ID: fmt.Sprint("sent-", len(r.threads))}}, nil
}

func TestQueueNothingWithoutApproval(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC)
	var q story.Queue
	d, _, err := replier().Draft(post("mastodon", "alice@mastodon.social", "Cracked eggs again! Not happy."), sentiment.Score{Compound: -0.7})
	require.NoError(t, err)
	changed, err := q.Add(d)
	require.NoError(t, err)
	assert.True(t, changed)
	pub := &recorder{}

	_, err = q.Send(ctx, d.ID, pub)
	assert.ErrorIs(t, err, story.ErrNotApproved)
	assert.Empty(t, pub.threads, "nothing reaches the publisher before approval")

	assert.Error(t, q.Approve(d.ID, " ", at), "a reviewer is required")
	require.NoError(t, q.Approve(d.ID, "maria", at))
	require.NoError(t, q.Edit(d.ID, "@alice@mastodon.social So sorry! New eggs are on their way."))
	_, err = q.Send(ctx, d.ID, pub)
	assert.ErrorIs(t, err, story.ErrNotApproved, "an edit withdraws the approval")
	assert.ErrorIs(t, q.Edit(d.ID, strings.Repeat("x", 501)), story.ErrTooLong)

	require.NoError(t, q.Approve(d.ID, "maria", at))
	s, err := q.Send(ctx, d.ID, pub)
	require.NoError(t, err)
	assert.Equal(t, "sent-1", s.ID)
	require.Len(t, pub.threads, 1)
	assert.Equal(t, "@alice@mastodon.social So sorry! New eggs are on their way.", pub.threads[0].Parts[0].Text)
	assert.Equal(t, "109", pub.threads[0].ReplyTo.ID)
	assert.Equal(t, d.ID, pub.threads[0].ID)

	again, err := q.Send(ctx, d.ID, pub)
	require.NoError(t, err)
	assert.Equal(t, s, again)
	assert.Len(t, pub.threads, 1, "sent once")
	assert.Error(t, q.Reject(d.ID, "maria", "too late", at))
	assert.Len(t, q.Items(story.Posted), 1)

	changed, err = q.Add(d)
	require.NoError(t, err)
	assert.False(t, changed, "a posted draft is not queued again")

	d2, _, err := replier().Draft(listen.Post{Platform: "x", ID: "7", Author: listen.Author{Handle: "dan"}, Text: "love the eggs"}, sentiment.Score{Compound: 0.9})
	require.NoError(t, err)
	_, err = q.Add(d2)
	require.NoError(t, err)
	require.NoError(t, q.Reject(d2.ID, "maria", "not our customer", at))
	assert.Error(t, q.Approve(d2.ID, "maria", at))
	_, err = q.Send(ctx, d2.ID, pub)
	assert.ErrorIs(t, err, story.ErrNotApproved)
	_, err = q.Send(ctx, "nope", pub)
	assert.ErrorIs(t, err, story.ErrUnknownDraft)
	_, err = q.Add(story.Draft{ID: "blank", Text: "  "})
	assert.ErrorIs(t, err, story.ErrEmpty)
	assert.Len(t, pub.threads, 1)
}

func TestDigestGolden(t *testing.T) {
	start := time.Date(2026, 11, 22, 9, 15, 0, 0, time.UTC)
	alerts := []struct {
		a    trend.Alert
		mood sentiment.Score
	}{
		{trend.Alert{Kind: trend.AlertTrending, Key: "hendiary", Start: start, Severity: trend.Info, Summary: "Customers retell the surprise upgrade story."}, sentiment.Score{Compound: 0.61}},
		{trend.Alert{Kind: trend.AlertSentiment, Key: "broken eggs", Start: start, Severity: trend.Critical, Summary: "Complaints about cracked deliveries doubled in an hour."}, sentiment.Score{Compound: -0.42}},
		{trend.Alert{Kind: trend.AlertSpike, Key: "farm shop", Start: start, End: start.Add(2 * time.Hour), Severity: trend.Warning}, sentiment.Score{Compound: 0.01}},
		{trend.Alert{Kind: trend.AlertDrop, Key: "farm shop", Start: start, Severity: trend.Critical, Summary: "0 in one bucket, far below the usual 27.3"}, sentiment.Score{}},
		{trend.Alert{Kind: trend.AlertViral, Key: "clementine", Start: start, Evidence: []trend.Evidence{{ID: "1", Text: "Our hen Clementine  laid\nher first egg!"}}}, sentiment.Score{}},
		{trend.Alert{Kind: trend.AlertTrending, Key: "eggs", Start: start, Summary: strings.Repeat("Everyone talks about the eggs from the hill farm and the hens. ", 12)}, sentiment.Score{Compound: -0.7}},
	}
	var b strings.Builder
	for _, c := range alerts {
		s := story.Digest(c.a, c.mood)
		for _, r := range []story.Rules{story.XRules{}, story.BlueskyRules{}, story.MastodonRules{}} {
			require.NoError(t, r.Check(s), s)
		}
		fmt.Fprintf(&b, "%s\n", s)
	}
	golden(t, "digest.golden", b.String())

	d := story.DigestDraft(alerts[0].a, alerts[0].mood, "bluesky")
	assert.Equal(t, "digest/trending/hendiary/"+fmt.Sprint(start.Unix()), d.ID)
}

// TestDigestSummaryCase: a detector's lower-case summary starts the
// digest's sentence with a capital, but an influencer's starts with the
// author's handle, which keeps its case.
func TestDigestSummaryCase(t *testing.T) {
	start := time.Date(2026, 11, 22, 9, 15, 0, 0, time.UTC)
	shift := story.Digest(trend.Alert{Kind: trend.AlertSentiment, Key: "acme", Start: start,
		Summary: "negative share rose above the usual 12% over 40 posts"}, sentiment.Score{})
	assert.Contains(t, shift, " Negative share rose above the usual 12% over 40 posts. ")
	infl := story.Digest(trend.Alert{Kind: trend.AlertInfluencer, Key: "acme", Start: start, End: start,
		Summary: "alice (52000 followers) mentioned acme (negative)"}, sentiment.Score{})
	assert.Contains(t, infl, " alice (52000 followers) mentioned acme (negative). ")
	assert.True(t, strings.HasPrefix(infl, "Someone with a large audience mentioned #acme at 09:15 UTC. "), infl)
	assert.NotContains(t, infl, "calmed down", "a mention is a moment, not an episode that ends")
}

func TestQueueSurvivesRestart(t *testing.T) {
	at := time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC)
	var q story.Queue
	for i, text := range []string{"Cracked eggs again! Not happy.", "do you ship?", "love them"} {
		d, ok, err := replier().Draft(listen.Post{Platform: "mastodon", ID: fmt.Sprint(i), URL: fmt.Sprint("https://m.example/@a/", i), Author: listen.Author{Handle: "a@m.example"}, Text: text},
			sentiment.Score{Compound: []float64{-0.7, 0, 0.8}[i]})
		require.NoError(t, err)
		require.True(t, ok)
		_, err = q.Add(d)
		require.NoError(t, err)
	}
	require.NoError(t, q.Approve("reply/mastodon:0", "maria", at))
	require.NoError(t, q.Reject("reply/mastodon:2", "maria", "spam", at))
	b, err := json.Marshal(&q)
	require.NoError(t, err)

	var back story.Queue
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, q.Items(story.Approved), back.Items(story.Approved))
	assert.Equal(t, q.Items(story.Pending), back.Items(story.Pending))
	assert.Equal(t, q.Items(story.Rejected), back.Items(story.Rejected))
	pub := &recorder{}
	_, err = back.Send(context.Background(), "reply/mastodon:1", pub)
	assert.ErrorIs(t, err, story.ErrNotApproved, "approval is not invented by a restart")
	s, err := back.Send(context.Background(), "reply/mastodon:0", pub)
	require.NoError(t, err)
	assert.Equal(t, "sent-1", s.ID)
	assert.Equal(t, "https://m.example/@a/0", pub.threads[0].ReplyTo.URL)
	assert.ErrorIs(t, back.Edit("reply/mastodon:1", strings.Repeat("x", 501)), story.ErrTooLong, "rules come back from the platform")
	assert.Error(t, json.Unmarshal([]byte(`[{"id":"a","text":"x"},{"id":"a","text":"y"}]`), &back))
}

// TestReplierOnlyWhereAnswerable (issue 20 item 8): no draft for a post
// nobody can answer, however unhappy: feed items, unknown platforms. A
// host that gives rules for a platform says it can answer there.
func TestReplierOnlyWhereAnswerable(t *testing.T) {
	angry := sentiment.Score{Compound: -0.8}
	const complaint = "My eggs arrived broken, again. Not happy."
	r := replier()
	for _, platform := range []string{"rss", "RSS", "youtube", ""} {
		d, ok, err := r.Draft(post(platform, "newsdesk", complaint), angry)
		require.NoError(t, err)
		assert.False(t, ok, "%q: %+v", platform, d)
	}
	for _, platform := range []string{"mastodon", "bluesky", "x", "reddit", "hackernews"} {
		_, ok, err := r.Draft(post(platform, "alice", complaint), angry)
		require.NoError(t, err)
		assert.True(t, ok, platform)
	}
	r.Rules = func(platform string) story.Rules {
		return story.MastodonRules{MaxCharacters: 10000} // for every platform
	}
	_, ok, err := r.Draft(post("youtube", "alice", complaint), angry)
	require.NoError(t, err)
	assert.True(t, ok)
	_, ok, _ = r.Draft(post("rss", "newsdesk", complaint), angry)
	assert.False(t, ok)
}
