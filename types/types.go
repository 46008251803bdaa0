// Package types holds the basic Ethereum data types shared by every layer of
// the engine: addresses, hashes, accounts, logs, transactions, receipts,
// headers, and their RLP encoding.
package types

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// AddressLength and HashLength are the sizes of an account address and a
// Keccak-256 digest.
const (
	AddressLength = 20
	HashLength    = 32
)

// Address is a 20-byte Ethereum account address.
type Address [AddressLength]byte

// Hash is a 32-byte Keccak-256 digest or storage word.
type Hash [HashLength]byte

var (
	// EmptyRootHash is the root of an empty Merkle Patricia Trie: keccak256(rlp("")).
	EmptyRootHash = HexToHash("0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")
	// EmptyCodeHash is keccak256 of empty code.
	EmptyCodeHash = HexToHash("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
	// EmptyListHash is keccak256(rlp([])), the hash of an empty uncle list or log list.
	EmptyListHash = HexToHash("0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347")
)

// BytesToAddress returns the address made of the last 20 bytes of b
// (left-padded with zeros when b is shorter).
func BytesToAddress(b []byte) Address {
	var a Address
	if len(b) > AddressLength {
		b = b[len(b)-AddressLength:]
	}
	copy(a[AddressLength-len(b):], b)
	return a
}

// BytesToHash returns the hash made of the last 32 bytes of b (left-padded).
func BytesToHash(b []byte) Hash {
	var h Hash
	if len(b) > HashLength {
		b = b[len(b)-HashLength:]
	}
	copy(h[HashLength-len(b):], b)
	return h
}

// HexToAddress parses a hex address, ignoring errors (use ParseAddress to see them).
func HexToAddress(s string) Address {
	a, _ := ParseAddress(s)
	return a
}

// HexToHash parses a hex hash, ignoring errors (use ParseHash to see them).
func HexToHash(s string) Hash {
	h, _ := ParseHash(s)
	return h
}

// ParseAddress parses a 0x-prefixed (or bare) hex address of at most 20 bytes.
func ParseAddress(s string) (Address, error) {
	b, err := DecodeHex(s)
	if err != nil {
		return Address{}, err
	}
	if len(b) > AddressLength {
		return Address{}, fmt.Errorf("address %q longer than %d bytes", s, AddressLength)
	}
	return BytesToAddress(b), nil
}

// ParseHash parses a 0x-prefixed (or bare) hex value of at most 32 bytes,
// left-padding it to 32 bytes.
func ParseHash(s string) (Hash, error) {
	b, err := DecodeHex(s)
	if err != nil {
		return Hash{}, err
	}
	if len(b) > HashLength {
		return Hash{}, fmt.Errorf("hash %q longer than %d bytes", s, HashLength)
	}
	return BytesToHash(b), nil
}

// DecodeHex decodes a hex string with or without a 0x prefix. An odd number
// of digits is accepted (a leading zero is implied), as Ethereum test
// fixtures sometimes write quantities that way.
func DecodeHex(s string) ([]byte, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if len(s)%2 == 1 {
		s = "0" + s
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, errors.New("invalid hex string")
	}
	return b, nil
}

// Bytes returns the address as a byte slice.
func (a Address) Bytes() []byte { return a[:] }

// Hex returns the 0x-prefixed lower-case hex form.
func (a Address) Hex() string { return "0x" + hex.EncodeToString(a[:]) }

// String implements fmt.Stringer.
func (a Address) String() string { return a.Hex() }

// Bytes returns the hash as a byte slice.
func (h Hash) Bytes() []byte { return h[:] }

// Hex returns the 0x-prefixed lower-case hex form.
func (h Hash) Hex() string { return "0x" + hex.EncodeToString(h[:]) }

// String implements fmt.Stringer.
func (h Hash) String() string { return h.Hex() }

// IsZero reports whether every byte is zero.
func (h Hash) IsZero() bool { return h == Hash{} }

// MarshalText encodes the address as 0x-prefixed hex (for JSON).
func (a Address) MarshalText() ([]byte, error) { return []byte(a.Hex()), nil }

// UnmarshalText parses 0x-prefixed hex of at most 20 bytes.
func (a *Address) UnmarshalText(b []byte) error {
	v, err := ParseAddress(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// MarshalText encodes the hash as 0x-prefixed hex (for JSON).
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.Hex()), nil }

// UnmarshalText parses 0x-prefixed hex of at most 32 bytes, left-padding
// shorter values.
func (h *Hash) UnmarshalText(b []byte) error {
	v, err := ParseHash(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// ParseAddressExact parses a 0x-prefixed (or bare) hex address of exactly
// 20 bytes: for user input, where a short value is more likely a mistake
// than an address with leading zeros.
func ParseAddressExact(s string) (Address, error) {
	b, err := DecodeHex(s)
	if err != nil {
		return Address{}, err
	}
	if len(b) != AddressLength || len(strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")) != 2*AddressLength {
		return Address{}, fmt.Errorf("address %q is not 20 bytes (40 hex digits)", s)
	}
	return BytesToAddress(b), nil
}

// ParseHashExact parses a 0x-prefixed (or bare) hex hash of exactly 32
// bytes, for user input.
func ParseHashExact(s string) (Hash, error) {
	b, err := DecodeHex(s)
	if err != nil {
		return Hash{}, err
	}
	if len(b) != HashLength || len(strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")) != 2*HashLength {
		return Hash{}, fmt.Errorf("hash %q is not 32 bytes (64 hex digits)", s)
	}
	return BytesToHash(b), nil
}
