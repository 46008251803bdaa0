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
	register("statetest", "run Ethereum GeneralStateTests (files, directories, or names on stdin)", runStateTest)
}

func runStateTest(args []string) int {
	fs := flag.NewFlagSet("statetest", flag.ContinueOnError)
	run := fs.String("run", "", "run only tests whose name matches this regular expression")
	fork := fs.String("fork", "", "run only this fork (fixture name, e.g. Cancun)")
	fs.StringVar(fork, "statetest.fork", "", "alias of --fork")
	index := fs.Int("statetest.index", -1, "run only this post index (-1: all)")
	trace := fs.Bool("trace", false, "write EIP-3155 JSON trace lines to stderr")
	human := fs.Bool("human", false, "print a readable summary instead of JSON")
	jobs := fs.Int("jobs", runtime.GOMAXPROCS(0), "files run at once (output order is the input order regardless)")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: plasma statetest [flags] [FILE|DIR ...]\n\nWith no path, file names are read from stdin, one per line.\nExit status: 0 all passed, 1 some failed, 2 bad usage or unreadable input.\n\nflags:")
		fs.PrintDefaults()
	}
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	opts := ethtest.StateTestOptions{Fork: *fork, Index: *index, RootLog: os.Stderr}
	if *run != "" {
		re, err := regexp.Compile(*run)
		if err != nil {
			fmt.Fprintf(os.Stderr, "plasma statetest: bad --run expression: %v\n", err)
			return 2
		}
		opts.Run = re
	}
	if *trace {
		opts.Trace = os.Stderr
		*jobs = 1 // traces stream to stderr in order
	}
	r := &fixtureReporter{command: "statetest", human: *human, out: os.Stdout,
		jobs: *jobs,
		runFile: func(path string, stderr io.Writer) ([]ethtest.Result, error) {
			tests, err := ethtest.ReadStateTestFile(path)
			if err != nil {
				return nil, err
			}
			o := opts
			o.RootLog = stderr
			if o.Trace != nil {
				o.Trace = stderr
			}
			return ethtest.RunStateTests(tests, o), nil
		}}
	return r.runAll(paths)
}
