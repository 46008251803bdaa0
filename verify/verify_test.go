package verify

import (
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
)

type chainTest struct {
	name    string
	network string
	pre     Alloc
	blocks  []proof.Bytes
	post    Alloc
	genesis types.Hash
}

// chainTests returns blockchain tests whose blocks are all valid and that
// carry a full postState: real batches with a known true claim.
func chainTests(t *testing.T, limit int) []chainTest {
	fx := ethtest.FixturesDir()
	if fx == "" {
		t.Skip("fixtures not found: set PLASMA_FIXTURES or place them at ../shared/fixtures")
	}
	dir := filepath.Join(fx, "blocktests", "execution-spec-tests", "blockchain_tests", "prague")
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	var out []chainTest
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var tests map[string]struct {
			Network string `json:"network"`
			Pre     Alloc  `json:"pre"`
			Blocks  []struct {
				RLP             proof.Bytes `json:"rlp"`
				ExpectException string      `json:"expectException"`
			} `json:"blocks"`
			PostState Alloc `json:"postState"`
			Genesis   struct {
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
			if tc.PostState == nil || len(tc.Blocks) == 0 {
				continue
			}
			ct := chainTest{name: n, network: tc.Network, pre: tc.Pre, post: tc.PostState, genesis: tc.Genesis.Hash}
			for _, b := range tc.Blocks {
				if b.ExpectException != "" {
					continue next
				}
				ct.blocks = append(ct.blocks, b.RLP)
			}
			out = append(out, ct)
			break // one per file: variety over volume
		}
		if len(out) >= limit {
			break
		}
	}
	if len(out) == 0 {
		t.Skip("no usable blockchain tests under " + dir)
	}
	return out
}

func TestVerifyFixtureBatches(t *testing.T) {
	limit := 40
	if testing.Short() {
		limit = 8
	}
	txTampered := 0
	for _, ct := range chainTests(t, limit) {
		b := &Batch{Network: ct.network, Pre: ct.pre, Blocks: ct.blocks, BlockHashes: map[string]types.Hash{"0": ct.genesis}}
		res, err := Run(b, ct.pre.State(), Options{})
		if err != nil {
			t.Fatalf("%s: %v", ct.name, err)
		}
		if !res.OK {
			t.Fatalf("%s: true claim rejected: %+v", ct.name, res.Divergence)
		}

		// With per-transaction roots and the post-state, still ok.
		b.TxRoots, b.PostState = res.TxRoots, ct.post
		full, err := Run(b, ct.pre.State(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !full.OK || *full.PostStateRoot != full.Root {
			t.Fatalf("%s: true claim with txRoots and postState rejected: %+v", ct.name, full)
		}

		// A false root after one transaction is located exactly.
		for bi, roots := range res.TxRoots {
			if len(roots) == 0 {
				continue
			}
			j := len(roots) / 2
			bad := make([][]types.Hash, len(res.TxRoots))
			for i := range bad {
				bad[i] = append([]types.Hash(nil), res.TxRoots[i]...)
			}
			bad[bi][j][0] ^= 1
			b.TxRoots = bad
			got, err := Run(b, ct.pre.State(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got.OK || got.Divergence == nil || got.Divergence.Block != bi || got.Divergence.Tx != j {
				t.Fatalf("%s: false root after block %d tx %d reported as %+v", ct.name, bi, j, got.Divergence)
			}
			txTampered++
			b.TxRoots = res.TxRoots
			break
		}

		// A false post-state (one balance changed) is found with proofs.
		var victim types.Address
		for a := range ct.post {
			if string(a[:]) > string(victim[:]) {
				victim = a
			}
		}
		forged := Alloc{}
		for a, acc := range ct.post {
			forged[a] = acc
		}
		acc := forged[victim]
		acc.Balance.AddUint64(&acc.Balance, 1)
		forged[victim] = acc
		forgedRoot := forged.State().AccountTrie().Hash()
		b.PostState = forged
		got, err := Run(b, ct.pre.State(), Options{ClaimedRoot: &forgedRoot})
		if err != nil {
			t.Fatal(err)
		}
		if got.OK || got.Divergence == nil || got.Divergence.Block != len(ct.blocks)-1 || len(got.Accounts) != 1 || got.Accounts[0].Address != victim {
			t.Fatalf("%s: forged post-state reported as %+v, accounts %+v", ct.name, got.Divergence, got.Accounts)
		}
		d := got.Accounts[0]
		if err := d.Ours.Verify(got.Root); err != nil {
			t.Fatalf("our proof: %v", err)
		}
		if err := d.Claimed.Verify(forgedRoot); err != nil {
			t.Fatalf("claimed proof: %v", err)
		}
		if d.Ours.Balance.Eq(&d.Claimed.Balance.Int) {
			t.Fatal("proofs show equal balances")
		}
	}
	if txTampered == 0 {
		t.Fatal("no batch had transactions")
	}
}

// TestVerifyFromDatabase re-executes on a pre-state read lazily from a
// database and persists the result.
func TestVerifyFromDatabase(t *testing.T) {
	for _, ct := range chainTests(t, 4) {
		db, err := persist.OpenMemory(nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Commit(0, ct.pre.State()); err != nil {
			t.Fatal(err)
		}
		s := db.State()
		res, err := Run(&Batch{Network: ct.network, Blocks: ct.blocks, PostState: ct.post, BlockHashes: map[string]types.Hash{"0": ct.genesis}}, s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !res.OK {
			t.Fatalf("%s: %+v", ct.name, res.Divergence)
		}
		root, err := db.Commit(1, s)
		if err != nil || root != res.Root {
			t.Fatalf("commit after verify: %x, %v; want %x", root, err, res.Root)
		}
		db.Close()
	}
}

func TestVerifyBadInput(t *testing.T) {
	pre := Alloc{}.State()
	if _, err := Run(&Batch{}, pre, Options{}); err == nil {
		t.Fatal("empty batch accepted")
	}
	if _, err := Run(&Batch{Blocks: []proof.Bytes{{0xc0}}}, pre, Options{}); err == nil {
		t.Fatal("undecodable block accepted")
	}
	if _, err := Run(&Batch{Network: "Nope", Blocks: []proof.Bytes{{0xc0}}}, pre, Options{}); err == nil {
		t.Fatal("unknown network accepted")
	}
	var a Alloc
	for _, bad := range []string{`{"0xzz": {}}`, `{"0x0000000000000000000000000000000000000001": {"balance": "zz"}}`, `[1]`} {
		if err := json.Unmarshal([]byte(bad), &a); err == nil {
			t.Errorf("alloc %s accepted", bad)
		}
	}
}

func FuzzBatchJSON(f *testing.F) {
	f.Add([]byte(`{"network":"Prague","blocks":["0xc0"],"pre":{"0x0000000000000000000000000000000000000001":{"balance":"0x1","storage":{"0x1":"0x2"}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var batch Batch
		if json.Unmarshal(b, &batch) != nil || len(batch.Blocks) > 4 {
			return
		}
		Run(&batch, batch.Pre.State(), Options{}) // must not panic
	})
}
