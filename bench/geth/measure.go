package main

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"time"

	"github.com/plasmaxpl/engine/bench"
)

// impl is one implementation of a benchmark: ours (one gpu backend or one
// worker count) or go-ethereum's. run does a fixed amount of work once and
// returns how much (gas, bytes, hashes) and how long it took; setup that
// should not be timed happens inside run before the clock starts.
type impl struct {
	name string
	geth bool
	// workers is the worker count for executor benchmarks (0: not one).
	workers int
	run     func() (work float64, elapsed time.Duration, err error)
}

// overBlocks returns an impl's run over every block of a workload: f times
// one block; the work is the workload's gas, the elapsed time the sum.
// label, when not nil, names a block whose run failed.
func overBlocks[B any](blocks []B, gas uint64, label func(B) string, f func(B) (time.Duration, error)) func() (float64, time.Duration, error) {
	return func() (float64, time.Duration, error) {
		var total time.Duration
		for _, b := range blocks {
			d, err := f(b)
			if err != nil {
				if label != nil {
					err = fmt.Errorf("%s: %w", label(b), err)
				}
				return 0, 0, err
			}
			total += d
		}
		return float64(gas), total, nil
	}
}

// Sample is the throughput of one implementation in one round.
type Sample struct {
	Round      int     `json:"round"`
	Work       float64 `json:"work"`
	Seconds    float64 `json:"seconds"`
	Throughput float64 `json:"throughput"`
}

// Series is every round of one implementation of one benchmark.
type Series struct {
	Impl    string   `json:"impl"`
	Geth    bool     `json:"geth"`
	Workers int      `json:"workers,omitempty"`
	Samples []Sample `json:"samples"`
	Median  float64  `json:"median"`
	Min     float64  `json:"min"`
	Max     float64  `json:"max"`
	// Ratio is this implementation's throughput over go-ethereum's, taken
	// round by round (same round, back to back) and summarised.
	RatioMedian float64 `json:"ratio_median,omitempty"`
	RatioMin    float64 `json:"ratio_min,omitempty"`
	RatioMax    float64 `json:"ratio_max,omitempty"`
}

// Benchmark is the outcome of one benchmark: every implementation's series.
type Benchmark struct {
	Name   string   `json:"name"`
	Unit   string   `json:"unit"`
	Note   string   `json:"note,omitempty"`
	Rounds int      `json:"rounds"`
	Series []Series `json:"series"`
	Error  string   `json:"error,omitempty"`
	// Parallel is the engine's own parallel-executor results (the
	// parallel section only), one per worker count.
	Parallel []bench.Result `json:"parallel,omitempty"`
}

// runAlternating runs every implementation once per round, reversing the
// order every other round so neither side always runs first (warm caches,
// GC debt and the other users of this machine then fall on both alike). A
// warm-up round that is not recorded goes first.
func runAlternating(name, unit string, scale float64, rounds int, impls []impl) Benchmark {
	b := Benchmark{Name: name, Unit: unit, Rounds: rounds}
	series := make([]Series, len(impls))
	for i, im := range impls {
		series[i] = Series{Impl: im.name, Geth: im.geth, Workers: im.workers}
	}
	for r := -1; r < rounds; r++ {
		order := make([]int, len(impls))
		for i := range order {
			order[i] = i
		}
		if r%2 != 0 {
			for i, j := 0, len(order)-1; i < j; i, j = i+1, j-1 {
				order[i], order[j] = order[j], order[i]
			}
		}
		for _, i := range order {
			runtime.GC()
			work, el, err := impls[i].run()
			if err != nil {
				b.Error = fmt.Sprintf("%s: %v", impls[i].name, err)
				b.Series = series
				return b
			}
			if r < 0 {
				continue
			}
			s := Sample{Round: r, Work: work, Seconds: el.Seconds()}
			if el > 0 {
				s.Throughput = work / el.Seconds() / scale
			}
			series[i].Samples = append(series[i].Samples, s)
		}
	}
	b.Series = series
	b.finish()
	return b
}

// finish computes each series' median and spread, and its ratios to the
// first go-ethereum series round by round.
func (b *Benchmark) finish() {
	series := b.Series
	var gethIdx = -1
	for i := range series {
		var v []float64
		for _, s := range series[i].Samples {
			v = append(v, s.Throughput)
		}
		series[i].Median, series[i].Min, series[i].Max = summarize(v)
		if series[i].Geth && gethIdx < 0 {
			gethIdx = i
		}
	}
	if gethIdx < 0 {
		return
	}
	for i := range series {
		if i == gethIdx {
			continue
		}
		var ratios []float64
		for r := range series[i].Samples {
			if r >= len(series[gethIdx].Samples) {
				break
			}
			g := series[gethIdx].Samples[r].Throughput
			if g > 0 {
				ratios = append(ratios, series[i].Samples[r].Throughput/g)
			}
		}
		series[i].RatioMedian, series[i].RatioMin, series[i].RatioMax = summarize(ratios)
	}
}

// summarize returns the median, minimum and maximum of v.
func summarize(v []float64) (med, lo, hi float64) {
	if len(v) == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		med = s[n/2]
	} else {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return med, s[0], s[n-1]
}

// repeatFor calls f until at least min has passed (and at least once),
// returning the summed work and time. Short operations are repeated so that
// each sample is long enough for the clock and the scheduler.
func repeatFor(min time.Duration, f func() (float64, time.Duration, error)) (float64, time.Duration, error) {
	var work float64
	var total time.Duration
	for total < min {
		w, d, err := f()
		if err != nil {
			return 0, 0, err
		}
		work += w
		total += d
	}
	return work, total, nil
}

// runInterleaved is runAlternating for operations short enough to time in
// small batches: within each round the implementations take turns batch by
// batch (the order reversed every turn) until each has run for at least
// min, so a burst from another user of the machine lands on every side
// alike instead of on one whole sample. A warm-up round that is not recorded
// goes first. Each batch function does a fixed amount of work once.
func runInterleaved(name, unit string, scale float64, rounds int, min time.Duration, impls []impl) Benchmark {
	b := Benchmark{Name: name, Unit: unit, Rounds: rounds}
	series := make([]Series, len(impls))
	for i, im := range impls {
		series[i] = Series{Impl: im.name, Geth: im.geth, Workers: im.workers}
	}
	work := make([]float64, len(impls))
	spent := make([]time.Duration, len(impls))
	for r := -1; r < rounds; r++ {
		clear(work)
		clear(spent)
		runtime.GC()
		for turn := 0; ; turn++ {
			done := true
			for _, t := range spent {
				done = done && t >= min
			}
			if done {
				break
			}
			for k := range impls {
				i := k
				if turn%2 == 1 {
					i = len(impls) - 1 - k
				}
				w, d, err := impls[i].run()
				if err != nil {
					b.Error = fmt.Sprintf("%s: %v", impls[i].name, err)
					b.Series = series
					return b
				}
				work[i] += w
				spent[i] += d
			}
		}
		if r < 0 {
			continue
		}
		for i := range impls {
			s := Sample{Round: r, Work: work[i], Seconds: spent[i].Seconds()}
			if spent[i] > 0 {
				s.Throughput = work[i] / spent[i].Seconds() / scale
			}
			series[i].Samples = append(series[i].Samples, s)
		}
	}
	b.Series = series
	b.finish()
	return b
}
