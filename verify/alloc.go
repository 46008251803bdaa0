package verify

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

// Alloc is a genesis-style account allocation, as in a state test's "pre",
// a blockchain test's "pre" and "postState", or a t8n alloc:
// {"0xaddr": {"balance", "nonce", "code", "storage": {"0xslot": "0xvalue"}}}.
// Quantities may be 0x-hex strings, decimal strings or JSON numbers.
type Alloc map[types.Address]AllocAccount

// AllocAccount is one account of an Alloc.
type AllocAccount struct {
	Balance uint256.Int
	Nonce   uint64
	Code    []byte
	Storage map[types.Hash]types.Hash
}

// UnmarshalJSON parses an alloc, rejecting malformed fields with the
// account they belong to.
func (a *Alloc) UnmarshalJSON(b []byte) error {
	var raw map[string]struct {
		Balance json.RawMessage   `json:"balance"`
		Nonce   json.RawMessage   `json:"nonce"`
		Code    string            `json:"code"`
		Storage map[string]string `json:"storage"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(Alloc, len(raw))
	for k, r := range raw {
		addr, err := types.ParseAddress(k)
		if err != nil {
			return fmt.Errorf("alloc: %v", err)
		}
		var acc AllocAccount
		if err := parseQuantity(r.Balance, &acc.Balance); err != nil {
			return fmt.Errorf("alloc %s balance: %v", k, err)
		}
		var n uint256.Int
		if err := parseQuantity(r.Nonce, &n); err != nil || !n.IsUint64() {
			return fmt.Errorf("alloc %s nonce: invalid %s", k, r.Nonce)
		}
		acc.Nonce = n.Uint64()
		if r.Code != "" {
			if acc.Code, err = types.DecodeHex(r.Code); err != nil {
				return fmt.Errorf("alloc %s code: %v", k, err)
			}
		}
		acc.Storage = make(map[types.Hash]types.Hash, len(r.Storage))
		for sk, sv := range r.Storage {
			var key, val uint256.Int
			if err := types.ParseUint256Hex(sk, &key); err != nil {
				return fmt.Errorf("alloc %s storage key %q: %v", k, sk, err)
			}
			if err := types.ParseUint256Hex(sv, &val); err != nil {
				return fmt.Errorf("alloc %s storage value %q: %v", k, sv, err)
			}
			if !val.IsZero() {
				acc.Storage[key.Bytes32()] = val.Bytes32()
			}
		}
		out[addr] = acc
	}
	*a = out
	return nil
}

func parseQuantity(raw json.RawMessage, z *uint256.Int) error {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		z.Clear()
		return nil
	}
	if uq, err := strconv.Unquote(s); err == nil {
		s = uq
	}
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		return types.ParseUint256Hex(s, z)
	}
	return z.SetFromDecimal(s)
}

// State returns a new in-memory state holding the alloc, settled (its root
// computed and its values committed).
func (a Alloc) State() *statedb.StateDB {
	s := statedb.New()
	for addr, acc := range a {
		s.CreateAccount(addr)
		s.SetBalance(addr, &acc.Balance)
		s.SetNonce(addr, acc.Nonce)
		if len(acc.Code) > 0 {
			s.SetCode(addr, acc.Code)
		}
		if len(acc.Storage) > 0 {
			s.SetStorage(addr, acc.Storage)
		}
	}
	s.IntermediateRoot(false)
	return s
}
