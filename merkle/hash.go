package merkle

import (
	"slices"

	"github.com/plasmaxpl/engine/types"
)

// committer holds the buffers of one commit. Committers are pooled, so
// tries (one per account's storage) do not each keep buffers, and commits
// of different tries can run in parallel.
type committer struct {
	levels  [][]*node // dirty nodes by depth
	buf     []byte    // encodings of the level's nodes, back to back
	offsets []uint32
	pending []*node  // nodes of buf, in order
	sizes   []uint32 // payload sizes of the level's nodes
	out     []types.Hash
}

// committers is a small free list of committers. Unlike a sync.Pool it
// survives garbage collections, which a large commit triggers; buffers
// grown past maxRetained are dropped rather than kept.
var committers = make(chan *committer, 8)

const maxRetained = 16 << 20

func getCommitter() *committer {
	select {
	case c := <-committers:
		return c
	default:
		return new(committer)
	}
}

func putCommitter(c *committer) {
	if cap(c.buf) > maxRetained {
		c.buf = nil
	}
	if cap(c.out)*32 > maxRetained {
		c.out, c.offsets, c.pending, c.sizes = nil, nil, nil, nil
	}
	for i, l := range c.levels {
		if cap(l)*8 > maxRetained {
			c.levels[i] = nil
		}
	}
	select {
	case committers <- c:
	default:
	}
}

// Hash returns the root hash of the trie: types.EmptyRootHash when it is
// empty. Only nodes changed since the last call are encoded and hashed.
func (t *Trie) Hash() types.Hash {
	r := t.root
	if r == nil {
		return types.EmptyRootHash
	}
	if r == t.hashedRoot && r.refLen != 0 {
		return t.rootHash
	}
	if r.refLen == 0 {
		t.commit()
	}
	if r.refLen == 32 {
		t.rootHash = types.Hash(r.ref)
	} else {
		// The root is hashed even when its encoding is short.
		t.rootHash = types.Keccak256(r.ref[:r.refLen])
	}
	t.hashedRoot = r
	return t.rootHash
}

// commit computes the reference of every dirty node, one depth at a time,
// deepest first, with one HashBatch call per depth.
func (t *Trie) commit() { t.commitFrom(t.root) }

// commitFrom is commit for the subtree at r.
func (t *Trie) commitFrom(r *node) {
	c := getCommitter()
	defer putCommitter(c)
	c.collect(r, 0)
	for d := len(c.levels) - 1; d >= 0; d-- {
		level := c.levels[d]
		if len(level) == 0 {
			continue
		}
		// Size every encoding first so the level's buffer is allocated
		// at most once; the payload sizes are kept for the second pass.
		need := 0
		c.sizes = c.sizes[:0]
		for _, n := range level {
			p := payloadSize(n)
			c.sizes = append(c.sizes, uint32(p))
			need += headerSize(p) + p
		}
		if cap(c.buf) < need {
			c.buf = make([]byte, 0, need+need/4)
		}
		buf := c.buf[:0]
		c.offsets = append(c.offsets[:0], 0)
		c.pending = c.pending[:0]
		for i, n := range level {
			start := len(buf)
			buf = appendNodeSized(buf, n, int(c.sizes[i]))
			if size := len(buf) - start; size < 32 {
				// Embedded in its parent: no hash needed.
				copy(n.ref[:], buf[start:])
				n.refLen = uint8(size)
				buf = buf[:start]
				continue
			}
			c.offsets = append(c.offsets, uint32(len(buf)))
			c.pending = append(c.pending, n)
		}
		if len(c.pending) > 0 {
			if cap(c.out) < len(c.pending) {
				c.out = make([]types.Hash, len(c.pending), 2*len(c.pending))
			}
			out := c.out[:len(c.pending)]
			t.hasher.HashBatch(buf, c.offsets, out)
			for i, n := range c.pending {
				n.ref = out[i]
				n.refLen = 32
			}
			clear(c.pending)
		}
		c.buf = buf
		clear(level)
		c.levels[d] = level[:0]
	}
}

// collect gathers the dirty nodes of the subtree at n by depth.
func (c *committer) collect(n *node, depth int) {
	if n == nil || n.refLen != 0 {
		return
	}
	if depth == len(c.levels) {
		c.levels = append(c.levels, nil)
	}
	c.levels[depth] = append(c.levels[depth], n)
	switch n.kind {
	case kindExt:
		c.collect(n.child, depth+1)
	case kindBranch:
		for _, k := range n.kids {
			if k != nil && k.refLen == 0 {
				c.collect(k, depth+1)
			}
		}
	}
}

// payloadSize is the size of n's RLP encoding without the list header;
// the references of n's children must be computed.
func payloadSize(n *node) int {
	var payload int
	switch n.kind {
	case kindLeaf:
		payload = compactSize(len(n.key)) + stringSize(n.val)
	case kindExt:
		payload = compactSize(len(n.key)) + refSize(n.child)
	default:
		payload = stringSize(n.val)
		for _, k := range n.kids {
			payload += refSize(k)
		}
	}
	return payload
}

// appendNode appends the RLP encoding of n, whose children all have their
// references computed. It sizes the encoding first and writes it in place.
func appendNode(buf []byte, n *node) []byte {
	return appendNodeSized(buf, n, payloadSize(n))
}

// appendNodeSized is appendNode for a known payload size.
func appendNodeSized(buf []byte, n *node, payload int) []byte {
	start := len(buf)
	total := headerSize(payload) + payload
	buf = slices.Grow(buf, total)[:start+total]
	w := buf[start:]
	i := putHeader(w, payload, 0xc0)
	switch n.kind {
	case kindLeaf:
		i += putCompact(w[i:], n.key, 0x20)
		putString(w[i:], n.val)
	case kindExt:
		i += putCompact(w[i:], n.key, 0)
		putRef(w[i:], n.child)
	default:
		for _, k := range n.kids {
			i += putRef(w[i:], k)
		}
		putString(w[i:], n.val)
	}
	return buf
}

// refSize is the size of a child reference inside its parent's encoding.
func refSize(n *node) int {
	switch {
	case n == nil:
		return 1
	case n.refLen == 32:
		return 33
	default:
		return int(n.refLen)
	}
}

// putRef writes the reference to child n at the start of w and returns its size.
func putRef(w []byte, n *node) int {
	switch {
	case n == nil:
		w[0] = 0x80
		return 1
	case n.refLen == 32:
		w[0] = 0xa0
		copy(w[1:33], n.ref[:])
		return 33
	default:
		return copy(w, n.ref[:n.refLen])
	}
}

// compactSize is the RLP size of the hex-prefix encoding of a path of
// nibbles nibbles.
func compactSize(nibbles int) int {
	l := nibbles/2 + 1
	if l == 1 {
		return 1 // the flag byte is below 0x80: a single-byte string
	}
	return headerSize(l) + l
}

// putCompact writes the hex-prefix encoding of the nibble path, as an RLP
// string, at the start of w and returns its size. flag is 0x20 for a leaf
// and 0 for an extension.
func putCompact(w, nibs []byte, flag byte) int {
	l := len(nibs)/2 + 1
	i := 0
	if l > 1 {
		i = putHeader(w, l, 0x80)
	}
	if len(nibs)&1 == 1 {
		w[i] = flag | 0x10 | nibs[0]
		nibs = nibs[1:]
	} else {
		w[i] = flag
	}
	i++
	out := w[i : i+len(nibs)/2]
	for j := range out {
		out[j] = nibs[2*j]<<4 | nibs[2*j+1]
	}
	return i + len(out)
}

// stringSize is the RLP size of the byte string s.
func stringSize(s []byte) int {
	if len(s) == 1 && s[0] < 0x80 {
		return 1
	}
	return headerSize(len(s)) + len(s)
}

// putString writes s as an RLP string at the start of w and returns its size.
func putString(w, s []byte) int {
	if len(s) == 1 && s[0] < 0x80 {
		w[0] = s[0]
		return 1
	}
	i := putHeader(w, len(s), 0x80)
	return i + copy(w[i:], s)
}

func headerSize(l int) int {
	if l < 56 {
		return 1
	}
	return 1 + byteLen(uint64(l))
}

// putHeader writes the RLP header of a string (base 0x80) or list (base
// 0xc0) of l bytes at the start of w and returns its size.
func putHeader(w []byte, l int, base byte) int {
	if l < 56 {
		w[0] = base + byte(l)
		return 1
	}
	n := byteLen(uint64(l))
	w[0] = base + 55 + byte(n)
	for i := n; i >= 1; i-- {
		w[i] = byte(l)
		l >>= 8
	}
	return 1 + n
}

func byteLen(x uint64) int {
	n := 0
	for ; x != 0; x >>= 8 {
		n++
	}
	return n
}
