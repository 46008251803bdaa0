package split

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// A task runs exactly once, whether a helper starts it or Wait runs it on
// the caller, and its effects are visible after Wait.
func TestGoRunsOnce(t *testing.T) {
	for i := range 2000 {
		var runs atomic.Int32
		var out int
		task := Go(func() { runs.Add(1); out = i })
		if i%2 == 0 {
			runtime.Gosched() // give a helper the chance to take it
		}
		task.Wait()
		if runs.Load() != 1 || out != i {
			t.Fatalf("task %d ran %d times, wrote %d", i, runs.Load(), out)
		}
	}
}

// Steps nest (a task or a step's body may run steps of its own) and run
// from many goroutines at once without losing or repeating an index.
func TestNestedAndConcurrentSteps(t *testing.T) {
	const outer, inner = 16, 300
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			var seen [outer][inner]atomic.Int32
			task := Go(func() {
				Each(outer, 3, 1, func(i int) {
					Each(inner, 2, 7, func(j int) { seen[i][j].Add(1) })
				})
			})
			task.Wait()
			for i := range seen {
				for j := range seen[i] {
					if c := seen[i][j].Load(); c != 1 {
						t.Errorf("goroutine %d: (%d, %d) visited %d times", g, i, j, c)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

// The pool never holds more helpers than there are other cores, however
// many workers a step asks for; the rest are plain goroutines.
func TestHelpersBounded(t *testing.T) {
	var n atomic.Int32
	Each(64, 64, 1, func(int) { n.Add(1) })
	if n.Load() != 64 {
		t.Fatalf("visited %d of 64", n.Load())
	}
	if got, most := pool.size(), max(runtime.GOMAXPROCS(0)-1, 0); got > most {
		t.Fatalf("%d helpers with GOMAXPROCS %d", got, runtime.GOMAXPROCS(0))
	}
}

// Help runs nothing when no step is open, and goroutines helping while
// steps run do not make an index run twice or be lost.
func TestHelp(t *testing.T) {
	for pool.open.Load() != 0 {
		runtime.Gosched() // steps of earlier tests still closing
	}
	if Help() {
		t.Fatal("Help ran a turn with no step open")
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					if !Help() {
						runtime.Gosched()
					}
				}
			}
		})
	}
	for round := range 200 {
		seen := make([]atomic.Int32, 500)
		Each(len(seen), 4, 3, func(i int) { seen[i].Add(1) })
		for i := range seen {
			if c := seen[i].Load(); c != 1 {
				t.Fatalf("round %d: index %d visited %d times", round, i, c)
			}
		}
	}
	close(stop)
	wg.Wait()
}

// A step whose body panics on the caller is closed before the panic goes
// on: no helper can join it afterwards.
func TestStepClosedOnPanic(t *testing.T) {
	before := pool.open.Load()
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic was lost")
			}
		}()
		together(0, func() { panic("step failed") })
	}()
	if got := pool.open.Load(); got != before {
		t.Fatalf("%d steps open after the panic, %d before", got, before)
	}
}

// Team runs every index once, and a goroutine that only helps (Help) does
// not join a team.
func TestTeam(t *testing.T) {
	for _, n := range []int{0, 1, 2, 5, 40} {
		seen := make([]atomic.Int32, n)
		Team(n, func(i int) { seen[i].Add(1) })
		for i := range seen {
			if c := seen[i].Load(); c != 1 {
				t.Fatalf("Team(%d): index %d ran %d times", n, i, c)
			}
		}
	}
	// A long step open with room to spare: helpers may run it, Help must
	// not.
	j := &job{body: func() {}, limit: 8, long: true}
	pool.publish(j, 0)
	if Help() {
		t.Error("Help joined a long step")
	}
	j.wait(j.close())
	pool.remove(j)
}
