package types

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/holiman/uint256"
)

// Helpers for the hex strings of Ethereum's JSON shapes (JSON-RPC objects,
// test fixtures). Quantities are parsed leniently (leading zeros and odd
// digit counts are accepted, as fixtures write them); encoding follows
// JSON-RPC (quantities without leading zeros, data as whole bytes).

// ParseUint64Hex parses a 0x-prefixed hex quantity, or a decimal number
// when the string has no 0x prefix.
func ParseUint64Hex(s string) (uint64, error) {
	if h, ok := cutHexPrefix(s); ok {
		if h == "" {
			return 0, nil
		}
		v, err := strconv.ParseUint(h, 16, 64)
		if err != nil {
			return 0, fmt.Errorf("invalid quantity %q", s)
		}
		return v, nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid quantity %q", s)
	}
	return v, nil
}

// ParseUint256Hex parses a 0x-prefixed hex quantity of at most 256 bits, or
// a decimal number when the string has no 0x prefix.
func ParseUint256Hex(s string, z *uint256.Int) error {
	h, ok := cutHexPrefix(s)
	if !ok {
		if err := z.SetFromDecimal(s); err != nil {
			return fmt.Errorf("invalid quantity %q", s)
		}
		return nil
	}
	h = strings.TrimLeft(h, "0")
	if len(h) > 64 {
		return fmt.Errorf("quantity %q exceeds 256 bits", s)
	}
	if len(h)%2 == 1 {
		h = "0" + h
	}
	var buf [32]byte
	if _, err := hex.Decode(buf[32-len(h)/2:], []byte(h)); err != nil {
		return fmt.Errorf("invalid quantity %q", s)
	}
	z.SetBytes32(buf[:])
	return nil
}

func cutHexPrefix(s string) (string, bool) {
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		return s[2:], true
	}
	return s, false
}

// parseFixed parses hex data of exactly len(dst) bytes.
func parseFixed(s string, dst []byte) error {
	b, err := DecodeHex(s)
	if err != nil {
		return fmt.Errorf("%w: %q", err, s)
	}
	if len(b) != len(dst) {
		return fmt.Errorf("hex %q is %d bytes, want %d", s, len(b), len(dst))
	}
	copy(dst, b)
	return nil
}

func hexUint64(v uint64) string { return "0x" + strconv.FormatUint(v, 16) }

func hexUint256(v *uint256.Int) string { return v.Hex() }

func hexBytes(b []byte) string { return "0x" + hex.EncodeToString(b) }
