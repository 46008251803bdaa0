package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/plasmaxpl/engine/ethtest"
	"github.com/plasmaxpl/engine/evm"
)

func init() {
	register("replay", "re-execute stored mainnet blocks offline and check them against their headers", runReplay)
}

func runReplay(args []string) int {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	codeFile := fs.String("code", "", "code map {hash: code} (.json or .json.gz); default: "+ethtest.CodeFileNames[0]+" found beside or above each block")
	workers := fs.Int("workers", 1, "transactions executed concurrently per block (1: sequential)")
	trace := fs.Bool("trace", false, "write EIP-3155 JSON trace lines of every transaction to stderr")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, `usage: plasma replay [flags] DIR...

Each DIR is a block directory (block.json, pre_state.json[, txs.json]) or a
directory holding them. One JSON line per block on stdout:
  {"block","txs","gasUsed","ok","gasUsedOk","receiptsRootOk","logsBloomOk","error","ms","mgasPerSec"[,"notes"]}
A check that cannot apply to a block is null, with the reason in "notes".
The last line is a summary {"summary": {...}}. A progress bar goes to
stderr when it is a terminal.
Exit status: 0 every block ok, 1 some block failed, 2 bad usage.

flags:`)
		fs.PrintDefaults()
	}
	dirs, err := parseInterleaved(fs, args)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if len(dirs) == 0 {
		fs.Usage()
		return 2
	}
	var code ethtest.CodeSource
	if *codeFile != "" {
		m, err := ethtest.LoadCodeFile(*codeFile)
		if err != nil {
			fmt.Fprintf(os.Stderr, "plasma replay: %v\n", err)
			return 2
		}
		code = m
	}
	blocks, err := ethtest.FindBlockDirs(dirs...)
	if err != nil {
		fmt.Fprintf(os.Stderr, "plasma replay: %v\n", err)
		return 2
	}
	opts := ethtest.ReplayOptions{Workers: *workers}
	if *trace {
		opts.Tracer = evm.NewJSONTracer(os.Stderr)
	}
	bar := newProgress(os.Stderr, len(blocks))
	enc := json.NewEncoder(os.Stdout)
	var sum ethtest.ReplaySummary
	for _, dir := range blocks {
		bar.start(dir)
		var res *ethtest.ReplayResult
		b, err := ethtest.LoadMainnetBlock(dir, code)
		if err != nil {
			res = &ethtest.ReplayResult{Error: err.Error(), Notes: []string{"block not loaded: " + dir}}
			if n, ok := blockNumberOfDir(dir); ok {
				res.Block = n
			}
		} else {
			res = ethtest.ReplayBlock(b, opts)
		}
		sum.Add(res)
		bar.done(res.OK)
		enc.Encode(res)
	}
	bar.finish()
	enc.Encode(map[string]any{"summary": sum})
	if sum.Failed > 0 {
		return 1
	}
	return 0
}

// blockNumberOfDir reads a block number from a directory named for it.
func blockNumberOfDir(dir string) (uint64, bool) {
	var n uint64
	_, err := fmt.Sscanf(filepath.Base(dir), "%d", &n)
	return n, err == nil
}

// progress draws a one-line progress bar on a terminal, and nothing
// otherwise (so redirected output stays clean).
type progress struct {
	w            io.Writer
	on           bool
	total, n, ok int
}

func newProgress(f *os.File, total int) *progress {
	st, err := f.Stat()
	return &progress{w: f, on: err == nil && st.Mode()&os.ModeCharDevice != 0, total: total}
}

func (p *progress) draw(label string) {
	if !p.on {
		return
	}
	const width = 30
	filled := width * p.n / max(p.total, 1)
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d ok %d %-20.20s", strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.n, p.total, p.ok, label)
}

func (p *progress) start(dir string) { p.draw(filepath.Base(dir)) }

func (p *progress) done(ok bool) {
	p.n++
	if ok {
		p.ok++
	}
	p.draw("")
}

func (p *progress) finish() {
	if p.on {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", 80))
	}
}
