package bench

import (
	"fmt"
	"runtime"
	"slices"
	"syscall"
	"time"

	"github.com/plasmaxpl/engine/evm/parallel"
	"github.com/plasmaxpl/engine/types"
)

// CriticalPathWorkers are the worker counts the critical-path bound is
// reported for.
var CriticalPathWorkers = []int{8, 16, 32}

// Result is one workload at one worker count.
type Result struct {
	Workload   string  `json:"workload"`
	Workers    int     `json:"workers"`
	TxPerSec   float64 `json:"txPerSec"`
	MGasPerSec float64 `json:"mgasPerSec"`
	// Speedup is over the first worker count of the same run (1 worker):
	// the median over rounds of the ratio of the two times in a round.
	Speedup float64 `json:"speedup"`
	// ExecPerTx is transaction executions per transaction: 1 is no
	// re-execution.
	ExecPerTx float64 `json:"execPerTx"`
	// CriticalPathSpeedup bounds the speedup at 8, 16 and 32 workers from
	// the blocks' final dependencies (gas-weighted longest chain).
	CriticalPathSpeedup map[string]float64 `json:"criticalPathSpeedup"`
	Seconds             float64            `json:"seconds"` // median round
	// CPUSeconds is the process CPU time (user and system, all threads,
	// the garbage collector's included) of the median-CPU round: with the
	// machine shared, wall time alone does not say what a run cost.
	CPUSeconds float64 `json:"cpuSeconds"`
	Rounds     int     `json:"rounds"`
	Txs        int     `json:"txs"`
	Gas        uint64  `json:"gas"`
}

// blockOutcome is what must not depend on the worker count.
type blockOutcome struct {
	state, receipts types.Hash
	gas             uint64
}

// Run executes every block of w with each worker count, alternating worker
// counts within each of rounds rounds, and checks that every worker count
// gives the same state root, receipts root and gas. Each block starts from
// a fresh copy of its pre-state (made outside the timing); the time is
// that of the whole block (transactions, rewards, state root).
func Run(w *Workload, workers []int, rounds int) ([]Result, error) {
	if rounds < 1 {
		rounds = 1
	}
	times := make([][]time.Duration, len(workers))
	cpus := make([][]time.Duration, len(workers))
	execs := make([]int64, len(workers))
	want := make([]blockOutcome, len(w.Blocks))
	var gas uint64
	for r := range rounds {
		for wi, nw := range workers {
			var total, cpu time.Duration
			for bi, b := range w.Blocks {
				state := b.NewState()
				cfg := b.Config
				cfg.Workers = nw
				var st parallel.Stats
				runtime.GC()
				cpu0 := cpuTime()
				start := time.Now()
				res, err := parallel.ExecuteBlockOpts(b.Header, b.Txs, nil, b.Withdrawals, state, cfg, b.GetHash, parallel.Options{Stats: &st})
				total += time.Since(start)
				cpu += cpuTime() - cpu0
				if err != nil {
					return nil, fmt.Errorf("%s with %d workers: %w", b.Name, nw, err)
				}
				if b.Header.GasUsed != 0 && res.GasUsed != b.Header.GasUsed {
					return nil, fmt.Errorf("%s with %d workers: gas used %d, header says %d", b.Name, nw, res.GasUsed, b.Header.GasUsed)
				}
				got := blockOutcome{res.StateRoot, res.ReceiptsRoot, res.GasUsed}
				if r == 0 && wi == 0 {
					want[bi] = got
					gas += res.GasUsed
				} else if got != want[bi] {
					return nil, fmt.Errorf("%s: %d workers gave state root %v receipts root %v gas %d, %d workers %v %v %d",
						b.Name, nw, got.state, got.receipts, got.gas, workers[0], want[bi].state, want[bi].receipts, want[bi].gas)
				}
				if r == 0 {
					execs[wi] += st.Executions
				}
			}
			times[wi] = append(times[wi], total)
			cpus[wi] = append(cpus[wi], cpu)
		}
	}
	cp, err := criticalPath(w)
	if err != nil {
		return nil, err
	}
	ntx := w.Txs()
	var out []Result
	for wi, nw := range workers {
		med := median(times[wi]).Seconds()
		// The speedup pairs each round's runs: the machine's speed drifts
		// between rounds more than within one.
		ratios := make([]time.Duration, rounds)
		for r := range rounds {
			ratios[r] = time.Duration(float64(times[0][r]) / float64(times[wi][r]) * 1e6)
		}
		res := Result{
			Workload: w.Name, Workers: nw, Seconds: med, Rounds: rounds, Txs: ntx, Gas: gas,
			TxPerSec: float64(ntx) / med, MGasPerSec: float64(gas) / med / 1e6,
			Speedup: float64(median(ratios)) / 1e6, CPUSeconds: median(cpus[wi]).Seconds(), ExecPerTx: float64(execs[wi]) / float64(max(ntx, 1)),
			CriticalPathSpeedup: cp,
		}
		out = append(out, res)
	}
	return out, nil
}

// cpuTime returns the CPU time the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// criticalPath executes w once in parallel, collecting each block's final
// dependencies, and returns the speedup bound at CriticalPathWorkers.
func criticalPath(w *Workload) (map[string]float64, error) {
	var paths, totals []uint64
	for _, b := range w.Blocks {
		cfg := b.Config
		cfg.Workers = 2
		var st parallel.Stats
		if _, err := parallel.ExecuteBlockOpts(b.Header, b.Txs, nil, b.Withdrawals, b.NewState(), cfg, b.GetHash,
			parallel.Options{Stats: &st, Dependencies: true, MinTxs: 1, NoFallback: true, PreByzantium: true}); err != nil {
			return nil, fmt.Errorf("%s: %w", b.Name, err)
		}
		if st.Deps == nil { // executed sequentially (a fork the executor hands back)
			path, total := uint64(0), uint64(0)
			for _, tx := range b.Txs {
				path += tx.GasLimit()
			}
			total = path
			paths, totals = append(paths, path), append(totals, total)
			continue
		}
		p, t := parallel.CriticalPath(st.Deps, st.Gas)
		paths, totals = append(paths, p), append(totals, t)
	}
	out := map[string]float64{}
	for _, nw := range CriticalPathWorkers {
		var sum, bound float64
		for i := range paths {
			t := float64(totals[i])
			sum += t
			bound += max(float64(paths[i]), t/float64(nw))
		}
		if bound > 0 {
			out[fmt.Sprint(nw)] = sum / bound
		}
	}
	return out, nil
}
