package merkle

import "github.com/plasmaxpl/engine/types"

// committer holds the buffers Hash reuses from one call to the next.
type committer struct {
	levels  [][]*node // dirty nodes by depth
	buf     []byte    // encodings of the level's nodes, back to back
	offsets []uint32
	pending []*node // nodes of buf, in order
	out     []types.Hash
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
func (t *Trie) commit() {
	c := &t.com
	c.collect(t.root, 0)
	for d := len(c.levels) - 1; d >= 0; d-- {
		level := c.levels[d]
		if len(level) == 0 {
			continue
		}
		buf := c.buf[:0]
		c.offsets = append(c.offsets[:0], 0)
		c.pending = c.pending[:0]
		for _, n := range level {
			start := len(buf)
			buf = appendNode(buf, n)
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

// appendNode appends the RLP encoding of n, whose children all have their
// references computed.
func appendNode(buf []byte, n *node) []byte {
	switch n.kind {
	case kindLeaf:
		payload := compactSize(len(n.key)) + stringSize(n.val)
		buf = appendListHeader(buf, payload)
		buf = appendCompact(buf, n.key, 0x20)
		return appendString(buf, n.val)
	case kindExt:
		payload := compactSize(len(n.key)) + refSize(n.child)
		buf = appendListHeader(buf, payload)
		buf = appendCompact(buf, n.key, 0)
		return appendRef(buf, n.child)
	default:
		payload := stringSize(n.val)
		for _, k := range n.kids {
			payload += refSize(k)
		}
		buf = appendListHeader(buf, payload)
		for _, k := range n.kids {
			buf = appendRef(buf, k)
		}
		return appendString(buf, n.val)
	}
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

func appendRef(buf []byte, n *node) []byte {
	switch {
	case n == nil:
		return append(buf, 0x80)
	case n.refLen == 32:
		buf = append(buf, 0xa0)
		return append(buf, n.ref[:]...)
	default:
		return append(buf, n.ref[:n.refLen]...)
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

// appendCompact appends the hex-prefix encoding of the nibble path as an RLP
// string. flag is 0x20 for a leaf and 0 for an extension.
func appendCompact(buf, nibs []byte, flag byte) []byte {
	l := len(nibs)/2 + 1
	if l > 1 {
		buf = appendStringHeader(buf, l)
	}
	if len(nibs)&1 == 1 {
		buf = append(buf, flag|0x10|nibs[0])
		nibs = nibs[1:]
	} else {
		buf = append(buf, flag)
	}
	for i := 0; i+1 < len(nibs); i += 2 {
		buf = append(buf, nibs[i]<<4|nibs[i+1])
	}
	return buf
}

// stringSize is the RLP size of the byte string s.
func stringSize(s []byte) int {
	if len(s) == 1 && s[0] < 0x80 {
		return 1
	}
	return headerSize(len(s)) + len(s)
}

func appendString(buf, s []byte) []byte {
	if len(s) == 1 && s[0] < 0x80 {
		return append(buf, s[0])
	}
	buf = appendStringHeader(buf, len(s))
	return append(buf, s...)
}

func headerSize(l int) int {
	if l < 56 {
		return 1
	}
	return 1 + byteLen(uint64(l))
}

func appendStringHeader(buf []byte, l int) []byte { return appendHeader(buf, l, 0x80) }

func appendListHeader(buf []byte, l int) []byte { return appendHeader(buf, l, 0xc0) }

func appendHeader(buf []byte, l int, base byte) []byte {
	if l < 56 {
		return append(buf, base+byte(l))
	}
	n := byteLen(uint64(l))
	buf = append(buf, base+55+byte(n))
	for i := n - 1; i >= 0; i-- {
		buf = append(buf, byte(uint64(l)>>(8*uint(i))))
	}
	return buf
}

func byteLen(x uint64) int {
	n := 0
	for ; x != 0; x >>= 8 {
		n++
	}
	return n
}
