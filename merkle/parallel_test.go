package merkle

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/plasmaxpl/engine/types"
)

// TestUpdateParallelMatchesUpdate applies random batches of updates and
// deletes with UpdateParallel and HashParallel, with UpdateHashParallel
// and with UpdateHashParallelFunc, at several goroutine counts and requires the root
// hash, the contents and the count of a trie updated one key at a time,
// including batches that empty most of the trie.
func TestUpdateParallelMatchesUpdate(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	for _, workers := range []int{2, 3, 8, 16} {
		want, got, fused, encoded := New(), New(), New(), New()
		var live [][]byte
		for round := range 12 {
			n := 300 + rng.IntN(3000)
			var keys, vals [][]byte
			seen := map[string]bool{}
			for range n {
				var k []byte
				if len(live) > 0 && rng.IntN(3) == 0 {
					k = live[rng.IntN(len(live))]
				} else {
					h := types.Keccak256(fmt.Appendf(nil, "%d-%d-%d", workers, round, rng.Uint64()))
					k = h[:]
				}
				if seen[string(k)] {
					continue
				}
				seen[string(k)] = true
				var v []byte
				if round < 10 && rng.IntN(5) != 0 || round >= 10 && rng.IntN(10) == 0 {
					v = fmt.Appendf(nil, "v%d", rng.Uint64())
				}
				keys, vals = append(keys, k), append(vals, v)
				if v != nil {
					live = append(live, k)
				}
			}
			if round >= 10 { // delete nearly everything
				for _, k := range live {
					if !seen[string(k)] {
						seen[string(k)] = true
						keys, vals = append(keys, k), append(vals, nil)
					}
				}
				live = nil
			}
			for i := range keys {
				want.Update(keys[i], vals[i])
			}
			got.UpdateParallel(keys, vals, workers)
			if w, g := want.Hash(), got.HashParallel(workers); w != g {
				t.Fatalf("workers %d round %d: root %v, want %v", workers, round, g, w)
			}
			if w, g := want.Hash(), fused.UpdateHashParallel(keys, vals, workers); w != g {
				t.Fatalf("workers %d round %d: UpdateHashParallel root %v, want %v", workers, round, g, w)
			}
			// Values appended to a buffer the callback reuses: the trie
			// must keep copies.
			if w, g := want.Hash(), encoded.UpdateHashParallelFunc(keys, func(i int, buf []byte) []byte {
				return append(buf, vals[i]...)
			}, workers); w != g {
				t.Fatalf("workers %d round %d: UpdateHashParallelFunc root %v, want %v", workers, round, g, w)
			}
			for _, tr := range []*Trie{got, fused, encoded} {
				if want.Len() != tr.Len() {
					t.Fatalf("workers %d round %d: %d keys, want %d", workers, round, tr.Len(), want.Len())
				}
				for i := range keys {
					wv, wok := want.Get(keys[i])
					gv, gok := tr.Get(keys[i])
					if wok != gok || string(wv) != string(gv) {
						t.Fatalf("workers %d round %d: Get(%x) = %q %v, want %q %v", workers, round, keys[i], gv, gok, wv, wok)
					}
				}
			}
		}
	}
}

// TestUpdateParallelCopyOnWrite checks that parallel updates of a copy
// leave the original trie (which shares its nodes) unchanged.
func TestUpdateParallelCopyOnWrite(t *testing.T) {
	orig := New()
	var keys, vals [][]byte
	for i := range 2000 {
		k := types.Keccak256(fmt.Appendf(nil, "k%d", i))
		keys, vals = append(keys, k[:]), append(vals, fmt.Appendf(nil, "v%d", i))
	}
	orig.UpdateParallel(keys, vals, 4)
	before := orig.HashParallel(4)
	c := orig.Copy()
	for i := range vals {
		vals[i] = fmt.Appendf(nil, "w%d", i)
	}
	c.UpdateParallel(keys, vals, 4)
	if c.HashParallel(4) == before {
		t.Fatal("copy's root did not change")
	}
	if got := orig.Hash(); got != before {
		t.Fatalf("original's root changed to %v", got)
	}
}

// TestUpdateParallelDeletesSubtrees deletes, in parallel, every key under
// some kids of the root, then every key: the kids and then the root must
// go as they do one key at a time (the root branch left without a kid
// used to fail).
func TestUpdateParallelDeletesSubtrees(t *testing.T) {
	var keys, vals [][]byte
	for i := range 4000 {
		k := types.Keccak256(fmt.Appendf(nil, "d%d", i))
		keys, vals = append(keys, k[:]), append(vals, fmt.Appendf(nil, "v%d", i))
	}
	want, got := New(), New()
	for i := range keys {
		want.Update(keys[i], vals[i])
	}
	got.UpdateParallel(keys, vals, 4)
	steps := []func(k []byte) bool{
		func(k []byte) bool { return k[0]>>4 == 3 || k[0]>>4 == 11 }, // two whole kids of the root
		func(k []byte) bool { // one kid of a kid, and half of three kids
			return k[0] == 0x50 || (k[0]>>4 == 5 || k[0]>>4 == 7 || k[0]>>4 == 9) && k[1]%2 == 0
		},
		func(k []byte) bool { return true }, // everything
	}
	for s, del := range steps {
		var dk, dv [][]byte
		for _, k := range keys {
			if del(k) {
				dk, dv = append(dk, k), append(dv, nil)
				want.Update(k, nil)
			}
		}
		if len(dk) < minParallelKeys {
			t.Fatalf("step %d: only %d keys deleted", s, len(dk))
		}
		if w, g := want.Hash(), got.UpdateHashParallel(dk, dv, 4); w != g {
			t.Fatalf("step %d: root %v, want %v", s, g, w)
		}
		if want.Len() != got.Len() {
			t.Fatalf("step %d: %d keys, want %d", s, got.Len(), want.Len())
		}
	}
	if h := got.Hash(); h != types.EmptyRootHash {
		t.Fatalf("root of the emptied trie %v", h)
	}
}
