// Command geth compares the engine with go-ethereum on the same inputs in the
// same process: mainnet blocks, synthetic workloads, the interpreter on
// compute-heavy contracts, batch Keccak-256, trie commits, the precompiled
// contracts and the state-test suite. It writes raw JSON under
// bench/results, SVG charts under bench/charts and regenerates BENCHMARKS.md
// at the repository root.
//
// It is a module of its own so that go-ethereum never becomes a dependency
// of the engine. Run it from this directory:
//
//	go run . [--quick] [--only keccak,trie,...]
//
// With --only, the sections not named keep their numbers from the previous
// results (bench/results/quick.json or full.json, the same mode first), so
// BENCHMARKS.md always carries every section; each kept section says which
// run it comes from.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

type options struct {
	quick    bool
	rounds   int
	minTime  time.Duration
	fixtures string
	root     string // repository root
	only     map[string]bool
	log      *os.File
}

func (o *options) logBench(b Benchmark) {
	fmt.Fprintf(o.log, "%s:\n", b.Name)
	if b.Error != "" {
		fmt.Fprintf(o.log, "  error: %s\n", b.Error)
	}
	for _, s := range b.Series {
		fmt.Fprintf(o.log, "  %-34s %10.2f %s (%.2f–%.2f)", s.Impl, s.Median, b.Unit, s.Min, s.Max)
		if !s.Geth && s.RatioMedian > 0 {
			fmt.Fprintf(o.log, "  x%.2f (%.2f–%.2f)", s.RatioMedian, s.RatioMin, s.RatioMax)
		}
		fmt.Fprintln(o.log)
	}
}

// sections in the order they run and are reported.
var sections = []struct {
	key, title string
	run        func(*options) []Benchmark
}{
	{"mainnet", "Mainnet blocks", benchMainnet},
	{"synthetic", "Synthetic workloads", benchSynthetic},
	{"interpreter", "Interpreter, one thread", benchInterpreter},
	{"keccak", "Keccak-256 batches", benchKeccak},
	{"trie", "Trie commit", benchTrie},
	{"precompiles", "Precompiles", benchPrecompiles},
	{"statetests", "State-test suite", benchStateTests},
	{"parallel", "Parallel executor (Block-STM)", benchParallel},
}

func main() {
	quick := flag.Bool("quick", false, "fewer rounds, shorter samples and subsets of the fixtures (under 5 minutes)")
	rounds := flag.Int("rounds", 0, "rounds per benchmark (default 5, 3 with --quick)")
	only := flag.String("only", "", "comma-separated sections to run: "+sectionKeys())
	fixtures := flag.String("fixtures", "", "fixtures folder (default ../shared/fixtures from the repository root)")
	noReport := flag.Bool("no-report", false, "print results only; do not write BENCHMARKS.md, results or charts")
	flag.Parse()

	root, err := repoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/geth:", err)
		os.Exit(2)
	}
	o := &options{quick: *quick, rounds: 5, minTime: 300 * time.Millisecond, root: root, log: os.Stderr}
	if *quick {
		o.rounds, o.minTime = 3, 100*time.Millisecond
	}
	if *rounds > 0 {
		o.rounds = *rounds
	}
	o.fixtures = *fixtures
	if o.fixtures == "" {
		o.fixtures = filepath.Join(root, "..", "shared", "fixtures")
	}
	if _, err := os.Stat(o.fixtures); err != nil {
		fmt.Fprintf(os.Stderr, "bench/geth: fixtures not found at %s (pass --fixtures)\n", o.fixtures)
		os.Exit(2)
	}
	if *only != "" {
		o.only = map[string]bool{}
		for _, k := range strings.Split(*only, ",") {
			o.only[strings.TrimSpace(k)] = true
		}
	}

	cmdline := "cd bench/geth && go run ." + strings.TrimPrefix(strings.Join(append([]string{""}, os.Args[1:]...), " "), "")
	run := Run{Machine: machineInfo(), Command: cmdline, Quick: o.quick, Rounds: o.rounds,
		Started: time.Now().UTC().Format(time.RFC3339)}
	run.Commit, run.Dirty = gitCommit(root)
	for _, s := range sections {
		if o.only != nil && !o.only[s.key] {
			continue
		}
		fmt.Fprintf(os.Stderr, "== %s\n", s.title)
		t0 := time.Now()
		bs := s.run(o)
		run.Sections = append(run.Sections, Section{Key: s.key, Title: s.title, Benchmarks: bs, Seconds: time.Since(t0).Seconds()})
	}
	run.Finished = time.Now().UTC().Format(time.RFC3339)
	for i := range run.Sections {
		run.Sections[i].Origin = run.origin()
	}
	if *noReport {
		return
	}
	if o.only != nil {
		from, err := keepPrevious(o, &run)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/geth: previous results:", err)
			os.Exit(1)
		}
		if from != "" {
			fmt.Fprintf(os.Stderr, "sections not run kept from %s\n", from)
		}
	}
	if err := writeReport(o, &run); err != nil {
		fmt.Fprintln(os.Stderr, "bench/geth:", err)
		os.Exit(1)
	}
}

func sectionKeys() string {
	var k []string
	for _, s := range sections {
		k = append(k, s.key)
	}
	return strings.Join(k, ",")
}
