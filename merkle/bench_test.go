package merkle

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchKV returns n random 32-byte keys and ~70-byte values (the shape of
// account leaves in the secure state trie).
func benchKV(n int, seed uint64) (keys, vals [][]byte) {
	r := rand.New(rand.NewPCG(seed, 1))
	keys = make([][]byte, n)
	vals = make([][]byte, n)
	for i := range keys {
		keys[i] = make([]byte, 32)
		vals[i] = make([]byte, 70)
		for j := range keys[i] {
			keys[i][j] = byte(r.Uint32())
		}
		for j := range vals[i] {
			vals[i][j] = byte(r.Uint32())
		}
	}
	return keys, vals
}

// benchTrie returns a hashed trie of benchKV(n, seed) and its keys and
// values.
func benchTrie(n int, seed uint64) (tr *Trie, keys, vals [][]byte) {
	keys, vals = benchKV(n, seed)
	tr = New()
	for i := range keys {
		tr.Update(keys[i], vals[i])
	}
	tr.Hash()
	return tr, keys, vals
}

// BenchmarkUpdateHash builds a trie of n keys from scratch and hashes it.
func BenchmarkUpdateHash(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		keys, vals := benchKV(n, 1)
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tr := New()
				for i := range keys {
					tr.Update(keys[i], vals[i])
				}
				tr.Hash()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/key")
		})
	}
}

// BenchmarkIncremental changes 1,000 existing keys of a committed trie of n
// keys and hashes again: the per-block pattern of the state trie.
func BenchmarkIncremental(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		tr, keys, vals := benchTrie(n, 2)
		const changes = 1000
		r := rand.New(rand.NewPCG(3, 4))
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for j := 0; j < changes; j++ {
					i := r.IntN(n)
					vals[i][0]++
					tr.Update(keys[i], vals[i])
				}
				tr.Hash()
			}
		})
	}
}

// BenchmarkGet reads random present keys of a trie of 100k keys.
func BenchmarkGet(b *testing.B) {
	tr, keys, _ := benchTrie(100_000, 5)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		tr.Get(keys[i])
		i++
		if i == len(keys) {
			i = 0
		}
	}
}

// BenchmarkListRoot computes a 500-item list root (a block's receipts).
func BenchmarkListRoot(b *testing.B) {
	_, vals := benchKV(500, 6)
	b.ReportAllocs()
	for b.Loop() {
		ListRoot(len(vals), func(i int, buf []byte) []byte { return append(buf, vals[i]...) })
	}
}

// BenchmarkParallelUpdateHash changes 3,800 keys of a copy of a committed
// trie of 7,333 (a transfers block's account trie) on 2 goroutines: update
// then hash as two steps, and fused, each subtree hashed by the goroutine
// that updated it.
func BenchmarkParallelUpdateHash(b *testing.B) {
	tr, keys, _ := benchTrie(7333, 2)
	_, changed := benchKV(3800, 9)
	b.Run("two-steps", func(b *testing.B) {
		for b.Loop() {
			c := tr.Copy()
			c.UpdateParallel(keys[:3800], changed, 2)
			c.HashParallel(2)
		}
	})
	b.Run("fused", func(b *testing.B) {
		for b.Loop() {
			tr.Copy().UpdateHashParallel(keys[:3800], changed, 2)
		}
	})
}
