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
	register("blocktest", "run Ethereum BlockchainTests (files, directories, or names on stdin)", runBlockTest)
}

func runBlockTest(args []string) int {
	fs := flag.NewFlagSet("blocktest", flag.ContinueOnError)
	run := fs.String("run", "", "run only tests whose name matches this regular expression")
	fork := fs.String("fork", "", "run only tests of this network (e.g. Cancun, CancunToPragueAtTime15k)")
	trace := fs.Bool("trace", false, "write EIP-3155 JSON trace lines of every transaction to stderr")
	human := fs.Bool("human", false, "print a readable summary instead of JSON")
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
	}
	r := &blockReporter{human: *human, out: os.Stdout}
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

type blockReporter struct {
	human          bool
	out            io.Writer
	passed, failed int
	badInput       bool
}

func (r *blockReporter) runPath(path string, opts ethtest.BlockTestOptions) {
	info, err := os.Stat(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "plasma blocktest: %v\n", err)
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
		fmt.Fprintf(os.Stderr, "plasma blocktest: %v\n", err)
		r.badInput = true
	}
}

func (r *blockReporter) runFile(path string, opts ethtest.BlockTestOptions) {
	tests, err := ethtest.ReadBlockTestFile(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "plasma blocktest: %v\n", err)
		r.badInput = true
		return
	}
	results := ethtest.RunBlockTests(tests, opts)
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

func (r *blockReporter) finish() int {
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
