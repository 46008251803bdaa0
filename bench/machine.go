package bench

import (
	"runtime"
	"sync/atomic"
	"time"
)

// CoreRoundTrip measures how long a cache line takes to go from one core
// to another and back: two threads, each locked to its own OS thread, pass
// a counter back and forth rounds times, and the mean round trip is
// returned. It is the cost a parallel executor pays each time a worker
// reads what another has just written, and on virtual machines it depends
// on where the hypervisor places the virtual CPUs: on the 2-core machine
// of BENCHMARKS.md it was 95-155 ns at some hours and 395-450 ns at
// others, and the 2-worker speedups were lower at the latter. It wants two
// otherwise idle cores (a goroutine spinning meanwhile inflates it). ok is false
// when GOMAXPROCS is 1. The measurement stops after budget (the two
// threads may share one core, which makes each round trip a time slice)
// and returns the mean of the round trips completed by then.
func CoreRoundTrip(rounds int, budget time.Duration) (rt time.Duration, ok bool) {
	if runtime.GOMAXPROCS(0) < 2 || rounds < 1 {
		return 0, false
	}
	var line struct {
		_    [64]byte
		turn atomic.Int64 // even: the caller's turn; odd: the partner's
		stop atomic.Bool
		_    [64]byte
	}
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		defer close(done)
		for i := int64(1); i < 2*int64(rounds); i += 2 {
			for line.turn.Load() != i {
				if line.stop.Load() {
					return
				}
			}
			line.turn.Store(i + 1)
		}
	}()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := time.Now()
	deadline := start.Add(budget)
	completed := 0
loop:
	for i := int64(0); i < 2*int64(rounds); i += 2 {
		for spins := 0; line.turn.Load() != i; spins++ {
			if spins&1023 == 1023 && time.Now().After(deadline) {
				break loop
			}
		}
		if i > 0 {
			completed++
		}
		line.turn.Store(i + 1)
	}
	elapsed := time.Since(start)
	line.stop.Store(true)
	<-done
	return elapsed / time.Duration(max(completed, 1)), true
}

// IdleRoundTrip is the cross-core round trip the benchmarks print
// (plasma bench, BENCHMARKS.md): CoreRoundTrip over 20,000 rounds within
// 200 ms, measured after a pause in which the helpers of a parallel run
// that just ended stop spinning and park, so that they do not share the
// cores with the measurement.
func IdleRoundTrip() (time.Duration, bool) {
	time.Sleep(20 * time.Millisecond)
	return CoreRoundTrip(20000, 200*time.Millisecond)
}
