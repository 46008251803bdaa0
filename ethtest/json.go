// Package ethtest runs Ethereum's JSON test fixtures (GeneralStateTests and
// BlockchainTests) against the engine and reports results in go-ethereum's
// format, so existing tooling can compare the two.
package ethtest

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/types"
)

// hexU64 is a 0x-hex (or decimal) quantity that must fit 64 bits.
type hexU64 uint64

func (h *hexU64) UnmarshalJSON(b []byte) error {
	v, err := parseQuantity(b)
	if err != nil {
		return err
	}
	if !v.IsUint64() {
		return fmt.Errorf("quantity %s overflows 64 bits", b)
	}
	*h = hexU64(v.Uint64())
	return nil
}

// hexU256 is a 0x-hex quantity that must fit 256 bits.
type hexU256 struct{ uint256.Int }

func (h *hexU256) UnmarshalJSON(b []byte) error {
	v, err := parseQuantity(b)
	if err != nil {
		return err
	}
	if v.Sign() < 0 || v.BitLen() > 256 {
		return fmt.Errorf("quantity %s overflows 256 bits", b)
	}
	h.SetFromBig(v)
	return nil
}

// hexBytes is 0x-hex data.
type hexBytes []byte

func (h *hexBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	d, err := types.DecodeHex(s)
	if err != nil {
		return fmt.Errorf("invalid hex data %q", truncate(s))
	}
	*h = d
	return nil
}

// parseQuantity accepts "0x…" hex, decimal strings and JSON numbers.
func parseQuantity(b []byte) (*big.Int, error) {
	var s string
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, err
		}
	} else {
		s = string(b)
	}
	return parseQuantityString(s)
}

func parseQuantityString(s string) (*big.Int, error) {
	v := new(big.Int)
	switch {
	case s == "0x" || s == "":
		return v, nil
	case strings.HasPrefix(s, "0x:bigint "):
		return nil, fmt.Errorf("invalid quantity %q", truncate(s))
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		if _, ok := v.SetString(s[2:], 16); !ok {
			return nil, fmt.Errorf("invalid hex quantity %q", truncate(s))
		}
	default:
		if _, ok := v.SetString(s, 10); !ok {
			return nil, fmt.Errorf("invalid quantity %q", truncate(s))
		}
	}
	return v, nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Alloc is a genesis-style account allocation, as in "pre" and "postState".
type Alloc map[types.Address]AllocAccount

// AllocAccount is one account of an Alloc.
type AllocAccount struct {
	Balance hexU256                   `json:"balance"`
	Nonce   hexU64                    `json:"nonce"`
	Code    hexBytes                  `json:"code"`
	Storage map[string]string         `json:"storage"`
	storage map[types.Hash]types.Hash // parsed Storage
}

// UnmarshalJSON parses addresses as keys.
func (a *Alloc) UnmarshalJSON(b []byte) error {
	var raw map[string]AllocAccount
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(Alloc, len(raw))
	for k, acc := range raw {
		addr, err := types.ParseAddress(k)
		if err != nil {
			return fmt.Errorf("alloc: %v", err)
		}
		acc.storage = make(map[types.Hash]types.Hash, len(acc.Storage))
		for sk, sv := range acc.Storage {
			key, err := types.ParseHash(sk)
			if err != nil {
				return fmt.Errorf("alloc %s storage key: %v", k, err)
			}
			val, err := types.ParseHash(sv)
			if err != nil {
				return fmt.Errorf("alloc %s storage value: %v", k, err)
			}
			acc.storage[key] = val
		}
		out[addr] = acc
	}
	*a = out
	return nil
}
