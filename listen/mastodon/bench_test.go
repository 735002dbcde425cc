package mastodon

import (
	"encoding/json"
	"os"
	"testing"
)

// BenchmarkDecodeStatus decodes one realistic status (2.9 KB of JSON with
// HTML content, a mention, a hashtag and a split link) into a Post,
// including the HTML-to-text conversion. ns/op is per status.
func BenchmarkDecodeStatus(b *testing.B) {
	data, err := os.ReadFile("testdata/status.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		if _, err := DecodeStatus(data, "mastodon.example"); err != nil {
			b.Fatal(err)
		}
	}
}

// reportCPU adds "cpu-ns/op" (process CPU time per op, GC included) and
// "statuses/cpu-s" metrics. Use it as defer reportCPU(b)().
func reportCPU(b *testing.B) func() {
	start, ok := cpuTime()
	b.ResetTimer()
	return func() {
		b.StopTimer()
		end, ok2 := cpuTime()
		if !ok || !ok2 || b.N == 0 {
			return
		}
		per := float64(end-start) / float64(b.N)
		b.ReportMetric(per, "cpu-ns/op")
		if per > 0 {
			b.ReportMetric(1e9/per, "statuses/cpu-s")
		}
	}
}

// BenchmarkHTMLToText measures the HTML conversion alone.
func BenchmarkHTMLToText(b *testing.B) {
	const content = `<p>Just shipped v2 of our <a href="https://mastodon.example/tags/golang" class="mention hashtag" rel="tag">#<span>golang</span></a> listener &amp; it&#39;s fast! Thanks <span class="h-card" translate="no"><a href="https://other.example/@bob" class="u-url mention">@<span>bob</span></a></span> 🎉</p><p>Details: <a href="https://blog.example.com/posts/2022/11/listener-v2-release-notes" target="_blank" rel="nofollow noopener noreferrer" translate="no"><span class="invisible">https://</span><span class="ellipsis">blog.example.com/posts/2022/11</span><span class="invisible">/listener-v2-release-notes</span></a><br />Feedback welcome :blobcat: &lt;3</p>`
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		htmlToText(content)
	}
}

// BenchmarkDecodeStatusStdlib is the same work with encoding/json, for
// comparison with the hand-written decoder.
func BenchmarkDecodeStatusStdlib(b *testing.B) {
	data, err := os.ReadFile("testdata/status.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		var st status
		if err := json.Unmarshal(data, &st); err != nil {
			b.Fatal(err)
		}
		st.post("mastodon.example")
	}
}
