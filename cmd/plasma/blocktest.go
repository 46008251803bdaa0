package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"

	"github.com/plasmaxpl/engine/ethtest"
)

func init() {
	register("blocktest", "run Ethereum BlockchainTests (files, directories, or names on stdin)", runBlockTest)
}

func runBlockTest(args []string) int {
	fs := flag.NewFlagSet("blocktest", flag.ContinueOnError)
	run := fs.String("run", "", "run only tests whose name matches this regular expression")
	fork := fs.String("fork", "", "run only tests of this network (e.g. Cancun, CancunToPragueAtTime15k)")
	trace := fs.Bool("trace", false, "write EIP-3155 JSON trace lines of every transaction to stderr")
	human := fs.Bool("human", false, "print a readable summary instead of JSON")
	jobs := fs.Int("jobs", runtime.GOMAXPROCS(0), "files run at once (output order is the input order regardless)")
	workers := fs.Int("workers", 1, "transactions executed concurrently per block (1: sequential)")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: plasma blocktest [flags] [FILE|DIR ...]\n\nImports each test's blocks from their RLP and checks the chain head and post-state.\nWith no path, file names are read from stdin, one per line.\nExit status: 0 all passed, 1 some failed, 2 bad usage or unreadable input.\n\nflags:")
		fs.PrintDefaults()
	}
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	opts := ethtest.BlockTestOptions{Fork: *fork, Workers: *workers}
	if *run != "" {
		re, err := regexp.Compile(*run)
		if err != nil {
			fmt.Fprintf(os.Stderr, "plasma blocktest: bad --run expression: %v\n", err)
			return 2
		}
		opts.Run = re
	}
	if *trace {
		opts.Trace = os.Stderr
		*jobs = 1 // traces stream to stderr in order
	}
	r := &fixtureReporter{command: "blocktest", human: *human, out: os.Stdout,
		jobs: *jobs,
		runFile: func(path string, stderr io.Writer) ([]ethtest.Result, error) {
			tests, err := ethtest.ReadBlockTestFile(path)
			if err != nil {
				return nil, err
			}
			o := opts
			if o.Trace != nil {
				o.Trace = stderr
			}
			return ethtest.RunBlockTests(tests, o), nil
		}}
	return r.runAll(paths)
}
