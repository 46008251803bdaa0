package statedb

import "github.com/plasmaxpl/engine/types"

// IntermediateRootWorkers is IntermediateRoot with the account trie
// updated and hashed by up to workers goroutines, one subtree of the root
// branch each (storage tries are hashed concurrently either way). The root
// is the same for every worker count; a parallel block executor calls it
// so that the state root, a large share of a block's time, uses the cores
// the block was given.
func (s *StateDB) IntermediateRootWorkers(deleteEmptyObjects bool, workers int) types.Hash {
	s.rootWorkers = workers
	defer func() { s.rootWorkers = 0 }()
	return s.IntermediateRoot(deleteEmptyObjects)
}

// accountTrieParallel writes the scratch's deleted and live accounts into
// the account trie with merkle's parallel update and hashes it. nAddr is
// the number of address hashes at the start of the scratch's hash batch.
func (s *StateDB) accountTrieParallel(nAddr int) types.Hash {
	sc := &s.scratch
	nDel := nAddr - len(sc.addrOwners)
	keys := make([][]byte, 0, nDel+len(sc.live))
	vals := make([][]byte, 0, nDel+len(sc.live))
	for i := len(sc.addrOwners); i < nAddr; i++ {
		keys, vals = append(keys, sc.out[i][:]), append(vals, nil)
	}
	enc := make([]byte, 0, len(sc.live)*maxAccountRLP)
	for _, a := range sc.live {
		start := len(enc)
		enc = encodeAccount(enc, a.nonce, &a.balance, &a.root, &a.codeHash)
		keys, vals = append(keys, a.addrHash[:]), append(vals, enc[start:len(enc):len(enc)])
	}
	s.trie.UpdateParallel(keys, vals, s.rootWorkers)
	return s.trie.HashParallel(s.rootWorkers)
}
