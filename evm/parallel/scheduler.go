package parallel

import (
	"sync"
	"sync/atomic"
)

// The scheduler is Block-STM's collaborative scheduler: two shared
// indices, one for the next transaction to execute and one for the next to
// validate, which workers advance with atomic increments and which aborts
// and late writes lower again. Validation has priority whenever its index
// is behind execution's. Each transaction has a status and an incarnation
// number under its own lock. The block is done when both indices have
// passed the end, no task is running, and no index was lowered meanwhile.

type txStatus uint8

const (
	statusReady     txStatus = iota // waiting to execute incarnation
	statusExecuting                 // incarnation running
	statusExecuted                  // incarnation finished, write set recorded
	statusAborting                  // incarnation failed validation or waits for a dependency
)

type txState struct {
	mu          sync.Mutex
	status      txStatus
	incarnation int
	dependents  []int // transactions waiting for this one to finish executing
	// Each transaction's state has a cache line of its own: neighbouring
	// transactions usually run on different workers, and a shared line
	// would move between their cores at every status change.
	_ [cacheLine - 48]byte
}

// cacheLine is the size of a cache line of the processors the engine runs
// on (x86-64 and arm64 servers).
const cacheLine = 64

// padded is an atomic counter on a cache line of its own.
type padded struct {
	atomic.Int64
	_ [cacheLine - 8]byte
}

type taskKind uint8

const (
	taskNone taskKind = iota
	taskExecute
	taskValidate
)

// task is one unit of work: execute or validate incarnation of tx.
type task struct {
	kind        taskKind
	tx          int
	incarnation int
}

// Scheduler hands out execution and validation tasks for a block of n
// transactions. It is safe for concurrent use.
//
// Every field that workers write has a cache line of its own, and the
// number of running tasks is counted per worker: at a few microseconds per
// transaction, a line that moves between cores at each task costs a large
// part of the task (measured: 1.6 µs per transfer on one core, 1.8-2.8 µs
// per transfer with two workers on two cores while the counters shared a
// line).
type Scheduler struct {
	n             int
	txs           []txState
	active        []padded // running tasks, per worker (the last is the probe's)
	_             [cacheLine - 56]byte
	executionIdx  padded
	validationIdx padded
	decreaseCnt   padded
	done          atomic.Bool
	_             [cacheLine - 1]byte
}

// NewScheduler returns a scheduler for n transactions and workers workers
// (numbered from 0).
func NewScheduler(n, workers int) *Scheduler {
	s := &Scheduler{n: n, txs: make([]txState, n), active: make([]padded, workers+1)}
	if n == 0 {
		s.done.Store(true)
	}
	return s
}

// executed reports whether tx's last incarnation finished executing and
// was not aborted since.
func (s *Scheduler) executed(tx int) bool {
	t := &s.txs[tx]
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.status == statusExecuted
}

// Done reports whether every transaction is executed and validated.
func (s *Scheduler) Done() bool { return s.done.Load() }

func (s *Scheduler) decreaseExecutionIdx(target int) {
	for {
		cur := s.executionIdx.Load()
		if cur <= int64(target) || s.executionIdx.CompareAndSwap(cur, int64(target)) {
			break
		}
	}
	s.decreaseCnt.Add(1)
}

func (s *Scheduler) decreaseValidationIdx(target int) {
	for {
		cur := s.validationIdx.Load()
		if cur <= int64(target) || s.validationIdx.CompareAndSwap(cur, int64(target)) {
			break
		}
	}
	s.decreaseCnt.Add(1)
}

func (s *Scheduler) checkDone() {
	observed := s.decreaseCnt.Load()
	n := int64(s.n)
	if min(s.executionIdx.Load(), s.validationIdx.Load()) < n {
		return
	}
	// The counts are read one after the other: a task that starts
	// meanwhile only gets an index below n after a decrease, which the
	// second read of decreaseCnt sees.
	for i := range s.active {
		if s.active[i].Load() != 0 {
			return
		}
	}
	if observed == s.decreaseCnt.Load() {
		s.done.Store(true)
	}
}

// tryIncarnate moves tx from ready to executing and returns its incarnation.
func (s *Scheduler) tryIncarnate(tx int) (int, bool) {
	if tx >= s.n {
		return 0, false
	}
	t := &s.txs[tx]
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.status == statusReady {
		t.status = statusExecuting
		return t.incarnation, true
	}
	return 0, false
}

func (s *Scheduler) nextToExecute(w int) (task, bool) {
	if s.executionIdx.Load() >= int64(s.n) {
		s.checkDone()
		return task{}, false
	}
	active := &s.active[w]
	active.Add(1)
	tx := int(s.executionIdx.Add(1) - 1)
	if inc, ok := s.tryIncarnate(tx); ok {
		return task{kind: taskExecute, tx: tx, incarnation: inc}, true
	}
	active.Add(-1)
	return task{}, false
}

func (s *Scheduler) nextToValidate(w int) (task, bool) {
	if s.validationIdx.Load() >= int64(s.n) {
		s.checkDone()
		return task{}, false
	}
	active := &s.active[w]
	active.Add(1)
	tx := int(s.validationIdx.Add(1) - 1)
	if tx < s.n {
		t := &s.txs[tx]
		t.mu.Lock()
		st, inc := t.status, t.incarnation
		t.mu.Unlock()
		if st == statusExecuted {
			return task{kind: taskValidate, tx: tx, incarnation: inc}, true
		}
	}
	active.Add(-1)
	return task{}, false
}

// NextTask returns the next task for worker w, or a task of kind taskNone
// when there is nothing to do right now (the caller checks Done and asks
// again).
func (s *Scheduler) NextTask(w int) task {
	for !s.done.Load() {
		var t task
		var ok bool
		if s.validationIdx.Load() < s.executionIdx.Load() {
			t, ok = s.nextToValidate(w)
		} else {
			t, ok = s.nextToExecute(w)
		}
		if ok {
			return t
		}
		if s.executionIdx.Load() >= int64(s.n) && s.validationIdx.Load() >= int64(s.n) {
			return task{}
		}
	}
	return task{}
}

// AddDependency records that tx's running incarnation read an estimate
// written by blocker. It returns false when blocker has executed since
// (the read can be retried); otherwise tx is suspended until blocker
// finishes, and its task (worker w's) ends.
func (s *Scheduler) AddDependency(w, tx, blocker int) bool {
	b := &s.txs[blocker]
	b.mu.Lock()
	if b.status == statusExecuted {
		b.mu.Unlock()
		return false
	}
	t := &s.txs[tx]
	t.mu.Lock()
	t.status = statusAborting
	t.mu.Unlock()
	b.dependents = append(b.dependents, tx)
	b.mu.Unlock()
	s.active[w].Add(-1)
	return true
}

func (s *Scheduler) setReady(tx int) {
	t := &s.txs[tx]
	t.mu.Lock()
	t.incarnation++
	t.status = statusReady
	t.mu.Unlock()
}

// FinishExecution marks the incarnation executed, resumes the transactions
// waiting for it, and returns a validation task for it when the validation
// index has already passed it (else taskNone). w is the worker that ran it.
func (s *Scheduler) FinishExecution(w, tx, incarnation int, wroteNew bool) task {
	t := &s.txs[tx]
	t.mu.Lock()
	t.status = statusExecuted
	deps := t.dependents
	t.dependents = nil
	t.mu.Unlock()
	if len(deps) > 0 {
		lowest := s.n
		for _, d := range deps {
			s.setReady(d)
			lowest = min(lowest, d)
		}
		s.decreaseExecutionIdx(lowest)
	}
	if s.validationIdx.Load() > int64(tx) {
		if !wroteNew {
			return task{kind: taskValidate, tx: tx, incarnation: incarnation}
		}
		s.decreaseValidationIdx(tx)
	}
	s.active[w].Add(-1)
	return task{}
}

// TryValidationAbort moves an executed incarnation that failed validation
// to aborting; only one validator wins.
func (s *Scheduler) TryValidationAbort(tx, incarnation int) bool {
	t := &s.txs[tx]
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.incarnation == incarnation && t.status == statusExecuted {
		t.status = statusAborting
		return true
	}
	return false
}

// FinishValidation ends a validation task. After an abort the transaction
// is made ready again, every transaction above it is validated again, and
// its re-execution is returned when the execution index has passed it. w
// is the worker that ran it.
func (s *Scheduler) FinishValidation(w, tx int, aborted bool) task {
	if aborted {
		s.setReady(tx)
		s.decreaseValidationIdx(tx + 1)
		if s.executionIdx.Load() > int64(tx) {
			if inc, ok := s.tryIncarnate(tx); ok {
				return task{kind: taskExecute, tx: tx, incarnation: inc}
			}
		}
	}
	s.active[w].Add(-1)
	return task{}
}

// startAt hands the first k transactions to the probe, which executes
// them in order (see probed), while the workers start at transaction k.
// The probe counts as a running task until probeDone, so the block is not
// done before it is. It runs before the workers start.
func (s *Scheduler) startAt(k int) {
	for i := range k {
		s.txs[i].status = statusExecuting
	}
	s.executionIdx.Store(int64(k))
	s.validationIdx.Store(int64(k))
	s.active[len(s.active)-1].Add(1)
}

// probed records that the probe executed transaction tx (incarnation 0)
// and resumes the transactions waiting for it.
func (s *Scheduler) probed(tx int) {
	t := &s.txs[tx]
	t.mu.Lock()
	t.status = statusExecuted
	deps := t.dependents
	t.dependents = nil
	t.mu.Unlock()
	if len(deps) > 0 {
		lowest := s.n
		for _, d := range deps {
			s.setReady(d)
			lowest = min(lowest, d)
		}
		s.decreaseExecutionIdx(lowest)
	}
}

// probeDone ends the probe, which executed the transactions below done of
// the k handed to it: those above are handed to the workers, and every
// transaction is validated (again: the workers may have validated some
// against the state before the probe's writes).
func (s *Scheduler) probeDone(done, k int) {
	if done < k {
		for i := done; i < k; i++ {
			s.setReady(i)
		}
		s.decreaseExecutionIdx(done)
	}
	s.decreaseValidationIdx(0)
	s.active[len(s.active)-1].Add(-1)
}
