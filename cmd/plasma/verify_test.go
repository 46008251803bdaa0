package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/plasmaxpl/engine/ethtest"
	"github.com/plasmaxpl/engine/statedb/persist"
	"github.com/plasmaxpl/engine/statedb/proof"
	"github.com/plasmaxpl/engine/types"
	"github.com/plasmaxpl/engine/verify"
)

// verifyCase is a blockchain test whose blocks are all valid and carry
// transactions, with its post-state: a batch whose claims are true.
type verifyCase struct {
	name      string
	network   string
	pre, post json.RawMessage
	blocks    []proof.Bytes
	genesis   types.Hash
	lastRoot  types.Hash
	lastNum   uint64
}

func loadVerifyCase(t *testing.T) *verifyCase {
	t.Helper()
	fx := ethtest.FixturesDir()
	if fx == "" {
		t.Skip("no ../shared/fixtures beside the module: verify CLI tests skipped")
	}
	dir := filepath.Join(fx, "blocktests", "execution-spec-tests", "blockchain_tests", "prague", "eip7702_set_code_tx")
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var tests map[string]struct {
			Network string          `json:"network"`
			Pre     json.RawMessage `json:"pre"`
			Post    json.RawMessage `json:"postState"`
			Blocks  []struct {
				RLP             proof.Bytes `json:"rlp"`
				ExpectException string      `json:"expectException"`
			} `json:"blocks"`
			Genesis struct {
				Hash types.Hash `json:"hash"`
			} `json:"genesisBlockHeader"`
		}
		if err := json.Unmarshal(raw, &tests); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		names := make([]string, 0, len(tests))
		for n := range tests {
			names = append(names, n)
		}
		sort.Strings(names)
	next:
		for _, n := range names {
			tc := tests[n]
			if len(tc.Post) == 0 || len(tc.Blocks) == 0 {
				continue
			}
			c := &verifyCase{name: n, network: tc.Network, pre: tc.Pre, post: tc.Post, genesis: tc.Genesis.Hash}
			txs := 0
			for _, b := range tc.Blocks {
				if b.ExpectException != "" {
					continue next
				}
				blk, err := types.DecodeBlock(b.RLP)
				if err != nil {
					continue next
				}
				txs += len(blk.Transactions)
				c.blocks = append(c.blocks, b.RLP)
				c.lastRoot, c.lastNum = blk.Header.Root, blk.Number()
			}
			if txs > 0 {
				return c
			}
		}
	}
	t.Skip("no usable blockchain test under " + dir)
	return nil
}

// writeBatch writes a batch file; fields set to nil are left out.
func (c *verifyCase) writeBatch(t *testing.T, dir string, withPre bool, post json.RawMessage, blocks []proof.Bytes) string {
	t.Helper()
	b := map[string]any{
		"network":     c.network,
		"blocks":      blocks,
		"blockHashes": map[string]types.Hash{"0": c.genesis},
	}
	if withPre {
		b["pre"] = c.pre
	}
	if post != nil {
		b["postState"] = post
	}
	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.CreateTemp(dir, "batch-*.json")
	if err != nil {
		t.Fatal(err)
	}
	f.Write(raw)
	f.Close()
	return f.Name()
}

func decodeVerifyResult(t *testing.T, out string) *verify.Result {
	t.Helper()
	var r verify.Result
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("stdout is not a verify result: %v\n%s", err, out)
	}
	return &r
}

// TestVerifyCLI: a true batch passes (exit 0); a false root, a forged
// header root and a forged post-state are each reported with exit 1 and
// with proofs that verify; --db --commit persists the verified state, whose
// proofs (by plasma proof) show the batch's post-state.
func TestVerifyCLI(t *testing.T) {
	c := loadVerifyCase(t)
	tmp := t.TempDir()
	batch := c.writeBatch(t, tmp, true, nil, c.blocks)

	code, out, stderr := runCLI(t, "verify", batch)
	res := decodeVerifyResult(t, out)
	if code != 0 || !res.OK || res.Root != c.lastRoot || res.Blocks != len(c.blocks) || len(res.TxRoots) != len(c.blocks) || !strings.HasPrefix(stderr, "ok: ") {
		t.Fatalf("%s: true batch: exit %d, ok %v, root %v (want %v), stderr %q", c.name, code, res.OK, res.Root, c.lastRoot, stderr)
	}

	// The same with the post-state claimed too.
	code, out, _ = runCLI(t, "verify", c.writeBatch(t, tmp, true, c.post, c.blocks))
	if res := decodeVerifyResult(t, out); code != 0 || !res.OK || res.PostStateRoot == nil || *res.PostStateRoot != c.lastRoot {
		t.Fatalf("true batch with postState: exit %d, %+v", code, res)
	}

	// --root claims another final root.
	wrong := c.lastRoot
	wrong[31] ^= 1
	code, out, stderr = runCLI(t, "verify", "--root", wrong.Hex(), batch)
	res = decodeVerifyResult(t, out)
	if code != 1 || res.OK || res.Divergence == nil || res.Divergence.Block != len(c.blocks)-1 || res.Divergence.ClaimedRoot != wrong || !strings.HasPrefix(stderr, "diverges: ") {
		t.Fatalf("false --root: exit %d, %+v, stderr %q", code, res.Divergence, stderr)
	}

	// The last header claims another state root (its RLP altered there).
	forgedBlocks := append([]proof.Bytes(nil), c.blocks...)
	last := bytes.Clone(forgedBlocks[len(forgedBlocks)-1])
	i := bytes.Index(last, c.lastRoot[:])
	if i < 0 {
		t.Fatal("state root not found in the last block's RLP")
	}
	last[i+31] ^= 1
	forgedBlocks[len(forgedBlocks)-1] = last
	code, out, stderr = runCLI(t, "verify", c.writeBatch(t, tmp, true, nil, forgedBlocks))
	res = decodeVerifyResult(t, out)
	if code != 1 || res.OK || res.Divergence == nil || res.Divergence.Block != len(c.blocks)-1 || res.Divergence.Root != c.lastRoot || res.Divergence.ClaimedRoot != wrong {
		t.Fatalf("forged header root: exit %d, %+v, stderr %q", code, res.Divergence, stderr)
	}

	// A forged post-state: one account's balance raised by one wei, the
	// claimed root being that state's.
	var post map[string]map[string]any
	if err := json.Unmarshal(c.post, &post); err != nil {
		t.Fatal(err)
	}
	var victim string
	for a := range post {
		if a > victim {
			victim = a
		}
	}
	var trueAlloc verify.Alloc
	if err := json.Unmarshal(c.post, &trueAlloc); err != nil {
		t.Fatal(err)
	}
	victimAddr, err := types.ParseAddress(victim)
	if err != nil {
		t.Fatal(err)
	}
	trueBal := trueAlloc[victimAddr].Balance
	var raised types.Hash
	{
		v := trueBal
		v.AddUint64(&v, 1)
		post[victim]["balance"] = v.Hex()
		raised = v.Bytes32()
	}
	forgedPost, _ := json.Marshal(post)
	var forgedAlloc verify.Alloc
	if err := json.Unmarshal(forgedPost, &forgedAlloc); err != nil {
		t.Fatal(err)
	}
	forgedRoot := forgedAlloc.State().AccountTrie().Hash()
	code, out, stderr = runCLI(t, "verify", "--root", forgedRoot.Hex(), c.writeBatch(t, tmp, true, forgedPost, c.blocks))
	res = decodeVerifyResult(t, out)
	if code != 1 || res.OK || len(res.Accounts) != 1 || res.Accounts[0].Address != victimAddr || !strings.Contains(stderr, "1 accounts differ") {
		t.Fatalf("forged post-state: exit %d, divergence %+v, accounts %d, stderr %q", code, res.Divergence, len(res.Accounts), stderr)
	}
	d := res.Accounts[0]
	if err := d.Ours.Verify(res.Root); err != nil {
		t.Fatalf("our proof does not verify under our root: %v", err)
	}
	if err := d.Claimed.Verify(forgedRoot); err != nil {
		t.Fatalf("the claimed proof does not verify under the claimed root: %v", err)
	}
	if !d.Ours.Balance.Eq(&trueBal) || d.Claimed.Balance.Bytes32() != raised {
		t.Fatalf("proofs show balances %v (ours) and %v (claimed); want %v and %x", d.Ours.Balance.Hex(), d.Claimed.Balance.Hex(), trueBal.Hex(), raised)
	}

	// --pre from a file, the batch without one.
	preFile := filepath.Join(tmp, "pre.json")
	os.WriteFile(preFile, c.pre, 0o644)
	noPre := c.writeBatch(t, tmp, false, nil, c.blocks)
	if code, out, stderr := runCLI(t, "verify", "--pre", preFile, noPre); code != 0 || !decodeVerifyResult(t, out).OK {
		t.Fatalf("--pre: exit %d, stderr %q", code, stderr)
	}

	// --db --commit into a new database; plasma proof then shows the
	// post-state.
	dbDir := filepath.Join(tmp, "state")
	if code, _, stderr := runCLI(t, "verify", "--db", dbDir, "--commit", batch); code != 0 {
		t.Fatalf("--db --commit: exit %d, stderr %q", code, stderr)
	}
	if h := openHead(t, dbDir); h.Number != c.lastNum || h.Root != c.lastRoot {
		t.Fatalf("database head %d %v, want block %d root %v", h.Number, h.Root, c.lastNum, c.lastRoot)
	}
	code, out, stderr = runCLI(t, "proof", "--db", dbDir, victim)
	var p proof.AccountResult
	if err := json.Unmarshal([]byte(out), &p); code != 0 || err != nil {
		t.Fatalf("proof of the committed state: exit %d, %v, stderr %q", code, err, stderr)
	}
	if err := p.Verify(c.lastRoot); err != nil || !p.Balance.Eq(&trueBal) {
		t.Fatalf("proof of %s: %v, balance %v want %v", victim, err, p.Balance.Hex(), trueBal.Hex())
	}

	// The database's head is now the batch's result: the same batch on
	// top of it is false (its transactions' nonces are spent), and --pre
	// may not replace an existing head.
	code, out, stderr = runCLI(t, "verify", "--db", dbDir, noPre)
	if res := decodeVerifyResult(t, out); code != 1 || res.OK || res.Divergence == nil {
		t.Fatalf("batch re-run on its own result: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, "verify", "--db", dbDir, "--pre", preFile, noPre); code != 2 || !strings.Contains(stderr, "already has a head") {
		t.Fatalf("--pre over an existing head: exit %d, stderr %q", code, stderr)
	}
	if h := openHead(t, dbDir); h.Number != c.lastNum || h.Root != c.lastRoot {
		t.Fatalf("database head moved to %d %v by runs without --commit", h.Number, h.Root)
	}
}

// TestVerifyCLIBadInput: bad usage, bad batches and unusable databases
// exit 2 with a message and print no result; nothing panics.
func TestVerifyCLIBadInput(t *testing.T) {
	tmp := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(tmp, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	empty := write("empty.json", "")
	notJSON := write("text.json", "hello")
	array := write("array.json", "[1, 2]")
	noPre := write("nopre.json", `{"network": "Prague", "blocks": ["0xc0"]}`)
	badBlock := write("badblock.json", `{"network": "Prague", "pre": {}, "blocks": ["0xc0"]}`)
	noBlocks := write("noblocks.json", `{"network": "Prague", "pre": {}}`)
	badNet := write("badnet.json", `{"network": "Nope", "pre": {}, "blocks": ["0xc0"]}`)
	badAlloc := write("badalloc.json", `{"network": "Prague", "pre": {"0xzz": {}}, "blocks": ["0xc0"]}`)
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{nil, "usage"},
		{[]string{noPre, noPre}, "usage"},
		{[]string{"--commit", noPre}, "usage"},
		{[]string{"--nope", noPre}, "flag provided but not defined"},
		{[]string{filepath.Join(tmp, "absent.json")}, "no such file"},
		{[]string{empty}, "plasma verify: "},
		{[]string{notJSON}, "plasma verify: "},
		{[]string{array}, "plasma verify: "},
		{[]string{noPre}, "no pre-state"},
		{[]string{badBlock}, "plasma verify: "},
		{[]string{noBlocks}, "plasma verify: "},
		{[]string{badNet}, "plasma verify: "},
		{[]string{badAlloc}, "plasma verify: "},
		{[]string{"--root", "0xzz", badBlock}, "bad --root"},
		{[]string{"--pre", filepath.Join(tmp, "absent"), noPre}, "no such file"},
		{[]string{"--pre", notJSON, noPre}, "plasma verify: "},
	} {
		code, out, stderr := runCLI(t, "verify", tc.args...)
		if code != 2 || out != "" || !strings.Contains(stderr, tc.msg) {
			t.Errorf("verify %q: exit %d (want 2), stdout %q, stderr %q (want %q)", tc.args, code, out, stderr, tc.msg)
		}
	}
	for name, dir := range badDatabases(t) {
		msg := dir.msg
		if name == "no block" {
			msg = "no pre-state" // an empty database is no pre-state
		}
		code, out, stderr := runCLI(t, "verify", "--db", dir.path, noPre)
		if code != 2 || out != "" || !strings.Contains(stderr, "plasma verify: ") || !strings.Contains(stderr, msg) {
			t.Errorf("--db %s: exit %d (want 2), stdout %q, stderr %q (want %q)", name, code, out, stderr, msg)
		}
	}
	// A database that --commit cannot use is refused the same way.
	dirs := badDatabases(t)
	for _, name := range []string{"foreign files", "another program's pebble", "garbled"} {
		code, _, stderr := runCLI(t, "verify", "--db", dirs[name].path, "--commit", badBlock)
		if code != 2 || !strings.Contains(stderr, dirs[name].msg) {
			t.Errorf("--db %s --commit: exit %d, stderr %q", name, code, stderr)
		}
	}
	if _, err := persist.Open(dirs["foreign files"].path, nil); err == nil {
		t.Error("the foreign directory became a database")
	}
}
