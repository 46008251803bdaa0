package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/plasmaxpl/engine/ethtest"
)

// fixtureReporter runs fixture files given as paths (files or directories
// walked for *.json), or named one per line on stdin, and prints
// go-ethereum's result format: one JSON array per file, or with human a
// line per result and a closing count. statetest and blocktest share it.
type fixtureReporter struct {
	command string // for error messages: "statetest", "blocktest"
	human   bool
	out     io.Writer
	// runFile reads and runs one fixture file; an error means the file
	// could not be read or parsed.
	runFile func(path string) ([]ethtest.Result, error)

	passed, failed int
	badInput       bool
}

// runAll runs paths, or the names on stdin when there are none, and
// returns the exit status: 0 all passed, 1 a result failed, 2 an input
// could not be read.
func (r *fixtureReporter) runAll(paths []string) int {
	if len(paths) == 0 {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			if name := strings.TrimSpace(sc.Text()); name != "" {
				r.runPath(name)
			}
		}
	} else {
		for _, p := range paths {
			r.runPath(p)
		}
	}
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

func (r *fixtureReporter) inputError(err error) {
	fmt.Fprintf(os.Stderr, "plasma %s: %v\n", r.command, err)
	r.badInput = true
}

func (r *fixtureReporter) runPath(path string) {
	info, err := os.Stat(path)
	if err != nil {
		r.inputError(err)
		return
	}
	if !info.IsDir() {
		r.report(path)
		return
	}
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".json") {
			r.report(p)
		}
		return nil
	})
	if err != nil {
		r.inputError(err)
	}
}

func (r *fixtureReporter) report(path string) {
	results, err := r.runFile(path)
	if err != nil {
		r.inputError(err)
		return
	}
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

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
