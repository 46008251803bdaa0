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
	"github.com/plasmaxpl/engine/statedb/persist"
)

func init() {
	register("replay", "re-execute stored mainnet blocks offline and check them against their headers", runReplay)
}

func runReplay(args []string) int {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	codeFile := fs.String("code", "", "code map {hash: code} (.json or .json.gz); default: "+ethtest.CodeFileNames[0]+" found beside or above each block")
	workers := fs.Int("workers", 1, "transactions executed concurrently per block (1: sequential)")
	trace := fs.Bool("trace", false, "write EIP-3155 JSON trace lines of every transaction to stderr")
	dbDir := fs.String("db", "", "state database directory (created when absent): persist each executed block and resume after its head")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, replayUsage)
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
	var db *persist.DB
	if *dbDir != "" {
		if db, err = persist.Open(*dbDir, nil); err != nil {
			fmt.Fprintf(os.Stderr, "plasma replay: --db: %v\n", err)
			return 2
		}
		defer db.Close()
	}
	opts := ethtest.ReplayOptions{Workers: *workers}
	if *trace {
		opts.Tracer = evm.NewJSONTracer(os.Stderr)
	}
	bar := newProgress(os.Stderr, len(blocks))
	enc := json.NewEncoder(os.Stdout)
	var sum ethtest.ReplaySummary
	var dbErr error
	for _, dir := range blocks {
		bar.start(dir)
		var res *ethtest.ReplayResult
		b, err := ethtest.LoadMainnetBlock(dir, code)
		switch {
		case err != nil:
			res = &ethtest.ReplayResult{Error: err.Error(), Notes: []string{"block not loaded: " + dir}}
			if n, ok := blockNumberOfDir(dir); ok {
				res.Block = n
			}
		case db != nil:
			res, dbErr = ethtest.ReplayInto(db, b, opts)
			if dbErr != nil {
				res.OK = false
				res.Error = strings.TrimPrefix(res.Error+"; ", "; ") + "database: " + dbErr.Error()
			}
		default:
			res = ethtest.ReplayBlock(b, opts)
		}
		sum.Add(res)
		bar.done(res.OK || res.Skipped != "")
		if res.Skipped != "" {
			enc.Encode(skippedLine{Block: res.Block, Skipped: res.Skipped})
		} else {
			enc.Encode(res)
		}
		if dbErr != nil {
			break
		}
	}
	bar.finish()
	enc.Encode(map[string]any{"summary": sum})
	if db != nil {
		if h, ok := db.Head(); ok {
			fmt.Fprintf(os.Stderr, "database %s: head block %d, state root %v\n", *dbDir, h.Number, h.Root)
		}
	}
	if dbErr != nil {
		fmt.Fprintf(os.Stderr, "plasma replay: stopped: %v\n", dbErr)
		return 1
	}
	if sum.Failed > 0 {
		return 1
	}
	return 0
}

// skippedLine is the line of a block replay --db did not execute.
type skippedLine struct {
	Block   uint64 `json:"block"`
	Skipped string `json:"skipped"`
}

const replayUsage = `usage: plasma replay [flags] DIR...

Each DIR is a block directory (block.json, pre_state.json[, txs.json]) or a
directory holding them; blocks run in that order (by number within a
directory). One JSON line per block on stdout:
  {"block","txs","gasUsed","ok","gasUsedOk","receiptsRootOk","logsBloomOk","error","ms","mgasPerSec"[,"notes"]}
A check that cannot apply to a block is null, with the reason in "notes".
The last line is a summary {"summary": {...}}. A progress bar goes to
stderr when it is a terminal.

With --db DIR the blocks run against a state database (created when DIR
is absent or empty) and each is committed to it, one synced batch per
block, so an interrupted replay resumes where it stopped:
  - a block at or below the database's head is not executed; its line is
    {"block", "skipped": "already in the database at root 0x…"} (or "…
    (head block H)" once its root is no longer retained) and the summary
    counts it under "skipped"; blocks must come in increasing order;
  - a fixture block holds only the part of its parent's state it reads, so
    that read set is written into the database first: committed as block
    N-1 in place of the whole state when the head is below N-1, or written
    over the head's state when the head is N-1 (consecutive blocks chain).
    Every value the block reads is therefore the same as without --db, and
    so is its line, apart from the timings ("ms", "mgasPerSec", and
    "seedMs" and "commitMs": the two commits' time);
  - a block is committed only when it executed and every check held.
After the summary, stderr names the database's head block and root (for
plasma proof --db and plasma verify --db).

Exit status: 0 every block ok or skipped, 1 some block failed (or the
database failed: the replay stops there), 2 bad usage or a --db that is
not a state database.

flags:`

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
