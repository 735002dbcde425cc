// Package story helps a business answer: composing posts and threads
// within each platform's counting rules, recurring series such as a daily
// diary, publishers that never post twice, reply drafts that wait for a
// person's approval, and digests that turn a trend into a post.
//
// The package keeps the pure composing part apart from the part that does
// I/O: everything here except [FileStore] and [Queue.Send] is a pure
// function or a value type. The publishers live in package
// [github.com/earshot-dev/earshot/story/publish].
//
// # Counting and splitting
//
// Each platform counts differently, so each has a [Rules] value:
// [MastodonRules] (grapheme clusters of spoiler plus status, any http(s)
// link 23, @user@host counted as @user, the instance's limit),
// [BlueskyRules] (300 graphemes and 3,000 UTF-8 bytes, links in full) and
// [XRules] (twitter-text v3 weighted length of 280: CJK and emoji weigh 2,
// links 23, NFC first). They are named apart from the publishers
// (publish.Mastodon posts; MastodonRules counts).
// [Split] breaks a story into a thread at sentence, then word boundaries,
// never inside a link, mention, hashtag or grapheme cluster, optionally
// numbered "1/n " with the label counted. A word longer than a post is an
// error, never cut. [Facets] and [ShortenLinks] compute Bluesky's rich-text
// facets by UTF-8 byte offsets on the final text. Grapheme clusters come
// from github.com/rivo/uniseg; Unicode versions differ between servers, so
// leave a little room for brand-new emoji.
//
// # Series
//
// A [Series] renders "Day {{.N}} of the hen diary" from a text/template on
// a [Schedule] ([Daily], [Weekly] or a [ScheduleFunc]) in a time zone.
// Days are counted on the zone's calendar, so a 07:30 post stays at 07:30
// across daylight-saving changes. Time is always an argument: Next(ctx, at)
// never reads the clock. Progress is kept in a [Store] (a [FileStore]
// writes atomically), so a restart neither skips nor repeats an episode;
// publish each episode with Thread.ID = [Episode.Key] and a crash between
// posting and [Series.Done] does not post twice. Hosts that load zones by
// name should import time/tzdata when the system may lack a zone database.
//
// # Replies and digests
//
// [Triage] tells complaints, questions and praise apart; a [Replier] drafts
// an answer from the business's templates, addressed to the author and
// checked against the platform's limit, for posts that can be answered (no
// draft for a feed item). Drafts wait in a [Queue]: only
// [Queue.Approve] lets [Queue.Send] publish, and an edit withdraws the
// approval. [Digest] turns a [trend.Alert] into a short post that fits
// every platform, for the same queue ([DigestDraft]).
//
// # Ownership: context, goroutines, errors
//
// The caller owns ctx: it bounds Store calls and [Queue.Send]; nothing in
// this package keeps it. No function here starts a goroutine. Value types
// ([MastodonRules], [BlueskyRules], [XRules], [Daily], [Weekly],
// [Triage]) are safe to share; [Queue], [MemoryStore] and [FileStore] are
// safe for concurrent use; a [Series] is not (run one loop per series).
// Errors start with "story:" and unwrap to [ErrEmpty], [ErrInvalidUTF8],
// [ErrInvalidChar], [ErrTooLong] (a [*LengthError] with the part, length
// and limit), [ErrNotApproved], [ErrUnknownDraft] or [ErrSeriesEnded].
package story
