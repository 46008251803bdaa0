package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

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
	}
	r := &stateReporter{human: *human, out: os.Stdout}
	if len(paths) == 0 {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			if name := strings.TrimSpace(sc.Text()); name != "" {
				r.runPath(name, opts)
			}
		}
	} else {
		for _, p := range paths {
			r.runPath(p, opts)
		}
	}
	return r.finish()
}

type stateReporter struct {
	human          bool
	out            io.Writer
	passed, failed int
	badInput       bool
}

func (r *stateReporter) runPath(path string, opts ethtest.StateTestOptions) {
	info, err := os.Stat(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "plasma statetest: %v\n", err)
		r.badInput = true
		return
	}
	if !info.IsDir() {
		r.runFile(path, opts)
		return
	}
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".json") {
			r.runFile(p, opts)
		}
		return nil
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "plasma statetest: %v\n", err)
		r.badInput = true
	}
}

func (r *stateReporter) runFile(path string, opts ethtest.StateTestOptions) {
	tests, err := ethtest.ReadStateTestFile(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "plasma statetest: %v\n", err)
		r.badInput = true
		return
	}
	results := ethtest.RunStateTests(tests, opts)
	for _, res := range results {
		if res.Pass {
			r.passed++
		} else {
			r.failed++
		}
	}
	if r.human {
		for _, res := range results {
			status := "PASS"
			if !res.Pass {
				status = "FAIL"
			}
			fmt.Fprintf(r.out, "[%s] %s (%s)", status, res.Name, res.Fork)
			if res.Error != "" {
				fmt.Fprintf(r.out, ": %s", firstLine(res.Error))
			}
			fmt.Fprintln(r.out)
		}
		return
	}
	if results == nil {
		results = []ethtest.Result{}
	}
	b, _ := json.MarshalIndent(results, "", "  ")
	fmt.Fprintln(r.out, string(b))
}

func (r *stateReporter) finish() int {
	if r.human {
		fmt.Fprintf(r.out, "--\n%d tests passed, %d tests failed.\n", r.passed, r.failed)
	}
	switch {
	case r.badInput:
		return 2
	case r.failed > 0:
		return 1
	}
	return 0
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
