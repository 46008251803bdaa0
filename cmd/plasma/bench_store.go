package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"text/tabwriter"

	"github.com/plasmaxpl/engine/ethtest"
	"github.com/plasmaxpl/engine/statedb/persist"
)

func init() {
	registerBench("store", "time spent in the state database: mainnet blocks replayed in memory and into pebble", runBenchStore)
}

const benchStoreUsage = `usage: plasma bench store [--rounds N] [--workers N] [--dir TMP] [--json] [DIR...]

Replays the mainnet fixture blocks (or the block directories DIR...) twice
per round, as plasma replay does:

  memory  each block on an in-memory copy of its pre-state (no database);
  pebble  each block against a new state database in TMP, as plasma
          replay --db: the block's read set is committed as its parent,
          the block executes reading the database, and its post-state is
          committed (each commit one synced pebble batch).

and prints, per mode, the median round's totals: execution time (the
block's ExecuteBlock, state reads from the store included), the time of
the pre-state commits ("seed") and of the block commits, the ratio of
block commit time to execution time, the execution slowdown against
memory, throughput of execution alone and of execution plus block commit,
and the database's size on disk. Block loading is not timed. --json prints
one object per mode instead of the table. Every block must pass its
checks (exit 1 otherwise).

flags:`

// storeBenchResult is one mode's median round.
type storeBenchResult struct {
	Mode     string  `json:"mode"`
	Blocks   int     `json:"blocks"`
	Txs      int     `json:"txs"`
	GasUsed  uint64  `json:"gasUsed"`
	Rounds   int     `json:"rounds"`
	ExecMs   float64 `json:"execMs"`
	SeedMs   float64 `json:"seedMs"`
	CommitMs float64 `json:"commitMs"`
	// CommitPerExec is CommitMs / ExecMs.
	CommitPerExec float64 `json:"commitPerExec"`
	// ExecSlowdown is ExecMs over the memory mode's ExecMs.
	ExecSlowdown float64 `json:"execSlowdown"`
	// MGasPerSec counts execution only; MGasPerSecCommitted execution and
	// block commits.
	MGasPerSec          float64 `json:"mgasPerSec"`
	MGasPerSecCommitted float64 `json:"mgasPerSecCommitted"`
	CommitMsPerBlock    float64 `json:"commitMsPerBlock"`
	DBBytes             int64   `json:"dbBytes"`
}

func runBenchStore(args []string) int {
	fs := flag.NewFlagSet("bench store", flag.ContinueOnError)
	rounds := fs.Int("rounds", 3, "rounds; the median round (by execution plus block-commit time) is printed")
	workers := fs.Int("workers", 1, "transactions executed concurrently per block (1: sequential)")
	tmp := fs.String("dir", "", "where the databases are created (default: the system's temporary directory); its disk decides the sync cost")
	asJSON := fs.Bool("json", false, "print one JSON object per mode")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, benchStoreUsage)
		fs.PrintDefaults()
	}
	dirs, err := parseInterleaved(fs, args)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *rounds < 1 || *workers < 1 {
		fmt.Fprintln(os.Stderr, "plasma bench store: --rounds and --workers must be at least 1")
		return 2
	}
	if len(dirs) == 0 {
		fx := ethtest.FixturesDir()
		if fx == "" {
			fmt.Fprintln(os.Stderr, "plasma bench store: no fixtures found (set PLASMA_FIXTURES or name block directories)")
			return 2
		}
		dirs = []string{filepath.Join(fx, "mainnet", "ethereum", "blocks")}
	}
	blockDirs, err := ethtest.FindBlockDirs(dirs...)
	if err != nil {
		fmt.Fprintf(os.Stderr, "plasma bench store: %v\n", err)
		return 2
	}
	var blocks []*ethtest.MainnetBlock
	for _, d := range blockDirs {
		b, err := ethtest.LoadMainnetBlock(d, nil)
		if err != nil {
			fmt.Fprintf(os.Stderr, "plasma bench store: %v\n", err)
			return 1
		}
		blocks = append(blocks, b)
	}
	opts := ethtest.ReplayOptions{Workers: *workers}
	var mem, disk []storeBenchResult
	for range *rounds {
		m, err := storeRoundMemory(blocks, opts)
		if err != nil {
			fmt.Fprintf(os.Stderr, "plasma bench store: %v\n", err)
			return 1
		}
		d, err := storeRoundPebble(blocks, opts, *tmp)
		if err != nil {
			fmt.Fprintf(os.Stderr, "plasma bench store: %v\n", err)
			return 1
		}
		mem, disk = append(mem, m), append(disk, d)
	}
	results := []storeBenchResult{medianRound(mem), medianRound(disk)}
	for i := range results {
		r := &results[i]
		r.Rounds = *rounds
		if r.ExecMs > 0 {
			r.CommitPerExec = r.CommitMs / r.ExecMs
			r.MGasPerSec = float64(r.GasUsed) / r.ExecMs / 1e3
			r.ExecSlowdown = r.ExecMs / results[0].ExecMs
		}
		if r.ExecMs+r.CommitMs > 0 {
			r.MGasPerSecCommitted = float64(r.GasUsed) / (r.ExecMs + r.CommitMs) / 1e3
		}
		if r.Blocks > 0 {
			r.CommitMsPerBlock = r.CommitMs / float64(r.Blocks)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		for _, r := range results {
			enc.Encode(r)
		}
		return 0
	}
	printStoreTable(os.Stdout, results)
	return 0
}

// storeRoundMemory replays every block on its own in-memory pre-state.
func storeRoundMemory(blocks []*ethtest.MainnetBlock, opts ethtest.ReplayOptions) (storeBenchResult, error) {
	r := storeBenchResult{Mode: "memory"}
	for _, b := range blocks {
		res := ethtest.ReplayBlock(b, opts)
		if !res.OK {
			return r, fmt.Errorf("block %d: %s", res.Block, res.Error)
		}
		r.add(res)
	}
	return r, nil
}

// storeRoundPebble replays every block into a new database under tmp.
func storeRoundPebble(blocks []*ethtest.MainnetBlock, opts ethtest.ReplayOptions, tmp string) (r storeBenchResult, err error) {
	r.Mode = "pebble"
	dir, err := os.MkdirTemp(tmp, "plasma-bench-store-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	db, err := persist.Open(dir, nil)
	if err != nil {
		return r, err
	}
	for _, b := range blocks {
		res, err := ethtest.ReplayInto(db, b, opts)
		if err == nil && !res.OK {
			err = fmt.Errorf("block %d: %s", res.Block, res.Error)
		}
		if err == nil && res.Skipped != "" {
			err = fmt.Errorf("block %d: %s (blocks must be in increasing order)", res.Block, res.Skipped)
		}
		if err != nil {
			db.Close()
			return r, err
		}
		r.add(res)
	}
	if err := db.Close(); err != nil {
		return r, err
	}
	r.DBBytes = dirSize(dir)
	return r, nil
}

func (r *storeBenchResult) add(res *ethtest.ReplayResult) {
	r.Blocks++
	r.Txs += res.Txs
	r.GasUsed += res.GasUsed
	r.ExecMs += res.Ms
	r.SeedMs += res.SeedMs
	r.CommitMs += res.CommitMs
}

// medianRound returns the round whose execution plus block-commit time is the
// median.
func medianRound(rs []storeBenchResult) storeBenchResult {
	s := append([]storeBenchResult(nil), rs...)
	sort.Slice(s, func(i, j int) bool { return s[i].ExecMs+s[i].CommitMs < s[j].ExecMs+s[j].CommitMs })
	return s[len(s)/2]
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

func printStoreTable(w io.Writer, results []storeBenchResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "mode\tblocks\ttxs\tMgas\texec ms\tseed ms\tcommit ms\tcommit/exec\texec slowdown\tMgas/s exec\tMgas/s +commit\tcommit ms/block\tdb MiB\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.2f\t%.2fx\t%.1f\t%.1f\t%.2f\t%.1f\t\n", r.Mode, r.Blocks, r.Txs, float64(r.GasUsed)/1e6,
			r.ExecMs, r.SeedMs, r.CommitMs, r.CommitPerExec, r.ExecSlowdown, r.MGasPerSec, r.MGasPerSecCommitted, r.CommitMsPerBlock, float64(r.DBBytes)/(1<<20))
	}
	tw.Flush()
	fmt.Fprintf(w, "median of %d rounds; commits are synced pebble batches\n", results[0].Rounds)
}
