package httpx

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
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

// Register adds secrets learnt at run time (a token from a login or a
// refresh) to those the client scrubs, with their URL-encoded forms. It is
// safe for concurrent use.
func (c *Client) Register(secrets ...Secret) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range secrets {
		for _, v := range encodings(string(s)) {
			if len(v) >= 4 && !slices.Contains(c.secrets, v) {
				c.secrets = append(c.secrets, v)
			}
		}
	}
}

// encodings are the forms a secret takes on the wire: as is, and escaped
// for a query or a path (a server may echo the request line).
func encodings(s string) []string {
	out := []string{s}
	for _, e := range []string{url.QueryEscape(s), url.PathEscape(s)} {
		if e != s && !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

// Redact scrubs the client's secrets (Secrets and those registered) and
// their URL-encoded forms from s.
func (c *Client) Redact(s string) string {
	if s == "" {
		return s
	}
	for _, sec := range c.Secrets {
		for _, v := range encodings(string(sec)) {
			s = Redact(s, Secret(v))
		}
	}
	c.mu.Lock()
	reg := c.secrets
	c.mu.Unlock()
	for _, v := range reg {
		s = Redact(s, Secret(v))
	}
	return s
}

// Log logs msg with the platform's prefix at level, if the client has a
// Logger. Every value is scrubbed of the client's secrets first: strings,
// errors and Stringers become redacted strings.
func (c *Client) Log(ctx context.Context, level slog.Level, msg string, args ...any) {
	if c.Logger == nil || !c.Logger.Enabled(ctx, level) {
		return
	}
	args = slices.Clone(args)
	for i, a := range args {
		switch v := a.(type) {
		case string:
			args[i] = c.Redact(v)
		case error:
			if v == nil {
				args[i] = "<nil>"
			} else {
				args[i] = c.Redact(v.Error())
			}
		case slog.Attr:
			args[i] = slog.String(v.Key, c.Redact(v.Value.String()))
		case fmt.Stringer:
			args[i] = c.Redact(v.String())
		}
	}
	c.Logger.Log(ctx, level, c.Platform+": "+c.Redact(msg), args...)
}
