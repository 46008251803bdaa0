// Package persist keeps the world state in an embedded key-value store
// (github.com/cockroachdb/pebble): trie nodes by hash, contract code by
// hash, a flat view of the latest state for fast reads, and the roots of
// the last committed blocks.
//
// Each Commit writes one block's state in a single synced pebble batch: the
// new trie nodes, new code, the changes to the flat view, the block's root
// among the retained roots and the new head. A crash therefore leaves the
// database at the last committed block, never between two. Reopening
// resumes there: State returns a statedb.StateDB that reads accounts,
// storage and trie nodes lazily from the store.
//
// Only the last Options.Retain roots are kept. Prune (run every
// Options.PruneEvery commits) marks every node and code reachable from the
// retained roots and deletes the rest: mark and sweep, chosen over
// reference counting because it has no counters to get wrong and a crash
// during it loses nothing.
//
// Key layout (one-byte prefixes):
//
//	"m"                    format marker: "plasma-state" and a version byte
//	"h"                    head: block number (8 bytes, big endian) and root
//	"r" number             retained root of the block with that number
//	"n" hash               trie node (RLP) whose Keccak-256 is hash
//	"c" hash               contract code whose Keccak-256 is hash
//	"a" keccak(addr)       flat view: the account's RLP as in the trie
//	"s" keccak(addr) keccak(slot)   flat view: the slot's RLP as in the trie
package persist

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/plasmaxpl/engine/types"
)

const (
	prefixMeta  = 'm'
	prefixHead  = 'h'
	prefixRoot  = 'r'
	prefixNode  = 'n'
	prefixCode  = 'c'
	prefixAcct  = 'a'
	prefixSlot  = 's'
	formatMagic = "plasma-state"
	// formatVersion changes whenever the key layout or value encodings do.
	formatVersion = 1
)

// Errors that say what is wrong with a database directory.
var (
	// ErrNotStateDB: the directory holds something that is not a state
	// database of this engine.
	ErrNotStateDB = errors.New("persist: not a plasma state database")
	// ErrCorrupt: the database is damaged (unreadable files, missing or
	// altered entries).
	ErrCorrupt = errors.New("persist: state database is corrupted")
	// ErrVersion: the database was written by an incompatible version.
	ErrVersion = errors.New("persist: unsupported state database version")
	// ErrPruned: the requested root is not (or no longer) retained.
	ErrPruned = errors.New("persist: root not retained")
)

// Options configure a database. The zero value gives the defaults.
type Options struct {
	// Retain is the number of most recent block roots whose state stays
	// readable (default 128, at least 1).
	Retain int
	// PruneEvery runs Prune after that many commits (default Retain; a
	// negative value never prunes automatically).
	PruneEvery int
	// CacheSize is pebble's block cache in bytes (default 64 MiB).
	CacheSize int64
	// MustExist makes Open fail instead of creating a new database.
	MustExist bool
}

func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	if r.Retain <= 0 {
		r.Retain = 128
	}
	if r.PruneEvery == 0 {
		r.PruneEvery = r.Retain
	}
	if r.CacheSize <= 0 {
		r.CacheSize = 64 << 20
	}
	return r
}

// Head is the last committed block.
type Head struct {
	Number uint64
	Root   types.Hash
}

// DB is a state database. Commit, Prune and Close must not run
// concurrently with each other; reads (State, StateAt, and the states they
// return) may run concurrently with anything but Close.
type DB struct {
	kv   *pebble.DB
	opts Options
	dir  string

	mu       sync.RWMutex // guards head and flatRoot against readers
	head     Head
	hasHead  bool
	sinceGC  int
	closeErr error
}

// Open opens the state database in dir, creating it (and dir) when dir does
// not exist or is empty. A directory that holds anything else, a damaged
// database, or one of another format gives an error saying so.
func Open(dir string, opts *Options) (*DB, error) {
	entries, err := os.ReadDir(dir)
	switch {
	case (err != nil || len(entries) == 0) && opts != nil && opts.MustExist:
		return nil, fmt.Errorf("%w: no database in %s", ErrNotStateDB, dir)
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("persist: opening %s: %w", dir, err)
	case len(entries) > 0:
		if !isPebbleDir(entries) {
			return nil, fmt.Errorf("%w: %s is not empty and holds no pebble database", ErrNotStateDB, dir)
		}
	}
	return open(dir, vfs.Default, opts, len(entries) == 0)
}

// isPebbleDir reports whether a directory listing has the files that
// identify a pebble database: a manifest or its marker, or an OPTIONS file.
func isPebbleDir(entries []os.DirEntry) bool {
	for _, e := range entries {
		n := e.Name()
		if n == "CURRENT" || strings.HasPrefix(n, "MANIFEST-") || strings.HasPrefix(n, "marker.manifest.") || strings.HasPrefix(n, "OPTIONS-") {
			return true
		}
	}
	return false
}

// OpenMemory returns a database held in memory (pebble over an in-memory
// file system), for tests and benchmarks.
func OpenMemory(opts *Options) (*DB, error) {
	return open("", vfs.NewMem(), opts, true)
}

// fatalLogger turns pebble's fatal errors (which would exit the process)
// into panics that open recovers.
type fatalLogger struct{}

func (fatalLogger) Infof(string, ...any)  {}
func (fatalLogger) Errorf(string, ...any) {}
func (fatalLogger) Fatalf(format string, args ...any) {
	panic(fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...))
}

func open(dir string, fs vfs.FS, o *Options, fresh bool) (db *DB, err error) {
	opts := o.withDefaults()
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, dir, r)
		}
	}()
	cache := pebble.NewCache(opts.CacheSize)
	defer cache.Unref()
	kv, err := pebble.Open(dir, &pebble.Options{
		FS:               fs,
		Cache:            cache,
		Logger:           fatalLogger{},
		ErrorIfNotExists: !fresh,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, dir, err)
	}
	db = &DB{kv: kv, opts: opts, dir: dir}
	if err := db.init(fresh); err != nil {
		kv.Close()
		return nil, err
	}
	return db, nil
}

// init checks the format marker (writing it into a fresh database) and
// loads the head.
func (db *DB) init(fresh bool) error {
	want := append([]byte(formatMagic), formatVersion)
	marker, err := db.get([]byte{prefixMeta})
	switch {
	case err == nil && fresh:
		// A database created by an earlier open that crashed before any
		// commit still has its marker: fine.
	case errors.Is(err, pebble.ErrNotFound):
		if !fresh {
			// An empty database is one whose first open stopped before
			// writing the marker; anything else is foreign.
			empty, err := db.empty()
			if err != nil {
				return err
			}
			if !empty {
				return fmt.Errorf("%w: %s has no format marker (a pebble database of another program?)", ErrNotStateDB, db.dir)
			}
		}
		if err := db.kv.Set([]byte{prefixMeta}, want, pebble.Sync); err != nil {
			return fmt.Errorf("persist: writing format marker: %w", err)
		}
		marker = want
	case err != nil:
		return err
	}
	switch {
	case !bytes.HasPrefix(marker, []byte(formatMagic)) || len(marker) != len(want):
		return fmt.Errorf("%w: %s has a foreign format marker %q", ErrNotStateDB, db.dir, marker)
	case marker[len(marker)-1] != formatVersion:
		return fmt.Errorf("%w: %s has format version %d, this build reads %d", ErrVersion, db.dir, marker[len(marker)-1], formatVersion)
	}
	h, err := db.get([]byte{prefixHead})
	if errors.Is(err, pebble.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(h) != 8+32 {
		return fmt.Errorf("%w: head record of %d bytes", ErrCorrupt, len(h))
	}
	db.head = Head{Number: binary.BigEndian.Uint64(h), Root: types.Hash(h[8:])}
	db.hasHead = true
	// The head's root must be readable: its node (or the empty trie).
	if db.head.Root != types.EmptyRootHash {
		if _, err := db.Node(db.head.Root); err != nil {
			return fmt.Errorf("%w: head root %x of block %d: %w", ErrCorrupt, db.head.Root, db.head.Number, err)
		}
	}
	r, err := db.get(rootKey(db.head.Number))
	if err != nil || !bytes.Equal(r, db.head.Root[:]) {
		return fmt.Errorf("%w: head block %d is not among the retained roots", ErrCorrupt, db.head.Number)
	}
	return nil
}

// empty reports whether the database holds no keys.
func (db *DB) empty() (bool, error) {
	it, err := db.kv.NewIter(nil)
	if err != nil {
		return false, err
	}
	defer it.Close()
	return !it.First(), it.Error()
}

// get returns a copy of the value at key; pebble.ErrNotFound when absent.
// Other errors are wrapped in ErrCorrupt.
func (db *DB) get(key []byte) ([]byte, error) {
	v, closer, err := db.kv.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%w: reading %x: %w", ErrCorrupt, key, err)
	}
	out := bytes.Clone(v)
	closer.Close()
	return out, nil
}

// Close closes the database.
func (db *DB) Close() error { return db.kv.Close() }

// Head returns the last committed block; ok is false before the first
// commit.
func (db *DB) Head() (h Head, ok bool) {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.head, db.hasHead
}

// Roots returns the retained blocks, oldest first.
func (db *DB) Roots() ([]Head, error) {
	it, err := db.kv.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixRoot}, UpperBound: []byte{prefixRoot + 1}})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []Head
	for it.First(); it.Valid(); it.Next() {
		k, v := it.Key(), it.Value()
		if len(k) != 9 || len(v) != 32 {
			return nil, fmt.Errorf("%w: bad retained-root entry %x", ErrCorrupt, k)
		}
		out = append(out, Head{Number: binary.BigEndian.Uint64(k[1:]), Root: types.Hash(v)})
	}
	return out, it.Error()
}

// retained reports whether root is the root of a retained block.
func (db *DB) retained(root types.Hash) (bool, error) {
	if root == types.EmptyRootHash {
		return true, nil
	}
	roots, err := db.Roots()
	if err != nil {
		return false, err
	}
	for _, r := range roots {
		if r.Root == root {
			return true, nil
		}
	}
	return false, nil
}

// Node returns the trie node with the given hash (merkle.NodeReader).
func (db *DB) Node(h types.Hash) ([]byte, error) {
	v, err := db.get(hashKey(prefixNode, h))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, fmt.Errorf("%w: trie node %x missing", ErrCorrupt, h)
	}
	return v, err
}

// Code returns the contract code with the given hash.
func (db *DB) Code(h types.Hash) ([]byte, error) {
	if h == types.EmptyCodeHash {
		return nil, nil
	}
	v, err := db.get(hashKey(prefixCode, h))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, fmt.Errorf("%w: code %x missing", ErrCorrupt, h)
	}
	if err == nil && types.Keccak256(v) != h {
		return nil, fmt.Errorf("%w: code %x does not hash to its key", ErrCorrupt, h)
	}
	return v, err
}

func hashKey(prefix byte, h types.Hash) []byte {
	k := make([]byte, 33)
	k[0] = prefix
	copy(k[1:], h[:])
	return k
}

func rootKey(number uint64) []byte {
	k := make([]byte, 9)
	k[0] = prefixRoot
	binary.BigEndian.PutUint64(k[1:], number)
	return k
}

func slotKey(addrHash, slotHash types.Hash) []byte {
	k := make([]byte, 65)
	k[0] = prefixSlot
	copy(k[1:], addrHash[:])
	copy(k[33:], slotHash[:])
	return k
}

var _ io.Closer = (*DB)(nil)
