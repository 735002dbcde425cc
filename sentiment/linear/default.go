package linear

import (
	_ "embed"
	"fmt"
	"sync"
)

//go:generate go run gen.go -o default.model

// defaultModel was trained by gen.go (go generate) on the 2,000 tweets of
// the TweetEval sentiment validation split with the default Config,
// Lang "en" and Seed 1.
//
//go:embed default.model
var defaultModel []byte

var defaultOnce = sync.OnceValue(func() *Model {
	m := &Model{}
	// Leniently: should sentiment/social change after the model was made,
	// scoring degrades a little rather than failing; TestDefaultRules
	// catches that, and go generate fixes it.
	if err := m.unmarshal(defaultModel, false); err != nil {
		panic(fmt.Sprintf("linear: embedded default model: %v", err)) // a build problem
	}
	return m
})

// Default returns the pretrained English model shipped with the package,
// trained on the 2,000 tweets of the TweetEval sentiment validation split
// (SemEval-2017 Task 4) with the default [Config]. It is decoded on first
// use and shared; like every [*Model] it is safe for concurrent use.
// Its 5-fold cross-validated macro-averaged recall on those tweets is
// about 0.66 (0.656 with its settings chosen by nested cross-validation),
// and 0.74 on the 4,200 VADER ground-truth tweets it never saw;
// train your own with [Train] on posts like yours for better.
func Default() *Model { return defaultOnce() }
