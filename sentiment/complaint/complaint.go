// Package complaint ships a pretrained complaint detector for English
// posts addressed to a business: a [*linear.Model] with the labels
// "complaint" and "not", trained on 2,403 tweets to customer-service
// accounts of nine domains (apparel, cars, electronics, food, retail,
// services, software, transport, other) and random tweets (Preotiuc-Pietro,
// Gaman and Aletras, ACL 2019). A complaint here is what the paper calls
// one: the author says that reality breached their expectations, whether
// angrily or politely ("my order still hasn't arrived").
//
//	if complaint.Is("@acme my parcel still hasn't arrived") {
//		// answer first
//	}
//
// Accuracy and cost are in the repository's BENCHMARKS.md; the model was
// made by go generate (see sentiment/linear/internal/pretrain). The story
// package's Triage uses it. The tweets came without a stated licence (the
// authors published them for research); the model holds hashed n-gram
// weights, no text.
package complaint

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"

	"github.com/earshot-dev/earshot/sentiment/linear"
)

//go:generate go run ../linear/internal/pretrain -o complaint.model complaint

//go:embed complaint.model
var file []byte

// Labels of the model.
const (
	Complaint = "complaint"
	Not       = "not"
)

var model = sync.OnceValue(func() *linear.Model {
	m, err := linear.Load(bytes.NewReader(file))
	if err != nil {
		panic(fmt.Sprintf("complaint: embedded model: %v", err)) // a build problem
	}
	return m
})

// Model returns the pretrained complaint model. It is decoded on first
// use (a few milliseconds) and shared; it is safe for concurrent use.
func Model() *linear.Model { return model() }

// Is reports whether the model finds text more likely a complaint than
// not. It is safe for concurrent use and does not allocate.
func Is(text string) bool { return Model().Label(text) == Complaint }
