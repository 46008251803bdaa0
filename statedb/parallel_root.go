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

// parallelSlotsMin is the number of changed slots of one account from
// which IntermediateRootWorkers updates and hashes its storage trie on
// several goroutines (a popular contract's storage in a busy block).
const parallelSlotsMin = 512

// applySlotsWorkers is applySlots with the storage trie split under its
// root branch over workers goroutines; it reports false (and does nothing)
// when the account's storage is not to be split.
func (s *StateDB) applySlotsWorkers(a *account, keys, hashes []types.Hash) bool {
	if s.rootWorkers <= 1 || len(keys) < parallelSlotsMin || a.trie == nil {
		return false
	}
	hk := make([][]byte, len(keys))
	vals := make([][]byte, len(keys))
	enc := make([]byte, 0, len(keys)*(types.HashLength+1))
	for i := range keys {
		hk[i] = hashes[i][:]
		if v, ok := a.committed[keys[i]]; ok && v != (types.Hash{}) {
			start := len(enc)
			enc = encodeStorageValue(enc, &v)
			vals[i] = enc[start:len(enc):len(enc)]
		}
	}
	a.trie.UpdateParallel(hk, vals, s.rootWorkers)
	a.root = a.trie.HashParallel(s.rootWorkers)
	return true
}
