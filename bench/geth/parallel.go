package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/plasmaxpl/engine/bench"
	"github.com/plasmaxpl/engine/evm/parallel"
)

// parallelWorkloads are the workloads of the parallel-executor section, in
// the order `plasma bench` is told them.
var parallelWorkloads = []string{"transfers", "erc20", "amm", "chain", "mainnet"}

// parallelWorkers are the worker counts of the section; the first is the
// baseline of the speedup.
var parallelWorkers = []int{1, 2}

// parallelTarget is a speedup goal on 2 workers for one workload.
type parallelTarget struct {
	workload string
	want     float64
}

var parallelTargets = []parallelTarget{
	{"transfers", 1.5},
	{"erc20", 1.6},
	{"chain", 0.9},
	{"mainnet", 1.3},
}

// benchParallel runs the engine's own parallel-executor benchmark
// (bench.Run, what `plasma bench` prints) on each workload: no go-ethereum
// side. Each benchmark carries the harness's results; the series give the
// median Mgas/s per worker count.
func benchParallel(o *options) []Benchmark {
	var out []Benchmark
	for _, name := range parallelWorkloads {
		b := Benchmark{Name: name, Unit: "Mgas/s", Rounds: o.rounds}
		w, err := bench.Load(name, 1, bench.DefaultSize, o.fixtures)
		if err != nil {
			b.Error = err.Error()
			out = append(out, b)
			continue
		}
		// The machine's state at the start of each workload.
		if rt, ok := bench.IdleRoundTrip(); ok {
			b.Note = fmt.Sprintf("cross-core round trip before this workload's run: %d ns (bench.CoreRoundTrip)", rt.Nanoseconds())
		}
		res, err := bench.Run(w, parallelWorkers, o.rounds)
		if err != nil {
			b.Error = err.Error()
			out = append(out, b)
			continue
		}
		b.Parallel = res
		for _, r := range res {
			impl := fmt.Sprintf("ours, %d workers", r.Workers)
			if r.Workers == 1 {
				impl = "ours, 1 worker"
			}
			// Workers stays 0: the workers chart draws the synthetic
			// section's series, not these.
			b.Series = append(b.Series, Series{Impl: impl, Median: r.MGasPerSec, Min: r.MGasPerSec, Max: r.MGasPerSec})
		}
		out = append(out, b)
		o.logBench(b)
	}
	if note := mainnetPeakRSS(o); note != "" && len(out) > 0 {
		if last := &out[len(out)-1]; last.Note != "" {
			last.Note += "; " + note
		} else {
			last.Note = note
		}
	}
	return out
}

// mainnetPeakRSS executes the mainnet workload once with 1 worker and once
// with 2, resetting the process's peak resident set size (VmHWM, through
// /proc/self/clear_refs) before each, and says what each peak was. The
// workload is loaded before the first reset, so both peaks include it.
func mainnetPeakRSS(o *options) string {
	w, err := bench.Load("mainnet", 1, bench.DefaultSize, o.fixtures)
	if err != nil {
		return ""
	}
	peaks := make([]float64, 0, 2)
	for _, nw := range []int{1, 2} {
		runtime.GC()
		if os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) != nil {
			return ""
		}
		for _, blk := range w.Blocks {
			cfg := blk.Config
			cfg.Workers = nw
			if _, err := parallel.ExecuteBlock(blk.Header, blk.Txs, nil, blk.Withdrawals, blk.NewState(), cfg, blk.GetHash); err != nil {
				return ""
			}
		}
		rss, ok := peakRSS()
		if !ok {
			return ""
		}
		peaks = append(peaks, rss)
	}
	return fmt.Sprintf("peak RSS of the process while executing the mainnet workload once (loaded workload included): %.0f MiB with 1 worker, %.0f MiB with 2 workers (VmHWM, reset before each run)", peaks[0], peaks[1])
}

// peakRSS reads the process's peak resident set size (VmHWM) in MiB.
func peakRSS() (float64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "VmHWM:" {
			kb, err := strconv.ParseFloat(fields[1], 64)
			if err != nil {
				return 0, false
			}
			return kb / 1024, true
		}
	}
	return 0, false
}

// parallelTable renders the section's table (one row per workload and
// worker count, as `plasma bench` prints it), whether each target was met,
// and the notes.
func parallelTable(sec Section) string {
	var md strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&md, format, a...) }
	w("| workload | workers | Mgas/s | speedup | exec/tx | CPU ms | critical-path bound 8/16/32 |\n|---|---:|---:|---:|---:|---:|---:|\n")
	speedup := map[string]float64{}
	var notes []string
	for _, b := range sec.Benchmarks {
		if b.Error != "" {
			w("| %s | – | – | – | – | – | not run: %s |\n", b.Name, mdEscape(b.Error))
			continue
		}
		for _, r := range b.Parallel {
			cp := make([]string, 0, len(bench.CriticalPathWorkers))
			for _, n := range bench.CriticalPathWorkers {
				if v, ok := r.CriticalPathSpeedup[strconv.Itoa(n)]; ok {
					cp = append(cp, fmt.Sprintf("%.2f×", v))
				} else {
					cp = append(cp, "–")
				}
			}
			w("| %s | %d | %s | %.2f× | %.2f | %.1f | %s |\n", r.Workload, r.Workers, fmtNum(r.MGasPerSec), r.Speedup, r.ExecPerTx, r.CPUSeconds*1000, strings.Join(cp, " / "))
			if r.Workers == 2 {
				speedup[r.Workload] = r.Speedup
			}
		}
		if b.Note != "" {
			notes = append(notes, fmt.Sprintf("- %s: %s", b.Name, mdEscape(b.Note)))
		}
	}
	w("\nTargets, speedup on 2 workers:\n\n")
	for _, t := range parallelTargets {
		got, ok := speedup[t.workload]
		switch {
		case !ok:
			w("- %s ≥ %.1f×: not measured in this run\n", t.workload, t.want)
		case got >= t.want:
			w("- %s ≥ %.1f×: met (%.2f×)\n", t.workload, t.want, got)
		default:
			// Rounded down: a miss never reads as 100%.
			w("- %s ≥ %.1f×: not met (%.2f×, %.0f%% of the target)\n", t.workload, t.want, got, math.Floor(100*got/t.want))
		}
	}
	if len(notes) > 0 {
		w("\n%s\n", strings.Join(notes, "\n"))
	}
	return md.String()
}
