package merkle

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/plasmaxpl/engine/types"
)

// Prove returns a Merkle proof for key with eth_getProof semantics: the RLP
// encodings of the nodes on the path from the root towards key, root first.
// Nodes embedded in their parent (encoding shorter than 32 bytes) are not
// listed separately. When key is absent the proof ends at the node where
// the path diverges and proves the absence. The proof of any key in an
// empty trie is empty.
func (t *Trie) Prove(key []byte) ([][]byte, error) {
	t.Hash()
	var proof [][]byte
	n, pos, total := t.root, 0, 2*len(key)
	for n != nil {
		first := n == t.root
		if n.kind == kindHash {
			var err error
			if n, err = t.loadNode(n); err != nil {
				return nil, err
			}
		}
		if first || n.refLen == 32 {
			proof = append(proof, appendNode(nil, n))
		}
		switch n.kind {
		case kindLeaf:
			return proof, nil
		case kindExt:
			if total-pos < len(n.key) || !matchNibbles(key, pos, n.key) {
				return proof, nil
			}
			pos += len(n.key)
			n = n.child
		default:
			if pos == total {
				return proof, nil
			}
			n = n.kids[nibble(key, pos)]
			pos++
		}
	}
	return proof, nil
}

// Errors returned by VerifyProof.
var (
	ErrProofMissingNode = errors.New("merkle: proof lacks a node on the key's path")
	ErrProofBadNode     = errors.New("merkle: malformed node in proof")
)

// VerifyProof checks a proof made by Prove (or by any Ethereum client's
// eth_getProof) against root. It returns the value stored under key, or
// nil with a nil error when the proof shows that key is absent. Proof
// nodes are found by their hash, so their order does not matter and extra
// nodes are ignored.
func VerifyProof(root types.Hash, key []byte, proof [][]byte) ([]byte, error) {
	if root == types.EmptyRootHash {
		return nil, nil // nothing is stored in the empty trie
	}
	hashes := make([]types.Hash, len(proof))
	for i, p := range proof {
		hashes[i] = types.Keccak256(p)
	}
	lookup := func(h []byte) ([]byte, error) {
		for i := range hashes {
			if bytes.Equal(hashes[i][:], h) {
				return proof[i], nil
			}
		}
		return nil, fmt.Errorf("%w: %x", ErrProofMissingNode, h)
	}
	enc, err := lookup(root[:])
	if err != nil {
		return nil, err
	}
	pos, total := 0, 2*len(key)
	for {
		var pn proofNode
		if err := pn.decode(enc); err != nil {
			return nil, err
		}
		var next []byte // reference to the next node
		switch pn.kind {
		case kindLeaf, kindExt:
			nibs, err := pathNibbles(pn.path)
			if err != nil {
				return nil, err
			}
			if total-pos < len(nibs) || !matchNibbles(key, pos, nibs) {
				return nil, nil // the path diverges: key is absent
			}
			pos += len(nibs)
			if pn.kind == kindLeaf {
				if pos != total {
					return nil, nil
				}
				return bytes.Clone(pn.val), nil
			}
			next = pn.refs[0]
		default:
			if pos == total {
				if len(pn.val) == 0 {
					return nil, nil
				}
				return bytes.Clone(pn.val), nil
			}
			next = pn.refs[nibble(key, pos)]
			pos++
		}
		switch {
		case len(next) == 1 && next[0] == 0x80:
			if pn.kind == kindExt {
				return nil, fmt.Errorf("%w: extension without child", ErrProofBadNode)
			}
			return nil, nil // empty branch slot: key is absent
		case len(next) == 33 && next[0] == 0xa0:
			if enc, err = lookup(next[1:]); err != nil {
				return nil, err
			}
		case next[0] >= 0xc0 && len(next) < 32:
			enc = next // embedded node
		default:
			return nil, fmt.Errorf("%w: bad child reference %x", ErrProofBadNode, next)
		}
	}
}

// proofNode is a decoded node: for a leaf or extension the hex-prefix path
// and the value or child reference (refs[0]); for a branch the 16 child
// references and the value. References are whole RLP items.
type proofNode struct {
	kind nodeKind
	path []byte
	val  []byte
	refs [16][]byte
}

func (pn *proofNode) decode(enc []byte) error {
	isList, content, rest, err := rlpItem(enc)
	if err != nil {
		return err
	}
	if !isList || len(rest) != 0 {
		return fmt.Errorf("%w: not a single list", ErrProofBadNode)
	}
	var items [17][]byte
	n := 0
	for b := content; len(b) > 0; n++ {
		if n == len(items) {
			return fmt.Errorf("%w: more than 17 items", ErrProofBadNode)
		}
		start := b
		if _, _, b, err = rlpItem(b); err != nil {
			return err
		}
		items[n] = start[:len(start)-len(b)]
	}
	switch n {
	case 2:
		isList, path, _, _ := rlpItem(items[0])
		if isList || len(path) == 0 {
			return fmt.Errorf("%w: bad path", ErrProofBadNode)
		}
		pn.path = path
		switch path[0] >> 4 {
		case 0, 1:
			pn.kind = kindExt
			pn.refs[0] = items[1]
		case 2, 3:
			pn.kind = kindLeaf
			isList, val, _, _ := rlpItem(items[1])
			if isList || len(val) == 0 {
				return fmt.Errorf("%w: bad leaf value", ErrProofBadNode)
			}
			pn.val = val
		default:
			return fmt.Errorf("%w: bad path flag %#x", ErrProofBadNode, path[0])
		}
	case 17:
		pn.kind = kindBranch
		copy(pn.refs[:], items[:16])
		isList, val, _, _ := rlpItem(items[16])
		if isList {
			return fmt.Errorf("%w: branch value is a list", ErrProofBadNode)
		}
		pn.val = val
	default:
		return fmt.Errorf("%w: list of %d items", ErrProofBadNode, n)
	}
	return nil
}

// pathNibbles decodes a hex-prefix path.
func pathNibbles(path []byte) ([]byte, error) {
	nibs := make([]byte, 0, 2*len(path))
	if path[0]&0x10 != 0 {
		nibs = append(nibs, path[0]&0x0f)
	} else if path[0]&0x0f != 0 {
		return nil, fmt.Errorf("%w: bad path padding", ErrProofBadNode)
	}
	nibs = appendNibbles(nibs, path[1:])
	if path[0]>>4 < 2 && len(nibs) == 0 {
		return nil, fmt.Errorf("%w: empty extension path", ErrProofBadNode)
	}
	return nibs, nil
}

// rlpItem splits the first RLP item off b, rejecting non-canonical sizes.
func rlpItem(b []byte) (isList bool, content, rest []byte, err error) {
	if len(b) == 0 {
		return false, nil, nil, fmt.Errorf("%w: empty input", ErrProofBadNode)
	}
	p := b[0]
	var hdr, size int
	switch {
	case p < 0x80:
		return false, b[:1], b[1:], nil
	case p < 0xb8:
		hdr, size = 1, int(p-0x80)
		if size == 1 && len(b) > 1 && b[1] < 0x80 {
			return false, nil, nil, fmt.Errorf("%w: non-canonical single byte", ErrProofBadNode)
		}
	case p < 0xc0:
		hdr, size, err = longSize(b, int(p-0xb7))
	case p < 0xf8:
		isList = true
		hdr, size = 1, int(p-0xc0)
	default:
		isList = true
		hdr, size, err = longSize(b, int(p-0xf7))
	}
	if err != nil {
		return false, nil, nil, err
	}
	if len(b)-hdr < size {
		return false, nil, nil, fmt.Errorf("%w: item longer than input", ErrProofBadNode)
	}
	return isList, b[hdr : hdr+size], b[hdr+size:], nil
}

// longSize reads the n-byte length of a long RLP item.
func longSize(b []byte, n int) (hdr, size int, err error) {
	if len(b) < 1+n || n > 4 {
		return 0, 0, fmt.Errorf("%w: bad length prefix", ErrProofBadNode)
	}
	if b[1] == 0 {
		return 0, 0, fmt.Errorf("%w: length with leading zero", ErrProofBadNode)
	}
	for _, x := range b[1 : 1+n] {
		size = size<<8 | int(x)
	}
	if size < 56 {
		return 0, 0, fmt.Errorf("%w: long form for short item", ErrProofBadNode)
	}
	return 1 + n, size, nil
}
