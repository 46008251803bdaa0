package ethtest

import (
	"fmt"
	"runtime/debug"
	"time"

	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/statedb/persist"
)

// Replay into a state database.
//
// A fixture block carries only its read set against its parent's state,
// and the fixture blocks are not a chain: most are far apart. So each
// block's read set is written into the database before the block runs:
//
//   - when the database's head is below N-1 (or it has none), the read
//     set is committed as block N-1 and replaces the whole state (Commit
//     of an in-memory state stores the difference from the head, deleting
//     what the read set lacks). Block N then runs on exactly the state a
//     replay without a database gives it, and its committed root equals
//     that replay's state root;
//   - when the head is block N-1 itself (consecutive fixture blocks) the
//     database holds the real parent as far as it was executed: the read
//     set is written over the head's state (every account and slot the
//     block reads gets its read-set value, the rest stays), and block N
//     runs on the chain so far.
//
// Either way, every value the block reads is its read-set value, so its
// checks (gas used, bloom, receipts root) come out as without a database.
// The block's post-state is committed as block N (one synced pebble
// batch) only when it executed and every check held.

// ReplayInto replays b against the state in db and commits the result as
// block b.Header.Number (see the notes above). A block at or below the
// database's head is not executed: the result's Skipped says so. Failures
// of the block are in the result; the error is for database failures,
// after which the caller should stop. It never panics.
func ReplayInto(db *persist.DB, b *MainnetBlock, opts ReplayOptions) (res *ReplayResult, err error) {
	n := b.Header.Number
	res = &ReplayResult{Block: n, Txs: len(b.Transactions), Notes: append([]string(nil), b.Notes...)}
	head, hasHead := db.Head()
	if hasHead && n <= head.Number {
		res.Skipped = fmt.Sprintf("already in the database (head block %d)", head.Number)
		if roots, err := db.Roots(); err == nil {
			for _, r := range roots {
				if r.Number == n {
					res.Skipped = fmt.Sprintf("already in the database at root %v", r.Root)
				}
			}
		}
		return res, nil
	}
	if n == 0 {
		res.Error = "block 0 has no parent state to write its pre-state as"
		return res, nil
	}
	defer func() {
		if p := recover(); p != nil {
			res.OK = false
			res.Error = fmt.Sprintf("internal error: %v\n%s", p, debug.Stack())
		}
	}()
	chained := hasHead && head.Number == n-1
	if !chained {
		start := time.Now()
		if _, err := db.Commit(n-1, b.NewState()); err != nil {
			return res, fmt.Errorf("writing the pre-state of block %d: %w", n, err)
		}
		res.SeedMs = ms(time.Since(start))
	}
	s := db.State()
	if chained {
		b.overlay(s)
		if err := s.Err(); err != nil {
			return res, fmt.Errorf("reading the state of block %d: %w", n-1, err)
		}
	}
	b.replayOn(s, opts, chained, res)
	if err := s.Err(); err != nil {
		return res, fmt.Errorf("reading the state for block %d: %w", n, err)
	}
	if !res.OK || res.Result == nil {
		return res, nil
	}
	start := time.Now()
	root, err := db.Commit(n, s)
	res.CommitMs = ms(time.Since(start))
	if err != nil {
		return res, fmt.Errorf("committing block %d: %w", n, err)
	}
	if root != res.Result.StateRoot {
		return res, fmt.Errorf("block %d committed with root %v, but its execution computed %v", n, root, res.Result.StateRoot)
	}
	return res, nil
}

// overlay writes the block's read set over s: each account it lists
// exists with its balance, nonce, code and listed slots. Values already
// equal are left alone, so a state that agrees with the read set is not
// touched. The changes are finalised, so the block sees them as the
// values before its first transaction (as SSTORE gas needs).
func (b *MainnetBlock) overlay(s *statedb.StateDB) {
	for addr, acc := range b.pre {
		if !s.Exist(addr) {
			s.CreateAccount(addr)
		}
		if bal := s.GetBalance(addr); !bal.Eq(&acc.Balance.Int) {
			s.SetBalance(addr, &acc.Balance.Int)
		}
		if s.GetNonce(addr) != uint64(acc.Nonce) {
			s.SetNonce(addr, uint64(acc.Nonce))
		}
		if string(s.GetCode(addr)) != string(acc.Code) {
			s.SetCode(addr, acc.Code)
		}
		for k, v := range acc.storage {
			if s.GetState(addr, k) != v {
				s.SetState(addr, k, v)
			}
		}
	}
	s.IntermediateRoot(false)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
