package types

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// BloomLength is the size of a logs bloom filter in bytes (2048 bits).
const BloomLength = 256

// Bloom is the 2048-bit filter of a receipt or block header over the
// addresses and topics of its logs (yellow paper, section 4.3.1).
type Bloom [BloomLength]byte

// bloomBits returns the three (byte index, mask) pairs keccak256(data) sets:
// each of the first three 16-bit words of the hash, taken mod 2048, names a
// bit counted from the low-order end of the big-endian filter.
func bloomBits(data []byte) (idx [3]int, mask [3]byte) {
	h := Keccak256(data)
	for i := range 3 {
		bit := (uint(h[2*i])<<8 | uint(h[2*i+1])) & 2047
		idx[i] = BloomLength - 1 - int(bit/8)
		mask[i] = 1 << (bit % 8)
	}
	return idx, mask
}

// Add sets the bits of data (an address or a topic) in the filter.
func (b *Bloom) Add(data []byte) {
	idx, mask := bloomBits(data)
	for i := range 3 {
		b[idx[i]] |= mask[i]
	}
}

// Test reports whether data may have been added (false means certainly not).
func (b *Bloom) Test(data []byte) bool {
	idx, mask := bloomBits(data)
	for i := range 3 {
		if b[idx[i]]&mask[i] == 0 {
			return false
		}
	}
	return true
}

// Or sets in b every bit set in o.
func (b *Bloom) Or(o *Bloom) {
	// A word at a time: a block's bloom is the OR of every receipt's, and
	// byte by byte that took as long as hashing the receipts.
	for i := 0; i < len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], binary.LittleEndian.Uint64(b[i:])|binary.LittleEndian.Uint64(o[i:]))
	}
}

// AddLog adds a log's address and topics.
func (b *Bloom) AddLog(l *Log) {
	b.Add(l.Address[:])
	for i := range l.Topics {
		b.Add(l.Topics[i][:])
	}
}

// LogsBloom returns the filter over the addresses and topics of logs.
func LogsBloom(logs []*Log) Bloom {
	var b Bloom
	for _, l := range logs {
		b.AddLog(l)
	}
	return b
}

// CreateBloom returns the block filter: the union of the receipts' logs.
// It reads the logs, not the receipts' Bloom fields.
func CreateBloom(receipts []*Receipt) Bloom {
	var b Bloom
	for _, r := range receipts {
		for _, l := range r.Logs {
			b.AddLog(l)
		}
	}
	return b
}

// Hex returns the 0x-prefixed hex form.
func (b Bloom) Hex() string { return "0x" + hex.EncodeToString(b[:]) }

// MarshalText implements encoding.TextMarshaler (0x-prefixed hex).
func (b Bloom) MarshalText() ([]byte, error) { return []byte(b.Hex()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (exactly 256 bytes of hex).
func (b *Bloom) UnmarshalText(text []byte) error {
	if err := parseFixed(string(text), b[:]); err != nil {
		return fmt.Errorf("bloom: %w", err)
	}
	return nil
}

// AddHash sets the bits of the item whose Keccak-256 hash is h (what Add
// computes itself), for callers that hash many items in one batch.
func (b *Bloom) AddHash(h *Hash) {
	for i := range 3 {
		bit := (uint(h[2*i])<<8 | uint(h[2*i+1])) & 2047
		b[BloomLength-1-int(bit/8)] |= 1 << (bit % 8)
	}
}
