package x

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/earshot-dev/earshot/listen"
)

// Rule is a filtered-stream rule: a query Value, an optional Tag echoed in
// matching_rules, and the ID X assigns.
type Rule struct {
	ID    string `json:"id,omitempty"`
	Value string `json:"value"`
	Tag   string `json:"tag,omitempty"`
}

// Rules manages the filtered-stream rules of the app the bearer token
// belongs to (/2/tweets/search/stream/rules). Rule changes reach a
// running stream ([NewStream]) without reconnecting. Create it with
// [NewRules]; it is safe for concurrent use.
type Rules struct {
	c *client
}

// NewRules returns a rules client for an app-only bearer token. Of the
// shared options, those about HTTP, rate limits, retries and logging
// apply (the others are ignored), and WithBaseURL.
func NewRules(bearer string, opts ...listen.Option) (*Rules, error) {
	c, err := newClient("x.NewRules", bearer, opts, "rules")
	if err != nil {
		return nil, err
	}
	return &Rules{c: c}, nil
}

// RuleError reports rules X refused (invalid syntax, too many rules...).
type RuleError struct {
	Problems []string // "title: value (details)" per refused rule
}

func (e *RuleError) Error() string { return "x: rules refused: " + strings.Join(e.Problems, "; ") }

type rulesResponse struct {
	Data   []Rule `json:"data"`
	Errors []struct {
		Title   string   `json:"title"`
		Value   string   `json:"value"`
		ID      string   `json:"id"`
		Detail  string   `json:"detail"`
		Details []string `json:"details"`
	} `json:"errors"`
}

func (r *Rules) do(ctx context.Context, dryRun bool, body any) (*rulesResponse, error) {
	q := ""
	if dryRun {
		q = "dry_run=true"
	}
	var req *http.Request
	if body == nil {
		req = r.c.request("/2/tweets/search/stream/rules", q)
	} else {
		b, _ := json.Marshal(body)
		req, _ = http.NewRequest(http.MethodPost, r.c.opt.baseURL+"/2/tweets/search/stream/rules?"+q, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+string(r.c.token))
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.c.b.Client.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	var out rulesResponse
	if err := json.Unmarshal(resp.Body, &out); err != nil {
		return nil, fmt.Errorf("x: rules: malformed response: %v", err)
	}
	var probs []string
	for _, e := range out.Errors {
		if e.Title == "DuplicateRule" {
			continue // already there: what we wanted
		}
		p := e.Title + ": " + e.Value + e.ID
		if d := strings.Join(append(e.Details, e.Detail), " "); strings.TrimSpace(d) != "" {
			p += " (" + strings.TrimSpace(d) + ")"
		}
		probs = append(probs, p)
	}
	if len(probs) > 0 {
		return &out, &RuleError{Problems: probs}
	}
	return &out, nil
}

// List returns the app's rules.
func (r *Rules) List(ctx context.Context) ([]Rule, error) {
	out, err := r.do(ctx, false, nil)
	if err != nil {
		return nil, err
	}
	return out.Data, nil
}

// Add adds rules and returns them with their IDs. With dryRun X only
// validates them. Rules that exist already are not an error.
func (r *Rules) Add(ctx context.Context, dryRun bool, rules ...Rule) ([]Rule, error) {
	if len(rules) == 0 {
		return nil, nil
	}
	add := make([]Rule, len(rules))
	for i, rl := range rules {
		if strings.TrimSpace(rl.Value) == "" {
			return nil, errors.New("x: rules: empty rule value")
		}
		add[i] = Rule{Value: rl.Value, Tag: rl.Tag}
	}
	out, err := r.do(ctx, dryRun, map[string]any{"add": add})
	if err != nil {
		return nil, err
	}
	return out.Data, nil
}

// Delete deletes the rules with the given IDs.
func (r *Rules) Delete(ctx context.Context, dryRun bool, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := r.do(ctx, dryRun, map[string]any{"delete": map[string]any{"ids": ids}})
	return err
}

// Sync makes the app's rules equal to want (compared by value and tag):
// it deletes the others and adds the missing ones. Run it at startup so a
// restarted host does not pile up rules.
func (r *Rules) Sync(ctx context.Context, want ...Rule) error {
	have, err := r.List(ctx)
	if err != nil {
		return err
	}
	key := func(rl Rule) string { return rl.Value + "\x00" + rl.Tag }
	wanted := map[string]bool{}
	for _, rl := range want {
		wanted[key(rl)] = true
	}
	present := map[string]bool{}
	var del []string
	for _, rl := range have {
		if wanted[key(rl)] && !present[key(rl)] {
			present[key(rl)] = true
			continue
		}
		del = append(del, rl.ID)
	}
	if err := r.Delete(ctx, false, del...); err != nil {
		return err
	}
	var add []Rule
	for _, rl := range want {
		if !present[key(rl)] {
			present[key(rl)] = true
			add = append(add, rl)
		}
	}
	_, err = r.Add(ctx, false, add...)
	return err
}
