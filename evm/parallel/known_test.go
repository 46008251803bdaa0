package parallel

import (
	"testing"

	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

// TestAddKnownCounts checks the counts the known accounts carry: the
// transactions each sends and the transactions sent to it, runs of calls
// to one recipient included (they are listed once with their count).
func TestAddKnownCounts(t *testing.T) {
	a, b, c := types.Address{1}, types.Address{2}, types.Address{3}
	s1, s2 := types.Address{0xa1}, types.Address{0xa2}
	msg := func(from types.Address, to *types.Address) *evm.Message {
		return &evm.Message{From: from, To: to}
	}
	msgs := []*evm.Message{
		msg(s1, &a), msg(s2, &a), msg(s1, &a), // a run of three
		msg(s2, &b),
		msg(s1, &a), // a again after b
		msg(s2, nil),
		nil, // a transaction whose sender could not be recovered
		msg(s1, &c),
	}
	for _, workers := range []int{1, 2} {
		x := &executor{
			bctx:    evm.BlockContext{Coinbase: types.Address{0xfe}},
			msgs:    msgs,
			mv:      NewMVMemory(len(msgs)),
			base:    newBaseReader(statedb.New()),
			workers: workers,
		}
		x.addKnown(workers)
		for _, want := range []struct {
			addr             types.Address
			calls, senderTxs int32
		}{
			{a, 4, 0}, {b, 1, 0}, {c, 1, 0}, {s1, 0, 4}, {s2, 0, 3},
		} {
			acct := x.mv.knownAccount(&want.addr)
			if acct == nil {
				t.Fatalf("workers %d: %x not known", workers, want.addr)
			}
			if acct.calls != want.calls || acct.senderTxs != want.senderTxs {
				t.Errorf("workers %d: %x: calls %d, sends %d; want %d, %d",
					workers, want.addr, acct.calls, acct.senderTxs, want.calls, want.senderTxs)
			}
		}
		if got := x.mv.maxSenderTxs.Load(); got != 4 {
			t.Errorf("workers %d: maxSenderTxs %d, want 4", workers, got)
		}
		x.mv.release()
	}
}
