package statedb

import (
	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/gpu"
	"github.com/plasmaxpl/engine/merkle"
	"github.com/plasmaxpl/engine/types"
)

// A state opened on a Backend (OpenState) starts from a committed state
// root and loads what it touches on first use: an account when it is first
// read, a storage slot when it is first read, code with its account, and
// trie nodes when the root is computed. Everything loaded or changed stays
// in memory; the backend is never written through the StateDB (a store
// persists a state from its tries, see AccountTrie and StorageTries).
//
// In this mode the state records which accounts it knows to be absent, and
// an account's committed storage map is a cache over the stored storage in
// which zero values stand for slots known to be empty.
//
// Loads take a lock, so the concurrent-reader guarantee of the package
// holds for opened states too. Read methods cannot return errors: a failed
// load reads as an absent account or an empty slot and is kept for Err.

// StoredAccount is an account as the state trie holds it.
type StoredAccount struct {
	Nonce    uint64
	Balance  uint256.Int
	Root     types.Hash // storage root
	CodeHash types.Hash
}

// Backend is the committed state an opened StateDB reads. Its methods must
// be safe for concurrent use.
type Backend interface {
	// Account returns the account at addr and whether it exists.
	Account(addr types.Address) (StoredAccount, bool, error)
	// Storage returns the value of slot in the storage of addr, whose
	// storage root is root (the zero hash when the slot is empty).
	Storage(addr types.Address, root, slot types.Hash) (types.Hash, error)
	// Code returns the code with the given hash.
	Code(codeHash types.Hash) ([]byte, error)
	// Node returns a trie node by hash, for the account and storage tries.
	merkle.NodeReader
}

// OpenState returns the state with the given root read from b, hashing with
// gpu.Default().
func OpenState(root types.Hash, b Backend) *StateDB {
	return OpenStateWithHasher(root, b, gpu.Default())
}

// OpenStateWithHasher is OpenState with the hasher h (see NewWithHasher).
func OpenStateWithHasher(root types.Hash, b Backend, h gpu.BatchHasher) *StateDB {
	s := NewWithHasher(h)
	s.backend = b
	s.trie = merkle.OpenWithHasher(root, b, h)
	return s
}

// Backend returns the backend the state was opened on, or nil.
func (s *StateDB) Backend() Backend { return s.backend }

// Err returns the first failure to load from the backend (including trie
// nodes needed to compute roots), or nil. A state with an error must be
// discarded: what it computed after the failure is wrong.
func (s *StateDB) Err() error {
	if p := s.loadErr.Load(); p != nil {
		return *p
	}
	if err := s.trie.Err(); err != nil {
		return err
	}
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	for _, a := range s.accounts {
		if a != nil && a.trie != nil {
			if err := a.trie.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *StateDB) setErr(err error) { s.loadErr.CompareAndSwap(nil, &err) }

// account returns the account at addr, loading it from the backend on
// first use; nil when it does not exist.
func (s *StateDB) account(addr types.Address) *account {
	if s.backend == nil {
		return s.accounts[addr]
	}
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	a, ok := s.accounts[addr]
	if ok {
		return a
	}
	sa, exists, err := s.backend.Account(addr)
	if err != nil {
		s.setErr(err)
	}
	if exists && err == nil {
		a = newAccount(addr)
		a.nonce, a.balance, a.codeHash = sa.Nonce, sa.Balance, sa.CodeHash
		a.root, a.origin, a.backed = sa.Root, sa.Root, true
		if sa.Root != types.EmptyRootHash {
			a.trie = merkle.OpenWithHasher(sa.Root, s.backend, s.hasher)
		}
		if sa.CodeHash != types.EmptyCodeHash {
			code, ok := s.codes[sa.CodeHash]
			if !ok {
				if code, err = s.backend.Code(sa.CodeHash); err != nil {
					s.setErr(err)
				} else {
					s.codes[sa.CodeHash] = code
				}
			}
			a.code = code
		}
	}
	s.accounts[addr] = a // nil records that the account does not exist
	return a
}

// dropAccount forgets the account at addr: it no longer exists.
func (s *StateDB) dropAccount(addr types.Address) {
	if s.backend == nil {
		delete(s.accounts, addr)
		return
	}
	s.accounts[addr] = nil
}

// committedState returns the value of a slot as of the start of the
// transaction, loading it from the backend on first use.
func (s *StateDB) committedState(a *account, key types.Hash) types.Hash {
	if !a.backed {
		return a.committed[key]
	}
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	if v, ok := a.committed[key]; ok {
		return v
	}
	v, err := s.backend.Storage(a.addr, a.origin, key)
	if err != nil {
		s.setErr(err)
	}
	if a.committed == nil {
		a.committed = make(map[types.Hash]types.Hash)
	}
	a.committed[key] = v
	return v
}

// AccountTrie returns the account trie as of the last IntermediateRoot.
// It belongs to the state: read it, do not change it.
func (s *StateDB) AccountTrie() *merkle.Trie { return s.trie }

// StorageTrie returns the storage trie of addr as of the last
// IntermediateRoot: nil when the account does not exist or has no storage.
// It belongs to the state: read it, do not change it.
func (s *StateDB) StorageTrie(addr types.Address) *merkle.Trie {
	a := s.account(addr)
	if a == nil {
		return nil
	}
	return a.trie
}

// StorageTries calls fn with the address hash and storage trie of every
// account in memory that has one, as of the last IntermediateRoot.
func (s *StateDB) StorageTries(fn func(addrHash types.Hash, t *merkle.Trie)) {
	for _, a := range s.accounts {
		if a != nil && a.trie != nil && a.hashed {
			fn(a.addrHash, a.trie)
		}
	}
}

// CodeByHash returns code known to the state (set or loaded) by its hash.
func (s *StateDB) CodeByHash(h types.Hash) ([]byte, bool) {
	c, ok := s.codes[h]
	return c, ok
}
