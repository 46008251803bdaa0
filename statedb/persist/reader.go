package persist

import (
	"errors"
	"fmt"
	"sync"

	"github.com/cockroachdb/pebble/v2"

	"github.com/plasmaxpl/engine/merkle"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

// State returns the state at the head, reading lazily from the database:
// an empty state before the first commit. Commit it back with Commit.
func (db *DB) State() *statedb.StateDB {
	h, ok := db.Head()
	if !ok {
		h.Root = types.EmptyRootHash
	}
	return statedb.OpenState(h.Root, newReader(db, h.Root))
}

// StateAt returns the state with the given root, which must be retained
// (ErrPruned otherwise).
func (db *DB) StateAt(root types.Hash) (*statedb.StateDB, error) {
	ok, err := db.retained(root)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %x", ErrPruned, root)
	}
	return statedb.OpenState(root, newReader(db, root)), nil
}

// reader is the statedb.Backend of a state opened from the database. While
// its root is the head's, accounts and slots come from the flat view (one
// lookup each); otherwise from the tries.
type reader struct {
	db *DB

	mu    sync.Mutex
	root  types.Hash   // account trie root the state started from, or last committed as
	moved bool         // root was advanced by a commit of the state
	trie  *merkle.Trie // account trie at root
	tries map[types.Hash]*merkle.Trie
}

func newReader(db *DB, root types.Hash) *reader {
	return &reader{db: db, root: root, trie: merkle.Open(root, db), tries: map[types.Hash]*merkle.Trie{}}
}

// advance records that the state was committed with root.
func (r *reader) advance(root types.Hash) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.root, r.moved = root, true
	r.trie = merkle.Open(root, r.db)
	clear(r.tries)
}

func (r *reader) snapshot() (types.Hash, bool, *merkle.Trie) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.root, r.moved, r.trie
}

func (r *reader) Node(h types.Hash) ([]byte, error) { return r.db.Node(h) }
func (r *reader) Code(h types.Hash) ([]byte, error) { return r.db.Code(h) }

func (r *reader) Account(addr types.Address) (statedb.StoredAccount, bool, error) {
	ah := types.Keccak256(addr[:])
	root, _, trie := r.snapshot()
	enc, ok, err := r.db.flat(root, hashKey(prefixAcct, ah))
	if err != nil {
		return statedb.StoredAccount{}, false, err
	}
	if !ok {
		v, found := trie.Get(ah[:])
		if err := trie.Err(); err != nil {
			return statedb.StoredAccount{}, false, err
		}
		if !found {
			return statedb.StoredAccount{}, false, nil
		}
		enc = v
	} else if enc == nil {
		return statedb.StoredAccount{}, false, nil
	}
	a, err := DecodeAccount(enc)
	return a, err == nil, err
}

func (r *reader) Storage(addr types.Address, storageRoot, slot types.Hash) (types.Hash, error) {
	ah := types.Keccak256(addr[:])
	sh := types.Keccak256(slot[:])
	root, moved, acctTrie := r.snapshot()
	enc, ok, err := r.db.flat(root, slotKey(ah, sh))
	if err != nil {
		return types.Hash{}, err
	}
	if ok {
		if enc == nil {
			return types.Hash{}, nil
		}
		return DecodeSlot(enc)
	}
	if moved {
		// The state was committed since the account was loaded: slots it
		// has not read are those of the account at the committed root.
		v, found := acctTrie.Get(ah[:])
		if err := acctTrie.Err(); err != nil {
			return types.Hash{}, err
		}
		if !found {
			return types.Hash{}, nil
		}
		a, err := DecodeAccount(v)
		if err != nil {
			return types.Hash{}, err
		}
		storageRoot = a.Root
	}
	if storageRoot == types.EmptyRootHash {
		return types.Hash{}, nil
	}
	r.mu.Lock()
	t := r.tries[storageRoot]
	if t == nil {
		t = merkle.Open(storageRoot, r.db)
		r.tries[storageRoot] = t
	}
	r.mu.Unlock()
	v, found := t.Get(sh[:])
	if err := t.Err(); err != nil {
		return types.Hash{}, err
	}
	if !found {
		return types.Hash{}, nil
	}
	return DecodeSlot(v)
}

// flat reads key from the flat view when root is the head's root: ok
// reports whether the view answered (value nil: absent).
func (db *DB) flat(root types.Hash, key []byte) (value []byte, ok bool, err error) {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if !db.hasHead || db.head.Root != root {
		return nil, false, nil
	}
	v, err := db.get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	return v, true, nil
}
