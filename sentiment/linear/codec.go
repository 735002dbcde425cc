package linear

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"slices"
)

// The model file format, version 2, little-endian:
//
//	magic     8 bytes "ESLINMDL"
//	version   uint16 (formatVersion)
//	features  uint16 feature extractor version, then 5 bytes: Bits, Words,
//	          CharMin, CharMax, flags (bit 0: NoLexicon, bit 1: NoRules)
//	lexicon   uint32 CRC-32 of the lexicon files (0 without lexicon)
//	probes    unless NoRules, uint8 count, then that many float32: the
//	          rule-based scorer's compound on the probe texts at training
//	lang      uint8 length, then the tag
//	labels    uint8 count K, then K times: uint8 length, then the name
//	rows      uint32 number of non-zero weight rows
//	body      uint32 length, then DEFLATE data: per row, the uvarint gap
//	          from the previous row index (+1), then K bfloat16 weights
//	checksum  uint32 CRC-32 (IEEE) of everything before it
//
// Version 1 (3 fixed classes, no labels) is no longer read.
const (
	magic         = "ESLINMDL"
	formatVersion = 2
	headerMin     = 8 + 2 + 2 + 5 + 4 + 1 + 1 + 4 + 4
)

// Errors from loading a model file; the message says more.
var (
	// ErrNotModel means the data is not a model file of this package.
	ErrNotModel = errors.New("linear: not a model file")
	// ErrCorrupt means the file is truncated or damaged.
	ErrCorrupt = errors.New("linear: corrupt model file")
	// ErrIncompatible means the file was written by another format version
	// or with feature settings (extractor version, lexicon) this build
	// cannot reproduce; retrain the model.
	ErrIncompatible = errors.New("linear: incompatible model file")
)

// MarshalBinary encodes the model in a versioned, checksummed format.
func (m *Model) MarshalBinary() ([]byte, error) {
	if m.w == nil {
		return nil, errors.New("linear: marshal an untrained model")
	}
	var body bytes.Buffer
	zw, err := flate.NewWriter(&body, flate.BestCompression)
	if err != nil {
		return nil, err
	}
	var rows uint32
	prev := -1
	k := m.k
	rec := make([]byte, binary.MaxVarintLen64+2*k)
	for i := 0; i < m.dim; i++ {
		r := m.w[i*k : i*k+k]
		if !slices.ContainsFunc(r, func(v float32) bool { return v != 0 }) {
			continue
		}
		n := binary.PutUvarint(rec, uint64(i-prev))
		for _, v := range r {
			binary.LittleEndian.PutUint16(rec[n:], uint16(math.Float32bits(v)>>16))
			n += 2
		}
		if _, err := zw.Write(rec[:n]); err != nil {
			return nil, err
		}
		prev = i
		rows++
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if len(m.lang) > 255 {
		return nil, errors.New("linear: language tag longer than 255 bytes")
	}
	b := make([]byte, 0, headerMin+len(m.lang)+body.Len())
	b = append(b, magic...)
	b = binary.LittleEndian.AppendUint16(b, formatVersion)
	b = binary.LittleEndian.AppendUint16(b, featureVersion)
	var flags byte
	var sum uint32
	if m.feat.NoLexicon {
		flags |= 1
	} else {
		sum = m.lex.sum
	}
	if m.feat.NoRules {
		flags |= 2
	}
	b = append(b, byte(m.feat.Bits), byte(m.feat.Words), byte(m.feat.CharMin), byte(m.feat.CharMax), flags)
	b = binary.LittleEndian.AppendUint32(b, sum)
	if !m.feat.NoRules {
		ps := probeScores(m.rules)
		b = append(b, byte(len(ps)))
		for _, v := range ps {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
	}
	b = append(b, byte(len(m.lang)))
	b = append(b, m.lang...)
	b = append(b, byte(k))
	for _, l := range m.labels {
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	b = binary.LittleEndian.AppendUint32(b, rows)
	b = binary.LittleEndian.AppendUint32(b, uint32(body.Len()))
	b = append(b, body.Bytes()...)
	b = binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	return b, nil
}

// UnmarshalBinary decodes a model written by [Model.MarshalBinary],
// replacing m's contents. It returns an error wrapping [ErrNotModel],
// [ErrCorrupt] or [ErrIncompatible] for data it cannot use, and leaves m
// unchanged then.
func (m *Model) UnmarshalBinary(data []byte) error {
	if len(data) < 8 || string(data[:8]) != magic {
		return fmt.Errorf("%w (bad magic number)", ErrNotModel)
	}
	if len(data) < headerMin {
		return fmt.Errorf("%w: truncated header (%d bytes)", ErrCorrupt, len(data))
	}
	if v := binary.LittleEndian.Uint16(data[8:]); v != formatVersion {
		return fmt.Errorf("%w: format version %d, this build reads version %d", ErrIncompatible, v, formatVersion)
	}
	n := len(data) - 4
	if got, want := crc32.ChecksumIEEE(data[:n]), binary.LittleEndian.Uint32(data[n:]); got != want {
		return fmt.Errorf("%w: checksum mismatch (truncated or damaged)", ErrCorrupt)
	}
	p := data[10:n]
	if v := binary.LittleEndian.Uint16(p); v != featureVersion {
		return fmt.Errorf("%w: model uses feature extractor version %d, this build has version %d; retrain it", ErrIncompatible, v, featureVersion)
	}
	f := Features{Bits: int(p[2]), Words: int(p[3]), CharMin: int(p[4]), CharMax: int(p[5]), NoChars: p[5] == 0, NoLexicon: p[6]&1 != 0, NoRules: p[6]&2 != 0}
	if p[6]&^3 != 0 {
		return fmt.Errorf("%w: unknown feature flags %#x", ErrIncompatible, p[6])
	}
	if r, err := f.resolve(); err != nil || r != f {
		return fmt.Errorf("%w: invalid feature settings %+v", ErrCorrupt, f)
	}
	sum := binary.LittleEndian.Uint32(p[7:])
	p = p[11:]
	var trained []float32
	if !f.NoRules {
		n := int(p[0])
		if len(p) < 1+4*n+1 {
			return fmt.Errorf("%w: truncated header", ErrCorrupt)
		}
		for i := range n {
			trained = append(trained, math.Float32frombits(binary.LittleEndian.Uint32(p[1+4*i:])))
		}
		p = p[1+4*n:]
	}
	ln := int(p[0])
	if len(p) < 1+ln+1 {
		return fmt.Errorf("%w: truncated header", ErrCorrupt)
	}
	lang := string(p[1 : 1+ln])
	p = p[1+ln:]
	labels := make([]string, int(p[0]))
	p = p[1:]
	for i := range labels {
		if len(p) < 1 || len(p) < 1+int(p[0]) {
			return fmt.Errorf("%w: truncated labels", ErrCorrupt)
		}
		labels[i] = string(p[1 : 1+int(p[0])])
		p = p[1+int(p[0]):]
	}
	if err := checkLabelSet(labels); err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if len(p) < 8 {
		return fmt.Errorf("%w: truncated header", ErrCorrupt)
	}
	rows := binary.LittleEndian.Uint32(p)
	blen := binary.LittleEndian.Uint32(p[4:])
	p = p[8:]
	if uint64(blen) != uint64(len(p)) {
		return fmt.Errorf("%w: body is %d bytes, header says %d", ErrCorrupt, len(p), blen)
	}
	nm, err := newModel(f, lang, labels)
	if err != nil {
		return err
	}
	if !f.NoLexicon && nm.lex.sum != sum {
		return fmt.Errorf("%w: model was trained with another lexicon (checksum %08x, this build has %08x); retrain it", ErrIncompatible, sum, nm.lex.sum)
	}
	if !f.NoRules {
		now := probeScores(nm.rules)
		if len(trained) != len(now) {
			return fmt.Errorf("%w: model has %d rule probes, this build has %d; retrain it", ErrIncompatible, len(trained), len(now))
		}
		var diff float64
		for i := range now {
			diff += math.Abs(float64(now[i] - trained[i]))
		}
		if diff /= float64(len(now)); !(diff <= probeTolerance) {
			return fmt.Errorf("%w: the rule-based scorer (sentiment/social) now scores probe texts differently from when the model was trained (mean difference %.3f); retrain it", ErrIncompatible, diff)
		}
	}
	if uint64(rows) > uint64(nm.dim) {
		return fmt.Errorf("%w: %d rows for %d features", ErrCorrupt, rows, nm.dim)
	}
	zr := flate.NewReader(bytes.NewReader(p))
	defer zr.Close()
	br := &byteReader{r: zr}
	prev := -1
	k := nm.k
	rec := make([]byte, 2*k)
	for range rows {
		gap, err := binary.ReadUvarint(br)
		if err != nil || gap == 0 || gap > uint64(nm.dim) || prev+int(gap) >= nm.dim {
			return fmt.Errorf("%w: bad row index", ErrCorrupt)
		}
		i := prev + int(gap)
		if _, err := io.ReadFull(br, rec); err != nil {
			return fmt.Errorf("%w: truncated weights", ErrCorrupt)
		}
		for c := 0; c < k; c++ {
			v := math.Float32frombits(uint32(binary.LittleEndian.Uint16(rec[2*c:])) << 16)
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("%w: weight is not finite", ErrCorrupt)
			}
			nm.w[i*k+c] = v
		}
		prev = i
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return fmt.Errorf("%w: trailing data in body", ErrCorrupt)
	}
	m.feat, m.lang, m.labels, m.k, m.pol, m.lex, m.rules, m.dim, m.w = nm.feat, nm.lang, nm.labels, nm.k, nm.pol, nm.lex, nm.rules, nm.dim, nm.w
	return nil
}

// Load reads a model file from r (see [Model.UnmarshalBinary]).
func Load(r io.Reader) (*Model, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("linear: read model: %w", err)
	}
	m := &Model{}
	if err := m.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	return m, nil
}

// LoadFeatures is [Load] for a host that expects particular feature
// settings: it also fails, with an error wrapping [ErrIncompatible], when
// the file's settings differ from want (once defaults are filled in).
func LoadFeatures(r io.Reader, want Features) (*Model, error) {
	w, err := want.resolve()
	if err != nil {
		return nil, err
	}
	m, err := Load(r)
	if err != nil {
		return nil, err
	}
	if m.feat != w {
		return nil, fmt.Errorf("%w: model was trained with features %+v, want %+v", ErrIncompatible, m.feat, w)
	}
	return m, nil
}

type byteReader struct {
	r   io.Reader
	one [1]byte
}

func (b *byteReader) Read(p []byte) (int, error) { return b.r.Read(p) }

func (b *byteReader) ReadByte() (byte, error) {
	if _, err := io.ReadFull(b.r, b.one[:]); err != nil {
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		return 0, err
	}
	return b.one[0], nil
}

// roundBF16 rounds v to the nearest bfloat16 (the top 16 bits of a
// float32), the precision in which weights are stored.
func roundBF16(v float32) float32 {
	b := math.Float32bits(v)
	b += 0x7fff + (b>>16)&1
	return math.Float32frombits(b &^ 0xffff)
}
