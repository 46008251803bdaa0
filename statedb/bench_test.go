package statedb

import (
	"encoding/binary"
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/types"
)

func benchAddr(i int) types.Address {
	var a types.Address
	binary.BigEndian.PutUint64(a[12:], uint64(i)*0x9e3779b97f4a7c15)
	return a
}

// benchState returns a state of n accounts, each with slots storage slots,
// whose root has been computed once.
func benchState(n, slots int) *StateDB {
	s := New()
	for i := range n {
		a := benchAddr(i)
		s.SetBalance(a, uint256.NewInt(uint64(i)+1))
		s.SetNonce(a, 1)
		for j := range slots {
			s.SetState(a, types.Hash{30: byte(j >> 8), 31: byte(j)}, types.Hash{31: byte(i) | 1})
		}
	}
	s.IntermediateRoot(true)
	return s
}

// BenchmarkIntermediateRoot10kAccounts updates the balance of 10k accounts
// of a 100k-account state per iteration and computes the root.
func BenchmarkIntermediateRoot10kAccounts(b *testing.B) {
	s := benchState(100_000, 0)
	one := uint256.NewInt(1)
	b.ReportAllocs()
	b.ResetTimer()
	for it := 0; b.Loop(); it++ {
		for i := range 10_000 {
			s.AddBalance(benchAddr((i*7+it)%100_000), one)
		}
		s.IntermediateRoot(true)
	}
}

// BenchmarkIntermediateRoot10kStorage writes one slot in each of 10k
// accounts that hold 8 slots each, so 10k storage tries are rehashed.
func BenchmarkIntermediateRoot10kStorage(b *testing.B) {
	s := benchState(10_000, 8)
	b.ReportAllocs()
	b.ResetTimer()
	for it := 0; b.Loop(); it++ {
		for i := range 10_000 {
			s.SetState(benchAddr(i), types.Hash{31: byte(it % 8)}, types.Hash{30: byte(it), 31: 1})
		}
		s.IntermediateRoot(true)
	}
}

// BenchmarkTxOps measures a typical transaction's state traffic: a few
// balance, nonce and storage operations with a snapshot and a Finalise.
func BenchmarkTxOps(b *testing.B) {
	s := benchState(1000, 4)
	one := uint256.NewInt(1)
	k := types.Hash{31: 1}
	b.ReportAllocs()
	b.ResetTimer()
	for it := 0; b.Loop(); it++ {
		from, to := benchAddr(it%1000), benchAddr((it+1)%1000)
		s.SetNonce(from, s.GetNonce(from)+1)
		s.SubBalance(from, one)
		id := s.Snapshot()
		s.AddBalance(to, one)
		v := s.GetState(to, k)
		v[0]++
		s.SetState(to, k, v)
		_ = s.GetCommittedState(to, k)
		if it%4 == 0 {
			s.RevertToSnapshot(id)
		}
		s.Finalise(true)
	}
}

// BenchmarkApplyWritesHotAccount applies, on 2 goroutines, the final state
// of a token-transfer block: 4,000 changed slots of one contract and the
// balances of 2,000 senders.
func BenchmarkApplyWritesHotAccount(b *testing.B) {
	token := benchAddr(1 << 20)
	base := benchState(2000, 0)
	for j := range 10_000 {
		base.SetState(token, types.Hash{29: byte(j >> 16), 30: byte(j >> 8), 31: byte(j)}, types.Hash{31: 1})
	}
	base.IntermediateRoot(true)
	ws := []AccountWrite{{Addr: token, Exists: true, CodeHash: types.EmptyCodeHash}}
	for j := range 4000 {
		k := types.Hash{29: byte(j >> 16), 30: byte(j >> 8), 31: byte(j)}
		ws[0].Slots = append(ws[0].Slots, SlotWrite{Key: k, Value: types.Hash{31: 2}})
	}
	for i := range 2000 {
		w := AccountWrite{Addr: benchAddr(i), Exists: true, Nonce: 2, CodeHash: types.EmptyCodeHash}
		w.Balance.SetUint64(uint64(i))
		ws = append(ws, w)
	}
	for b.Loop() {
		b.StopTimer()
		s := base.Copy()
		b.StartTimer()
		s.ApplyWritesWorkers(ws, 2)
	}
}
