package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

var passRe = regexp.MustCompile(`"pass":\s*true`)

// benchStateTests times the state-test suite under the fixtures' statetests
// folder with our `plasma statetest` (built from this checkout) and
// go-ethereum's `evm statetest` (built from the go-ethereum version this
// module requires): the same file names fed on standard input to both, the
// JSON results read back to count passing vectors.
func benchStateTests(o *options) []Benchmark {
	tmp, err := os.MkdirTemp("", "plasma-bench-")
	if err != nil {
		return []Benchmark{{Name: "statetests", Error: err.Error()}}
	}
	defer os.RemoveAll(tmp)
	plasma, evmBin := filepath.Join(tmp, "plasma"), filepath.Join(tmp, "evm")
	build := func(dir string, args ...string) error {
		cmd := exec.Command("go", append([]string{"build"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := build(o.root, "-o", plasma, "./cmd/plasma"); err != nil {
		return []Benchmark{{Name: "statetests", Error: err.Error()}}
	}
	if err := build(filepath.Join(o.root, "bench", "geth"), "-o", evmBin, "github.com/ethereum/go-ethereum/cmd/evm"); err != nil {
		return []Benchmark{{Name: "statetests", Error: err.Error()}}
	}

	var files []string
	filepath.WalkDir(filepath.Join(o.fixtures, "statetests"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	subset := "all files"
	if o.quick {
		var some []string
		for i := 0; i < len(files); i += 20 {
			some = append(some, files[i])
		}
		files = some
		subset = "every 20th file"
	}
	list := []byte(strings.Join(files, "\n") + "\n")

	passes := map[string]int{}
	cpu := map[string][]time.Duration{}
	tool := func(name, bin string) impl {
		return impl{name: name, geth: name != "ours", run: func() (float64, time.Duration, error) {
			cmd := exec.Command(bin, "statetest")
			cmd.Stdin = bytes.NewReader(list)
			var out bytes.Buffer
			cmd.Stdout = &out
			start := time.Now()
			err := cmd.Run()
			el := time.Since(start)
			if cmd.ProcessState == nil {
				return 0, 0, err
			}
			// A non-zero exit only means some vectors failed; that is
			// counted below, not treated as a broken run.
			passes[name] = len(passRe.FindAllIndex(out.Bytes(), -1))
			cpu[name] = append(cpu[name], cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
			return float64(len(files)), el, nil
		}}
	}
	impls := []impl{tool("ours", plasma), tool("go-ethereum evm", evmBin)}
	rounds := o.rounds
	if rounds > 3 {
		rounds = 3
	}
	wall := runAlternating(fmt.Sprintf("state tests, %d files (wall)", len(files)), "files/s", 1, rounds, impls)
	wall.Note = fmt.Sprintf("%s under statetests/, names on stdin; passing vectors: ours %d, go-ethereum %d", subset, passes["ours"], passes["go-ethereum evm"])
	o.logBench(wall)

	// The same runs measured in CPU time (user+system of the child), which
	// the other users of a shared machine disturb less than wall time.
	cpuB := Benchmark{Name: fmt.Sprintf("state tests, %d files (CPU time)", len(files)), Unit: "files/CPU-s", Rounds: rounds, Note: "user+system time of the same runs"}
	for _, s := range wall.Series {
		c := cpu[s.Impl]
		if len(c) > rounds {
			c = c[len(c)-rounds:] // drop the warm-up run
		}
		ns := Series{Impl: s.Impl, Geth: s.Geth}
		for r, d := range c {
			ns.Samples = append(ns.Samples, Sample{Round: r, Work: float64(len(files)), Seconds: d.Seconds(), Throughput: float64(len(files)) / d.Seconds()})
		}
		cpuB.Series = append(cpuB.Series, ns)
	}
	cpuB.finish()
	o.logBench(cpuB)
	return []Benchmark{wall, cpuB}
}
