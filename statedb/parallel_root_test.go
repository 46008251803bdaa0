package statedb

import (
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/types"
)

// TestIntermediateRootWorkers changes, creates and deletes accounts of two
// equal states and requires the same root from IntermediateRoot and from
// IntermediateRootWorkers at each step.
func TestIntermediateRootWorkers(t *testing.T) {
	a, b := benchState(5000, 1), benchState(5000, 1)
	for step := range 6 {
		for _, s := range []*StateDB{a, b} {
			for i := range 3000 {
				addr := benchAddr((i*13 + step*1000) % 9000)
				switch (i + step) % 5 {
				case 0:
					s.SelfDestruct(addr)
				case 1:
					s.SetState(addr, types.Hash{31: byte(step)}, types.Hash{31: byte(i) | 1})
				default:
					s.AddBalance(addr, uint256.NewInt(uint64(i+1)))
				}
			}
		}
		want := a.IntermediateRoot(true)
		if got := b.IntermediateRootWorkers(true, 1+step%4); got != want {
			t.Fatalf("step %d: root %v, want %v", step, got, want)
		}
	}
}
