// Package emotion ships a pretrained emotion classifier for English
// tweets: a [*linear.Model] with the labels "anger", "joy", "optimism"
// and "sadness" (the four classes of TweetEval's emotion task), trained on
// the 3,255 tweets of TweetEval emotion's training split (SemEval-2018
// Task 1).
//
// Every text gets one of the four labels: the model has no "none" class,
// so ask it only about texts that carry an emotion (for example, those a
// polarity scorer finds positive or negative), and read the probability
// too.
//
//	m := emotion.Model()
//	c, p := m.Predict("I can't stop smiling today")
//	fmt.Println(m.Labels()[c], p) // joy 0.8...
//
// Accuracy and cost are in the repository's BENCHMARKS.md; the model was
// made by go generate (see sentiment/linear/internal/pretrain).
package emotion

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"

	"github.com/earshot-dev/earshot/sentiment/linear"
)

//go:generate go run ../linear/internal/pretrain -o emotion.model emotion

//go:embed emotion.model
var file []byte

var model = sync.OnceValue(func() *linear.Model {
	m, err := linear.Load(bytes.NewReader(file))
	if err != nil {
		panic(fmt.Sprintf("emotion: embedded model: %v", err)) // a build problem
	}
	return m
})

// Labels of the model, in the order of its classes.
const (
	Anger    = "anger"
	Joy      = "joy"
	Optimism = "optimism"
	Sadness  = "sadness"
)

// Model returns the pretrained emotion model. It is decoded on first use
// (a few milliseconds) and shared; it is safe for concurrent use.
func Model() *linear.Model { return model() }
