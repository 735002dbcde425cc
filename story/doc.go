// Package story helps a business answer: composing posts and threads
// within each platform's counting rules, recurring series such as a daily
// diary, publishers that never post twice, reply drafts that wait for a
// person's approval, and digests that turn a trend into a post.
package story
