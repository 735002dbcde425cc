// Command gen writes the sample data set, posts.jsonl.gz, into the
// current directory (go generate runs it in examples/internal/sample).
package main

import (
	"compress/gzip"
	"log"
	"os"

	"github.com/earshot-dev/earshot/examples/internal/sample"
)

func main() {
	f, err := os.Create("posts.jsonl.gz")
	if err != nil {
		log.Fatal(err)
	}
	zw, err := gzip.NewWriterLevel(f, gzip.BestCompression)
	if err != nil {
		log.Fatal(err)
	}
	if err := sample.Generate(zw); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
