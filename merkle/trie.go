// Package merkle implements Ethereum's hexary Merkle Patricia Trie (Yellow
// Paper appendix D): leaf and extension nodes with hex-prefix encoded paths,
// 17-item branch nodes, children referenced by their RLP encoding when it is
// shorter than 32 bytes and by its Keccak-256 otherwise.
//
// The trie lives in memory. Hashing is level-synchronous: Hash gathers every
// dirty node of one depth, deepest first, and hashes the whole level with one
// gpu.BatchHasher call, so SIMD and GPU backends see large batches. Each
// clean node caches its reference, so after a few updates only the dirty
// paths are encoded and hashed again.
//
// Keys are raw bytes; callers that want Ethereum's secure trie pass
// keccak256(address) or keccak256(slot). Values are stored as given (the
// caller RLP-encodes them).
package merkle

import (
	"bytes"
	"sync/atomic"
	"unsafe"

	"github.com/plasmaxpl/engine/gpu"
	"github.com/plasmaxpl/engine/types"
)

type nodeKind uint8

const (
	kindLeaf nodeKind = iota + 1
	kindExt
	kindBranch
)

// node is one trie node. A single struct for all three kinds keeps the code
// free of interface dispatch; branch children live in the same allocation
// (see branchNode).
type node struct {
	kind nodeKind
	// flags holds flagStored (see store.go); it fits in padding.
	flags uint8
	// refLen is 0 while the node is dirty. Otherwise ref[:refLen] is the
	// node's reference as a child: its RLP encoding when shorter than 32
	// bytes, its Keccak-256 when refLen == 32.
	refLen uint8
	// owner is the id of the trie allowed to modify the node in place.
	// Nodes reachable from several tries (after Copy) are cloned before
	// being changed.
	owner uint64
	key   []byte     // path nibbles (leaf, extension); never written in place
	val   []byte     // value (leaf; branch value when a key ends there); never written in place
	child *node      // extension's child
	kids  *[16]*node // branch children
	ref   [32]byte
}

// branchNode puts a branch's 16 children in the same allocation as its node.
type branchNode struct {
	n    node
	kids [16]*node
}

var ownerSeq atomic.Uint64

// Trie is an in-memory Merkle Patricia Trie. It is not safe for concurrent
// use; concurrent Get calls are safe while no goroutine modifies or hashes
// the trie.
type Trie struct {
	root   *node
	count  int
	owner  uint64
	hasher gpu.BatchHasher

	// rootHash caches Hash() for hashedRoot.
	hashedRoot *node
	rootHash   types.Hash

	nib   []byte // scratch: the key being inserted or deleted, as nibbles
	arena *arena // node memory of a private trie; nil for ordinary tries

	// nodes loads the nodes of a trie opened from a store (see Open); err
	// is the first failure to load one.
	nodes NodeReader
	errp  errBox
}

// New returns an empty trie that hashes with gpu.Default().
func New() *Trie { return NewWithHasher(gpu.Default()) }

// NewWithHasher returns an empty trie that hashes with h.
func NewWithHasher(h gpu.BatchHasher) *Trie {
	return &Trie{owner: ownerSeq.Add(1), hasher: h}
}

// Len returns the number of keys in the trie. For a trie opened from a
// store it counts only the keys added less those removed since.
func (t *Trie) Len() int { return t.count }

// Get returns the value stored under key. The returned slice belongs to the
// trie and must not be modified; later updates do not change it.
func (t *Trie) Get(key []byte) ([]byte, bool) {
	n := t.root
	pos, total := 0, 2*len(key)
	for n != nil {
		if n.kind == kindHash {
			if n = t.load(n); n == nil {
				return nil, false
			}
		}
		switch n.kind {
		case kindLeaf:
			if total-pos != len(n.key) || !matchNibbles(key, pos, n.key) {
				return nil, false
			}
			return n.val, true
		case kindExt:
			if total-pos < len(n.key) || !matchNibbles(key, pos, n.key) {
				return nil, false
			}
			pos += len(n.key)
			n = n.child
		default:
			if pos == total {
				if len(n.val) == 0 {
					return nil, false
				}
				return n.val, true
			}
			n = n.kids[nibble(key, pos)]
			pos++
		}
	}
	return nil, false
}

// Update stores value under key; an empty value deletes the key. The trie
// keeps its own copy of value.
func (t *Trie) Update(key, value []byte) {
	if len(value) == 0 {
		t.Delete(key)
		return
	}
	if t.nodes != nil {
		t.updateStored(key, value)
		return
	}
	t.nib = appendNibbles(t.nib[:0], key)
	t.root, _ = t.insert(t.root, t.nib, value)
}

// Delete removes key from the trie; deleting an absent key does nothing.
func (t *Trie) Delete(key []byte) {
	if t.nodes != nil {
		t.updateStored(key, nil)
		return
	}
	t.nib = appendNibbles(t.nib[:0], key)
	t.root, _ = t.delete(t.root, t.nib)
}

// Copy returns an independent copy of the trie. The two share nodes
// copy-on-write. Pending changes are hashed first so that shared nodes are
// never written by either trie.
func (t *Trie) Copy() *Trie {
	t.Hash()
	// Neither trie may now modify the shared nodes in place.
	t.owner = ownerSeq.Add(1)
	c := &Trie{
		root:       t.root,
		count:      t.count,
		owner:      ownerSeq.Add(1),
		hasher:     t.hasher, // the copy never shares t's arena
		hashedRoot: t.hashedRoot,
		rootHash:   t.rootHash,
		nodes:      t.nodes,
	}
	c.errp.Store(t.errp.Load())
	return c
}

// reset empties the trie, keeping its scratch buffers.
func (t *Trie) reset() {
	t.root, t.count, t.hashedRoot = nil, 0, nil
	t.owner = ownerSeq.Add(1)
}

// own returns n itself when this trie may modify it in place, or a private
// clone otherwise. The result is marked dirty.
func (t *Trie) own(n *node) *node {
	if n.owner != t.owner {
		var c *node
		if n.kind == kindBranch {
			b := &branchNode{kids: *n.kids}
			b.n = *n
			b.n.kids = &b.kids
			c = &b.n
		} else {
			c = new(node)
			*c = *n
		}
		c.owner = t.owner
		n = c
	}
	n.refLen = 0
	n.flags &^= flagStored
	return n
}

func (t *Trie) newLeaf(key, val []byte) *node {
	var buf []byte
	if t.arena != nil {
		buf = t.arena.bytes(len(key) + len(val))
	} else {
		buf = make([]byte, len(key)+len(val))
	}
	copy(buf, key)
	copy(buf[len(key):], val)
	n := t.newNode()
	*n = node{kind: kindLeaf, owner: t.owner, key: buf[:len(key):len(key)], val: buf[len(key):]}
	return n
}

func (t *Trie) newBranch() *node {
	var b *branchNode
	if t.arena != nil {
		b = t.arena.branch()
	} else {
		b = new(branchNode)
	}
	b.n.kind = kindBranch
	b.n.owner = t.owner
	b.n.kids = &b.kids
	return &b.n
}

func (t *Trie) newExt(key []byte, child *node) *node {
	n := t.newNode()
	*n = node{kind: kindExt, owner: t.owner, key: key, child: child}
	return n
}

func (t *Trie) newNode() *node {
	if t.arena != nil {
		return t.arena.node()
	}
	return new(node)
}

// arena backs the nodes of a private, short-lived trie (ListRoot's) whose
// nodes nobody else can reference: rewinding it between uses makes
// building such tries allocation-free. Long-lived tries do not use one, so
// that nodes freed by deletes are not pinned by the survivors of a chunk.
type arena struct {
	nodes    []node
	branches []branchNode
	buf      []byte
	// used counts what was asked for; a request that does not fit is
	// served from the heap and the next rewind grows the arena.
	usedNodes, usedBranches, usedBuf int
	overflow                         bool
}

func (a *arena) node() *node {
	if a.usedNodes >= len(a.nodes) {
		a.overflow = true
		a.usedNodes++
		return new(node)
	}
	a.usedNodes++
	return &a.nodes[a.usedNodes-1]
}

func (a *arena) branch() *branchNode {
	if a.usedBranches >= len(a.branches) {
		a.overflow = true
		a.usedBranches++
		return new(branchNode)
	}
	a.usedBranches++
	b := &a.branches[a.usedBranches-1]
	*b = branchNode{}
	return b
}

func (a *arena) bytes(n int) []byte {
	if a.usedBuf+n > len(a.buf) {
		a.overflow = true
		a.usedBuf = max(a.usedBuf, len(a.buf)) + n // past the end: later requests overflow too
		return make([]byte, n)
	}
	b := a.buf[a.usedBuf : a.usedBuf+n : a.usedBuf+n]
	a.usedBuf += n
	return b
}

// size returns the bytes the arena holds.
func (a *arena) size() int {
	return len(a.nodes)*int(unsafe.Sizeof(node{})) + len(a.branches)*int(unsafe.Sizeof(branchNode{})) + len(a.buf)
}

// rewind makes the arena's memory available again; every node handed out
// before must be unreachable.
func (a *arena) rewind() {
	clear(a.nodes[:min(a.usedNodes, len(a.nodes))])
	clear(a.branches[:min(a.usedBranches, len(a.branches))])
	if a.overflow {
		// Grow to twice the demand, which the counters bound from below.
		if a.usedNodes > len(a.nodes) {
			a.nodes = make([]node, 2*a.usedNodes)
		}
		if a.usedBranches > len(a.branches) {
			a.branches = make([]branchNode, 2*a.usedBranches)
		}
		if a.usedBuf > len(a.buf) {
			a.buf = make([]byte, 2*a.usedBuf)
		}
		a.overflow = false
	}
	a.usedNodes, a.usedBranches, a.usedBuf = 0, 0, 0
}

// insert puts val under the nibble path key below n and returns the new
// subtree root and whether anything changed.
func (t *Trie) insert(n *node, key, val []byte) (*node, bool) {
	if n == nil {
		t.count++
		return t.newLeaf(key, val), true
	}
	if n.kind == kindHash {
		n = t.mustLoad(n)
	}
	switch n.kind {
	case kindBranch:
		if len(key) == 0 {
			if bytes.Equal(n.val, val) {
				return n, false
			}
			if len(n.val) == 0 {
				t.count++
			}
			n = t.own(n)
			n.val = bytes.Clone(val)
			return n, true
		}
		c, changed := t.insert(n.kids[key[0]], key[1:], val)
		if !changed {
			return n, false
		}
		n = t.own(n)
		n.kids[key[0]] = c
		return n, true

	case kindLeaf:
		p := prefixLen(n.key, key)
		if p == len(n.key) && p == len(key) {
			if bytes.Equal(n.val, val) {
				return n, false
			}
			n = t.own(n)
			n.val = bytes.Clone(val)
			return n, true
		}
		t.count++
		old := n.key
		b := t.newBranch()
		if p == len(old) {
			b.val = n.val
		} else {
			l := t.own(n)
			l.key = old[p+1:]
			b.kids[old[p]] = l
		}
		t.placeNew(b, key, p, val)
		if p > 0 {
			return t.newExt(old[:p:p], b), true
		}
		return b, true

	default: // extension
		p := prefixLen(n.key, key)
		if p == len(n.key) {
			c, changed := t.insert(n.child, key[p:], val)
			if !changed {
				return n, false
			}
			n = t.own(n)
			n.child = c
			return n, true
		}
		t.count++
		old := n.key
		b := t.newBranch()
		if p+1 == len(old) {
			b.kids[old[p]] = n.child
		} else {
			e := t.own(n)
			e.key = old[p+1:]
			b.kids[old[p]] = e
		}
		t.placeNew(b, key, p, val)
		if p > 0 {
			return t.newExt(old[:p:p], b), true
		}
		return b, true
	}
}

// placeNew stores a new key, which diverges from the existing subtree at
// nibble p, in the fresh branch b.
func (t *Trie) placeNew(b *node, key []byte, p int, val []byte) {
	if p == len(key) {
		b.val = bytes.Clone(val)
	} else {
		b.kids[key[p]] = t.newLeaf(key[p+1:], val)
	}
}

// delete removes the nibble path key below n and returns the new subtree
// root and whether anything changed.
func (t *Trie) delete(n *node, key []byte) (*node, bool) {
	if n == nil {
		return nil, false
	}
	if n.kind == kindHash {
		n = t.mustLoad(n)
	}
	switch n.kind {
	case kindLeaf:
		if !bytes.Equal(n.key, key) {
			return n, false
		}
		t.count--
		return nil, true

	case kindExt:
		if len(key) < len(n.key) || !bytes.Equal(n.key, key[:len(n.key)]) {
			return n, false
		}
		c, changed := t.delete(n.child, key[len(n.key):])
		if !changed {
			return n, false
		}
		if c == nil { // cannot happen: a branch collapses instead of vanishing
			return nil, true
		}
		if c.kind == kindBranch {
			n = t.own(n)
			n.child = c
			return n, true
		}
		// The child became a short node: merge the two paths.
		merged := make([]byte, len(n.key)+len(c.key))
		copy(merged, n.key)
		copy(merged[len(n.key):], c.key)
		c = t.own(c)
		c.key = merged
		return c, true

	default: // branch
		if len(key) == 0 {
			if len(n.val) == 0 {
				return n, false
			}
			t.count--
			n = t.own(n)
			n.val = nil
		} else {
			c, changed := t.delete(n.kids[key[0]], key[1:])
			if !changed {
				return n, false
			}
			n = t.own(n)
			n.kids[key[0]] = c
		}
		return t.collapse(n), true
	}
}

// collapse turns a branch left with a single entry into the equivalent
// short node, and one left with none (a parallel update that deleted
// every key) into nothing.
func (t *Trie) collapse(n *node) *node {
	pos, cnt := -1, 0
	for i, k := range n.kids {
		if k != nil {
			cnt++
			pos = i
			if cnt > 1 {
				return n
			}
		}
	}
	if len(n.val) > 0 {
		if cnt > 0 {
			return n
		}
		l := t.newNode()
		*l = node{kind: kindLeaf, owner: t.owner, val: n.val}
		return l
	}
	if pos < 0 {
		return nil
	}
	c := n.kids[pos]
	if c.kind == kindHash {
		c = t.mustLoad(c)
	}
	if c.kind == kindBranch {
		return t.newExt(nibbleKeys[pos:pos+1:pos+1], c)
	}
	merged := make([]byte, 1+len(c.key))
	merged[0] = byte(pos)
	copy(merged[1:], c.key)
	c = t.own(c)
	c.key = merged
	return c
}

// nibbleKeys holds the 16 one-nibble paths, shared by extensions made when
// a branch collapses.
var nibbleKeys = []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}

func appendNibbles(dst, key []byte) []byte {
	for _, b := range key {
		dst = append(dst, b>>4, b&0x0f)
	}
	return dst
}

// nibble returns nibble i of key.
func nibble(key []byte, i int) byte {
	b := key[i>>1]
	if i&1 == 0 {
		return b >> 4
	}
	return b & 0x0f
}

// matchNibbles reports whether the nibbles of key from pos on start with nibs.
func matchNibbles(key []byte, pos int, nibs []byte) bool {
	for i, x := range nibs {
		if nibble(key, pos+i) != x {
			return false
		}
	}
	return true
}

func prefixLen(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
