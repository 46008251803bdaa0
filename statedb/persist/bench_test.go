package persist

import (
	"path/filepath"
	"testing"

	"github.com/plasmaxpl/engine/types"
)

// BenchmarkCommitBlock measures executing and committing one workload
// block (200 changes) on disk, including the synced write.
func BenchmarkCommitBlock(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "state"), &Options{Retain: 16, PruneEvery: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := replay(db, 20, 200, 0); err != nil {
		b.Fatal(err)
	}
	s := db.State()
	n := uint64(21)
	b.ResetTimer()
	for range b.N {
		applyBlock(s, n, 200)
		if _, err := db.Commit(n, s); err != nil {
			b.Fatal(err)
		}
		n++
	}
}

// BenchmarkOpenedStateRead measures opening the head state and the first
// read of an account and of a slot (flat view lookups, decoding).
func BenchmarkOpenedStateRead(b *testing.B) {
	db, err := OpenMemory(nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := replay(db, 20, 200, 0); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		s := db.State()
		s.GetBalance(workAddr(i % workAccounts))
		s.GetState(workContract(i%workContracts), types.Hash{31: byte(i % workSlots)})
	}
}

// BenchmarkPrune measures a full mark and sweep over 16 retained roots.
func BenchmarkPrune(b *testing.B) {
	db, err := OpenMemory(&Options{Retain: 16, PruneEvery: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := replay(db, 40, 200, 0); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := db.Prune(); err != nil {
			b.Fatal(err)
		}
	}
}
