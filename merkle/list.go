package merkle

import (
	"github.com/plasmaxpl/engine/internal/freelist"
	"github.com/plasmaxpl/engine/types"
)

// listState is the reusable scratch of ListRoot.
type listState struct {
	trie *Trie
	item []byte
}

// listCache keeps ListRoot's scratch from one use to the next. A sync.Pool
// would drop it at every collection, and the first list after one then
// built its trie from the heap and grew a new arena (about 1.5 MB per
// block of 2,000 receipts, twice over when the transaction and receipts
// roots are computed at once). At most listCacheStates are kept, each only
// while its arena stays under listCacheBytes.
var listCache = freelist.List[listState]{Max: listCacheStates, New: func() *listState {
	t := New()
	t.arena = new(arena)
	return &listState{trie: t}
}}

const (
	listCacheStates = 4
	listCacheBytes  = 16 << 20
)

// putListState keeps s, whose arena was rewound, unless the cache is full
// or the arena too large to pin.
func putListState(s *listState) {
	if s.trie.arena.size()+cap(s.item) > listCacheBytes {
		return
	}
	listCache.Put(s)
}

// ListRoot returns the root of the trie that maps rlp(i) -> item(i) for i < n
// (transactions root, receipts root, withdrawals root). item appends the
// encoded item to buf and returns it; items are never empty in Ethereum's
// lists (an empty item would be left out). ListRoot is safe for concurrent
// use and allocates nothing once warm.
func ListRoot(n int, item func(i int, buf []byte) []byte) types.Hash {
	if n <= 0 {
		return types.EmptyRootHash
	}
	s := listCache.Get()
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
	putListState(s)
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
