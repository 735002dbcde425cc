package x

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/listen"
)

// Platform is the value of [listen.Post.Platform] for X posts.
const Platform = "x"

type tweet struct {
	ID               string `json:"id"`
	Text             string `json:"text"`
	AuthorID         string `json:"author_id"`
	CreatedAt        string `json:"created_at"`
	Lang             string `json:"lang"`
	ConversationID   string `json:"conversation_id"`
	ReferencedTweets []struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"referenced_tweets"`
	PublicMetrics *struct {
		Retweets int `json:"retweet_count"`
		Replies  int `json:"reply_count"`
		Likes    int `json:"like_count"`
		Quotes   int `json:"quote_count"`
	} `json:"public_metrics"`
	Entities *struct {
		Hashtags []struct {
			Tag string `json:"tag"`
		} `json:"hashtags"`
		Mentions []struct {
			Username string `json:"username"`
		} `json:"mentions"`
		URLs []struct {
			URL         string `json:"url"`
			ExpandedURL string `json:"expanded_url"`
		} `json:"urls"`
	} `json:"entities"`
}

type user struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Username      string `json:"username"`
	PublicMetrics *struct {
		Followers int `json:"followers_count"`
	} `json:"public_metrics"`
}

type includes struct {
	Users []user `json:"users"`
}

// problem is an RFC 7807-style error object, at the top level of an error
// response or inside "errors" of a 200 body or stream message.
type problem struct {
	Title          string `json:"title"`
	Detail         string `json:"detail"`
	Type           string `json:"type"`
	DisconnectType string `json:"disconnect_type"`
	Status         int    `json:"status"`
}

// searchPage is a /2/tweets/search/recent response.
type searchPage struct {
	Data     []json.RawMessage `json:"data"`
	Includes includes          `json:"includes"`
	Errors   []problem         `json:"errors"`
	Meta     struct {
		NewestID    string `json:"newest_id"`
		OldestID    string `json:"oldest_id"`
		ResultCount int    `json:"result_count"`
		NextToken   string `json:"next_token"`
	} `json:"meta"`
}

// streamMessage is one line of the filtered stream.
type streamMessage struct {
	Data          json.RawMessage `json:"data"`
	Includes      includes        `json:"includes"`
	Errors        []problem       `json:"errors"`
	MatchingRules []struct {
		ID  string `json:"id"`
		Tag string `json:"tag"`
	} `json:"matching_rules"`
}

// tweetFields are requested on every search and stream call.
const tweetFields = "tweet.fields=created_at,author_id,lang,conversation_id,public_metrics,referenced_tweets,entities&expansions=author_id&user.fields=username,name,public_metrics"

// idLess orders snowflake IDs (decimal strings) without parsing them.
func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// validID reports whether s is a non-empty decimal ID.
func validID(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// decodeTweet decodes one tweet of a search page or stream message.
func decodeTweet(raw []byte, users []user) (listen.Post, error) {
	var t tweet
	if err := json.Unmarshal(raw, &t); err != nil {
		return listen.Post{}, err
	}
	p, ok := toPost(&t, users)
	if !ok {
		return listen.Post{}, errors.New("tweet without a decimal id")
	}
	return p, nil
}

// toPost maps a tweet and the users expanded beside it.
func toPost(t *tweet, users []user) (listen.Post, bool) {
	if !validID(t.ID) {
		return listen.Post{}, false
	}
	p := listen.Post{Platform: Platform, ID: t.ID, Text: t.Text, Lang: t.Lang, Author: listen.Author{ID: t.AuthorID}}
	if p.Lang == "und" || p.Lang == "zxx" || p.Lang == "qme" || p.Lang == "qht" {
		p.Lang = ""
	}
	for i := range users {
		if users[i].ID == t.AuthorID && t.AuthorID != "" {
			p.Author.Handle = users[i].Username
			p.Author.Name = users[i].Name
			if users[i].PublicMetrics != nil {
				p.Author.Followers = users[i].PublicMetrics.Followers
			}
			break
		}
	}
	if p.Author.Handle != "" {
		p.URL = "https://x.com/" + p.Author.Handle + "/status/" + t.ID
	} else {
		p.URL = "https://x.com/i/web/status/" + t.ID
	}
	if c, err := time.Parse(time.RFC3339Nano, t.CreatedAt); err == nil {
		p.Created = c.UTC()
	}
	if t.ConversationID != "" && t.ConversationID != t.ID {
		p.Thread = t.ConversationID
	}
	for _, r := range t.ReferencedTweets {
		switch r.Type {
		case "replied_to":
			p.ReplyTo = r.ID
		case "retweeted":
			p.Kind = listen.KindRepost
			p.Subject = r.ID
		}
	}
	if m := t.PublicMetrics; m != nil {
		p.Likes, p.Reposts, p.Replies, p.Quotes = m.Likes, m.Retweets, m.Replies, m.Quotes
	}
	if e := t.Entities; e != nil {
		for _, h := range e.Hashtags {
			if h.Tag != "" {
				p.Tags = append(p.Tags, h.Tag)
			}
		}
		for _, m := range e.Mentions {
			if m.Username != "" {
				p.Mentions = append(p.Mentions, m.Username)
			}
		}
		for _, u := range e.URLs {
			l := u.ExpandedURL
			if l == "" {
				l = u.URL
			}
			if strings.HasPrefix(l, "http") {
				p.Links = append(p.Links, l)
			}
		}
	}
	p.Repair()
	return p, true
}
