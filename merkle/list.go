package merkle

import (
	"sync"

	"github.com/plasmaxpl/engine/types"
)

// listState is the reusable scratch of ListRoot.
type listState struct {
	trie *Trie
	item []byte
}

var listPool = sync.Pool{New: func() any {
	t := New()
	t.arena = new(arena)
	return &listState{trie: t}
}}

// ListRoot returns the root of the trie that maps rlp(i) -> item(i) for i < n
// (transactions root, receipts root, withdrawals root). item appends the
// encoded item to buf and returns it; items are never empty in Ethereum's
// lists (an empty item would be left out). ListRoot is safe for concurrent
// use and allocates nothing once warm.
func ListRoot(n int, item func(i int, buf []byte) []byte) types.Hash {
	if n <= 0 {
		return types.EmptyRootHash
	}
	s := listPool.Get().(*listState)
	t := s.trie
	t.reset()
	var key [9]byte
	for i := 0; i < n; i++ {
		s.item = item(i, s.item[:0])
		t.Update(appendIndexKey(key[:0], uint64(i)), s.item)
	}
	h := t.Hash()
	t.reset()
	t.arena.rewind()
	listPool.Put(s)
	return h
}

// appendIndexKey appends rlp(i): the RLP encoding of the integer i.
func appendIndexKey(buf []byte, i uint64) []byte {
	switch {
	case i == 0:
		return append(buf, 0x80)
	case i < 0x80:
		return append(buf, byte(i))
	}
	n := byteLen(i)
	buf = append(buf, 0x80+byte(n))
	for j := n - 1; j >= 0; j-- {
		buf = append(buf, byte(i>>(8*uint(j))))
	}
	return buf
}
