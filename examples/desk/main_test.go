package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestMain runs the program itself when a test starts the test binary as
// a child process (see command), so that exit codes and signals are
// tested on the real main.
func TestMain(m *testing.M) {
	if os.Getenv("EARSHOT_RUN_DESK") == "1" {
		main()
		return
	}
	goleak.VerifyTestMain(m)
}

// command returns the desk's main as a child process.
func command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "EARSHOT_RUN_DESK=1")
	return cmd
}

func exitStatus(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

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
	assert.Contains(t, s, "dry run: approved replies are recorded, not posted (-reply-mastodon or -reply-bluesky to post)")
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
	assert.Contains(t, s, "draft reply (197 chars counted): @xena-brews1.bsky.social We hear you about the loyalty stamps")
	assert.NotContains(t, s, "never read")
	assert.Regexp(t, `⚠ ALERT \w+ negative shift about larkspur since Tue.*\n  why: "stamps" \(\d+% of posts, (over )?\d+x as before\)`, s,
		"the monitor's alerts show at the desk, with what stood out in them")
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

// Issue 20 items 5 and 6: bad command lines exit 2 with a message.
func TestBadFlags(t *testing.T) {
	t.Setenv("MASTODON_TOKEN", "")
	t.Setenv("BLUESKY_HANDLE", "")
	for _, args := range [][]string{
		{"-target", " "},
		{"-target", `"`},
		{"-reply-mastodon", "https://example.social"},
		{"-reply-bluesky", "https://pds.example"},
		{"-mastodon", "::"},
		{"-max", "-1"},
		{"-speed", "-1"},
		{"-speed", "+Inf"},
		{"-listen-mastodon", "https://example.social"},
		{"extra"},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
		require.Error(t, err, "%q", args)
		assert.Equal(t, 2, exitCode(err, &errOut), "%q: %v", args, err)
		assert.NotEmpty(t, errOut.String(), "%q", args)
	}
}

// Issue 20 item 5: a 5 MB line is input, refused with a message; the
// session goes on with the next line instead of ending.
func TestLongLineIsNotEndOfInput(t *testing.T) {
	huge := strings.Repeat("x", 5<<20)
	s := session(t, huge+"\ns\ne\n"+huge+"\nThanks, we are on it.\na\nq\n")
	assert.Equal(t, 2, strings.Count(s, fmt.Sprintf("(a line of %d bytes is too long: ignored; at most 65536)", 5<<20+1)))
	assert.Contains(t, s, "   skipped\n", "the command after the long line is read")
	assert.Contains(t, s, "draft reply (21 chars counted): Thanks, we are on it.")
	assert.Contains(t, s, "3 drafts offered: 1 approved and sent, 1 skipped, 1 edited, 1 left unsent")
	assert.NotContains(t, s, "end of input")
}

// A replay of garbage is not a quiet day at the desk: exit status 1.
func TestGarbageReplayFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "garbage.bin")
	require.NoError(t, os.WriteFile(path, bytes.Repeat([]byte{0xff, 0x00, '\n'}, 100), 0o600))
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-replay", path}, strings.NewReader(""), &out, &errOut)
	require.Error(t, err)
	assert.Equal(t, 1, exitCode(err, io.Discard))
	assert.Contains(t, err.Error(), "nothing usable heard: 100 malformed records")
	assert.Contains(t, errOut.String(), "replay: skipping a malformed record")
}

// The real program: -h exits 0 and says what the desk does and reads; a
// bad flag exits 2; SIGTERM while waiting for a person prints the summary
// and exits 0.
func TestExitStatusAndSIGTERM(t *testing.T) {
	var stderr bytes.Buffer
	cmd := command("-h")
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Run())
	first, _, _ := strings.Cut(stderr.String(), "\n")
	assert.Equal(t, "desk drafts replies to complaints about a brand for you to approve, from the embedded sample data (three days about a fictional roaster), a -replay file or live Mastodon and Bluesky.", first)
	assert.Contains(t, stderr.String(), "Usage: ")
	assert.Equal(t, 2, exitStatus(command("-max", "-1").Run()))

	cmd = command()
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	r := bufio.NewReader(stdout)
	first, err = r.ReadString('\n')
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(first, "earshot complaint desk:"), "the banner comes at once: %q", first)
	for {
		line, err := r.ReadString('>')
		require.NoError(t, err, "the first draft waits for a command")
		if strings.HasSuffix(line, "[a]pprove [e]dit [s]kip [q]uit >") {
			break
		}
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	rest, _ := io.ReadAll(r)
	assert.NoError(t, cmd.Wait())
	assert.Contains(t, string(rest), "Summary:")
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
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "[a]pprove") }, 2*time.Minute, time.Millisecond)
	cancel()
	require.NoError(t, <-done)
	assert.Contains(t, out.String(), "Summary:")
	w.Close() // the reader goroutine ends at EOF
}
