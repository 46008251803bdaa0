package verify

import (
	"github.com/plasmaxpl/engine/merkle"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

// mergeDiff calls fn for every account whose leaf differs between the
// account tries of a and b, with its address when byHash knows it.
func mergeDiff(a, b *statedb.StateDB, byHash map[types.Hash]types.Address, fn func(ah types.Hash, addr types.Address, known bool) error) error {
	return merkle.Diff(a.AccountTrie(), b.AccountTrie(), func(k, _, _ []byte) error {
		ah := types.Hash(k)
		addr, ok := byHash[ah]
		return fn(ah, addr, ok)
	})
}
