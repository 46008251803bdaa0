// Package rlp implements Ethereum's Recursive Length Prefix encoding
// (https://ethereum.org/en/developers/docs/data-structures-and-encoding/rlp/)
// without reflection.
//
// Encoding is append-style: every Append* function appends one item to dst
// and returns the extended slice, so a caller that sizes dst up front (with
// the *Size functions) encodes without allocating. Lists are written either
// with a header of known payload size (AppendListHeader) or by bracketing the
// payload with StartList and EndList, which fix the header afterwards.
//
// Decoding is strict and zero-copy: Split* functions cut one item off the
// front of the input and return sub-slices of it, and Decoder walks the items
// of a list with a sticky error. Anything that is not the one canonical
// encoding of its value is rejected, and sizes are checked against the input
// before anything is allocated.
package rlp

import (
	"math/bits"

	"github.com/holiman/uint256"
)

// EmptyString and EmptyList are the encodings of "" (also the integer 0) and [].
const (
	EmptyString = 0x80
	EmptyList   = 0xc0
)

// HeaderSize returns the size of the header of a string or list whose
// payload is n bytes (a single byte below 0x80 has no header; callers
// handle that case through BytesSize).
func HeaderSize(n int) int {
	if n < 56 {
		return 1
	}
	return 1 + byteLen(uint64(n))
}

// ListSize returns the encoded size of a list whose payload is n bytes.
func ListSize(n int) int { return HeaderSize(n) + n }

// BytesSize returns the encoded size of the byte string b.
func BytesSize(b []byte) int {
	if len(b) == 1 && b[0] < 0x80 {
		return 1
	}
	return HeaderSize(len(b)) + len(b)
}

// StringSize is BytesSize for a string.
func StringSize(s string) int {
	if len(s) == 1 && s[0] < 0x80 {
		return 1
	}
	return HeaderSize(len(s)) + len(s)
}

// Uint64Size returns the encoded size of v as an RLP integer.
func Uint64Size(v uint64) int {
	if v < 0x80 {
		return 1
	}
	return 1 + byteLen(v)
}

// Uint256Size returns the encoded size of v as an RLP integer.
func Uint256Size(v *uint256.Int) int {
	if v[1]|v[2]|v[3] == 0 {
		return Uint64Size(v[0])
	}
	return 1 + (v.BitLen()+7)/8
}

// byteLen is the number of bytes in the minimal big-endian form of v.
func byteLen(v uint64) int { return (bits.Len64(v) + 7) / 8 }

// appendHeader appends the header of a string (offset 0x80) or list
// (offset 0xc0) with an n-byte payload.
func appendHeader(dst []byte, offset byte, n int) []byte {
	if n < 56 {
		return append(dst, offset+byte(n))
	}
	l := byteLen(uint64(n))
	dst = append(dst, offset+55+byte(l))
	return appendBigEndian(dst, uint64(n), l)
}

// appendBigEndian appends the low l bytes of v, most significant first.
func appendBigEndian(dst []byte, v uint64, l int) []byte {
	for i := l - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(8*uint(i))))
	}
	return dst
}

// AppendListHeader appends the header of a list whose payload is n bytes;
// the caller appends the payload next.
func AppendListHeader(dst []byte, n int) []byte { return appendHeader(dst, 0xc0, n) }

// AppendStringHeader appends the header of a byte string of n bytes; the
// caller appends the bytes next. Do not use it for a single byte below 0x80,
// which is encoded as itself.
func AppendStringHeader(dst []byte, n int) []byte { return appendHeader(dst, 0x80, n) }

// AppendBytes appends b as an RLP byte string.
func AppendBytes(dst, b []byte) []byte {
	if len(b) == 1 && b[0] < 0x80 {
		return append(dst, b[0])
	}
	dst = appendHeader(dst, 0x80, len(b))
	return append(dst, b...)
}

// AppendString appends s as an RLP byte string.
func AppendString(dst []byte, s string) []byte {
	if len(s) == 1 && s[0] < 0x80 {
		return append(dst, s[0])
	}
	dst = appendHeader(dst, 0x80, len(s))
	return append(dst, s...)
}

// AppendUint64 appends v as an RLP integer (minimal big-endian bytes; 0 is
// the empty string).
func AppendUint64(dst []byte, v uint64) []byte {
	switch {
	case v == 0:
		return append(dst, EmptyString)
	case v < 0x80:
		return append(dst, byte(v))
	}
	l := byteLen(v)
	dst = append(dst, 0x80+byte(l))
	return appendBigEndian(dst, v, l)
}

// AppendBool appends b as the integer 1 or 0.
func AppendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, 0x01)
	}
	return append(dst, EmptyString)
}

// AppendUint256 appends v as an RLP integer.
func AppendUint256(dst []byte, v *uint256.Int) []byte {
	if v[1]|v[2]|v[3] == 0 {
		return AppendUint64(dst, v[0])
	}
	n := (v.BitLen() + 7) / 8
	dst = append(dst, 0x80+byte(n))
	// Most significant limb first, trimmed to its significant bytes.
	top := (n - 1) / 8
	dst = appendBigEndian(dst, v[top], n-8*top)
	for i := top - 1; i >= 0; i-- {
		dst = appendBigEndian(dst, v[i], 8)
	}
	return dst
}

// StartList reserves room for a list header at the end of dst and returns
// dst and the position to pass to EndList once the payload is appended.
func StartList(dst []byte) ([]byte, int) {
	return append(dst, 0), len(dst)
}

// EndList writes the header of the list begun at start by StartList,
// moving the payload when the header needs more than one byte.
func EndList(dst []byte, start int) []byte {
	n := len(dst) - start - 1
	if n < 56 {
		dst[start] = 0xc0 + byte(n)
		return dst
	}
	l := byteLen(uint64(n))
	for range l {
		dst = append(dst, 0)
	}
	copy(dst[start+1+l:], dst[start+1:start+1+n])
	dst[start] = 0xf7 + byte(l)
	for i := l; i >= 1; i-- {
		dst[start+i] = byte(n)
		n >>= 8
	}
	return dst
}
