package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/plasmaxpl/engine/bench"
)

func init() {
	register("bench", "benchmark block execution (sequential against parallel) and other hot paths", runBench)
}

// benchSubcommand is a `plasma bench <name>` benchmark other than the
// block-execution workloads (hash, trie, compress, ...).
type benchSubcommand struct {
	summary string
	run     func(args []string) int
}

var benchSubcommands = map[string]benchSubcommand{}

// registerBench adds `plasma bench name`; run receives the arguments after
// name.
func registerBench(name, summary string, run func(args []string) int) {
	benchSubcommands[name] = benchSubcommand{summary: summary, run: run}
}

// defaultBenchWorkloads run when no workload is named: a small run that
// finishes in well under a minute.
var defaultBenchWorkloads = []string{"transfers", "erc20", "amm", "chain"}

func runBench(args []string) int {
	if len(args) > 0 {
		if sub, ok := benchSubcommands[args[0]]; ok {
			return sub.run(args[1:])
		}
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	workersFlag := fs.String("workers", "1,2", "comma-separated worker counts; the first is the baseline of speedup")
	rounds := fs.Int("rounds", 5, "rounds; each runs every worker count once, alternating, and the median round counts")
	asJSON := fs.Bool("json", false, "print one JSON object per workload and worker count")
	txs := fs.Int("txs", bench.DefaultSize.Txs, "transactions per synthetic block")
	blocks := fs.Int("blocks", bench.DefaultSize.Blocks, "blocks per synthetic workload")
	seed := fs.Uint64("seed", 1, "seed of the synthetic workloads")
	fixtures := fs.String("fixtures", "../shared/fixtures", "fixtures directory (for the mainnet workload)")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: plasma bench [WORKLOAD...] [--workers 1,2,...] [--rounds N] [--json]")
		fmt.Fprintf(os.Stderr, "       plasma bench SUBCOMMAND [args]\n\nworkloads: %s (default: %s)\n",
			strings.Join(bench.Names(), ", "), strings.Join(defaultBenchWorkloads, " "))
		if len(benchSubcommands) > 0 {
			names := make([]string, 0, len(benchSubcommands))
			for n := range benchSubcommands {
				names = append(names, n)
			}
			sort.Strings(names)
			fmt.Fprintln(os.Stderr, "subcommands:")
			for _, n := range names {
				fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, benchSubcommands[n].summary)
			}
		}
		fmt.Fprintln(os.Stderr, "\nflags:")
		fs.PrintDefaults()
	}
	names, err := parseInterleaved(fs, args)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	workers, err := parseWorkers(*workersFlag)
	if err != nil {
		fmt.Fprintln(os.Stderr, "plasma bench:", err)
		return 2
	}
	if len(names) == 0 {
		names = defaultBenchWorkloads
	}
	size := bench.Size{Blocks: *blocks, Txs: *txs}
	var results []bench.Result
	rtBefore, rtOK := bench.IdleRoundTrip()
	for _, name := range names {
		w, err := bench.Load(name, *seed, size, *fixtures)
		if err != nil {
			fmt.Fprintln(os.Stderr, "plasma bench:", err)
			return 1
		}
		res, err := bench.Run(w, workers, *rounds)
		if err != nil {
			fmt.Fprintln(os.Stderr, "plasma bench:", err)
			return 1
		}
		if *asJSON {
			enc := json.NewEncoder(os.Stdout)
			for _, r := range res {
				enc.Encode(r)
			}
		}
		results = append(results, res...)
	}
	if !*asJSON {
		printBenchTable(os.Stdout, results)
		if rtAfter, ok := bench.IdleRoundTrip(); ok && rtOK {
			fmt.Printf("cross-core round trip %d ns before, %d ns after (see bench.CoreRoundTrip)\n", rtBefore.Nanoseconds(), rtAfter.Nanoseconds())
		}
	}
	return 0
}

// loadAverage reads the 1, 5 and 15-minute load averages (Linux).
func loadAverage(out *[3]float64) bool {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return false
	}
	for i := range out {
		if out[i], err = strconv.ParseFloat(f[i], 64); err != nil {
			return false
		}
	}
	return true
}

func parseWorkers(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad --workers %q: want positive counts like 1,2,4", s)
		}
		out = append(out, n)
	}
	return out, nil
}

func printBenchTable(w io.Writer, results []bench.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tworkers\ttxs\ttx/s\tMgas/s\tspeedup\twall ms\tcpu ms\texec/tx\tcrit.path 8/16/32\t")
	for _, r := range results {
		cp := r.CriticalPathSpeedup
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%.1f\t%.2fx\t%.1f\t%.1f\t%.2f\t%.1f/%.1f/%.1f\t\n", r.Workload, r.Workers, r.Txs, r.TxPerSec, r.MGasPerSec,
			r.Speedup, r.Seconds*1e3, r.CPUSeconds*1e3, r.ExecPerTx, cp["8"], cp["16"], cp["32"])
	}
	var load [3]float64
	if loadAverage(&load) {
		fmt.Fprintf(w, "load average %.2f %.2f %.2f (%d CPUs)\n", load[0], load[1], load[2], runtime.NumCPU())
	}
	tw.Flush()
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		fmt.Fprintf(w, "peak RSS %d MiB\n", ru.Maxrss/1024)
	}
}
