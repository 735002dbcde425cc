package httpx

import (
	"net/url"
	"strings"
)

// Secret is a credential (token, password, client secret). Its String and
// GoString methods print "[REDACTED]", so a Secret stored in a config
// struct never reaches logs or errors by accident; use string(s) to send it.
type Secret string

func (Secret) String() string   { return "[REDACTED]" }
func (Secret) GoString() string { return `"[REDACTED]"` }

// MarshalText keeps a Secret out of JSON and other text encodings.
func (Secret) MarshalText() ([]byte, error) { return []byte("[REDACTED]"), nil }

// secretParams are query keys whose values are always redacted.
var secretParams = []string{
	"access_token", "token", "refresh_token", "id_token", "bearer_token",
	"key", "api_key", "apikey", "client_secret", "secret", "password",
	"code", "sig", "signature", "auth", "authorization",
}

func isSecretParam(k string) bool {
	k = strings.ToLower(k)
	for _, s := range secretParams {
		if k == s {
			return true
		}
	}
	return strings.HasSuffix(k, "_token") || strings.HasSuffix(k, "_secret")
}

// RedactURL returns u as a string with user info and the values of
// credential query parameters (access_token, token, key, client_secret,
// ...) replaced by "REDACTED".
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	if c.User != nil {
		c.User = url.User("REDACTED")
	}
	if c.RawQuery != "" {
		q, err := url.ParseQuery(c.RawQuery)
		if err != nil {
			c.RawQuery = "REDACTED"
		} else {
			changed := false
			for k, vs := range q {
				if isSecretParam(k) {
					for i := range vs {
						vs[i] = "REDACTED"
					}
					changed = true
				}
			}
			if changed {
				c.RawQuery = q.Encode()
			}
		}
	}
	return c.String()
}

// RedactURLString is [RedactURL] for a URL in text form. An unparsable
// URL is replaced entirely.
func RedactURLString(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "REDACTED-URL"
	}
	return RedactURL(u)
}

// Redact replaces every occurrence of each non-empty secret in s with
// "[REDACTED]". Secrets shorter than 4 bytes are ignored (they would
// mangle ordinary text).
func Redact(s string, secrets ...Secret) string {
	for _, sec := range secrets {
		if len(sec) >= 4 && strings.Contains(s, string(sec)) {
			s = strings.ReplaceAll(s, string(sec), "[REDACTED]")
		}
	}
	return s
}
