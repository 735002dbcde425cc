package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
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
	if os.Getenv("EARSHOT_RUN_DASHBOARD") == "1" {
		main()
		return
	}
	goleak.VerifyTestMain(m)
}

// command returns the dashboard's main as a child process.
func command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "EARSHOT_RUN_DASHBOARD=1")
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

// Issue 20 items 5 and 6: bad command lines exit 2 with a message.
func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-query", "(larkspur"},
		{"-addr", "not an address"},
		{"-mastodon", "::"},
		{"-speed", "-1"},
		{"-key", "larkspur"},
		{"-key", "=larkspur"},
		{"-key", "a=x", "-key", "a=y"},
		{"-key", "a=(x"},
		{"extra"},
	} {
		var errOut bytes.Buffer
		err := run(context.Background(), args, io.Discard, &errOut, nil)
		require.Error(t, err, "%q", args)
		assert.Equal(t, 2, exitCode(err, &errOut), "%q: %v", args, err)
		assert.NotEmpty(t, errOut.String(), "%q", args)
	}
}

// The real program: -h exits 0 and says what it does and reads; SIGTERM
// stops it like Ctrl-C, with its closing line and status 0.
func TestExitStatusAndSIGTERM(t *testing.T) {
	var stderr bytes.Buffer
	cmd := command("-h")
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Run())
	first, _, _ := strings.Cut(stderr.String(), "\n")
	assert.Equal(t, "dashboard shows what is said about a brand and its competitors in the browser, from the embedded sample data (three days about a fictional roaster and two rivals), a -replay file or live Mastodon and Bluesky.", first)
	assert.Contains(t, stderr.String(), "Usage: ")
	assert.Equal(t, 2, exitStatus(command("-speed", "-1").Run()))

	cmd = command("-addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	r := bufio.NewReader(stdout)
	line, err := r.ReadString('\n')
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(line, "earshot dashboard: http://127.0.0.1:"), "the banner comes at once: %q", line)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	rest, _ := io.ReadAll(r)
	assert.NoError(t, cmd.Wait())
	assert.Contains(t, string(rest), "earshot dashboard: stopped")
}

// Issue 20 item 2: a dead source is on the page as it fails (retries
// counted, the latest message shown), and the run ends with an error.
func TestDeadSourceOnThePage(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	dead := srv.URL
	srv.Close() // nothing listens any more
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var out bytes.Buffer
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-mastodon", dead}, &out, io.Discard, ready)
	}()
	base := "http://" + <-ready
	var m message
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/api/state")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		return json.NewDecoder(resp.Body).Decode(&m) == nil && m.Status.Problems > 0
	}, 2*time.Minute, 20*time.Millisecond)
	assert.Equal(t, "live", m.Status.Mode)
	assert.Contains(t, m.Status.Problem, "connection refused")
	assert.Contains(t, m.Status.Source, "Mastodon "+dead)
	cancel()
	err := <-done
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nothing usable heard")
	assert.Equal(t, 1, exitCode(err, io.Discard))
	assert.Contains(t, out.String(), "source problems")
}

// A live source that has said nothing for a while shows as idle.
func TestIdleIsPublished(t *testing.T) {
	d := newDashboard(4)
	d.lastPost = time.Now().Add(-2 * stalledAfter)
	d.publish(func(s *status) { s.Mode, s.Running = "live", true })
	var m message
	require.NoError(t, json.Unmarshal(d.hub.latest(), &m))
	assert.GreaterOrEqual(t, m.Status.Idle, 2*stalledAfter.Seconds())
}
