package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	gethcommon "github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/rawdb"
	gethtrie "github.com/ethereum/go-ethereum/trie"
	"github.com/ethereum/go-ethereum/triedb"

	"github.com/plasmaxpl/engine/gpu"
	"github.com/plasmaxpl/engine/merkle"
)

// benchTrie inserts n random 32-byte keys with 32-byte values into an empty
// trie and computes the root: our merkle.Trie with each gpu backend against
// go-ethereum's trie.Trie (trie.NewEmpty over an in-memory triedb, Update,
// then Commit, which hashes and collects the dirty nodes). Throughput is
// updates per second, insertion included on both sides.
func benchTrie(o *options) []Benchmark {
	var out []Benchmark
	sizes := []int{10_000, 100_000}
	for _, n := range sizes {
		rng := rand.New(rand.NewPCG(uint64(n), 2))
		keys := make([][]byte, n)
		vals := make([][]byte, n)
		for i := range keys {
			keys[i] = make([]byte, 32)
			vals[i] = make([]byte, 32)
			for j := range keys[i] {
				keys[i][j] = byte(rng.Uint32())
				vals[i][j] = byte(rng.Uint32())
			}
		}
		gethRoot := func() (gethcommon.Hash, time.Duration, error) {
			tdb := triedb.NewDatabase(rawdb.NewMemoryDatabase(), nil)
			start := time.Now()
			tr := gethtrie.NewEmpty(tdb)
			for i := range keys {
				if err := tr.Update(keys[i], vals[i]); err != nil {
					return gethcommon.Hash{}, 0, err
				}
			}
			root, _ := tr.Commit(false)
			return root, time.Since(start), nil
		}
		want, _, err := gethRoot()
		if err != nil {
			out = append(out, Benchmark{Name: fmt.Sprintf("trie %d", n), Error: err.Error()})
			continue
		}
		var impls []impl
		bad := ""
		for _, be := range gpu.Backends() {
			be := be
			t := merkle.NewWithHasher(be)
			for i := range keys {
				t.Update(keys[i], vals[i])
			}
			if got := t.Hash(); [32]byte(got) != [32]byte(want) {
				bad = fmt.Sprintf("root of backend %s %x differs from go-ethereum's %x", be.Name(), got, want)
			}
			impls = append(impls, impl{name: "ours " + be.Name(), run: func() (float64, time.Duration, error) {
				return repeatFor(o.minTime, func() (float64, time.Duration, error) {
					start := time.Now()
					t := merkle.NewWithHasher(be)
					for i := range keys {
						t.Update(keys[i], vals[i])
					}
					t.Hash()
					return float64(n), time.Since(start), nil
				})
			}})
		}
		if bad != "" {
			out = append(out, Benchmark{Name: fmt.Sprintf("trie %d", n), Error: bad})
			continue
		}
		impls = append(impls, impl{name: "go-ethereum trie", geth: true, run: func() (float64, time.Duration, error) {
			return repeatFor(o.minTime, func() (float64, time.Duration, error) {
				_, d, err := gethRoot()
				return float64(n), d, err
			})
		}})
		b := runAlternating(fmt.Sprintf("trie commit %dk updates", n/1000), "k updates/s", 1e3, o.rounds, impls)
		b.Note = "random 32-byte keys and values into an empty trie, then the root; equal roots checked"
		out = append(out, b)
		o.logBench(b)
	}
	return out
}
