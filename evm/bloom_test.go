package evm

import (
	"math/rand/v2"
	"testing"

	"github.com/plasmaxpl/engine/types"
)

// TestLogsBloomMatchesTypes: the batched bloom sets exactly the bits of
// types.LogsBloom (one hash at a time) for random logs with 0 to 4 topics,
// from no log to a few hundred.
func TestLogsBloomMatchesTypes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, n := range []int{0, 1, 2, 3, 7, 8, 9, 31, 300, 2*bloomSplitLogs + 5} {
		for range 20 {
			logs := make([]*types.Log, n)
			for i := range logs {
				l := &types.Log{Topics: make([]types.Hash, rng.IntN(5))}
				for j := range l.Address {
					l.Address[j] = byte(rng.Uint32())
				}
				for k := range l.Topics {
					for j := range l.Topics[k] {
						l.Topics[k][j] = byte(rng.Uint32())
					}
				}
				logs[i] = l
			}
			want := types.LogsBloom(logs)
			if got := LogsBloom(logs); got != want {
				t.Fatalf("%d logs: batched bloom differs from types.LogsBloom", n)
			}
			if got := LogsBloomWorkers(logs, 3); got != want {
				t.Fatalf("%d logs on 3 workers: bloom differs from types.LogsBloom", n)
			}
		}
	}
}

func BenchmarkLogsBloom(b *testing.B) {
	logs := []*types.Log{{Address: types.Address{1}, Topics: []types.Hash{{1}, {2}, {3}}}}
	b.Run("batched", func(b *testing.B) {
		for b.Loop() {
			LogsBloom(logs)
		}
	})
	b.Run("types", func(b *testing.B) {
		for b.Loop() {
			types.LogsBloom(logs)
		}
	})
}
