package natsjs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Fast batch publishing (nats-server 2.14 and later, streams with
// AllowBatchPublish): the messages of a batch carry their place in the
// batch in the reply subject,
//
//	<inbox><batch id>.<flow>.fail.<batch seq>.<op>.$FI
//
// and the server acknowledges them together: a flow message
// {"type":"ack","seq":n} every few hundred messages says that the batch's
// messages up to n are stored, and the commit (an empty end-of-batch
// message, sent by Flush) is answered by a PubAck with the batch's count.
// In "fail" mode the server ends the batch at the first gap. Anything
// unexpected (an error, a gap, a timeout, a reconnect) ends the batch:
// its messages not yet confirmed are published again one by one with
// their message IDs, and the next publish starts a new batch. A server or
// stream without fast batches answers the first message with an error or
// with an ordinary PubAck; the Publisher then acknowledges every message
// on its own, as before.
const (
	batchSuffix   = ".$FI"
	batchOpStart  = "0"
	batchOpAppend = "1"
	batchOpCommit = "3" // end of batch: commits the messages sent before it
)

// nextInBatch returns the batch and sequence for the next publish,
// starting a batch when none is open.
func (pub *Publisher) nextInBatch(nc *nats.Conn) (string, uint64) {
	if pub.batch == "" {
		inbox := nc.NewInbox()
		pub.batch, pub.bseq = inbox[strings.LastIndexByte(inbox, '.')+1:], 0
		pub.batchSeen = false
	}
	pub.bseq++
	return pub.batch, pub.bseq
}

// batchReply returns the reply subject of message bseq of batch.
func (pub *Publisher) batchReply(batch string, bseq uint64, op string) string {
	if bseq == 1 && op == batchOpAppend {
		op = batchOpStart
	}
	if pub.flow == "" {
		// Ask for a flow message at least four times per window.
		pub.flow = "." + strconv.Itoa(max(1, min(500, min(pub.cfg.maxInFlight, maxInFlight)/4))) + ".fail."
	}
	var num [20]byte
	return pub.inbox + batch + pub.flow + string(strconv.AppendUint(num[:0], bseq, 10)) + "." + op + batchSuffix
}

// commit ends the open batch with an end-of-batch message; the server
// answers with a PubAck for the whole batch. It first waits for the
// server's answer to the batch's first message: a server without fast
// batches would store the end-of-batch message as an empty post.
func (pub *Publisher) commit(ctx context.Context) error {
	for pub.batch != "" && !pub.batchSeen && pub.head < len(pub.pending) {
		if err := pub.readAck(ctx, &pub.pending[pub.head]); err != nil {
			return err
		}
	}
	if pub.batch == "" || pub.sub == nil {
		return nil
	}
	batch := pub.batch
	pub.batch = ""
	m := &nats.Msg{Subject: pub.lastSubj, Reply: pub.batchReply(batch, pub.bseq+1, batchOpCommit)}
	if err := pub.js.Conn().PublishMsg(m); err != nil {
		pub.failBatch(batch, err)
	}
	return nil
}

// batchAck handles a message on a batch reply subject (rest is the
// subject after the inbox prefix): a flow message, a PubAck, an error or
// a status.
func (pub *Publisher) batchAck(rest string, m *nats.Msg) {
	batch, tail, _ := strings.Cut(rest, ".")
	// tail is <flow>.fail.<bseq>.<op>.$FI
	parts := strings.Split(tail, ".")
	if len(parts) != 5 {
		return
	}
	bseq, err := strconv.ParseUint(parts[2], 10, 64)
	if err != nil {
		return
	}
	if batch == pub.batch {
		pub.batchSeen = true // the server answered: it knows the batch, or says why not
	}
	if st := m.Header.Get("Status"); st != "" {
		pub.failBatch(batch, fmt.Errorf("natsjs: publish status %s %s", st, m.Header.Get("Description")))
		return
	}
	var r struct {
		Type  string              `json:"type"`
		Seq   uint64              `json:"seq"`
		Error *jetstream.APIError `json:"error"`
		Batch string              `json:"batch"`
		Count uint64              `json:"count"`
		Dup   bool                `json:"duplicate"`
	}
	if err := json.Unmarshal(m.Data, &r); err != nil {
		pub.failBatch(batch, fmt.Errorf("natsjs: bad acknowledgement %q", m.Data))
		return
	}
	switch {
	case r.Error != nil:
		if bseq == 1 {
			// The batch could not start (no fast batches on this stream or
			// server, or too many batches): acknowledge message by message.
			pub.perMsg = true
		}
		pub.failBatch(batch, r.Error)
	case r.Type == "ack":
		pub.confirm(batch, 1, r.Seq)
	case r.Type != "":
		// A gap (a message lost on the way) or an unknown report: the
		// server ends the batch; send again what is not confirmed.
		pub.failBatch(batch, fmt.Errorf("natsjs: fast batch %s: %s", r.Type, m.Data))
	case r.Batch == "":
		// An ordinary PubAck for this one message: the server does not
		// know fast batches.
		pub.perMsg = true
		if pub.batch == batch {
			pub.batch = "" // nothing to commit
		}
		pub.confirm(batch, bseq, bseq)
	default:
		// The PubAck of the commit: the batch's first Count messages are
		// stored, and the batch is over. A batch whose first message is a
		// duplicate ends there too; a publisher that sends many duplicates
		// (overlapping pollers) does better with one ack per message.
		if r.Dup && r.Count == 1 && bseq == 1 {
			pub.perMsg = true
		}
		pub.confirm(batch, 1, r.Count)
		pub.failBatch(batch, errors.New("natsjs: not in the committed batch"))
	}
}

// confirm marks the messages of batch from bseq from to bseq to as stored.
func (pub *Publisher) confirm(batch string, from, to uint64) {
	for i := pub.head; i < len(pub.pending); i++ {
		if p := &pub.pending[i]; p.batch == batch && from <= p.bseq && p.bseq <= to {
			p.done = true
		}
	}
}

// failBatch ends batch: its messages not yet confirmed are published
// again, one by one.
func (pub *Publisher) failBatch(batch string, err error) {
	if batch == "" {
		return
	}
	if pub.batch == batch {
		pub.batch = ""
	}
	for i := pub.head; i < len(pub.pending); i++ {
		if p := &pub.pending[i]; p.batch == batch && !p.done {
			p.done, p.err = true, err
		}
	}
}
