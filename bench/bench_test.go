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

// TestChainFallsBackDeterministically: a block where every transaction
// depends on the one before is finished sequentially from the same
// transaction on every run, and the probe does not send independent
// transfers sequential. (The later guard against wasted incarnations
// depends on timing: on a starved machine it may stop a transfers block
// too, which changes the work done, not the results.)
func TestChainFallsBackDeterministically(t *testing.T) {
	size := Size{Blocks: 1, Txs: 400}
	for _, c := range []struct {
		w        *Workload
		fallback bool
	}{{Chain(1, size), true}, {Transfers(1, size), false}} {
		b := c.w.Blocks[0]
		cfg := b.Config
		cfg.Workers = 2
		from := -2
		for range 5 {
			var st parallel.Stats
			if _, err := parallel.ExecuteBlockOpts(b.Header, b.Txs, nil, b.Withdrawals, b.NewState(), cfg, b.GetHash, parallel.Options{Stats: &st}); err != nil {
				t.Fatal(err)
			}
			probe := st.SequentialWhy == "dependent block"
			if got := probe; got != c.fallback {
				t.Fatalf("%s: sequential from %d (%s)", c.w.Name, st.SequentialFrom, st.SequentialWhy)
			}
			if !probe {
				continue
			}
			if from != -2 && st.SequentialFrom != from {
				t.Fatalf("%s: sequential from %d, then from %d", c.w.Name, from, st.SequentialFrom)
			}
			from = st.SequentialFrom
		}
	}
}

// TestWorkloadsSameResultsAnyWorkers: every synthetic workload gives the
// same state root, receipts root and gas with 1, 2 and 4 workers. The
// erc20 block writes over 512 slots of its token, so that the token's
// final storage is resolved a stripe at a time.
func TestWorkloadsSameResultsAnyWorkers(t *testing.T) {
	size := Size{Blocks: 1, Txs: 400}
	for _, w := range []*Workload{Transfers(3, size), ERC20(3, size), AMM(3, size), Chain(3, size)} {
		b := w.Blocks[0]
		var want *blockOutcome
		for _, nw := range []int{1, 2, 4} {
			for _, noFallback := range []bool{false, true} {
				cfg := b.Config
				cfg.Workers = nw
				res, err := parallel.ExecuteBlockOpts(b.Header, b.Txs, nil, b.Withdrawals, b.NewState(), cfg, b.GetHash, parallel.Options{NoFallback: noFallback})
				if err != nil {
					t.Fatalf("%s, %d workers: %v", w.Name, nw, err)
				}
				got := blockOutcome{res.StateRoot, res.ReceiptsRoot, res.GasUsed}
				if want == nil {
					want = &got
				} else if got != *want {
					t.Fatalf("%s: %d workers (no fallback %v) gave %+v, 1 worker %+v", w.Name, nw, noFallback, got, *want)
				}
			}
		}
	}
}
