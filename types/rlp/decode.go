package rlp

import (
	"errors"

	"github.com/holiman/uint256"
)

// Kind says whether an item is a byte string or a list.
type Kind uint8

const (
	String Kind = iota
	List
)

// Decoding errors. Every malformed input yields one of these (possibly
// wrapped), never a panic.
var (
	ErrUnexpectedEnd     = errors.New("rlp: input ends before the item does")
	ErrTrailingBytes     = errors.New("rlp: bytes after the top-level item")
	ErrExpectedString    = errors.New("rlp: expected a string, found a list")
	ErrExpectedList      = errors.New("rlp: expected a list, found a string")
	ErrNonCanonicalSize  = errors.New("rlp: non-canonical size (long form for a short item, or leading zero bytes)")
	ErrNonCanonicalByte  = errors.New("rlp: single byte below 0x80 wrapped in a string header")
	ErrNonCanonicalInt   = errors.New("rlp: integer with leading zero bytes")
	ErrUint64Range       = errors.New("rlp: integer does not fit in 64 bits")
	ErrUint256Range      = errors.New("rlp: integer does not fit in 256 bits")
	ErrWrongStringLength = errors.New("rlp: string has the wrong length")
	ErrTooFewItems       = errors.New("rlp: list has too few items")
	ErrTooManyItems      = errors.New("rlp: list has too many items")
)

// Split cuts the first item off b. It returns the item's kind, its content
// (the payload without the header, aliasing b) and the bytes after it.
func Split(b []byte) (k Kind, content, rest []byte, err error) {
	if len(b) == 0 {
		return 0, nil, nil, ErrUnexpectedEnd
	}
	b0 := b[0]
	var size uint64
	var hdr int
	switch {
	case b0 < 0x80:
		return String, b[:1], b[1:], nil
	case b0 < 0xb8:
		k, hdr, size = String, 1, uint64(b0-0x80)
		if size == 1 {
			if len(b) < 2 {
				return 0, nil, nil, ErrUnexpectedEnd
			}
			if b[1] < 0x80 {
				return 0, nil, nil, ErrNonCanonicalByte
			}
		}
	case b0 < 0xc0:
		k, hdr = String, 1+int(b0-0xb7)
		if size, err = readSize(b, hdr); err != nil {
			return 0, nil, nil, err
		}
	case b0 < 0xf8:
		k, hdr, size = List, 1, uint64(b0-0xc0)
	default:
		k, hdr = List, 1+int(b0-0xf7)
		if size, err = readSize(b, hdr); err != nil {
			return 0, nil, nil, err
		}
	}
	if size > uint64(len(b)-hdr) {
		return 0, nil, nil, ErrUnexpectedEnd
	}
	end := hdr + int(size)
	return k, b[hdr:end], b[end:], nil
}

// readSize reads the big-endian size in b[1:hdr] of a long-form header.
func readSize(b []byte, hdr int) (uint64, error) {
	if len(b) < hdr {
		return 0, ErrUnexpectedEnd
	}
	if b[1] == 0 {
		return 0, ErrNonCanonicalSize
	}
	var s uint64
	for _, c := range b[1:hdr] {
		s = s<<8 | uint64(c)
	}
	if s < 56 {
		return 0, ErrNonCanonicalSize
	}
	return s, nil
}

// SplitString cuts a byte string off b and returns its content.
func SplitString(b []byte) (content, rest []byte, err error) {
	k, content, rest, err := Split(b)
	if err != nil {
		return nil, nil, err
	}
	if k != String {
		return nil, nil, ErrExpectedString
	}
	return content, rest, nil
}

// SplitList cuts a list off b and returns its content (the concatenated
// encodings of its items).
func SplitList(b []byte) (content, rest []byte, err error) {
	k, content, rest, err := Split(b)
	if err != nil {
		return nil, nil, err
	}
	if k != List {
		return nil, nil, ErrExpectedList
	}
	return content, rest, nil
}

// SplitRaw cuts one item off b and returns its whole encoding.
func SplitRaw(b []byte) (item, rest []byte, err error) {
	_, _, rest, err = Split(b)
	if err != nil {
		return nil, nil, err
	}
	return b[:len(b)-len(rest)], rest, nil
}

// SplitUint64 cuts an integer of at most 64 bits off b.
func SplitUint64(b []byte) (v uint64, rest []byte, err error) {
	content, rest, err := SplitString(b)
	if err != nil {
		return 0, nil, err
	}
	v, err = ParseUint64(content)
	return v, rest, err
}

// SplitUint256 cuts an integer of at most 256 bits off b into z.
func SplitUint256(b []byte, z *uint256.Int) (rest []byte, err error) {
	content, rest, err := SplitString(b)
	if err != nil {
		return nil, err
	}
	return rest, ParseUint256(content, z)
}

// ParseUint64 interprets string content as a canonical big-endian integer.
func ParseUint64(content []byte) (uint64, error) {
	if len(content) > 8 {
		return 0, ErrUint64Range
	}
	if len(content) > 0 && content[0] == 0 {
		return 0, ErrNonCanonicalInt
	}
	var v uint64
	for _, c := range content {
		v = v<<8 | uint64(c)
	}
	return v, nil
}

// ParseUint256 interprets string content as a canonical big-endian integer.
func ParseUint256(content []byte, z *uint256.Int) error {
	if len(content) > 32 {
		return ErrUint256Range
	}
	if len(content) > 0 && content[0] == 0 {
		return ErrNonCanonicalInt
	}
	z.SetBytes(content)
	return nil
}

// CountItems returns the number of items in list content b (at most len(b),
// so it is a safe capacity for a slice of decoded items).
func CountItems(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		var err error
		if _, _, b, err = Split(b); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

// Unwrap checks that b is exactly one item and returns its kind and content.
func Unwrap(b []byte) (Kind, []byte, error) {
	k, content, rest, err := Split(b)
	if err != nil {
		return 0, nil, err
	}
	if len(rest) != 0 {
		return 0, nil, ErrTrailingBytes
	}
	return k, content, nil
}

// Decoder reads the items of one list in order. The first error sticks:
// later reads return zero values and Err and Finish report it, so a caller
// may read a whole structure and check once at the end.
type Decoder struct {
	rest []byte
	err  error
}

// NewDecoder returns a decoder over list content (the bytes that follow a
// list header, as returned by SplitList).
func NewDecoder(content []byte) Decoder { return Decoder{rest: content} }

// OpenList checks that b is exactly one list (nothing after it) and returns
// a decoder over its items.
func OpenList(b []byte) (Decoder, error) {
	k, content, err := Unwrap(b)
	if err != nil {
		return Decoder{}, err
	}
	if k != List {
		return Decoder{}, ErrExpectedList
	}
	return Decoder{rest: content}, nil
}

// Err returns the first error met, if any.
func (d *Decoder) Err() error { return d.err }

// Fail records err (when it is the first error) so that later reads stop.
func (d *Decoder) Fail(err error) {
	if d.err == nil && err != nil {
		d.err = err
		d.rest = nil
	}
}

// More reports whether items remain and no error has occurred.
func (d *Decoder) More() bool { return d.err == nil && len(d.rest) > 0 }

// Rest returns the encodings of the items not yet read.
func (d *Decoder) Rest() []byte { return d.rest }

// Finish returns the first error, or ErrTooManyItems when items remain.
func (d *Decoder) Finish() error {
	if d.err != nil {
		return d.err
	}
	if len(d.rest) != 0 {
		return ErrTooManyItems
	}
	return nil
}

// Count returns the number of items left (see CountItems).
func (d *Decoder) Count() int {
	if d.err != nil {
		return 0
	}
	n, err := CountItems(d.rest)
	d.Fail(err)
	return n
}

func (d *Decoder) split() (Kind, []byte, bool) {
	if d.err != nil {
		return 0, nil, false
	}
	if len(d.rest) == 0 {
		d.Fail(ErrTooFewItems)
		return 0, nil, false
	}
	k, content, rest, err := Split(d.rest)
	if err != nil {
		d.Fail(err)
		return 0, nil, false
	}
	d.rest = rest
	return k, content, true
}

// PeekKind returns the kind of the next item without consuming it.
func (d *Decoder) PeekKind() (Kind, bool) {
	if d.err != nil || len(d.rest) == 0 {
		return 0, false
	}
	if d.rest[0] >= 0xc0 {
		return List, true
	}
	return String, true
}

// Bytes reads a byte string and returns its content, aliasing the input.
func (d *Decoder) Bytes() []byte {
	k, content, ok := d.split()
	if !ok {
		return nil
	}
	if k != String {
		d.Fail(ErrExpectedString)
		return nil
	}
	return content
}

// FixedBytes reads a byte string of exactly len(dst) bytes into dst.
func (d *Decoder) FixedBytes(dst []byte) {
	b := d.Bytes()
	if d.err != nil {
		return
	}
	if len(b) != len(dst) {
		d.Fail(ErrWrongStringLength)
		return
	}
	copy(dst, b)
}

// Uint64 reads an integer of at most 64 bits.
func (d *Decoder) Uint64() uint64 {
	b := d.Bytes()
	if d.err != nil {
		return 0
	}
	v, err := ParseUint64(b)
	d.Fail(err)
	return v
}

// Uint256 reads an integer of at most 256 bits into z.
func (d *Decoder) Uint256(z *uint256.Int) {
	b := d.Bytes()
	if d.err != nil {
		z.Clear()
		return
	}
	if err := ParseUint256(b, z); err != nil {
		z.Clear()
		d.Fail(err)
	}
}

// Bool reads the integer 0 or 1.
func (d *Decoder) Bool() bool {
	v := d.Uint64()
	if v > 1 {
		d.Fail(errors.New("rlp: boolean is neither 0 nor 1"))
		return false
	}
	return v == 1
}

// Raw reads one item and returns its whole encoding.
func (d *Decoder) Raw() []byte {
	before := d.rest
	if _, _, ok := d.split(); !ok {
		return nil
	}
	return before[:len(before)-len(d.rest)]
}

// List reads a list and returns a decoder over its items. Pass that decoder
// to Close when done so its error (or unread items) reaches d.
func (d *Decoder) List() Decoder {
	k, content, ok := d.split()
	if !ok {
		return Decoder{err: d.err}
	}
	if k != List {
		d.Fail(ErrExpectedList)
		return Decoder{err: d.err}
	}
	return Decoder{rest: content}
}

// Close folds the outcome of a nested list decoder into d: its first error,
// or ErrTooManyItems when it has unread items.
func (d *Decoder) Close(inner *Decoder) { d.Fail(inner.Finish()) }
