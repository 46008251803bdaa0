package merkle

import (
	"bytes"
	"fmt"
	"sync/atomic"

	"github.com/plasmaxpl/engine/gpu"
	"github.com/plasmaxpl/engine/types"
)

// A trie backed by a store keeps only the nodes it has loaded or changed in
// memory. Nodes are stored by hash: the key is keccak256(encoding), the
// value the encoding. A root whose encoding is shorter than 32 bytes is
// stored the same way (a root is always referenced by hash).
//
// Loading happens on demand: Open returns a trie whose root is a
// placeholder holding only the root hash, and each Get, Update, Delete or
// Prove that walks through a placeholder decodes the node from the store.
// Update and Delete keep the decoded nodes on the changed paths; Get and
// Prove keep nothing, so concurrent Get calls stay safe.
//
// A store failure (a missing node, an encoding that does not hash to its
// key or does not decode) cannot be returned by Get, Update or Delete: Get
// reports the key absent and Update and Delete abandon the change. The
// first such failure is kept and returned by Err; after one the trie must
// be discarded.

// NodeReader returns the encoding of the node with the given hash. An
// absent node is an error. It must be safe for concurrent use.
type NodeReader interface {
	Node(hash types.Hash) ([]byte, error)
}

// ErrMissingNode is returned (wrapped) when the store lacks a node that the
// trie references.
var ErrMissingNode = fmt.Errorf("merkle: node missing from the store")

// Open returns the trie with the given root whose nodes are read from r,
// hashing with gpu.Default(). The empty root gives an empty trie.
func Open(root types.Hash, r NodeReader) *Trie { return OpenWithHasher(root, r, gpu.Default()) }

// OpenWithHasher is Open with the hasher h.
func OpenWithHasher(root types.Hash, r NodeReader, h gpu.BatchHasher) *Trie {
	t := NewWithHasher(h)
	t.nodes = r
	if root != types.EmptyRootHash && root != (types.Hash{}) {
		t.root = &node{kind: kindHash, refLen: 32, flags: flagStored, ref: root}
	}
	return t
}

// Err returns the first failure to load a node from the store, or nil.
func (t *Trie) Err() error {
	if p := t.errp.Load(); p != nil {
		return *p
	}
	return nil
}

func (t *Trie) setErr(err error) { t.errp.CompareAndSwap(nil, &err) }

// errBox lets the sticky error of a trie be set from concurrent Get calls.
type errBox = atomic.Pointer[error]

// loadPanic carries a load failure out of insert and delete, which cannot
// return errors; updateStored recovers it.
type loadPanic struct{ err error }

// loadNode decodes the node that the placeholder n stands for.
func (t *Trie) loadNode(n *node) (*node, error) {
	if t.nodes == nil {
		return nil, fmt.Errorf("%w: %x (trie has no store)", ErrMissingNode, n.ref)
	}
	enc, err := t.nodes.Node(types.Hash(n.ref))
	if err != nil {
		return nil, err
	}
	if types.Keccak256(enc) != types.Hash(n.ref) {
		return nil, fmt.Errorf("%w: node %x does not hash to its key", ErrBadNode, n.ref)
	}
	d, err := decodeNode(enc, 0)
	if err != nil {
		return nil, fmt.Errorf("node %x: %w", n.ref, err)
	}
	if len(enc) < 32 {
		if n != t.root {
			return nil, fmt.Errorf("%w: node %x is short enough to be embedded", ErrBadNode, n.ref)
		}
		d.refLen = uint8(copy(d.ref[:], enc))
	} else {
		d.refLen, d.ref = 32, n.ref
	}
	return d, nil
}

// load is loadNode for Get: a failure is recorded and gives nil.
func (t *Trie) load(n *node) *node {
	d, err := t.loadNode(n)
	if err != nil {
		t.setErr(err)
		return nil
	}
	return d
}

// mustLoad is loadNode for insert and delete: a failure panics with
// loadPanic. The loaded node belongs to t.
func (t *Trie) mustLoad(n *node) *node {
	d, err := t.loadNode(n)
	if err != nil {
		panic(loadPanic{err})
	}
	d.owner = t.owner
	return d
}

// updateStored is Update (value non-empty) or Delete (value empty) for a
// trie that loads nodes from a store.
func (t *Trie) updateStored(key, value []byte) {
	if t.Err() != nil {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			lp, ok := r.(loadPanic)
			if !ok {
				panic(r)
			}
			t.setErr(lp.err)
		}
	}()
	t.nib = appendNibbles(t.nib[:0], key)
	if len(value) == 0 {
		t.root, _ = t.delete(t.root, t.nib)
	} else {
		t.root, _ = t.insert(t.root, t.nib, value)
	}
}

// NewNodes hashes the trie and calls put with the hash and encoding of
// every node that is not known to be in the store: nodes created or
// changed since the trie was opened or last marked with MarkStored.
// Children come before their parents. The root is always passed when its
// encoding is shorter than 32 bytes. NewNodes returns the root hash. The
// encoding passed to put is only valid during the call.
func (t *Trie) NewNodes(put func(hash types.Hash, enc []byte) error) (types.Hash, error) {
	root := t.Hash()
	if err := t.Err(); err != nil {
		return root, err
	}
	if t.root == nil {
		return root, nil
	}
	var buf []byte
	var walk func(n *node) error
	walk = func(n *node) error {
		if n == nil || n.kind == kindHash || n.flags&flagStored != 0 {
			return nil
		}
		switch n.kind {
		case kindExt:
			if err := walk(n.child); err != nil {
				return err
			}
		case kindBranch:
			for _, k := range n.kids {
				if err := walk(k); err != nil {
					return err
				}
			}
		}
		if n.refLen == 32 {
			buf = appendNode(buf[:0], n)
			return put(types.Hash(n.ref), buf)
		}
		return nil
	}
	if err := walk(t.root); err != nil {
		return root, err
	}
	if r := t.root; r.refLen < 32 {
		return root, put(root, r.ref[:r.refLen])
	}
	return root, nil
}

// MarkStored records that every node passed by the last NewNodes is now in
// the store, so the next NewNodes skips them. Call it only once the store
// has durably accepted them.
func (t *Trie) MarkStored() {
	var walk func(n *node)
	walk = func(n *node) {
		if n == nil || n.kind == kindHash || n.flags&flagStored != 0 || n.refLen == 0 {
			return
		}
		switch n.kind {
		case kindExt:
			walk(n.child)
		case kindBranch:
			for _, k := range n.kids {
				walk(k)
			}
		}
		n.flags |= flagStored
	}
	walk(t.root)
}

// Walk visits the trie with the given root in r, depth first: visit is
// called with the hash of every node referenced by hash (the root
// included) before its children, and a false answer skips the subtree;
// leaf is called with the key and value of every entry below a visited
// node. Either may be nil.
func Walk(root types.Hash, r NodeReader, visit func(hash types.Hash) bool, leaf func(key, value []byte) error) error {
	t := Open(root, r)
	if t.root == nil {
		return nil
	}
	return t.walk(t.root, nil, visit, leaf)
}

func (t *Trie) walk(n *node, path []byte, visit func(types.Hash) bool, leaf func(key, value []byte) error) error {
	if n.kind == kindHash {
		if visit != nil && !visit(types.Hash(n.ref)) {
			return nil
		}
		var err error
		if n, err = t.loadNode(n); err != nil {
			return err
		}
	}
	switch n.kind {
	case kindLeaf:
		if leaf != nil {
			return emitLeaf(append(path, n.key...), n.val, leaf)
		}
	case kindExt:
		return t.walk(n.child, append(path, n.key...), visit, leaf)
	default:
		if len(n.val) > 0 && leaf != nil {
			if err := emitLeaf(path, n.val, leaf); err != nil {
				return err
			}
		}
		for i, k := range n.kids {
			if k != nil {
				if err := t.walk(k, append(path, byte(i)), visit, leaf); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// emitLeaf passes an entry at the nibble path to leaf; a path of odd length
// cannot be a key.
func emitLeaf(path, val []byte, leaf func(key, value []byte) error) error {
	if len(path)%2 != 0 {
		return fmt.Errorf("%w: value at an odd-length path", ErrBadNode)
	}
	key := make([]byte, len(path)/2)
	for i := range key {
		key[i] = path[2*i]<<4 | path[2*i+1]
	}
	return leaf(key, val)
}

// Diff calls fn for every key whose value differs between tries a and b,
// with the value in a and in b (nil where absent), in no particular order.
// Subtrees with equal hashes are skipped, so the work is proportional to
// the difference. Both tries are hashed first; nodes are loaded from each
// trie's store as needed and not kept.
func Diff(a, b *Trie, fn func(key, aVal, bVal []byte) error) error {
	a.Hash()
	b.Hash()
	if err := a.Err(); err != nil {
		return err
	}
	if err := b.Err(); err != nil {
		return err
	}
	d := differ{a: a, b: b, fn: fn}
	return d.diff(a.root, b.root, nil)
}

type differ struct {
	a, b *Trie
	fn   func(key, aVal, bVal []byte) error
}

func sameRef(x, y *node) bool {
	return x.refLen != 0 && x.refLen == y.refLen && x.ref == y.ref
}

func (d *differ) diff(x, y *node, path []byte) error {
	switch {
	case x == nil && y == nil:
		return nil
	case x == nil:
		return d.b.walk(y, path, nil, func(k, v []byte) error { return d.fn(k, nil, v) })
	case y == nil:
		return d.a.walk(x, path, nil, func(k, v []byte) error { return d.fn(k, v, nil) })
	case sameRef(x, y):
		return nil
	}
	var err error
	if x.kind == kindHash {
		if x, err = d.a.loadNode(x); err != nil {
			return err
		}
	}
	if y.kind == kindHash {
		if y, err = d.b.loadNode(y); err != nil {
			return err
		}
	}
	if x.kind == kindLeaf && y.kind == kindLeaf {
		if bytes.Equal(x.key, y.key) {
			if bytes.Equal(x.val, y.val) {
				return nil
			}
			return emitLeaf(append(path, x.key...), x.val, func(k, v []byte) error { return d.fn(k, v, y.val) })
		}
		if err := emitLeaf(append(path, x.key...), x.val, func(k, v []byte) error { return d.fn(k, v, nil) }); err != nil {
			return err
		}
		return emitLeaf(append(path, y.key...), y.val, func(k, v []byte) error { return d.fn(k, nil, v) })
	}
	xv, xk := expand(x)
	yv, yk := expand(y)
	if !bytes.Equal(xv, yv) {
		err := emitLeaf(path, xv, func(k, _ []byte) error { return d.fn(k, nilIfEmpty(xv), nilIfEmpty(yv)) })
		if err != nil {
			return err
		}
	}
	for i := range 16 {
		if err := d.diff(xk[i], yk[i], append(path, byte(i))); err != nil {
			return err
		}
	}
	return nil
}

func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// expand views the loaded node n as a branch at its position: the value
// stored exactly there and the subtree below each nibble. Short nodes give
// a single subtree, a shortened copy without a reference.
func expand(n *node) (val []byte, kids [16]*node) {
	switch n.kind {
	case kindBranch:
		return n.val, *n.kids
	case kindLeaf:
		if len(n.key) == 0 {
			return n.val, kids
		}
		kids[n.key[0]] = &node{kind: kindLeaf, key: n.key[1:], val: n.val}
	default:
		if len(n.key) == 1 {
			kids[n.key[0]] = n.child
		} else {
			kids[n.key[0]] = &node{kind: kindExt, key: n.key[1:], child: n.child}
		}
	}
	return nil, kids
}
