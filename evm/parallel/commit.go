package parallel

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/internal/freelist"
	"github.com/plasmaxpl/engine/internal/split"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

// writeApplier is a block state that takes the final values of a run of
// transactions in one call (statedb.StateDB does).
type writeApplier interface {
	ApplyWrites([]statedb.AccountWrite)
}

// writeApplierWorkers applies the writes on several goroutines
// (statedb.StateDB does).
type writeApplierWorkers interface {
	ApplyWritesWorkers(ws []statedb.AccountWrite, workers int)
}

// commitBulk is commit for a state that takes final values in bulk, from
// Byzantium on (no intermediate root per transaction). The checks that need
// the exact state before transaction i read MVMemory as transaction i, which
// is exact once every transaction below i is final; the state itself is
// written once, with the final value of every location MVMemory holds. When
// a check fails at i, the state as of i is written and the rest runs
// sequentially.
func (x *executor) commitBulk(bulk writeApplier, e *evm.EVM, state evm.BlockState, cfg evm.BlockConfig, res *evm.BlockResult, included *[]*types.Transaction, st *Stats, limit int) error {
	maxBlobGas := evm.MaxBlobGasPerBlock(x.rules.Fork)
	c := &bulkChecks{}
	gasUsed, blobGasUsed := res.GasUsed, res.BlobGasUsed
	// The receipts are built on a helper while the caller checks the
	// transactions and collects and writes the final state: published
	// first, the receipts go to the first helper free, and the final
	// state, published next, runs on the caller unless another helper is
	// free (it splits its own work over the workers as they come). The
	// receipts follow the checks (passed: the transactions below it passed
	// theirs), so that only committed transactions get one. The final
	// state is read-only until the checks pass; a failed check discards
	// it.
	var passed atomic.Int64
	var checked atomic.Bool
	receipts := split.Go(func() {
		var logIndex uint
		for i := 0; ; {
			for hi := int(passed.Load()); i < hi; i++ {
				tx, r := x.txs[i], x.results[i].Load()
				for _, l := range r.logs {
					l.TxHash = tx.Hash()
					l.TxIndex = uint(i)
					l.Index = logIndex
					logIndex++
				}
				evm.AppendReceipt(e, tx, x.msgs[i], r.out, r.logs, r.bloom, res, nil)
			}
			if checked.Load() && i == int(passed.Load()) {
				return
			}
			runtime.Gosched() // the checks are ahead nearly always
		}
	})
	var ws []statedb.AccountWrite
	fb := finalBufs.Get()
	final := split.Go(func() { ws = x.finalState(limit, fb) })
	n, why := limit, ""
	var panicked any // a committed transaction's run panicked: a bug, surfaced
	for i := range x.txs[:limit] {
		r := x.results[i].Load()
		if r.panicVal != nil {
			n, panicked = i, r.panicVal
			break
		}
		var left uint64
		if gasUsed < x.bctx.GasLimit {
			left = x.bctx.GasLimit - gasUsed
		}
		switch {
		case r.err != nil:
			why = "invalid transaction"
		case left < x.msgs[i].GasLimit:
			why = "block gas limit"
		case x.rules.IsCancun && blobGasUsed+r.out.BlobGasUsed > maxBlobGas:
			why = "block blob gas"
		case !x.assumptionsHoldAt(i, r.assumes, c):
			why = "assumption"
		}
		if why != "" {
			n = i
			break
		}
		c.committed(r.writes)
		gasUsed += r.out.UsedGas
		blobGasUsed += r.out.BlobGasUsed
		if i%receiptsBatch == receiptsBatch-1 {
			passed.Store(int64(i + 1))
		}
	}
	passed.Store(int64(n))
	checked.Store(true)
	final.Wait()
	if panicked != nil {
		receipts.Wait()
		panic(panicked)
	}
	if n < limit {
		fb.reset()
		ws = x.finalState(n, fb)
	}
	if bw, ok := bulk.(writeApplierWorkers); ok {
		bw.ApplyWritesWorkers(ws, x.workers)
	} else {
		bulk.ApplyWrites(ws)
	}
	putFinalBuf(fb) // the state keeps none of ws
	receipts.Wait()
	if why != "" {
		st.SequentialFrom, st.SequentialWhy = n, why
		st.Executions += int64(len(x.txs) - n)
		return evm.ApplyTxsFrom(e, state, x.txs, cfg, res, included, n, x.msgs)
	}
	if limit < len(x.txs) {
		return evm.ApplyTxsFrom(e, state, x.txs, cfg, res, included, limit, x.msgs)
	}
	return nil
}

// receiptsBatch is how many checked transactions commitBulk hands to the
// receipts at a time (one store to a line the receipts' goroutine reads).
const receiptsBatch = 64

// bulkChecks follows, during commitBulk, what the assumption checks need
// of the state before the next transaction, in fields of the accounts
// that only the commit uses: the exact balances of the accounts checked so
// far (kept current from each committed write set, so that a balance
// credited by every transaction, the beneficiary's, is not summed again
// from its first delta at each check) and whether an account's storage
// was written.
type bulkChecks struct{}

// committed updates the checks with the write set of the transaction just
// committed.
func (c *bulkChecks) committed(ws []writeEntry) {
	for j := range ws {
		w := &ws[j]
		a := w.acct
		switch w.loc.kind {
		case locSlot, locWipe:
			a.chkStorageSet = true
		case locBalance:
			if a.chkBalKnown {
				if w.val.flag {
					a.chkBal.Add(&a.chkBal, &w.val.word)
				} else {
					a.chkBal = w.val.word
				}
			}
		}
	}
}

// assumptionsHoldAt checks transaction tx's assumptions against the state
// before it, read from MVMemory (every transaction below tx is final).
// Whether an account has storage is known exactly only when no transaction
// below tx wrote its storage; otherwise the check fails, and the block goes
// on sequentially from tx.
func (x *executor) assumptionsHoldAt(tx int, as []assumption, c *bulkChecks) bool {
	for i := range as {
		as := &as[i]
		a := as.acct
		switch as.kind {
		case assumeNonZeroBalance:
			if !a.chkBalKnown {
				v, blocker := a.fields[locBalance].resolveFinal(x.base, tx)
				if blocker >= 0 {
					return false
				}
				a.chkBal, a.chkBalKnown = v.word, true
			}
			var sum uint256.Int
			if sum.Add(&a.chkBal, &as.delta); sum.IsZero() {
				return false
			}
		case assumeStorage:
			if a.chkStorageSet {
				return false
			}
			r := x.base.state.GetStorageRoot(as.addr)
			if (r != types.Hash{} && r != types.EmptyRootHash) != as.flag {
				return false
			}
		}
	}
	return true
}

// finalState returns the state that transaction cutoff sees (the state
// after every transaction below it) for every account MVMemory holds a
// write of, as final values, in fb's storage. Every transaction below
// cutoff must be final.
func (x *executor) finalState(cutoff int, fb *finalBuf) []statedb.AccountWrite {
	// The cutoff for writtenBelow: allTxs for the whole block.
	below := cutoff
	if cutoff >= len(x.txs) {
		below = allTxs
	}
	// The accounts written below cutoff, found group by group on all the
	// workers.
	var groups [accountGroups][]*mvAccount
	split.Each(accountGroups, x.workers, 1, func(g int) {
		x.mv.accountsIn(g, func(a *mvAccount) {
			if a.writtenBelow(below) {
				groups[g] = append(groups[g], a)
			}
		})
	})
	accts := slices.Concat(groups[:]...)
	out := fb.accounts(len(accts))
	// The values are read-only lookups (MVMemory and the state before the
	// block, which nothing writes now): split them over the workers. The
	// slots of an account with many (a popular contract) are resolved a
	// stripe at a time, so that one account is not left to one worker.
	var hot []int
	var hotMu sync.Mutex
	split.Each(len(accts), x.workers, 64, func(i int) {
		a := accts[i]
		w := &out[i]
		w.Addr = a.addr
		if a.baseReady.Load() {
			w.Ref = a.base.ref
		}
		w.Exists = x.finalValue(cutoff, &a.fields[locExist]).flag
		if !w.Exists {
			return
		}
		w.Wiped = a.fields[locWipe].writtenBelow(below)
		w.Balance = x.finalValue(cutoff, &a.fields[locBalance]).word
		nonce := x.finalValue(cutoff, &a.fields[locNonce])
		w.Nonce = nonce.nonce()
		code := x.finalValue(cutoff, &a.fields[locCode])
		w.CodeHash, w.Code = code.hash(), code.code
		n := a.numSlots()
		if n == 0 {
			return
		}
		if n >= hotSlots && x.workers > 1 {
			hotMu.Lock()
			hot = append(hot, i)
			hotMu.Unlock()
			return
		}
		w.Slots = fb.slots(n)
		t := a.slots.Load()
		for s := range t {
			w.Slots = x.finalSlots(cutoff, below, &t[s], w.Wiped, w.Slots)
		}
	})
	if len(hot) == 0 {
		return out
	}
	parts := make([][]statedb.SlotWrite, len(hot)*slotStripes)
	split.Each(len(parts), x.workers, 1, func(j int) {
		w := &out[hot[j/slotStripes]]
		st := &accts[hot[j/slotStripes]].slots.Load()[j%slotStripes]
		parts[j] = x.finalSlots(cutoff, below, st, w.Wiped, fb.slots(len(st.m)))
	})
	for h, i := range hot {
		ps := parts[h*slotStripes : (h+1)*slotStripes]
		all := fb.slots(accts[i].numSlots())
		for _, p := range ps {
			all = append(all, p...)
		}
		out[i].Slots = all
	}
	return out
}

// finalBuf is the storage of one block's final state (finalState's
// result), kept from one block to the next: allocated afresh, its pages
// were faulted in again at every block, on the commit's path (measured:
// finalState 0.62 -> 0.38 ms of a 2,000-transfer block on 2 cores, 0.83
// -> 0.57 ms for erc20).
type finalBuf struct {
	accts []statedb.AccountWrite
	slab  []statedb.SlotWrite // len == cap; slots are carved from it
	used  atomic.Int64        // slots carved, or asked for past the end
}

// Kept: finalBufsCached buffers (a block uses one), each under
// finalBufBytes.
const (
	finalBufsCached = 2
	finalBufBytes   = 32 << 20
)

var finalBufs = freelist.List[finalBuf]{Max: finalBufsCached, New: func() *finalBuf { return new(finalBuf) }}

// putFinalBuf caches fb once nothing uses what it handed out. A slab that
// ran short grows to twice what was asked of it, for the next block.
func putFinalBuf(fb *finalBuf) {
	fb.reset()
	if cap(fb.accts)*int(unsafe.Sizeof(statedb.AccountWrite{}))+len(fb.slab)*int(unsafe.Sizeof(statedb.SlotWrite{})) > finalBufBytes {
		return
	}
	finalBufs.Put(fb)
}

// reset makes fb's storage available again, clearing the accounts (they
// point into the finished block; the slots hold no pointers).
func (fb *finalBuf) reset() {
	clear(fb.accts)
	if used := int(fb.used.Load()); used > len(fb.slab) {
		fb.slab = make([]statedb.SlotWrite, 2*used)
	}
	fb.used.Store(0)
}

// accounts returns n zero account writes.
func (fb *finalBuf) accounts(n int) []statedb.AccountWrite {
	if cap(fb.accts) < n {
		fb.accts = make([]statedb.AccountWrite, n)
	}
	fb.accts = fb.accts[:n]
	return fb.accts
}

// slots returns an empty slice of capacity n, carved from the slab when it
// has room (safe for concurrent use).
func (fb *finalBuf) slots(n int) []statedb.SlotWrite {
	end := int(fb.used.Add(int64(n)))
	if end > len(fb.slab) {
		return make([]statedb.SlotWrite, 0, n)
	}
	return fb.slab[end-n : end-n : end]
}

// hotSlots is the number of slots from which finalState resolves an
// account's slots on all workers, a stripe each.
const hotSlots = 512

// finalSlots appends to dst the final values of the slots of stripe st
// written below cutoff (zeros left out of a wiped account's storage);
// below is cutoff for writtenBelow (allTxs for the whole block).
func (x *executor) finalSlots(cutoff, below int, st *slotStripe, wiped bool, dst []statedb.SlotWrite) []statedb.SlotWrite {
	for _, sl := range st.m {
		if !sl.cell.writtenBelow(below) {
			continue
		}
		v := x.finalValue(cutoff, &sl.cell)
		if wiped && v.word.IsZero() {
			continue
		}
		dst = append(dst, statedb.SlotWrite{Key: sl.key, Value: v.hash()})
	}
	return dst
}

// writtenBelow reports whether a transaction below cutoff wrote one of
// a's fields or slots.
func (a *mvAccount) writtenBelow(cutoff int) bool {
	for k := range a.fields {
		if a.fields[k].writtenBelow(cutoff) {
			return true
		}
	}
	t := a.slots.Load()
	if t == nil {
		return false
	}
	for s := range t {
		for _, sl := range t[s].m {
			if sl.cell.writtenBelow(cutoff) {
				return true
			}
		}
	}
	return false
}

// finalValue resolves l for transaction cutoff, which must not meet an
// estimate.
func (x *executor) finalValue(cutoff int, c *mvCell) mvValue {
	v, blocker := c.resolveFinal(x.base, cutoff)
	if blocker >= 0 {
		panic("parallel: estimate below a committed transaction")
	}
	return v
}
