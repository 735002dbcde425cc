package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func session(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), append([]string{"-reviewer", "sam"}, args...), strings.NewReader(stdin), &out, &out))
	t.Log("\n" + out.String())
	return out.String()
}

// A scripted session on the sample data: approve, skip, edit then
// approve, an unknown command, skip, quit.
func TestScriptedSession(t *testing.T) {
	s := session(t, "a\ns\ne\nThanks for telling us, we are on it.\na\nx\ns\nq\nnever read\n")
	assert.Contains(t, s, "dry run: approved replies are recorded, not posted")
	assert.Equal(t, 5, strings.Count(s, "\n── #"), "five drafts offered before q")
	assert.Contains(t, s, "approved by sam; recorded as dry-1 (dry run, not posted)")
	assert.Contains(t, s, "approved by sam; recorded as dry-2 (dry run, not posted)")
	assert.Contains(t, s, "draft reply (36 chars counted): Thanks for telling us, we are on it.")
	assert.Contains(t, s, "edited: approve to send the new text")
	assert.Contains(t, s, "commands: a, e, s or q")
	assert.Contains(t, s, "quitting: draft left unsent")
	assert.Contains(t, s, "5 drafts offered: 2 approved and sent, 2 skipped, 1 edited, 1 left unsent")
	assert.Contains(t, s, "Nothing was posted (dry run): 2 replies recorded.")
	// Drafts come from the template and address the author.
	assert.Contains(t, s, "draft reply (187 chars counted): @quinn_bakes27@fosstodon.org We hear you about the loyalty stamps")
	assert.NotContains(t, s, "never read")
	assert.Regexp(t, `⚠ ALERT \w+ negative shift for larkspur since Tue`, s, "the monitor's alerts show at the desk")
}

// At the end of input (a non-interactive run) the desk stops cleanly.
func TestEndOfInput(t *testing.T) {
	s := session(t, "")
	assert.Equal(t, 1, strings.Count(s, "\n── #"))
	assert.Contains(t, s, "(end of input: draft left unsent)")
	assert.Contains(t, s, "1 drafts offered: 0 approved and sent, 0 skipped, 0 edited, 1 left unsent")
	assert.Contains(t, s, "0 replies recorded")
}

func TestAutoSkip(t *testing.T) {
	s := session(t, "a\na\na\n", "-auto-skip", "-max", "4")
	assert.Equal(t, 4, strings.Count(s, "skipped (-auto-skip)"))
	assert.Contains(t, s, "(4 drafts offered; -max to see more)")
	assert.Contains(t, s, "4 drafts offered: 0 approved and sent, 4 skipped")
	assert.NotContains(t, s, "[a]pprove", "no prompt without input")
}

// Only posts negative towards the brand get a draft: a bad day that
// mentions the brand kindly, a complaint about something else, another
// language, and a second complaint by the same author do not.
func TestTargetAwareSelection(t *testing.T) {
	lines := []string{
		`{"platform":"mastodon","id":"1","author":{"handle":"ana@example.social"},"text":"Traffic was awful this morning, but my Larkspur latte was perfect.","lang":"en","created":"2026-03-02T09:00:00Z"}`,
		`{"platform":"mastodon","id":"2","author":{"handle":"ben@example.social"},"text":"I hate Mondays. Terrible, horrible weather.","lang":"en","created":"2026-03-02T09:01:00Z"}`,
		`{"platform":"bluesky","id":"3","author":{"handle":"cleo.bsky.social"},"text":"Larkspur Plus is a greedy rip-off. So disappointed in @larkspur.","lang":"en","created":"2026-03-02T09:02:00Z"}`,
		`{"platform":"bluesky","id":"4","author":{"handle":"cleo.bsky.social"},"text":"Still angry about Larkspur Plus. Awful.","lang":"en","created":"2026-03-02T09:03:00Z"}`,
		`{"platform":"mastodon","id":"5","author":{"handle":"dora@example.social"},"text":"Larkspur ist schrecklich.","lang":"de","created":"2026-03-02T09:04:00Z"}`,
		`{"platform":"x","id":"6","author":{"handle":"eli"},"text":"Larkspur staff were so rude today and the queue was awful.","lang":"en","created":"2026-03-02T09:05:00Z"}`,
	}
	path := filepath.Join(t.TempDir(), "posts.jsonl")
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600))
	s := session(t, "a\na\n", "-replay", path)
	assert.Equal(t, 2, strings.Count(s, "\n── #"))
	assert.Contains(t, s, "@cleo.bsky.social We hear you about the loyalty stamps")
	assert.Contains(t, s, "@eli Sorry, that is not the visit we want you to have.", "another template branch")
	for _, absent := range []string{"ana@", "ben@", "dora@", "Still angry"} {
		assert.NotContains(t, s, absent)
	}
	assert.Contains(t, s, "6 posts heard, 4 about the brand; 2 drafts offered: 2 approved and sent")
}

func TestBadFlags(t *testing.T) {
	t.Setenv("MASTODON_TOKEN", "")
	for _, args := range [][]string{
		{"-target", " "},
		{"-mastodon", "https://example.social"},
		{"-listen-mastodon", "::"},
		{"extra"},
	} {
		var out bytes.Buffer
		assert.Error(t, run(context.Background(), args, strings.NewReader(""), &out, &out), "%q", args)
	}
}

func TestCancelWhileWaitingForInput(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer w.Close()
	defer r.Close()
	var out syncBuf
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, r, &out, &out) }()
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "[a]pprove") }, 10e9, 1e6)
	cancel()
	require.NoError(t, <-done)
	assert.Contains(t, out.String(), "Summary:")
	w.Close() // the reader goroutine ends at EOF
}
