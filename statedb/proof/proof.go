// Package proof builds and checks Merkle proofs of accounts and storage
// slots in the shape of Ethereum's eth_getProof (EIP-1186), so that anyone
// holding only a state root can check a claimed account or slot.
package proof

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/merkle"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/statedb/persist"
	"github.com/plasmaxpl/engine/types"
)

// ErrInvalid is returned (wrapped) when a proof does not prove what it
// claims against the root.
var ErrInvalid = errors.New("proof: invalid")

// Bytes is binary data written as 0x-hex in JSON.
type Bytes []byte

func (b Bytes) MarshalText() ([]byte, error) { return []byte("0x" + hex.EncodeToString(b)), nil }

func (b *Bytes) UnmarshalText(t []byte) error {
	d, err := types.DecodeHex(string(t))
	if err != nil {
		return fmt.Errorf("invalid hex data %q", t)
	}
	*b = d
	return nil
}

// Quantity is a 256-bit integer written as a 0x-hex quantity in JSON.
type Quantity struct{ uint256.Int }

// MarshalJSON and UnmarshalJSON take precedence over the embedded
// uint256.Int's own JSON methods, which use decimal.
func (q Quantity) MarshalJSON() ([]byte, error) { return []byte(`"` + q.Hex() + `"`), nil }

func (q *Quantity) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf("quantity %s is not a string", b)
	}
	return types.ParseUint256Hex(s, &q.Int)
}

// Uint64 is a 64-bit integer written as a 0x-hex quantity in JSON.
type Uint64 uint64

func (u Uint64) MarshalText() ([]byte, error) {
	return []byte("0x" + strconv.FormatUint(uint64(u), 16)), nil
}

func (u *Uint64) UnmarshalText(t []byte) error {
	v, err := types.ParseUint64Hex(string(t))
	*u = Uint64(v)
	return err
}

// StorageResult proves the value of one slot.
type StorageResult struct {
	Key   types.Hash `json:"key"`
	Value Quantity   `json:"value"`
	Proof []Bytes    `json:"proof"`
}

// AccountResult is an eth_getProof result: the account's fields, the proof
// of its leaf in the state trie, and proofs of the requested slots in its
// storage trie. An absent account has zero nonce and balance, the empty
// code hash and the empty storage root, and its account proof proves the
// absence.
type AccountResult struct {
	Address      types.Address   `json:"address"`
	AccountProof []Bytes         `json:"accountProof"`
	Balance      Quantity        `json:"balance"`
	CodeHash     types.Hash      `json:"codeHash"`
	Nonce        Uint64          `json:"nonce"`
	StorageHash  types.Hash      `json:"storageHash"`
	StorageProof []StorageResult `json:"storageProof"`
}

// Prove returns the proof of addr and slots in s, as of its last
// IntermediateRoot (the root is s.AccountTrie().Hash()).
func Prove(s *statedb.StateDB, addr types.Address, slots ...types.Hash) (*AccountResult, error) {
	acct := s.AccountTrie()
	ah := types.Keccak256(addr[:])
	p, err := acct.Prove(ah[:])
	if err != nil {
		return nil, err
	}
	res := &AccountResult{
		Address:      addr,
		AccountProof: toBytes(p),
		CodeHash:     types.EmptyCodeHash,
		StorageHash:  types.EmptyRootHash,
		StorageProof: make([]StorageResult, 0, len(slots)),
	}
	enc, ok := acct.Get(ah[:])
	if err := acct.Err(); err != nil {
		return nil, err
	}
	var st *merkle.Trie
	if ok {
		a, err := persist.DecodeAccount(enc)
		if err != nil {
			return nil, err
		}
		res.Balance.Int, res.Nonce, res.CodeHash, res.StorageHash = a.Balance, Uint64(a.Nonce), a.CodeHash, a.Root
		st = s.StorageTrie(addr)
		if st != nil && st.Hash() != a.Root {
			return nil, fmt.Errorf("proof: storage trie of %v has root %x, account says %x (state not settled by IntermediateRoot?)", addr, st.Hash(), a.Root)
		}
	}
	if st == nil {
		st = merkle.New()
	}
	for _, slot := range slots {
		sh := types.Keccak256(slot[:])
		sp, err := st.Prove(sh[:])
		if err != nil {
			return nil, err
		}
		r := StorageResult{Key: slot, Proof: toBytes(sp)}
		if v, ok := st.Get(sh[:]); ok {
			w, err := persist.DecodeSlot(v)
			if err != nil {
				return nil, err
			}
			r.Value.SetBytes32(w[:])
		}
		if err := st.Err(); err != nil {
			return nil, err
		}
		res.StorageProof = append(res.StorageProof, r)
	}
	return res, nil
}

func toBytes(p [][]byte) []Bytes {
	out := make([]Bytes, len(p))
	for i, n := range p {
		out[i] = n
	}
	return out
}

func toRaw(p []Bytes) [][]byte {
	out := make([][]byte, len(p))
	for i, n := range p {
		out[i] = n
	}
	return out
}

// Verify checks r against the state root: the account proof must prove
// exactly the account fields of r (or the absence of an empty account), and
// every storage proof its value under r.StorageHash.
func (r *AccountResult) Verify(root types.Hash) error {
	ah := types.Keccak256(r.Address[:])
	enc, err := merkle.VerifyProof(root, ah[:], toRaw(r.AccountProof))
	if err != nil {
		return fmt.Errorf("%w: account %v: %w", ErrInvalid, r.Address, err)
	}
	if enc == nil {
		if r.Nonce != 0 || !r.Balance.IsZero() || r.CodeHash != types.EmptyCodeHash || r.StorageHash != types.EmptyRootHash {
			return fmt.Errorf("%w: account %v is absent under %x but the result gives it fields", ErrInvalid, r.Address, root)
		}
	} else {
		a, err := persist.DecodeAccount(enc)
		if err != nil {
			return fmt.Errorf("%w: account %v: %w", ErrInvalid, r.Address, err)
		}
		want := statedb.StoredAccount{Nonce: uint64(r.Nonce), Balance: r.Balance.Int, Root: r.StorageHash, CodeHash: r.CodeHash}
		if !bytes.Equal(persist.EncodeAccount(&want), enc) {
			return fmt.Errorf("%w: account %v: proven (nonce %d, balance %v, storage %x, code %x), result says (nonce %d, balance %v, storage %x, code %x)",
				ErrInvalid, r.Address, a.Nonce, &a.Balance, a.Root, a.CodeHash, r.Nonce, &r.Balance.Int, r.StorageHash, r.CodeHash)
		}
	}
	for _, sp := range r.StorageProof {
		sh := types.Keccak256(sp.Key[:])
		v, err := merkle.VerifyProof(r.StorageHash, sh[:], toRaw(sp.Proof))
		if err != nil {
			return fmt.Errorf("%w: slot %x of %v: %w", ErrInvalid, sp.Key, r.Address, err)
		}
		var got uint256.Int
		if v != nil {
			w, err := persist.DecodeSlot(v)
			if err != nil {
				return fmt.Errorf("%w: slot %x of %v: %w", ErrInvalid, sp.Key, r.Address, err)
			}
			got.SetBytes32(w[:])
		}
		if !got.Eq(&sp.Value.Int) {
			return fmt.Errorf("%w: slot %x of %v: proven value %v, result says %v", ErrInvalid, sp.Key, r.Address, &got, &sp.Value.Int)
		}
	}
	return nil
}

// MarshalIndent is the result as indented JSON.
func (r *AccountResult) MarshalIndent() ([]byte, error) { return json.MarshalIndent(r, "", "  ") }
