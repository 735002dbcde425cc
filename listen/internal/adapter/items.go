package adapter

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/earshot-dev/earshot/internal/httpx"
)

// ItemID reads an item's ID from its raw JSON for a skip report: the
// first of keys that is present, as a string (a number's text as is).
// It returns "" when the item is not an object or has none of the keys.
func ItemID(raw []byte, keys ...string) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	for _, k := range keys {
		path := strings.Split(k, ".")
		v, ok := m[path[0]]
		for _, p := range path[1:] {
			var sub map[string]json.RawMessage
			if !ok || json.Unmarshal(v, &sub) != nil {
				ok = false
				break
			}
			v, ok = sub[p]
		}
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
		if t := bytes.TrimSpace(v); len(t) > 0 && t[0] != '{' && t[0] != '[' && len(t) <= 100 {
			return string(t)
		}
	}
	return ""
}

// URLSecrets returns the credentials in the user info of URLs, in the
// forms they take on the wire: the password, and the Basic
// Authorization value net/http sends for it.
func URLSecrets(urls ...string) []httpx.Secret {
	var out []httpx.Secret
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || u.User == nil {
			continue
		}
		pw, _ := u.User.Password()
		out = append(out, httpx.Secret(pw),
			httpx.Secret(base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pw))))
	}
	return out
}
