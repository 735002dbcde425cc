package bluesky

import "github.com/earshot-dev/earshot/listen/internal/jsonscan"

// The decoder of Jetstream frames, on [jsonscan]: the frame is copied
// into one string and every string field that needs no unescaping is a
// substring of it, so decoding a post costs a handful of allocations
// instead of dozens (a reflection-based decoder spends most of its time
// allocating). It reads the fields the adapter maps and skips everything
// else; like encoding/json it ignores unknown fields, takes null as
// "absent", keeps the last of duplicate keys and fails on a value of the
// wrong type. Unlike encoding/json it matches keys exactly (Jetstream's
// keys are fixed) and passes invalid UTF-8 through (posts are repaired
// after mapping): the scanner is not in strict mode.

type scanner struct{ jsonscan.Scanner }

// decodeFrame decodes a Jetstream frame into ev.
func decodeFrame(b []byte, ev *event) error {
	*ev = event{}
	var sc scanner
	sc.Reset(string(b))
	if sc.Peek() != '{' || !sc.Object() {
		sc.Fail()
		return sc.Err()
	}
	first := true
	for {
		k, ok := sc.NextKey(&first)
		if !ok {
			break
		}
		switch k {
		case "did":
			ev.DID = sc.Str()
		case "time_us":
			ev.TimeUS = sc.Int()
		case "cursor":
			if sc.Peek() == 'n' {
				sc.Null()
				ev.Seq = nil
			} else {
				ev.seq = sc.Int()
				ev.Seq = &ev.seq
			}
		case "kind":
			ev.Kind = sc.Str()
		case "identity":
			ev.Identity = nil
			if sc.Object() {
				ev.Identity = &ev.identity
				ev.identity = identity{}
				f := true
				for {
					k, ok := sc.NextKey(&f)
					if !ok {
						break
					}
					switch k {
					case "did":
						ev.identity.DID = sc.Str()
					case "handle":
						ev.identity.Handle = sc.Str()
					default:
						sc.Skip()
					}
				}
			}
		case "commit":
			ev.Commit = nil
			if sc.Object() {
				ev.Commit = &ev.commit
				ev.commit = commit{}
				sc.commit(&ev.commit)
			}
		default:
			sc.Skip()
		}
	}
	return sc.Finish() // no trailing data
}

func (sc *scanner) commit(c *commit) {
	first := true
	for {
		k, ok := sc.NextKey(&first)
		if !ok {
			return
		}
		switch k {
		case "rev":
			c.Rev = sc.Str()
		case "operation":
			c.Operation = sc.Str()
		case "collection":
			c.Collection = sc.Str()
		case "rkey":
			c.RKey = sc.Str()
		case "record":
			c.Record = nil
			if sc.Object() {
				c.Record = &record{}
				sc.record(c.Record)
			}
		default:
			sc.Skip()
		}
	}
}

func (sc *scanner) strings(dst []string) []string {
	dst = dst[:0]
	if !sc.Array() {
		return nil
	}
	first := true
	for sc.NextElem(&first) {
		dst = append(dst, sc.Str())
	}
	return dst
}

func (sc *scanner) ref(r *strongRef) {
	if !sc.Object() {
		return
	}
	first := true
	for {
		k, ok := sc.NextKey(&first)
		if !ok {
			return
		}
		if k == "uri" {
			r.URI = sc.Str()
		} else {
			sc.Skip()
		}
	}
}

func (sc *scanner) record(r *record) {
	first := true
	for {
		k, ok := sc.NextKey(&first)
		if !ok {
			return
		}
		switch k {
		case "text":
			r.Text = sc.Str()
		case "createdAt":
			r.CreatedAt = sc.Str()
		case "langs":
			r.Langs = sc.strings(nil)
		case "tags":
			r.Tags = sc.strings(nil)
		case "reply":
			r.Reply = nil
			if sc.Peek() == 'n' {
				sc.Null()
				continue
			}
			r.Reply = &replyRef{}
			if !sc.Object() {
				continue
			}
			f := true
			for {
				k, ok := sc.NextKey(&f)
				if !ok {
					break
				}
				switch k {
				case "root":
					r.Reply.Root = strongRef{}
					sc.ref(&r.Reply.Root)
				case "parent":
					r.Reply.Parent = strongRef{}
					sc.ref(&r.Reply.Parent)
				default:
					sc.Skip()
				}
			}
		case "subject":
			r.Subject = []byte(sc.Raw())
		case "labels":
			r.Labels = nil
			if sc.Null() || !sc.Object() {
				continue
			}
			r.Labels = &selfLabels{}
			f := true
			for {
				k, ok := sc.NextKey(&f)
				if !ok {
					break
				}
				if k != "values" {
					sc.Skip()
					continue
				}
				r.Labels.Values = nil
				if !sc.Array() {
					continue
				}
				g := true
				for sc.NextElem(&g) {
					var v struct {
						Val string `json:"val"`
					}
					if sc.Object() {
						h := true
						for {
							k, ok := sc.NextKey(&h)
							if !ok {
								break
							}
							if k == "val" {
								v.Val = sc.Str()
							} else {
								sc.Skip()
							}
						}
					}
					r.Labels.Values = append(r.Labels.Values, v)
				}
			}
		case "facets":
			r.Facets = nil
			if !sc.Array() {
				continue
			}
			f := true
			for sc.NextElem(&f) {
				var fc facet
				sc.facet(&fc)
				r.Facets = append(r.Facets, fc)
			}
		default:
			sc.Skip()
		}
	}
}

func (sc *scanner) facet(fc *facet) {
	if !sc.Object() {
		return
	}
	first := true
	for {
		k, ok := sc.NextKey(&first)
		if !ok {
			return
		}
		switch k {
		case "index":
			if !sc.Object() {
				continue
			}
			f := true
			for {
				k, ok := sc.NextKey(&f)
				if !ok {
					break
				}
				switch k {
				case "byteStart":
					fc.Index.ByteStart = int(sc.Int())
				case "byteEnd":
					fc.Index.ByteEnd = int(sc.Int())
				default:
					sc.Skip()
				}
			}
		case "features":
			fc.Features = nil
			if !sc.Array() {
				continue
			}
			f := true
			for sc.NextElem(&f) {
				var ft feature
				if sc.Object() {
					g := true
					for {
						k, ok := sc.NextKey(&g)
						if !ok {
							break
						}
						switch k {
						case "$type":
							ft.Type = sc.Str()
						case "uri":
							ft.URI = sc.Str()
						case "did":
							ft.DID = sc.Str()
						case "tag":
							ft.Tag = sc.Str()
						default:
							sc.Skip()
						}
					}
				}
				fc.Features = append(fc.Features, ft)
			}
		default:
			sc.Skip()
		}
	}
}
