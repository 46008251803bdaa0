package bench

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/parallel"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

// runBoth executes b with 1 and with workers workers and fails unless the
// state root, receipts root and gas agree; it returns the parallel run's
// statistics.
func runBoth(t *testing.T, b *Block, workers int, opt parallel.Options) parallel.Stats {
	t.Helper()
	cfg := b.Config
	cfg.Workers = 1
	want, err := parallel.ExecuteBlock(b.Header, b.Txs, nil, b.Withdrawals, b.NewState(), cfg, b.GetHash)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Workers = workers
	var st parallel.Stats
	opt.Stats = &st
	got, err := parallel.ExecuteBlockOpts(b.Header, b.Txs, nil, b.Withdrawals, b.NewState(), cfg, b.GetHash, opt)
	if err != nil {
		t.Fatal(err)
	}
	if got.StateRoot != want.StateRoot || got.ReceiptsRoot != want.ReceiptsRoot || got.GasUsed != want.GasUsed {
		t.Fatalf("%s: %d workers gave root %v receipts %v gas %d, sequential %v %v %d", b.Name, workers,
			got.StateRoot, got.ReceiptsRoot, got.GasUsed, want.StateRoot, want.ReceiptsRoot, want.GasUsed)
	}
	return st
}

// TestOneSenderRunsSequentially: a block where one sender sends most of
// the transactions is executed sequentially from the start (its nonce
// chain is the block's critical path); one where that sender sends less
// than half is not.
func TestOneSenderRunsSequentially(t *testing.T) {
	for _, c := range []struct {
		own, others int
		sequential  bool
	}{{60, 40, true}, {30, 70, false}} {
		pre := statedb.New()
		whale := addr(0xab, 0)
		pre.SetBalance(whale, uint256.NewInt(1e18))
		var txs []*types.Transaction
		total, nonce := c.own+c.others, uint64(0)
		for i := range total {
			to := addr(0xee, i)
			// The whale's transactions are spread evenly over the block.
			if i*c.own/total != (i+1)*c.own/total {
				txs = append(txs, newTx(whale, nonce, &to, 1, 21000, nil, 1))
				nonce++
				continue
			}
			from := addr(0xaa, i)
			pre.SetBalance(from, uint256.NewInt(1e18))
			txs = append(txs, newTx(from, 0, &to, 1, 21000, nil, 1))
		}
		if nonce != uint64(c.own) {
			t.Fatalf("built %d whale transactions, want %d", nonce, c.own)
		}
		pre.Finalise(true)
		b := synthBlock("onesender", 1, txs, pre)
		st := runBoth(t, b, 2, parallel.Options{})
		if got := st.SequentialWhy == "one sender"; got != c.sequential {
			t.Fatalf("%d of %d from one sender: sequential %v (%q from %d)", c.own, c.own+c.others, got, st.SequentialWhy, st.SequentialFrom)
		}
	}
}

// TestPreByzantiumRunsSequentially: a block before Byzantium runs
// sequentially unless Options.PreByzantium asks otherwise, with the same
// results either way.
func TestPreByzantiumRunsSequentially(t *testing.T) {
	fixtures := filepath.Join("..", "..", "shared", "fixtures")
	if _, err := os.Stat(fixtures); err != nil {
		t.Skip("no fixtures at", fixtures)
	}
	w, err := Mainnet(fixtures)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range w.Blocks {
		if b.Header.Number >= 4_370_000 || len(b.Txs) < parallel.MinParallelTxs {
			continue // Byzantium, or too small to run in parallel anyway
		}
		if st := runBoth(t, b, 2, parallel.Options{}); st.Parallel {
			t.Fatalf("%s ran in parallel", b.Name)
		}
		if st := runBoth(t, b, 2, parallel.Options{PreByzantium: true}); !st.Parallel {
			t.Fatalf("%s with PreByzantium ran sequentially", b.Name)
		}
		return
	}
	t.Fatal("no pre-Byzantium fixture block with enough transactions")
}
