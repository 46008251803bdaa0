package parallel

import (
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

// TestValidateReadsOfBase follows reads of values from before the block
// through writes below the reader that come and go: a read that saw the
// value before the block stays valid exactly while nothing below writes
// the location (or wipes the storage), and a read that saw a write below
// is invalid once that write is gone, although nothing is below it then.
func TestValidateReadsOfBase(t *testing.T) {
	addr := types.Address{0xa}
	key := types.Hash{31: 5}
	state := statedb.New()
	state.SetBalance(addr, uint256.NewInt(100))
	state.SetNonce(addr, 1)
	state.SetState(addr, key, types.Hash{31: 7})
	state.Finalise(true)

	const reader = 2
	x := &executor{mv: NewMVMemory(3), base: newBaseReader(state), txs: make([]*types.Transaction, 3)}
	ar := x.newArena()
	acct := x.mv.account(&addr)
	balance := func(v uint64) writeEntry {
		return writeEntry{acct: acct, loc: location{addr: addr, kind: locBalance}, val: mvValue{word: *uint256.NewInt(v)}}
	}
	wipe := writeEntry{acct: acct, loc: location{addr: addr, kind: locWipe}, val: mvValue{flag: true}}
	run := func() *txResult {
		v := newView(x.mv, x.base, reader)
		v.GetBalance(addr)
		v.GetState(addr, key)
		return &txResult{reads: append([]readEntry(nil), v.reads...)}
	}
	check := func(step string, r *txResult, want bool) {
		t.Helper()
		if got := x.valid(reader, r); got != want {
			t.Errorf("%s: valid %v, want %v", step, got, want)
		}
	}

	fromBase := run()
	if len(fromBase.reads) == 0 {
		t.Fatal("the view recorded no reads")
	}
	for _, rd := range fromBase.reads {
		if !rd.fromBase {
			t.Fatalf("read of kind %d with nothing written below: not marked as the value before the block", rd.cell.kind)
		}
	}
	check("nothing written", fromBase, true)

	x.mv.Record(1, []writeEntry{balance(50)}, ar)
	check("balance written below", fromBase, false)
	sawWrite := run()
	check("read of the write below", sawWrite, true)

	x.mv.Record(1, nil, ar)
	check("write below gone", fromBase, true)
	check("write it saw gone", sawWrite, false)

	x.mv.Record(0, []writeEntry{wipe}, ar)
	check("storage wiped below", fromBase, false)
	x.mv.Record(0, nil, ar)
	check("wipe gone", fromBase, true)

	x.mv.Record(1, []writeEntry{balance(100)}, ar)
	check("the same balance written below", fromBase, true)
	x.mv.Estimate(1)
	check("estimate below", fromBase, false)
}
