package story

import (
	"fmt"
	"strings"
	"text/template"
	"unicode"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/complaint"
)

// Need is why a post deserves an answer.
type Need int8

const (
	NeedNone      Need = iota // no answer needed
	NeedComplaint             // unhappy: answer fast and personally
	NeedQuestion              // asks something
	NeedPraise                // happy: say thank you
)

var needNames = [...]string{"none", "complaint", "question", "praise"}

func (n Need) String() string {
	if int(n) >= 0 && int(n) < len(needNames) {
		return needNames[n]
	}
	return fmt.Sprintf("Need(%d)", n)
}

// Triage decides what answer a post needs. The zero value is ready to use:
// it finds complaints with the pretrained model of package
// sentiment/complaint and praise by the compound score.
//
// A Triage is safe for concurrent use if Complaints is.
type Triage struct {
	// Complaints reports whether a post, with its sentiment score, is a
	// complaint. Nil means the complaint model (package
	// sentiment/complaint) for posts tagged English or untagged, and, for
	// posts in other languages, which that model does not know, a
	// compound score at or below Complaint.
	Complaints func(p listen.Post, s sentiment.Score) bool
	// Complaint is the compound score at or below which a post in a
	// language without a complaint model is a complaint; 0 means -0.3.
	// It is not used when Complaints is set.
	Complaint float64
	// Praise is the compound score at or above which a post is praise;
	// 0 means 0.5.
	Praise float64
}

var questionStarts = []string{"how ", "why ", "what ", "when ", "where ", "who ", "which ", "can ", "could ", "do ", "does ", "is ", "are ", "will ", "would ", "should ", "anyone ", "any "}

// Need classifies a post from its text and sentiment: a complaint first
// (a fast answer before it spreads), then a question (a question mark
// outside links, or a sentence that opens with a question word), then
// praise. Only posts and updates need answers (not likes or reposts).
func (tr Triage) Need(p listen.Post, s sentiment.Score) Need {
	if p.Kind != listen.KindPost && p.Kind != listen.KindUpdate {
		return NeedNone
	}
	pr := tr.Praise
	if pr == 0 {
		pr = 0.5
	}
	switch {
	case tr.isComplaint(p, s):
		return NeedComplaint
	case isQuestion(p.Text):
		return NeedQuestion
	case s.Compound >= pr:
		return NeedPraise
	}
	return NeedNone
}

func (tr Triage) isComplaint(p listen.Post, s sentiment.Score) bool {
	if tr.Complaints != nil {
		return tr.Complaints(p, s)
	}
	if sentiment.IsEnglish(p.Lang) {
		return complaint.Is(p.Text)
	}
	c := tr.Complaint
	if c == 0 {
		c = -0.3
	}
	return s.Compound <= c
}

func isQuestion(text string) bool {
	plain := schemeURLRe.ReplaceAllString(text, "")
	if strings.ContainsAny(plain, "?？¿") {
		return true
	}
	lower := strings.ToLower(strings.TrimLeftFunc(plain, func(r rune) bool { return r == '@' || unicode.IsSpace(r) }))
	for _, q := range questionStarts {
		if strings.HasPrefix(lower, q) {
			return true
		}
	}
	return false
}

// ReplyData is what a reply template sees.
type ReplyData struct {
	Post    listen.Post
	Score   sentiment.Score
	Need    Need
	Mention string // "@handle" of the author, as the platform writes it
	Data    any    // the host's own data (a shop name, a phone number)
}

// Replier drafts answers from templates the business writes, one per
// [Need]. A draft is addressed to the author (the mention is put first
// unless the template already wrote it) and checked against the
// platform's limit. The zero value drafts nothing: set Templates.
//
// Only posts that can be answered get a draft: those of Mastodon (and
// servers speaking its API), Bluesky, X, Reddit and Hacker News. Feed
// items (Platform "rss": RSS, Atom, JSON Feed) never do; posts of other
// platforms do when Rules gives rules for them, which is how a host says
// that it can answer there.
type Replier struct {
	Templates map[Need]*template.Template
	Triage    Triage
	// Rules gives the counting rules per platform name ("mastodon",
	// "bluesky", "x"); nil uses the defaults of [MastodonRules],
	// [BlueskyRules], [XRules] and Mastodon's rules for Reddit and Hacker
	// News.
	Rules func(platform string) Rules
	Data  any // passed to templates as .Data
}

// RulesFor returns the default rules for a platform name.
func RulesFor(platform string) Rules {
	switch strings.ToLower(platform) {
	case "bluesky", "bsky", "atproto":
		return BlueskyRules{}
	case "x", "twitter":
		return XRules{}
	}
	return MastodonRules{}
}

// Draft is a proposed post waiting for a person. ID is stable for the
// post it answers ("reply/"+Post.Key()), so drafting twice does not queue
// two answers, and it is the [Thread.ID] it is published under.
type Draft struct {
	ID       string `json:"id"`
	Platform string `json:"platform"`
	Need     Need   `json:"need,omitempty"`
	ReplyTo  Sent   `json:"reply_to,omitzero"` // the post answered; zero for a new post (a digest)
	Author   string `json:"author,omitempty"`  // whom it answers
	Text     string `json:"text"`
	rules    Rules
}

// Draft returns a reply draft for p, or ok false when p needs no answer
// or has no template for its need. Errors: the template failed, or the
// text is blank or too long for the platform (shorten the template; a
// draft is never cut).
func (r *Replier) Draft(p listen.Post, s sentiment.Score) (d Draft, ok bool, err error) {
	rules := r.rulesFor(p.Platform)
	if rules == nil {
		return Draft{}, false, nil // nobody can answer there
	}
	need := r.Triage.Need(p, s)
	tmpl := r.Templates[need]
	if need == NeedNone || tmpl == nil {
		return Draft{}, false, nil
	}
	mention := mentionOf(p)
	var b strings.Builder
	if err := tmpl.Execute(&b, ReplyData{Post: p, Score: s, Need: need, Mention: mention, Data: r.Data}); err != nil {
		return Draft{}, false, fmt.Errorf("story: reply to %s: template: %w", p.Key(), err)
	}
	text := strings.TrimSpace(b.String())
	if mention != "" && !strings.Contains(text, mention) {
		text = mention + " " + text
	}
	if err := rules.Check(text); err != nil {
		return Draft{}, false, fmt.Errorf("story: reply to %s: %w", p.Key(), err)
	}
	return Draft{
		ID: "reply/" + p.Key(), Platform: p.Platform, Need: need,
		ReplyTo: Sent{ID: p.ID, URL: p.URL}, Author: p.Author.Handle, Text: text, rules: rules,
	}, true, nil
}

// rulesFor returns the rules to draft an answer on platform with, or nil
// when posts there cannot be answered.
func (r *Replier) rulesFor(platform string) Rules {
	if strings.EqualFold(platform, "rss") {
		return nil // a feed item has no reply
	}
	if r.Rules != nil {
		if x := r.Rules(platform); x != nil {
			return x
		}
	}
	switch strings.ToLower(platform) {
	case "mastodon", "bluesky", "bsky", "atproto", "x", "twitter", "reddit", "hackernews":
		return RulesFor(platform)
	}
	return nil // a platform the Replier does not know
}

// mentionOf returns "@handle" for the author: Mastodon handles keep their
// server (@alice@example.social), Bluesky and X handles are used as they are.
func mentionOf(p listen.Post) string {
	h := strings.TrimPrefix(p.Author.Handle, "@")
	if h == "" || strings.ContainsAny(h, " \t\n") {
		return ""
	}
	return "@" + h
}
