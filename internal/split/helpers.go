package split

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The helpers are goroutines kept for the process's lifetime (at most
// GOMAXPROCS-1 of them, started on first use) that run the parallel parts
// of Each, Ranges and Go. Between parts they spin for a while before they
// park, because waking a parked goroutine means waking an idle core, and
// that can take far longer than the parts themselves: about 100 µs in the
// virtual machines measured, where the parallel steps of a block take
// 50-500 µs each. A spinning helper picks a new part up in well under a
// microsecond. It yields its core to other goroutines between checks, and
// parks after spinFor without work, so an idle process does not spin.

// spinFor is how long a helper looks for work before it parks: longer
// than the sequential stretches between the parallel steps of one block.
const spinFor = 2 * time.Millisecond

// job is one parallel step: the caller and up to limit helpers each run
// body once; body itself shares the step's work out among them.
type job struct {
	body  func()
	limit int64
	// state holds the number of helpers that joined, and closedBit once
	// the caller stopped new ones from joining.
	state atomic.Int64
	left  atomic.Int64 // helpers that have finished body
	long  bool         // a Go task or a Team: waiters and Help do not pick it up
}

const closedBit = 1 << 40

// join claims a place for one more helper.
func (j *job) join() bool {
	for {
		s := j.state.Load()
		if s&closedBit != 0 || s >= j.limit {
			return false
		}
		if j.state.CompareAndSwap(s, s+1) {
			return true
		}
	}
}

// run runs body as a helper that joined and counts it out.
func (j *job) run() {
	j.body()
	j.left.Add(1)
}

// close stops further helpers from joining and returns how many joined.
func (j *job) close() int64 { return j.state.Or(closedBit) &^ closedBit }

// wait returns once the joined helpers have finished, helping with other
// steps meanwhile (not with Go tasks or teams, which may be long).
func (j *job) wait(joined int64) {
	for j.left.Load() < joined {
		if o := pool.take(true); o != nil {
			o.run()
			continue
		}
		runtime.Gosched()
	}
}

// helperPool is the process's set of helpers and the steps open to them.
type helperPool struct {
	mu      sync.Mutex
	jobs    []*job
	open    atomic.Int32 // len(jobs), read by spinning helpers without mu
	started int          // helpers started, under mu
	parked  atomic.Int32
	wake    chan struct{}
}

var pool = helperPool{wake: make(chan struct{}, 256)}

// publish opens j to the helpers, starting one if fewer than want run.
func (p *helperPool) publish(j *job, want int) {
	p.mu.Lock()
	p.jobs = append(p.jobs, j)
	p.open.Store(int32(len(p.jobs)))
	for p.started < min(want, runtime.GOMAXPROCS(0)-1, cap(p.wake)) {
		p.started++
		go p.helper()
	}
	p.mu.Unlock()
	if p.parked.Load() > 0 {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

// size returns how many helpers run.
func (p *helperPool) size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.started
}

// remove closes j to the helpers.
func (p *helperPool) remove(j *job) {
	p.mu.Lock()
	for i, o := range p.jobs {
		if o == j {
			p.jobs = append(p.jobs[:i], p.jobs[i+1:]...)
			p.jobs[len(p.jobs):cap(p.jobs)][0] = nil
			break
		}
	}
	p.open.Store(int32(len(p.jobs)))
	p.mu.Unlock()
}

// take joins the oldest open job with room, skipping long ones (Go tasks
// and teams) when stepsOnly; nil when there is none.
func (p *helperPool) take(stepsOnly bool) *job {
	if p.open.Load() == 0 {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, j := range p.jobs {
		if stepsOnly && j.long {
			continue
		}
		if j.join() {
			return j
		}
	}
	return nil
}

func (p *helperPool) helper() {
	idleSince := time.Now()
	for spins := 1; ; spins++ {
		if j := p.take(false); j != nil {
			j.run()
			idleSince, spins = time.Now(), 0
			continue
		}
		if spins%64 != 0 {
			continue
		}
		if time.Since(idleSince) < spinFor {
			runtime.Gosched()
			continue
		}
		// Announce the park before the last look, so that a step
		// published meanwhile either is seen here or sends a wake.
		p.parked.Add(1)
		if p.open.Load() == 0 {
			<-p.wake
		}
		p.parked.Add(-1)
		idleSince = time.Now()
	}
}

// together runs body on the caller and on up to extra more goroutines at
// once (helpers, and new goroutines for any extra beyond the helpers), and
// returns when every one has finished. body must share out the work
// itself; it may be run by fewer goroutines than asked for, even by the
// caller alone.
func together(extra int, body func()) { togetherJob(&job{body: body, limit: int64(extra)}) }

func togetherJob(j *job) {
	extra, body := int(j.limit), j.body
	pool.publish(j, extra)
	var wg sync.WaitGroup
	for range extra - pool.size() {
		wg.Go(func() {
			if j.join() {
				j.run()
			}
		})
	}
	// Closed even when body panics on the caller, so that no helper goes
	// on with the step of a caller that left (the panic goes on once the
	// helpers that joined are out).
	defer func() {
		joined := j.close()
		pool.remove(j)
		j.wait(joined)
		wg.Wait()
	}()
	body()
}

// Help runs one turn of a step that another goroutine opened, if any has
// room for one more goroutine, and reports whether it did: a goroutine that
// waits for something else (an idle worker of the block executor) can lend
// its core to a step started meanwhile, such as a large bloom inside a
// transaction. It does not join Go tasks or teams.
func Help() bool {
	j := pool.take(true)
	if j == nil {
		return false
	}
	j.run()
	return true
}

// Team calls fn(i) for every i below n, each on a goroutine of its own as
// far as helpers are free (the caller runs the rest), for bodies that run
// long, such as a block executor's worker loop: a goroutine that only helps
// while it waits (Help, or a caller waiting for its own step) does not join
// a team, so that it is not held up for the team's whole run.
func Team(n int, fn func(i int)) {
	if n <= 1 {
		if n == 1 {
			fn(0)
		}
		return
	}
	var next atomic.Int64
	togetherJob(&job{limit: int64(n - 1), long: true, body: func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			fn(i)
		}
	}})
}

// Task is a function started by Go.
type Task struct{ j *job }

// Go starts fn on a helper as soon as one is free. Wait must be called
// once: it runs fn on the caller if no helper has started it by then, and
// returns when fn has returned. fn must not wait for anything the caller
// does before Wait.
func Go(fn func()) *Task {
	j := &job{body: fn, limit: 1, long: true}
	pool.publish(j, 1)
	return &Task{j: j}
}

// Wait returns once the task's function has run.
func (t *Task) Wait() {
	joined := t.j.close()
	pool.remove(t.j)
	if joined == 0 {
		t.j.body()
		return
	}
	t.j.wait(joined)
}
