package bench

import (
	"fmt"
	"testing"

	"github.com/plasmaxpl/engine/evm/parallel"
)

func benchWorkload(b *testing.B, w *Workload) {
	for _, nw := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", nw), func(b *testing.B) {
			for b.Loop() {
				for _, blk := range w.Blocks {
					b.StopTimer()
					state := blk.NewState()
					cfg := blk.Config
					cfg.Workers = nw
					b.StartTimer()
					if _, err := parallel.ExecuteBlock(blk.Header, blk.Txs, nil, blk.Withdrawals, state, cfg, blk.GetHash); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(w.Txs())*float64(b.N)/b.Elapsed().Seconds(), "tx/s")
		})
	}
}

func BenchmarkTransfers(b *testing.B) { benchWorkload(b, Transfers(1, Size{Blocks: 1, Txs: 2000})) }
func BenchmarkERC20(b *testing.B)     { benchWorkload(b, ERC20(1, Size{Blocks: 1, Txs: 2000})) }
func BenchmarkAMM(b *testing.B)       { benchWorkload(b, AMM(1, Size{Blocks: 1, Txs: 2000})) }
func BenchmarkChain(b *testing.B)     { benchWorkload(b, Chain(1, Size{Blocks: 1, Txs: 2000})) }
