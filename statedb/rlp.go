package statedb

import (
	"math/bits"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/types"
)

// The trie stores two RLP shapes only, so they are encoded here by hand
// rather than through a general encoder: an account is
// rlp([nonce, balance, storageRoot, codeHash]) and a storage value is the
// RLP string of the word with its leading zero bytes stripped.

// maxAccountRLP bounds the encoded size of an account: a two-byte list
// header, nonce (1+8), balance (1+32), two hashes (1+32 each).
const maxAccountRLP = 2 + 9 + 33 + 33 + 33

// appendUint64 appends the RLP encoding of an unsigned integer (minimal
// big-endian bytes; zero is the empty string).
func appendUint64(dst []byte, v uint64) []byte {
	switch {
	case v == 0:
		return append(dst, 0x80)
	case v < 0x80:
		return append(dst, byte(v))
	}
	n := (bits.Len64(v) + 7) / 8
	dst = append(dst, 0x80+byte(n))
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(8*uint(i))))
	}
	return dst
}

// appendUint256 appends the RLP encoding of a 256-bit unsigned integer.
func appendUint256(dst []byte, v *uint256.Int) []byte {
	if v.IsUint64() {
		return appendUint64(dst, v.Uint64())
	}
	var buf [32]byte
	v.WriteToArray32(&buf)
	n := (v.BitLen() + 7) / 8
	dst = append(dst, 0x80+byte(n))
	return append(dst, buf[32-n:]...)
}

// appendHash appends a 32-byte string.
func appendHash(dst []byte, h *types.Hash) []byte {
	dst = append(dst, 0x80+types.HashLength)
	return append(dst, h[:]...)
}

// encodeAccount appends rlp([nonce, balance, root, codeHash]) to dst.
func encodeAccount(dst []byte, nonce uint64, balance *uint256.Int, root, codeHash *types.Hash) []byte {
	start := len(dst)
	// Reserve room for the longest list header and move the payload back
	// afterwards if the header turns out shorter.
	dst = append(dst, 0, 0)
	dst = appendUint64(dst, nonce)
	dst = appendUint256(dst, balance)
	dst = appendHash(dst, root)
	dst = appendHash(dst, codeHash)
	payload := len(dst) - start - 2
	if payload < 56 {
		// Impossible with two 33-byte hashes, kept for completeness.
		dst[start] = 0xc0 + byte(payload)
		copy(dst[start+1:], dst[start+2:])
		return dst[:len(dst)-1]
	}
	dst[start] = 0xf8
	dst[start+1] = byte(payload)
	return dst
}

// encodeStorageValue appends the RLP encoding of a storage word with its
// leading zeros stripped. v must not be zero (zero slots are deleted).
func encodeStorageValue(dst []byte, v *types.Hash) []byte {
	i := 0
	for i < types.HashLength && v[i] == 0 {
		i++
	}
	b := v[i:]
	if len(b) == 1 && b[0] < 0x80 {
		return append(dst, b[0])
	}
	dst = append(dst, 0x80+byte(len(b)))
	return append(dst, b...)
}
