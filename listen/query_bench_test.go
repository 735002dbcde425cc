package listen_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/listen"
)

// benchPosts returns n deterministic posts of about 140 bytes of ordinary
// English chatter, a few of which mention the query's terms.
func benchPosts(n int) []listen.Post {
	words := strings.Fields(`the a and to of in is it you that was for on are with as I his they be at one
have this from or had by hot word but what some we can out other were all there when up use your how said
an each she which do their time if will way about many then them write would like so these her long make
thing see him two has look more day could go come did number sound no most people my over know water than
call first who may down side been now find any new work part take get place made live where after back
little only round man year came show every good me give our under name very through just form sentence
great think say help low line differ turn cause much mean before move right boy old too same tell does
set three want air well also play small end put home read hand port large spell add even land here must
big high such follow act why ask men change went light kind off need house picture try us again animal
coffee morning latte barista cup beans roast espresso 😀 🔥 café crème`)
	r := rand.New(rand.NewPCG(1, 2))
	posts := make([]listen.Post, n)
	for i := range posts {
		var b strings.Builder
		if i%50 == 0 {
			b.WriteString("larkspur")
		}
		for b.Len() < 140 {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[r.IntN(len(words))])
		}
		s := b.String()
		if len(s) > 140 {
			s = strings.TrimSpace(s[:140])
		}
		posts[i] = listen.Post{Platform: "bench", ID: fmt.Sprint(i), Text: s, Lang: "en"}
	}
	return posts
}

// BenchmarkQueryMatch matches 140-byte posts against a 10-term query. One
// op is one post; posts/s = 1e9 / ns/op.
func BenchmarkQueryMatch(b *testing.B) {
	q := listen.MustCompile(`larkspur OR "price hike" OR refund OR #larkspurfail OR @larkspur OR subscription OR ` +
		`(loyalty points) OR boycott OR "customer service"`)
	posts := benchPosts(1024)
	b.SetBytes(140)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU()
	matched := 0
	for i := 0; i < b.N; i++ {
		if q.Match(&posts[i&1023]) {
			matched++
		}
	}
	cpu.report(b)
	if matched == 0 {
		b.Fatal("nothing matched")
	}
}

// BenchmarkQueryMatchAND is the same with a query that must read every
// post to the end (no early exit).
func BenchmarkQueryMatchAND(b *testing.B) {
	q := listen.MustCompile(`(larkspur OR acme) (refund OR "price hike" OR subscription OR boycott OR awful OR hate OR cancel) -spam`)
	posts := benchPosts(1024)
	b.SetBytes(140)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU()
	for i := 0; i < b.N; i++ {
		q.Match(&posts[i&1023])
	}
	cpu.report(b)
}

// cpuClock measures the CPU time the process spent, so that a benchmark
// on a busy machine can report CPU time per op (cpu-ns/op) beside the
// wall-clock ns/op, which other processes inflate.
type cpuClock struct{ start time.Duration }

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuClock { return cpuClock{processCPU()} }

func (c cpuClock) report(b *testing.B) {
	if d := processCPU() - c.start; d > 0 && b.N > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(b.N)/d.Seconds()/1e6, "Mposts/cpu-s")
	}
}

// BenchmarkQueryMatchCommonWords is the unfavourable case: ten common
// words that most posts contain, so the prefilter lets nearly every post
// through to the tokenizer.
func BenchmarkQueryMatchCommonWords(b *testing.B) {
	q := listen.MustCompile(`(people OR water OR house OR picture) (great OR good OR right OR little OR large OR small)`)
	posts := benchPosts(1024)
	b.SetBytes(140)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU()
	for i := 0; i < b.N; i++ {
		q.Match(&posts[i&1023])
	}
	cpu.report(b)
}
