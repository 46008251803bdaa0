package main

import (
	"bufio"
	"bytes"
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
	// runFile reads and runs one fixture file, writing its per-vector
	// stderr lines to stderr; an error means the file could not be read or
	// parsed.
	runFile func(path string, stderr io.Writer) ([]ethtest.Result, error)
	// jobs is how many files run at once (at least 1). Output stays in
	// input order whatever it is: each file's stderr lines are buffered
	// and written with its results.
	jobs int

	passed, failed int
	badInput       bool
}

// runAll runs paths, or the names on stdin when there are none, and
// returns the exit status: 0 all passed, 1 a result failed, 2 an input
// could not be read.
func (r *fixtureReporter) runAll(paths []string) int {
	jobs := max(r.jobs, 1)
	// Files flow in input order through a bounded queue; workers run them
	// concurrently and the loop below prints each one when its turn comes.
	queue := make(chan *fixtureJob, 2*jobs)
	work := make(chan *fixtureJob, 2*jobs)
	go func() {
		emit := func(path string, err error) {
			j := &fixtureJob{path: path, err: err, done: make(chan struct{})}
			queue <- j
			if err == nil {
				work <- j
			} else {
				close(j.done)
			}
		}
		if len(paths) == 0 {
			sc := bufio.NewScanner(os.Stdin)
			for sc.Scan() {
				if name := strings.TrimSpace(sc.Text()); name != "" {
					r.expand(name, emit)
				}
			}
		} else {
			for _, p := range paths {
				r.expand(p, emit)
			}
		}
		close(queue)
		close(work)
	}()
	for w := 0; w < jobs; w++ {
		go func() {
			for j := range work {
				var stderr io.Writer = &j.stderr
				if jobs == 1 {
					stderr = os.Stderr // stream (traces can be large)
				}
				j.results, j.err = r.runFile(j.path, stderr)
				close(j.done)
			}
		}()
	}
	for j := range queue {
		<-j.done
		os.Stderr.Write(j.stderr.Bytes())
		if j.err != nil {
			r.inputError(j.err)
			continue
		}
		r.report(j.results)
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

type fixtureJob struct {
	path    string
	results []ethtest.Result
	err     error
	stderr  bytes.Buffer
	done    chan struct{}
}

func (r *fixtureReporter) inputError(err error) {
	fmt.Fprintf(os.Stderr, "plasma %s: %v\n", r.command, err)
	r.badInput = true
}

// expand calls emit for path, or for every *.json file below it when it
// is a directory, in lexical order; unreadable paths are emitted with
// their error so that they are reported in order.
func (r *fixtureReporter) expand(path string, emit func(string, error)) {
	info, err := os.Stat(path)
	if err != nil {
		emit(path, err)
		return
	}
	if !info.IsDir() {
		emit(path, nil)
		return
	}
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".json") {
			emit(p, nil)
		}
		return nil
	})
	if err != nil {
		emit(path, err)
	}
}

func (r *fixtureReporter) report(results []ethtest.Result) {
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
