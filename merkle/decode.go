package merkle

import (
	"errors"
	"fmt"

	"github.com/plasmaxpl/engine/types"
)

// ErrBadNode is returned (wrapped) for a stored node whose encoding is not
// a node of a well-formed trie.
var ErrBadNode = errors.New("merkle: malformed stored node")

// kindHash is a node that has not been loaded yet: only its hash is known
// (ref, with refLen 32). It stands for a subtree of a trie opened from a
// NodeReader and is replaced by the decoded node when a change reaches it.
const kindHash nodeKind = kindBranch + 1

// flagStored marks a node whose encoding is in the trie's store (written by
// NewNodes and confirmed by MarkStored, or loaded from the store), together
// with the whole subtree below it. Any change clears it (see Trie.own).
const flagStored uint8 = 1

// DecodeNode checks that enc is the RLP encoding of a trie node (a leaf or
// extension with a valid hex-prefix path, or a 17-item branch) and returns
// the references of its children that are hashes, in order. Embedded
// children are checked recursively; their hashed children are included.
func DecodeNode(enc []byte) ([]types.Hash, error) {
	n, err := decodeNode(enc, 0)
	if err != nil {
		return nil, err
	}
	var out []types.Hash
	var walk func(n *node)
	walk = func(n *node) {
		switch n.kind {
		case kindHash:
			out = append(out, types.Hash(n.ref))
		case kindExt:
			walk(n.child)
		case kindBranch:
			for _, k := range n.kids {
				if k != nil {
					walk(k)
				}
			}
		}
	}
	switch n.kind {
	case kindExt:
		walk(n.child)
	case kindBranch:
		for _, k := range n.kids {
			if k != nil {
				walk(k)
			}
		}
	}
	return out, nil
}

// decodeNode decodes a node encoding into a clean node (its reference not
// set: the caller knows whether it is a hash or the encoding itself).
// Children referenced by hash become kindHash nodes; embedded children are
// decoded with their encodings as references. depth bounds the recursion of
// embedded nodes, which cannot nest deeply in 32 bytes anyway.
func decodeNode(enc []byte, depth int) (*node, error) {
	if depth > 64 {
		return nil, fmt.Errorf("%w: nesting too deep", ErrBadNode)
	}
	var pn proofNode
	if err := pn.decode(enc); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadNode, err)
	}
	switch pn.kind {
	case kindLeaf:
		nibs, err := pathNibbles(pn.path)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadNode, err)
		}
		return &node{kind: kindLeaf, flags: flagStored, key: nibs, val: append([]byte(nil), pn.val...)}, nil
	case kindExt:
		nibs, err := pathNibbles(pn.path)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadNode, err)
		}
		c, err := decodeRef(pn.refs[0], depth)
		if err != nil {
			return nil, err
		}
		if c == nil {
			return nil, fmt.Errorf("%w: extension without child", ErrBadNode)
		}
		if c.kind != kindHash && c.kind != kindBranch {
			return nil, fmt.Errorf("%w: extension child is not a branch", ErrBadNode)
		}
		return &node{kind: kindExt, flags: flagStored, key: nibs, child: c}, nil
	default:
		b := new(branchNode)
		b.n.kind = kindBranch
		b.n.flags = flagStored
		b.n.kids = &b.kids
		entries := 0
		for i := range 16 {
			c, err := decodeRef(pn.refs[i], depth)
			if err != nil {
				return nil, err
			}
			if c != nil {
				entries++
			}
			b.kids[i] = c
		}
		if len(pn.val) > 0 {
			entries++
			b.n.val = append([]byte(nil), pn.val...)
		}
		if entries < 2 {
			// A well-formed trie collapses such a branch into a short node.
			return nil, fmt.Errorf("%w: branch with %d entries", ErrBadNode, entries)
		}
		return &b.n, nil
	}
}

// decodeRef decodes a child reference: nil for an empty slot, a kindHash
// node for a 32-byte hash, the decoded node for an embedded one.
func decodeRef(ref []byte, depth int) (*node, error) {
	switch {
	case len(ref) == 1 && ref[0] == 0x80:
		return nil, nil
	case len(ref) == 33 && ref[0] == 0xa0:
		n := &node{kind: kindHash, refLen: 32, flags: flagStored}
		copy(n.ref[:], ref[1:])
		return n, nil
	case len(ref) > 0 && ref[0] >= 0xc0 && len(ref) < 32:
		n, err := decodeNode(ref, depth+1)
		if err != nil {
			return nil, err
		}
		n.refLen = uint8(copy(n.ref[:], ref))
		return n, nil
	default:
		return nil, fmt.Errorf("%w: bad child reference %x", ErrBadNode, ref)
	}
}
