package persist

import (
	"math/rand/v2"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

// The synthetic workload: deterministic blocks of transfers, storage
// writes, code deployments, self-destructs and re-creations over a small
// set of accounts, applied straight to a statedb. Block n depends only on
// n and the state it runs on, so a replay resumed from any committed block
// reaches the same roots as an uninterrupted one.

const (
	workAccounts  = 400
	workContracts = 24
	workSlots     = 40
)

func workAddr(i int) types.Address {
	var a types.Address
	a[0] = 0xaa
	a[18], a[19] = byte(i>>8), byte(i)
	return a
}

func workContract(i int) types.Address {
	var a types.Address
	a[0] = 0xcc
	a[19] = byte(i)
	return a
}

// genesis funds the accounts.
func genesis(s *statedb.StateDB) {
	for i := range workAccounts {
		s.SetBalance(workAddr(i), uint256.NewInt(1_000_000_000))
	}
	s.Finalise(true)
}

// applyBlock runs block n (numbered from 1) on s and returns the root.
func applyBlock(s *statedb.StateDB, n uint64, txs int) types.Hash {
	r := rand.New(rand.NewPCG(0x5eed, n))
	for range txs {
		switch k := r.IntN(20); {
		case k < 10: // transfer
			from, to := workAddr(r.IntN(workAccounts)), workAddr(r.IntN(workAccounts))
			v := uint256.NewInt(uint64(r.IntN(5000)))
			if bal := s.GetBalance(from); bal.Cmp(v) >= 0 {
				s.SubBalance(from, v)
				s.AddBalance(to, v)
				s.SetNonce(from, s.GetNonce(from)+1)
			}
		case k < 17: // storage writes, some zeroing, reading first
			c := workContract(r.IntN(workContracts))
			for range 1 + r.IntN(4) {
				slot := types.Hash{31: byte(r.IntN(workSlots))}
				old := s.GetState(c, slot)
				var v types.Hash
				if r.IntN(4) != 0 {
					v[31], v[0] = byte(r.Uint32()), old[0]+1
				}
				s.SetState(c, slot, v)
			}
			if s.GetNonce(c) == 0 {
				s.SetNonce(c, 1)
			}
		case k < 18: // deploy code
			c := workContract(r.IntN(workContracts))
			s.SetCode(c, []byte{0x60, byte(r.IntN(4)), 0x00})
			s.SetNonce(c, s.GetNonce(c)+1)
		case k < 19: // self-destruct: the account and its storage go
			s.SelfDestruct(workContract(r.IntN(workContracts)))
		default: // re-create: storage wiped, balance kept
			c := workContract(r.IntN(workContracts))
			s.CreateAccount(c)
			s.SetNonce(c, 1)
			s.SetState(c, types.Hash{31: 1}, types.Hash{31: byte(n)})
		}
		if r.IntN(8) == 0 {
			// A reverted change must leave no trace.
			snap := s.Snapshot()
			s.SetState(workContract(0), types.Hash{31: 3}, types.Hash{31: 0x77})
			s.AddBalance(workAddr(1), uint256.NewInt(1))
			s.RevertToSnapshot(snap)
		}
		s.Finalise(true)
	}
	return s.IntermediateRoot(true)
}

// referenceRoots runs the workload in memory and returns the root after
// genesis (index 0) and after each of blocks 1..n.
func referenceRoots(n int, txs int) []types.Hash {
	s := statedb.New()
	genesis(s)
	roots := []types.Hash{s.IntermediateRoot(true)}
	for b := 1; b <= n; b++ {
		roots = append(roots, applyBlock(s, uint64(b), txs))
	}
	return roots
}
