package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/internal/split"
	"github.com/plasmaxpl/engine/types"
)

// MinParallelTxs is the number of transactions below which a block is
// executed sequentially: starting workers and validating costs more than
// a few transactions gain (chosen by measurement with `plasma bench`).
var MinParallelTxs = 32

// The adaptive fallback: once probeExecutions validations have run, a
// block whose incarnations are wasted (aborted by validation or suspended
// on a dependency) more often than (workers-1) in maxWasteRatio
// validations stops executing in parallel; the transactions already final
// are committed and the rest runs sequentially. A block where each
// transaction depends on the one before then costs about what the
// sequential loop does. With two workers, a waste in four validations is
// where the second worker stops paying for itself, now that idle workers
// spin instead of sleeping (measured on the conflict-heavy fixture mainnet
// blocks 18085863, 17034869, 8889776 and others: 1.10-1.33x against
// 0.99-1.13x with one waste in ten; the amm workload is unchanged); more
// workers absorb proportionally more.
const (
	probeExecutions = 32
	maxWasteRatio   = 4
)

// Stats describes one parallel execution.
type Stats struct {
	Txs         int
	Parallel    bool  // false: executed sequentially (small block, tracer, ...)
	Executions  int64 // incarnations run, including those cut short by a dependency
	Validations int64
	Aborts      int64 // failed validations and runs cut short by a dependency
	// SequentialFrom is the index from which the block was finished
	// sequentially after a commit-time check failed (an invalid
	// transaction, an assumption that did not hold); -1 when none.
	SequentialFrom int
	// SequentialWhy says which check failed at SequentialFrom, or why
	// the block was not executed in parallel to its end: "one sender"
	// and "dependent block" (the probe) are decided by the block alone,
	// "conflicts" (too many wasted incarnations later) depends on
	// timing.
	SequentialWhy string
	// Deps[i] lists the transactions whose final writes transaction i's
	// final reads saw (filled only when requested).
	Deps [][]int
	// Gas[i] is transaction i's gas used (filled with Deps).
	Gas []uint64
	// Phase wall times: preparing messages, parallel execution and
	// validation, and the ordered commit.
	PrepareTime, ExecTime, CommitTime time.Duration
}

// Options tunes ExecuteTxs beyond BlockConfig.
type Options struct {
	// Stats, when set, receives statistics of the run.
	Stats *Stats
	// Dependencies fills Stats.Deps and Stats.Gas.
	Dependencies bool
	// MinTxs overrides MinParallelTxs when positive.
	MinTxs int
	// NoFallback keeps conflict-heavy blocks parallel to the end (see
	// probeExecutions).
	NoFallback bool
	// PreByzantium executes blocks before Byzantium in parallel too. By
	// default they run sequentially: each of their receipts holds the
	// state root after its transaction, so the commit computes a root per
	// transaction in order, work of about the size of the execution
	// itself (measured on the fixture mainnet blocks 116525, 1796867 and
	// 2641321: 0.65-0.74x with 2 workers).
	PreByzantium bool
}

// resultSlot holds a transaction's latest result, on a cache line of its
// own (see Scheduler).
type resultSlot struct {
	atomic.Pointer[txResult]
	_ [cacheLine - 8]byte
}

// txResult is the outcome of one incarnation. It is immutable once stored.
type txResult struct {
	out      *evm.ExecutionResult
	err      error
	panicVal any
	reads    []readEntry
	writes   []writeEntry
	logs     []*types.Log
	assumes  []assumption
	bloom    *types.Bloom // of logs when there are any, computed by the worker
}

type executor struct {
	rules       forks.Rules
	bctx        evm.BlockContext
	chainID     uint64
	deleteEmpty bool
	txs         []*types.Transaction
	msgs        []*evm.Message
	msgErrs     []error

	mv      *MVMemory
	sched   *Scheduler
	base    *baseReader
	results []resultSlot

	// counts holds each worker's counters, the probe's last, each on
	// a cache line of its own (see Scheduler).
	counts     []workerCounts
	noFallback bool
	workers    int
	_          [cacheLine]byte
	stop       atomic.Bool // the adaptive fallback stopped the workers
	_          [cacheLine - 1]byte

	arenasMu sync.Mutex
	arenas   []*arena // every worker's, handed back after the commit
}

// workerCounts counts one worker's tasks.
type workerCounts struct {
	executions  atomic.Int64
	validations atomic.Int64
	aborts      atomic.Int64 // incarnations aborted or cut short
	_           [cacheLine - 24]byte
}

// total sums the workers' counters.
func (x *executor) total() (executions, validations, aborts int64) {
	for i := range x.counts {
		c := &x.counts[i]
		executions += c.executions.Load()
		validations += c.validations.Load()
		aborts += c.aborts.Load()
	}
	return executions, validations, aborts
}

// newArena returns an arena for one goroutine of the block.
func (x *executor) newArena() *arena {
	a := new(arena)
	x.arenasMu.Lock()
	x.arenas = append(x.arenas, a)
	x.arenasMu.Unlock()
	return a
}

// ExecuteTxs executes a block's transactions on state with cfg.Workers
// goroutines and appends their receipts, gas and blob gas to res, with
// exactly the results of executing them one after the other. e is the
// block's EVM over state (its Context and Rules are used).
//
// It is the transaction loop of evm.ExecuteBlock: the system calls before
// and the rewards, withdrawals and requests after stay there. With
// SkipInvalidTxs it records rejected transactions in res.Rejected and the
// others in included, like the sequential loop.
//
// The block runs sequentially when cfg.Workers <= 1, with a tracer, with
// SkipInvalidTxs (a skipped transaction changes what later ones see in
// ways only known in order), and below MinParallelTxs transactions.
// e.Context.GetHash must be safe for concurrent use.
func ExecuteTxs(e *evm.EVM, state evm.BlockState, txs []*types.Transaction, cfg evm.BlockConfig, res *evm.BlockResult, included *[]*types.Transaction) error {
	return ExecuteTxsOpts(e, state, txs, cfg, res, included, Options{})
}

// ExecuteTxsOpts is ExecuteTxs with options.
func ExecuteTxsOpts(e *evm.EVM, state evm.BlockState, txs []*types.Transaction, cfg evm.BlockConfig, res *evm.BlockResult, included *[]*types.Transaction, opt Options) error {
	minTxs := MinParallelTxs
	if opt.MinTxs > 0 {
		minTxs = opt.MinTxs
	}
	st := opt.Stats
	if st == nil {
		st = new(Stats)
	}
	*st = Stats{Txs: len(txs), SequentialFrom: -1}
	if cfg.Workers <= 1 || cfg.Tracer != nil || cfg.SkipInvalidTxs || len(txs) < minTxs ||
		!e.Rules().IsByzantium && !opt.PreByzantium {
		st.Executions = int64(len(txs))
		return evm.ApplyTxsFrom(e, state, txs, cfg, res, included, 0, nil)
	}
	st.Parallel = true
	rules := e.Rules()
	x := &executor{
		rules:       rules,
		bctx:        e.Context,
		chainID:     cfg.ChainID,
		deleteEmpty: rules.IsEIP158,
		txs:         txs,
		msgs:        make([]*evm.Message, len(txs)),
		msgErrs:     make([]error, len(txs)),
		mv:          nil,
		base:        newBaseReader(state),
		results:     make([]resultSlot, len(txs)),
		noFallback:  opt.NoFallback,
	}
	workers := min(cfg.Workers, len(txs))
	x.workers = workers
	x.sched = NewScheduler(len(txs), workers)
	x.counts = make([]workerCounts, workers+1)
	t0 := time.Now()
	x.prepareMessages(workers)
	x.mv = NewMVMemory(len(txs))
	x.addKnown(workers)
	if 2*int(x.mv.maxSenderTxs.Load()) > len(txs) && !opt.NoFallback {
		// One sender sends most of the block: its nonce chain is most of
		// the block's critical path.
		x.mv.release()
		st.Parallel, st.Executions = false, int64(len(txs))
		st.SequentialFrom, st.SequentialWhy = 0, "one sender"
		return evm.ApplyTxsFrom(e, state, txs, cfg, res, included, 0, x.msgs)
	}
	t1 := time.Now()
	seqFrom := x.run(workers)
	t2 := time.Now()
	st.Executions, st.Validations, st.Aborts = x.total()
	if opt.Dependencies {
		x.dependencies(st)
	}
	limit := len(txs)
	if seqFrom >= 0 {
		limit = seqFrom
		st.SequentialFrom, st.SequentialWhy = limit, "dependent block"
		st.Executions += int64(len(txs) - limit)
	} else if x.stop.Load() {
		limit = x.finalPrefix()
		st.SequentialFrom, st.SequentialWhy = limit, "conflicts"
		st.Executions += int64(len(txs) - limit)
	}
	err := x.commit(e, state, cfg, res, included, st, limit)
	// Nothing refers to the arenas' contents any more: the receipts hold
	// the logs and copies of the results.
	x.release()
	st.PrepareTime, st.ExecTime, st.CommitTime = t1.Sub(t0), t2.Sub(t1), time.Since(t2)
	return err
}

// release hands the arenas and the known accounts back to their caches,
// clearing them (megabytes for a large block) on all workers.
func (x *executor) release() {
	split.Each(len(x.arenas)+knownParts, x.workers, 1, func(i int) {
		if i < len(x.arenas) {
			x.arenas[i].release()
		} else {
			x.mv.releasePart(i - len(x.arenas))
		}
	})
}

// prepareMessages checks types and recovers senders on all workers.
func (x *executor) prepareMessages(workers int) {
	split.Each(len(x.txs), workers, 16, func(i int) {
		x.msgs[i], x.msgErrs[i] = txMessage(x.rules, x.txs[i], x.chainID, x.bctx.BaseFee)
	})
}

// addKnown creates the accounts the block is known to touch (the
// beneficiary, senders and recipients) before the workers start, and reads
// them from the state before the block, each part of them on its own
// goroutine. It also marks, for every sender with more than one
// transaction in the block, its nonce and balance as about to be written
// by each of its transactions: the next transaction of the same sender
// then waits for the previous one instead of failing its nonce check on a
// stale read.
func (x *executor) addKnown(workers int) {
	known := make([]knownAddr, 1, 2*len(x.msgs)+1)
	known[0] = knownAddr{addr: x.bctx.Coinbase, tx: -1}
	lastTo := -1 // the entry of the last recipient
	for i, m := range x.msgs {
		if m == nil {
			continue
		}
		known = append(known, knownAddr{addr: m.From, tx: i})
		if m.To == nil {
			continue
		}
		// Runs of calls to one contract (a token's, a pool's) are
		// listed once, with their count.
		if lastTo >= 0 && known[lastTo].addr == *m.To {
			known[lastTo].calls++
			continue
		}
		lastTo = len(known)
		known = append(known, knownAddr{addr: *m.To, tx: -1, calls: 1})
	}
	split.Each(len(known), workers, 1024, func(i int) {
		known[i].hash = addrHash(&known[i].addr)
	})
	// Each part's entries, so that its goroutine goes over its own only.
	var byPart [knownParts][]int32
	for p := range byPart {
		byPart[p] = make([]int32, 0, len(known)/knownParts*5/4+8)
	}
	for i := range known {
		p := known[i].hash % knownParts
		byPart[p] = append(byPart[p], int32(i))
	}
	split.Each(knownParts, workers, 1, func(p int) {
		x.mv.addKnownPart(p, known, byPart[p], x.base)
		for _, i := range byPart[p] {
			k := &known[i]
			if k.tx < 0 {
				continue
			}
			if a := x.mv.pre[p].get(&k.addr, k.hash); a.senderTxs > 1 {
				x.mv.expect(k.tx, a, locNonce, locBalance)
			}
		}
	})
	x.mv.separateFees(x.bctx.Coinbase)
}

// run executes the block on workers goroutines: one runs the probe while
// the others start at the transaction after the probe's, then joins them.
// It returns -1, or the transaction from which the probe sent the block
// sequential (x.stop is set then, and only the probed prefix is final).
func (x *executor) run(workers int) (sequentialFrom int) {
	k := probeTxs(len(x.txs))
	x.sched.startAt(k)
	sequentialFrom = -1
	// Each participant takes one index: whoever takes 0 runs the probe
	// first (a participant that starts late finds the block done).
	split.Team(workers, func(i int) {
		defer func() {
			// A panic here is a bug, not a speculative run's (those are
			// recovered in execute): the other workers stop, so that the
			// step can end and the panic go on.
			if p := recover(); p != nil {
				x.stop.Store(true)
				panic(p)
			}
		}()
		if i == 0 {
			if sequentialFrom = x.probe(k); sequentialFrom >= 0 {
				return
			}
		}
		x.worker(i)
	})
	return sequentialFrom
}

func (x *executor) worker(wi int) {
	var e *evm.EVM
	var v *view
	var t task
	ar := x.newArena()
	for !x.sched.Done() && !x.stop.Load() {
		if t.kind == taskNone {
			t = x.sched.NextTask(wi)
			if t.kind == taskNone {
				// Nothing to do until a running task ends: help a step a
				// running task opened (see split.Help), or yield rather
				// than block: a blocked worker's core goes idle, and
				// waking it again takes far longer than the tasks (about
				// 100 µs in the virtual machines measured).
				if !split.Help() {
					runtime.Gosched()
				}
				continue
			}
		}
		switch t.kind {
		case taskExecute:
			t = x.runExecution(wi, t, &e, &v, ar)
		case taskValidate:
			t = x.runValidation(wi, t)
		}
	}
}

// wasted counts an incarnation aborted by validation or cut short by a
// dependency, and stops parallel execution when too many validations fail.
func (x *executor) wasted(wi int) {
	x.counts[wi].aborts.Add(1)
	if x.noFallback {
		return
	}
	if _, v, w := x.total(); v >= probeExecutions && w*maxWasteRatio > v*int64(x.workers-1) {
		x.stop.Store(true)
	}
}

// probeTxs returns how many transactions of a block of n the probe
// executes in order before the workers start: an eighth, at most
// probeMax, and none when that is below probeMin (too few to judge).
func probeTxs(n int) int {
	if k := min(probeMax, n/8); k >= probeMin {
		return k
	}
	return 0
}

// The probe: the first transactions of the block are executed in order on
// one goroutine (their results are final and are validated as usual), and
// the longest chain of dependencies among them decides whether the block
// is worth executing in parallel: if it is longer than probeChainRatio of
// them, each transaction most likely depends on the one before, and the
// block is finished sequentially. The decision depends only on the block.
const (
	probeMin        = 4
	probeMax        = 32
	probeChainRatio = 0.5
)

// probe runs the probe over the first k transactions and returns -1 to go
// on in parallel, else the number of transactions probed, from which the
// block goes on sequentially: as soon as the chain is longer than
// probeChainRatio of k. Then x.stop is set and the probed prefix is final. The workers run the transactions above k meanwhile: they do not
// change what the probed transactions read, so the decision depends only
// on the block.
func (x *executor) probe(k int) (sequentialFrom int) {
	var (
		e     *evm.EVM
		v     *view
		deps  []int
		chain int
	)
	ar := x.newArena()
	depth := make([]int, k)
	done := 0
	for i := range k {
		x.counts[x.workers].executions.Add(1)
		r, blocker := x.execute(i, &e, &v, ar)
		if blocker >= 0 {
			break // cannot happen: every transaction below i is recorded
		}
		x.results[i].Store(r)
		x.mv.Record(i, r.writes, ar)
		x.sched.probed(i)
		done = i + 1
		deps = deps[:0]
		for _, rd := range r.reads {
			if a := rd.cell.acct; a.senderTxs > 1 && (rd.cell.kind == locNonce || rd.cell.kind == locBalance) {
				// A sender's own chain of transactions: they wait for
				// each other instead of re-executing, and a sender that
				// sends most of the block is caught before the probe.
				continue
			}
			deps = rd.cell.writers(i, deps)
			if rd.cell.kind == locSlot {
				deps = rd.cell.acct.fields[locWipe].writers(i, deps)
			}
		}
		d := 0
		for _, w := range deps {
			d = max(d, depth[w])
		}
		depth[i] = d + 1
		chain = max(chain, depth[i])
		if !x.noFallback && float64(chain) > probeChainRatio*float64(k) {
			// The chain only grows: the block goes sequential whatever
			// the rest of the probe would find, so it stops here and the
			// workers stop at once.
			x.stop.Store(true)
			x.sched.probeDone(done, k)
			return done
		}
	}
	x.sched.probeDone(done, k)
	return -1
}

// finalPrefix returns the number of leading transactions whose results are
// final, after the workers stopped early: each executed, recorded, and
// valid against the transactions below it.
func (x *executor) finalPrefix() int {
	for i := range x.txs {
		r := x.results[i].Load()
		if r == nil || !x.sched.executed(i) || !x.valid(i, r) {
			return i
		}
	}
	return len(x.txs)
}

func (x *executor) runExecution(wi int, t task, e **evm.EVM, v **view, ar *arena) task {
	for {
		x.counts[wi].executions.Add(1)
		r, blocker := x.execute(t.tx, e, v, ar)
		if blocker >= 0 {
			if x.sched.AddDependency(wi, t.tx, blocker) {
				x.wasted(wi)
				return task{}
			}
			continue // the blocker finished meanwhile: run again
		}
		x.results[t.tx].Store(r)
		wroteNew := x.mv.Record(t.tx, r.writes, ar)
		return x.sched.FinishExecution(wi, t.tx, t.incarnation, wroteNew)
	}
}

func (x *executor) runValidation(wi int, t task) task {
	x.counts[wi].validations.Add(1)
	r := x.results[t.tx].Load()
	ok := x.valid(t.tx, r)
	if !ok {
		x.wasted(wi)
	}
	aborted := !ok && x.sched.TryValidationAbort(t.tx, t.incarnation)
	if aborted {
		x.mv.Estimate(t.tx)
	}
	return x.sched.FinishValidation(wi, t.tx, aborted)
}

// execute runs one incarnation of transaction tx against a fresh view.
// blocker >= 0 means it read an estimate of that transaction and was cut
// short. A panic of a speculative run is kept in the result: it surfaces
// only if the run's reads turn out to be the final ones.
func (x *executor) execute(tx int, ep **evm.EVM, vp **view, ar *arena) (r *txResult, blocker int) {
	r = ar.result()
	if err := x.msgErrs[tx]; err != nil {
		r.err = err
		return r, -1
	}
	v := *vp
	if v == nil {
		v = newView(x.mv, x.base, tx)
		*vp = v
	} else {
		v.reset(tx)
	}
	if *ep == nil {
		*ep = evm.New(x.bctx, v, evm.Config{ChainID: x.chainID, Rules: x.rules})
	} else {
		(*ep).StateDB = v
	}
	blocker = -1
	func() {
		defer func() {
			if p := recover(); p != nil {
				*ep = nil // its call depth and frames are unknown now
				*vp = nil
				if b, ok := p.(blockedPanic); ok {
					blocker = b.blocker
					return
				}
				r.panicVal = p
				r.out, r.err, r.writes, r.logs = nil, nil, nil, nil
			}
		}()
		gp := evm.GasPool(x.bctx.GasLimit)
		r.out, r.err = evm.ApplyMessage(*ep, x.msgs[tx], &gp)
		if r.err == nil {
			r.writes = v.finalise(x.deleteEmpty, ar)
			r.logs = v.logs
			if len(r.logs) > 0 {
				b := evm.LogsBloomWorkers(r.logs, x.workers)
				r.bloom = &b
			}
		}
	}()
	r.reads, r.assumes = copyInto(&ar.reads, v.reads), copyInto(&ar.assumes, v.assumes)
	return r, blocker
}

// valid repeats r's reads as transaction tx and reports whether they all
// return the same values and none hits an estimate.
func (x *executor) valid(tx int, r *txResult) bool {
	for i := range r.reads {
		rd := &r.reads[i]
		if rd.fromBase && rd.cell.baseStill(tx) {
			continue // the same value before the block
		}
		val, blocker := rd.cell.resolve(x.base, tx)
		if blocker >= 0 || readWord(rd.cell.kind, &val) != rd.val {
			return false
		}
	}
	return true
}

// commit applies the transactions' final write sets to state in block
// order, building the receipts. Checks that need the exact state before a
// transaction (the block gas limit, its assumptions, validity) are made
// here; when one fails the rest of the block runs sequentially, which
// reproduces the sequential outcome (including its error) exactly.
func (x *executor) commit(e *evm.EVM, state evm.BlockState, cfg evm.BlockConfig, res *evm.BlockResult, included *[]*types.Transaction, st *Stats, limit int) error {
	if bulk, ok := state.(writeApplier); ok && x.rules.IsByzantium {
		return x.commitBulk(bulk, e, state, cfg, res, included, st, limit)
	}
	maxBlobGas := evm.MaxBlobGasPerBlock(x.rules.Fork)
	var logIndex uint
	for i, tx := range x.txs[:limit] {
		r := x.results[i].Load()
		if r.panicVal != nil {
			panic(r.panicVal)
		}
		msg := x.msgs[i]
		why := ""
		switch {
		case r.err != nil:
			why = "invalid transaction"
		case x.gasLimitLeft(res) < msg.GasLimit:
			why = "block gas limit"
		case x.rules.IsCancun && res.BlobGasUsed+r.out.BlobGasUsed > maxBlobGas:
			why = "block blob gas"
		case !x.assumptionsHold(state, r.assumes):
			why = "assumption"
		}
		if why != "" {
			st.SequentialFrom, st.SequentialWhy = i, why
			st.Executions += int64(len(x.txs) - i)
			return evm.ApplyTxsFrom(e, state, x.txs, cfg, res, included, i, x.msgs)
		}
		applyWrites(state, r.writes)
		for _, l := range r.logs {
			l.TxHash = tx.Hash()
			l.TxIndex = uint(i)
			l.Index = logIndex
			logIndex++
		}
		evm.AppendReceipt(e, tx, msg, r.out, r.logs, nil, res, state)
	}
	if limit < len(x.txs) {
		return evm.ApplyTxsFrom(e, state, x.txs, cfg, res, included, limit, x.msgs)
	}
	return nil
}

func (x *executor) gasLimitLeft(res *evm.BlockResult) uint64 {
	if res.GasUsed > x.bctx.GasLimit {
		return 0
	}
	return x.bctx.GasLimit - res.GasUsed
}

// assumptionsHold checks a transaction's assumptions against state, which
// holds exactly the state before the transaction.
func (x *executor) assumptionsHold(state evm.BlockState, as []assumption) bool {
	for i := range as {
		a := &as[i]
		switch a.kind {
		case assumeNonZeroBalance:
			b := state.GetBalance(a.addr)
			if b.Add(&b, &a.delta); b.IsZero() {
				return false
			}
		case assumeStorage:
			r := state.GetStorageRoot(a.addr)
			if (r != types.Hash{} && r != types.EmptyRootHash) != a.flag {
				return false
			}
		}
	}
	return true
}

// applyWrites writes one transaction's write set into state and leaves it
// to the caller's Finalise to delete what the transaction deleted.
func applyWrites(state evm.BlockState, ws []writeEntry) {
	var deleted types.Address
	var haveDeleted bool
	for i := range ws {
		w := &ws[i]
		if haveDeleted && w.loc.addr == deleted {
			continue
		}
		switch w.loc.kind {
		case locWipe:
			state.CreateAccount(w.loc.addr)
		case locExist:
			if w.val.flag {
				state.CreateAccount(w.loc.addr)
			} else {
				state.SelfDestruct(w.loc.addr)
				deleted, haveDeleted = w.loc.addr, true
			}
		case locBalance:
			if w.val.flag {
				state.AddBalance(w.loc.addr, &w.val.word)
				continue
			}
			cur := state.GetBalance(w.loc.addr)
			var d uint256.Int
			switch cur.Cmp(&w.val.word) {
			case -1:
				d.Sub(&w.val.word, &cur)
				state.AddBalance(w.loc.addr, &d)
			case 1:
				d.Sub(&cur, &w.val.word)
				state.SubBalance(w.loc.addr, &d)
			}
		case locNonce:
			state.SetNonce(w.loc.addr, w.val.nonce())
		case locCode:
			state.SetCode(w.loc.addr, w.val.code)
		case locSlot:
			state.SetState(w.loc.addr, w.loc.slot, w.val.hash())
		}
	}
}

// txMessage checks that tx may appear in a block under rules and converts
// it to a message (as the sequential block loop does).
func txMessage(rules forks.Rules, tx *types.Transaction, chainID uint64, baseFee *uint256.Int) (*evm.Message, error) {
	from, err := evm.TxSender(tx, rules, chainID)
	if err != nil {
		return nil, err
	}
	return evm.TransactionToMessage(tx, from, baseFee), nil
}
