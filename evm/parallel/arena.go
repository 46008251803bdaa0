package parallel

import (
	"sync"
	"unsafe"

	"github.com/holiman/uint256"
)

// arena is one worker's storage for what its incarnations hand out: read
// sets, write sets, results and the first versions of multi-version cells.
// Slices are carved from chunks that live as long as the block, so a
// transaction costs a few bump allocations instead of several heap
// allocations. What is carved is never reused within the block, so
// results stay immutable; after the block the chunks go back to a cache
// shared by all blocks (chunkCache) for the next one.
type arena struct {
	reads   slab[readEntry]
	assumes slab[assumption]
	writes  slab[writeEntry]
	entries slab[mvEntry]
	cells   slab[*mvCell]
	results slab[txResult]
}

const arenaChunk = 256

// slab is the chunks of one type an arena carved from: cur, the one being
// filled, and full, those before it.
type slab[T any] struct {
	cur  []T
	full [][]T
}

// carve returns a slice of length n (capacity n) from s, starting a new
// chunk when the current one is short.
func carve[T any](s *slab[T], n int) []T {
	if cap(s.cur)-len(s.cur) < n {
		if s.cur != nil {
			s.full = append(s.full, s.cur)
		}
		s.cur = getChunk[T](max(arenaChunk, n))
	}
	l := len(s.cur)
	s.cur = s.cur[:l+n]
	return s.cur[l : l+n : l+n]
}

// copyInto returns a copy of s carved from a.
func copyInto[T any](a *slab[T], s []T) []T {
	if len(s) == 0 {
		return nil
	}
	out := carve(a, len(s))
	copy(out, s)
	return out
}

func (a *arena) result() *txResult {
	if a == nil {
		return new(txResult)
	}
	return &carve(&a.results, 1)[0]
}

// release hands the arena's chunks to the cache. Nothing carved from them
// may be used afterwards.
func (a *arena) release() {
	releaseSlab(&a.reads)
	releaseSlab(&a.assumes)
	releaseSlab(&a.writes)
	releaseSlab(&a.entries)
	releaseSlab(&a.cells)
	releaseSlab(&a.results)
}

func releaseSlab[T any](s *slab[T]) {
	if s.cur != nil {
		s.full = append(s.full, s.cur)
	}
	putChunks(s.full)
	*s = slab[T]{}
}

// The chunk cache keeps the arenas' chunks from one block to the next, up
// to chunkCacheBytes per type: a block's read and write sets come to a few
// MiB, and allocating them afresh each block costs, besides the
// allocation, the page faults of memory the runtime has meanwhile given
// back to the operating system.
const chunkCacheBytes = 8 << 20

type chunkCache[T any] struct {
	mu   sync.Mutex
	free [][]T
}

var (
	readChunks   chunkCache[readEntry]
	assumeChunks chunkCache[assumption]
	writeChunks  chunkCache[writeEntry]
	entryChunks  chunkCache[mvEntry]
	cellChunks   chunkCache[*mvCell]
	resultChunks chunkCache[txResult]
)

// cacheOf returns the chunk cache of T (the arena's types have one each).
func cacheOf[T any]() *chunkCache[T] {
	var c any
	switch any((*T)(nil)).(type) {
	case *readEntry:
		c = &readChunks
	case *assumption:
		c = &assumeChunks
	case *writeEntry:
		c = &writeChunks
	case *mvEntry:
		c = &entryChunks
	case **mvCell:
		c = &cellChunks
	case *txResult:
		c = &resultChunks
	}
	if cc, ok := c.(*chunkCache[T]); ok {
		return cc
	}
	return nil
}

// getChunk returns an empty chunk of capacity n: a cached one when n is
// the standard size, else a new one.
func getChunk[T any](n int) []T {
	if c := cacheOf[T](); c != nil && n == arenaChunk {
		c.mu.Lock()
		if k := len(c.free); k > 0 {
			ch := c.free[k-1]
			c.free[k-1] = nil
			c.free = c.free[:k-1]
			c.mu.Unlock()
			return ch
		}
		c.mu.Unlock()
	}
	return make([]T, 0, n)
}

// putChunks clears the standard-size chunks of chunks (they hold pointers
// into the finished block) and caches them while the cache has room.
func putChunks[T any](chunks [][]T) {
	if len(chunks) == 0 {
		return
	}
	var zero T
	limit := chunkCacheBytes / (arenaChunk * max(int(unsafe.Sizeof(zero)), 1))
	c := cacheOf[T]()
	if c == nil {
		return
	}
	// Cleared before the lock is taken, so that arenas released at once
	// do not clear one after the other.
	for i, ch := range chunks {
		if cap(ch) == arenaChunk {
			clear(ch[:cap(ch)])
			chunks[i] = ch[:0]
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range chunks {
		if cap(ch) != arenaChunk || len(c.free) >= limit {
			continue
		}
		c.free = append(c.free, ch)
	}
}

// readWord is the value of a read as validation compares it: the flag,
// balance, nonce or hash, by kind, in one word.
func readWord(kind locKind, v *mvValue) (w uint256.Int) {
	if kind == locExist || kind == locWipe {
		if v.flag {
			w[0] = 1
		}
		return w
	}
	return v.word
}
