package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes where a run happened.
type Machine struct {
	CPU       string  `json:"cpu"`
	Cores     int     `json:"cores"`
	MemoryGiB float64 `json:"memory_gib"`
	GoVersion string  `json:"go_version"`
	OS        string  `json:"os"`
}

// Run is one invocation of the comparison: what BENCHMARKS.md and the JSON
// under bench/results are made from.
type Run struct {
	Machine  Machine   `json:"machine"`
	Commit   string    `json:"commit"`
	Dirty    bool      `json:"dirty"`
	Command  string    `json:"command"`
	Quick    bool      `json:"quick"`
	Rounds   int       `json:"rounds"`
	Started  string    `json:"started"`
	Finished string    `json:"finished"`
	Sections []Section `json:"sections"`
}

// Section is one group of benchmarks (one table in BENCHMARKS.md).
type Section struct {
	Key        string      `json:"key"`
	Title      string      `json:"title"`
	Seconds    float64     `json:"seconds"`
	Benchmarks []Benchmark `json:"benchmarks"`
	// Origin is the run the numbers come from: the run that wrote the file,
	// or an earlier one for a section kept by a run with --only.
	Origin *Origin `json:"origin,omitempty"`
}

// Origin identifies the run a section was measured in.
type Origin struct {
	Command  string `json:"command"`
	Commit   string `json:"commit"`
	Dirty    bool   `json:"dirty"`
	Quick    bool   `json:"quick"`
	Rounds   int    `json:"rounds"`
	Started  string `json:"started"`
	Finished string `json:"finished"`
}

func (r *Run) origin() *Origin {
	return &Origin{Command: r.Command, Commit: r.Commit, Dirty: r.Dirty, Quick: r.Quick, Rounds: r.Rounds, Started: r.Started, Finished: r.Finished}
}

func machineInfo() Machine {
	m := Machine{Cores: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) >= 2 && fields[0] == "MemTotal:" {
				kb, _ := strconv.ParseFloat(fields[1], 64)
				m.MemoryGiB = float64(int(kb/1024/1024*10+0.5)) / 10
			}
		}
		f.Close()
	}
	return m
}

// repoRoot finds the engine's repository root: the parent folder holding
// the engine's go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && strings.HasPrefix(string(b), "module github.com/plasmaxpl/engine\n") {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", os.ErrNotExist
		}
	}
}

func gitCommit(root string) (string, bool) {
	out, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		return "unknown", false
	}
	st, _ := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output()
	return strings.TrimSpace(string(out)), len(strings.TrimSpace(string(st))) > 0
}
