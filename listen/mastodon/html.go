package mastodon

import "github.com/earshot-dev/earshot/listen/internal/htmltext"

// statusText is the plain text of a status's HTML content, with the links found
// in it.
type statusText struct {
	Text  string   // clean text: tags stripped, entities unescaped, paragraphs and <br> as newlines
	Links []string // hrefs of ordinary links (not mentions or hashtags), in order, without duplicates
}

// htmlToText converts Mastodon's sanitised status HTML (<p>, <br>, <a>,
// <span>) to plain text. Paragraphs are separated by a blank line and <br>
// becomes a newline. Mentions and hashtags stay as "@user" and "#tag".
// Links keep their full URL: Mastodon splits a long URL into
// <span class="invisible">, <span class="ellipsis"> parts that together
// spell it, and all parts are kept. Entities are unescaped; custom emoji
// remain ":shortcode:". Other tags are dropped, their text kept, except
// the contents of <script> and <style>. It never fails: broken markup
// gives best-effort text.
func htmlToText(content string) statusText {
	text, links := htmltext.Convert(content)
	return statusText{Text: text, Links: links}
}
