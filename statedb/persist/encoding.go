package persist

import (
	"fmt"

	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
	"github.com/plasmaxpl/engine/types/rlp"
)

// DecodeAccount decodes an account as the state trie stores it,
// rlp([nonce, balance, storageRoot, codeHash]), rejecting anything else.
func DecodeAccount(b []byte) (statedb.StoredAccount, error) {
	var a statedb.StoredAccount
	d, err := rlp.OpenList(b)
	if err != nil {
		return a, fmt.Errorf("%w: account: %w", ErrCorrupt, err)
	}
	a.Nonce = d.Uint64()
	d.Uint256(&a.Balance)
	d.FixedBytes(a.Root[:])
	d.FixedBytes(a.CodeHash[:])
	if err := d.Finish(); err != nil {
		return a, fmt.Errorf("%w: account: %w", ErrCorrupt, err)
	}
	return a, nil
}

// EncodeAccount returns rlp([nonce, balance, storageRoot, codeHash]).
func EncodeAccount(a *statedb.StoredAccount) []byte {
	payload := rlp.Uint64Size(a.Nonce) + rlp.Uint256Size(&a.Balance) + 2*33
	out := make([]byte, 0, rlp.ListSize(payload))
	out = rlp.AppendListHeader(out, payload)
	out = rlp.AppendUint64(out, a.Nonce)
	out = rlp.AppendUint256(out, &a.Balance)
	out = rlp.AppendBytes(out, a.Root[:])
	return rlp.AppendBytes(out, a.CodeHash[:])
}

// DecodeSlot decodes a storage value as the storage trie stores it: the RLP
// string of the word without leading zeros (never zero itself).
func DecodeSlot(b []byte) (types.Hash, error) {
	var v types.Hash
	k, content, err := rlp.Unwrap(b)
	switch {
	case err != nil:
		return v, fmt.Errorf("%w: storage value: %w", ErrCorrupt, err)
	case k != rlp.String || len(content) == 0 || len(content) > 32 || content[0] == 0:
		return v, fmt.Errorf("%w: storage value %x is not a non-zero word", ErrCorrupt, b)
	}
	copy(v[32-len(content):], content)
	return v, nil
}
