package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/plasmaxpl/engine/ethtest"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/statedb/persist"
	"github.com/plasmaxpl/engine/types"
	"github.com/plasmaxpl/engine/verify"
)

func init() {
	register("verify", "re-execute a batch of blocks and check its claimed state roots (fraud-proof check)", runVerify)
}

const verifyUsage = `usage: plasma verify [--db DIR [--commit] | --pre FILE] [--root HASH] BATCH.json

Re-executes the blocks of BATCH.json from a pre-state and checks the claimed
state roots. The batch is a JSON object:

  {
    "network":   "Prague",             fork name or transition ("CancunToPragueAtTime15k")
    "chainId":   1,                     default 1
    "pre":       {alloc},               pre-state, unless --db or --pre gives one
    "blocks":    ["0x<block RLP>", ...], in order; each header's stateRoot is the
                                        claimed root after that block
    "txRoots":   [["0x<root>", ...], ...], optional: per block, the claimed root after
                                        each transaction (finds the first bad transaction)
    "postState": {alloc},               optional: the claimed state after the last block
                                        (lists differing accounts and slots with proofs)
    "blockHashes": {"<number>": "0x<hash>"}  optional: BLOCKHASH answers before the batch
  }

With --db DIR --commit the resulting state is committed to DIR as the last
block when every claim holds; a new DIR first gets the pre-state (from
--pre or the batch) as the block before the first.

An alloc is {"0xaddress": {"balance", "nonce", "code", "storage": {"0xslot": "0xvalue"}}},
as in state tests, blockchain tests and t8n. The pre-state comes from, in
order: --db (the database's head state, read lazily), --pre (an alloc JSON
file, or a mainnet fixture block directory / its pre_state.json), the
batch's "pre".

Prints a JSON result on stdout ({"ok", "divergence": {"block", "number",
"tx", "root", "claimedRoot", "invalid"}, "accounts": [{"address", "slots",
"ours", "claimed"}], "txRoots", ...}; "ours" and "claimed" are eth_getProof
proofs under our root and the claimed root) and one summary line on stderr.
Exit status: 0 every claim holds, 1 a claim is false, 2 bad usage or input.

flags:`

func runVerify(args []string) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	dbDir := fs.String("db", "", "state database whose head is the pre-state")
	commit := fs.Bool("commit", false, "with --db: commit the resulting state as the last block when every claim holds")
	preFile := fs.String("pre", "", "pre-state alloc JSON file, or a mainnet fixture block directory")
	rootFlag := fs.String("root", "", "claimed final state root (default: the last block header's stateRoot)")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, verifyUsage)
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if len(pos) != 1 || (*commit && *dbDir == "") {
		fs.Usage()
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(os.Stderr, "plasma verify: "+format+"\n", a...)
		return 2
	}
	batch, err := verify.ReadBatch(pos[0])
	if err != nil {
		return fail("%v", err)
	}
	var opts verify.Options
	if *rootFlag != "" {
		r, err := types.ParseHashExact(*rootFlag)
		if err != nil {
			return fail("bad --root: %v", err)
		}
		opts.ClaimedRoot = &r
	}
	var (
		pre *statedb.StateDB
		db  *persist.DB
	)
	if *dbDir != "" {
		if db, err = persist.Open(*dbDir, &persist.Options{MustExist: !*commit}); err != nil {
			return fail("%v", err)
		}
		defer db.Close()
	}
	hasHead := false
	if db != nil {
		_, hasHead = db.Head()
	}
	switch {
	case hasHead && *preFile == "":
		pre = db.State()
	case *preFile != "":
		if pre, err = loadPre(*preFile); err != nil {
			return fail("%v", err)
		}
	case batch.Pre != nil:
		pre = batch.Pre.State()
	default:
		return fail("no pre-state: give --db, --pre or a \"pre\" alloc in the batch")
	}
	if db != nil && !hasHead && !*commit {
		// Without --commit nothing is written: verify against the given
		// pre-state and leave the empty database as it is.
		db = nil
	}
	if db != nil && !hasHead {
		// A new database: the pre-state becomes the block before the batch.
		first, err := types.DecodeBlock(batch.Blocks[0])
		if err != nil || first.Number() == 0 {
			return fail("cannot number the pre-state of a new database: first block %v", err)
		}
		if _, err := db.Commit(first.Number()-1, pre); err != nil {
			return fail("committing the pre-state: %v", err)
		}
		pre = db.State()
	} else if db != nil && *preFile != "" {
		return fail("--pre with --db is for a new database; %s already has a head", *dbDir)
	}
	res, err := verify.Run(batch, pre, opts)
	if err != nil {
		return fail("%v", err)
	}
	out, _ := json.MarshalIndent(res, "", "  ")
	fmt.Println(string(out))
	if !res.OK {
		d := res.Divergence
		switch {
		case d != nil && d.Invalid != "":
			fmt.Fprintf(os.Stderr, "diverges: block %d (number %d) is invalid at transaction %d: %s\n", d.Block, d.Number, d.Tx, d.Invalid)
		case d != nil && d.Tx >= 0:
			fmt.Fprintf(os.Stderr, "diverges: block %d (number %d) after transaction %d: root %v, claimed %v\n", d.Block, d.Number, d.Tx, d.Root, d.ClaimedRoot)
		case d != nil:
			fmt.Fprintf(os.Stderr, "diverges: block %d (number %d): root %v, claimed %v\n", d.Block, d.Number, d.Root, d.ClaimedRoot)
		default:
			fmt.Fprintf(os.Stderr, "diverges: the claimed post-state (root %v) is not the claimed root %v\n", res.PostStateRoot, res.ClaimedRoot)
		}
		if len(res.Accounts) > 0 {
			fmt.Fprintf(os.Stderr, "%d accounts differ from the claimed post-state (proofs in the result)\n", len(res.Accounts))
		}
		return 1
	}
	fmt.Fprintf(os.Stderr, "ok: %d blocks, %d transactions, root %v\n", res.Blocks, res.Txs, res.Root)
	if *commit {
		raw := batch.Blocks[len(batch.Blocks)-1]
		blk, err := types.DecodeBlock(raw)
		if err != nil {
			return fail("%v", err)
		}
		if _, err := db.Commit(blk.Number(), pre); err != nil {
			return fail("committing: %v", err)
		}
	}
	return 0
}

// loadPre reads an alloc JSON file, or a mainnet fixture block (a directory
// holding pre_state.json, or that file itself).
func loadPre(path string) (*statedb.StateDB, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() || filepath.Base(path) == "pre_state.json" {
		dir := path
		if !st.IsDir() {
			dir = filepath.Dir(path)
		}
		b, err := ethtest.LoadMainnetBlock(dir, nil)
		if err != nil {
			return nil, err
		}
		return b.NewState(), nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var a verify.Alloc
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a.State(), nil
}
