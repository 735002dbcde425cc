package listen

import (
	"context"
	"iter"
)

// DetectLang returns a source that fills in the language of the posts of
// src that arrive without one (Reddit, Hacker News, RSS and many Mastodon
// posts): Lang becomes detect(Text) and LangDetected is set, so a host can
// tell a guess from the platform's own tag. Posts that have a Lang, or no
// text, pass unchanged, as does a post for which detect returns "" (it
// could not tell). Errors pass through.
//
// detect is typically the Detect method of a
// [github.com/earshot-dev/earshot/langid.Detector]; taking a function keeps
// listen free of any model. It must be safe for concurrent use if the
// source is ranged over by several loops at once. DetectLang panics if src
// or detect is nil.
func DetectLang(src Source, detect func(text string) string) Source {
	if src == nil || detect == nil {
		panic("listen: DetectLang with nil source or detect func")
	}
	return SourceFunc(func(ctx context.Context) iter.Seq2[Post, error] {
		return func(yield func(Post, error) bool) {
			for p, err := range src.Posts(ctx) {
				if err != nil {
					yield(Post{}, err)
					return
				}
				if p.Lang == "" && p.Text != "" {
					if l := detect(p.Text); l != "" {
						p.Lang, p.LangDetected = l, true
					}
				}
				if !yield(p, nil) {
					return
				}
			}
		}
	})
}
