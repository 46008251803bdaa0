package ethtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/plasmaxpl/engine/evm/parallel" // Workers > 1 runs the parallel executor
	"github.com/plasmaxpl/engine/types"
)

// TestReplayMainnet replays every block under fixtures/mainnet/ethereum:
// each must reproduce its header's gas used and logs bloom, and from
// Byzantium its receipts root. With -short it replays every 4th block.
func TestReplayMainnet(t *testing.T) {
	dir := FixturesDir()
	if dir == "" {
		t.Skip("no ../shared/fixtures beside the module: mainnet replay skipped")
	}
	dirs, err := FindBlockDirs(filepath.Join(dir, "mainnet", "ethereum", "blocks"))
	if err != nil {
		t.Fatal(err)
	}
	if testing.Short() {
		var sample []string
		for i := 0; i < len(dirs); i += 4 {
			sample = append(sample, dirs[i])
		}
		dirs = sample
	}
	var sum ReplaySummary
	receiptRoots := 0
	for _, d := range dirs {
		b, err := LoadMainnetBlock(d, nil)
		if err != nil {
			t.Errorf("%s: %v", d, err)
			continue
		}
		r := ReplayBlock(b, ReplayOptions{})
		sum.Add(r)
		if !r.OK {
			t.Errorf("block %d: %s", r.Block, firstLine(r.Error))
		}
		if r.GasUsedOK == nil || r.LogsBloomOK == nil {
			t.Errorf("block %d: gas used and bloom must be checked", r.Block)
		}
		if r.ReceiptsRootOK != nil {
			receiptRoots++
		} else if b.Header.Number >= 4_370_000 {
			t.Errorf("block %d: receipts root not checked from Byzantium", r.Block)
		}
	}
	t.Logf("mainnet replay: %d/%d blocks ok (%d receipts roots checked), %d txs, %.1f Mgas in %.0f ms",
		sum.OK, sum.Blocks, receiptRoots, sum.Txs, float64(sum.GasUsed)/1e6, sum.Ms)
}

// TestReplayMainnetParallel replays a sample of the mainnet blocks with
// the parallel executor: the headers' gas used, bloom and receipts roots
// are its oracle too.
func TestReplayMainnetParallel(t *testing.T) {
	dir := FixturesDir()
	if dir == "" {
		t.Skip("no ../shared/fixtures beside the module: mainnet replay skipped")
	}
	dirs, err := FindBlockDirs(filepath.Join(dir, "mainnet", "ethereum", "blocks"))
	if err != nil {
		t.Fatal(err)
	}
	step := 3
	if testing.Short() {
		step = 8
	}
	ok := 0
	for i := 1; i < len(dirs); i += step {
		b, err := LoadMainnetBlock(dirs[i], nil)
		if err != nil {
			t.Fatalf("%s: %v", dirs[i], err)
		}
		r := ReplayBlock(b, ReplayOptions{Workers: 4})
		if !r.OK {
			t.Errorf("block %d with 4 workers: %s", r.Block, firstLine(r.Error))
			continue
		}
		ok++
	}
	t.Logf("parallel mainnet replay: %d blocks ok", ok)
}

// TestReplayPragueParallel replays the Prague blocks (environment layout,
// no header oracle) sequentially and with workers; both must succeed and
// agree.
func TestReplayPragueParallel(t *testing.T) {
	dir := FixturesDir()
	if dir == "" {
		t.Skip("no ../shared/fixtures beside the module: Prague replay skipped")
	}
	dirs, err := FindBlockDirs(filepath.Join(dir, "mainnet", "prague"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		b, err := LoadMainnetBlock(d, nil)
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		seq := ReplayBlock(b, ReplayOptions{Workers: 1})
		par := ReplayBlock(b, ReplayOptions{Workers: 4})
		if !seq.OK || !par.OK {
			t.Fatalf("block %d: sequential %q, parallel %q", seq.Block, seq.Error, par.Error)
		}
		if par.SequentialOK == nil || !*par.SequentialOK {
			t.Errorf("block %d: parallel run not compared with a sequential one", par.Block)
		}
		if seq.Result.StateRoot != par.Result.StateRoot || seq.GasUsed != par.GasUsed {
			t.Errorf("block %d: sequential and parallel results differ", seq.Block)
		}
		t.Logf("block %d: %d txs, %d gas", seq.Block, seq.Txs, seq.GasUsed)
	}
}

// TestReplayBadInput checks that damaged block directories give a clear
// error for that block, never a panic.
func TestReplayBadInput(t *testing.T) {
	root := t.TempDir()
	write := func(dir, name, content string) string {
		d := filepath.Join(root, dir)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return d
	}
	header := `"parentHash":"0x` + strings.Repeat("00", 32) + `","sha3Uncles":"` + types.EmptyListHash.Hex() +
		`","miner":"0x` + strings.Repeat("00", 20) + `","stateRoot":"0x` + strings.Repeat("00", 32) +
		`","transactionsRoot":"` + types.EmptyRootHash.Hex() + `","receiptsRoot":"` + types.EmptyRootHash.Hex() +
		`","logsBloom":"0x` + strings.Repeat("00", 256) + `","difficulty":"0x1","number":"0x10","gasLimit":"0x1000000","gasUsed":"0x0","timestamp":"0x10","extraData":"0x","mixHash":"0x` +
		strings.Repeat("00", 32) + `","nonce":"0x0000000000000000"`
	codeHash := "0x" + strings.Repeat("ab", 32)
	cases := map[string]struct {
		files map[string]string
		want  string
	}{
		"truncated": {map[string]string{"block.json": `{"number":"0x10","transac`, "pre_state.json": `{}`}, "block.json"},
		"missingCode": {map[string]string{"block.json": "{" + header + `,"transactions":[]}`,
			"pre_state.json": `{"0x00000000000000000000000000000000000000aa":{"balance":"0x0","nonce":1,"code_hash":"` + codeHash + `","storage":{}}}`}, "not in the code source"},
		"badTxInput": {map[string]string{"block.json": "{" + header + `,"transactions":[{"type":"0x0","nonce":"0x0","gas":"0x5208","gasPrice":"0x1","to":null,"value":"0x0","input":"0xzz","v":"0x1b","r":"0x1","s":"0x1"}]}`,
			"pre_state.json": `{}`}, "transaction 0"},
		"badPreState": {map[string]string{"block.json": "{" + header + `,"transactions":[]}`, "pre_state.json": `[1,2`}, "pre_state.json"},
		"badEnvTxs": {map[string]string{"block.json": `{"number":1,"coinbase":"0x` + strings.Repeat("00", 20) + `","timestamp":1,"gas_limit":30000000,"spec_id":"Cancun"}`,
			"txs.json": `[{"tx_type":2,`, "pre_state.json": `{}`}, "txs.json"},
	}
	code := CodeMap{}
	for name, c := range cases {
		var d string
		for f, content := range c.files {
			d = write(name, f, content)
		}
		_, err := LoadMainnetBlock(d, code)
		if err == nil {
			t.Errorf("%s: loaded", name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not mention %q", name, err, c.want)
		}
	}

	// A block that loads but cannot execute fails with an error, not a panic.
	d := write("nofunds", "block.json", `{"number":1,"coinbase":"0x`+strings.Repeat("00", 20)+`","timestamp":1,"gas_limit":30000000,"basefee":7,"spec_id":"Cancun"}`)
	write("nofunds", "txs.json", `[{"tx_type":2,"caller":"0x00000000000000000000000000000000000000bb","to":null,"nonce":0,"value":"0x1","data":"0x","gas_limit":21000,"gas_price":10,"gas_priority_fee":1,"chain_id":1,"access_list":[],"blob_hashes":[],"max_fee_per_blob_gas":0,"authorization_list":[]}]`)
	write("nofunds", "pre_state.json", `{}`)
	b, err := LoadMainnetBlock(d, code)
	if err != nil {
		t.Fatal(err)
	}
	r := ReplayBlock(b, ReplayOptions{})
	if r.OK || !strings.Contains(r.Error, "invalid transaction") {
		t.Errorf("unfunded sender: ok=%v error %q", r.OK, r.Error)
	}
}

// TestMainnetSchedule checks fork boundaries against the blocks the
// fixtures name as first of their fork.
func TestMainnetSchedule(t *testing.T) {
	cases := []struct {
		number, time uint64
		want         string
	}{
		{1_149_999, 0, "Frontier"}, {1_150_000, 0, "Homestead"}, {2_463_000, 0, "EIP150"},
		{2_675_000, 0, "EIP158"}, {4_370_000, 0, "Byzantium"}, {7_280_000, 0, "ConstantinopleFix"},
		{9_069_000, 0, "Istanbul"}, {12_244_000, 0, "Berlin"}, {12_965_000, 0, "London"},
		{15_537_393, 1663224162, "GrayGlacier"}, {15_537_394, 1663224179, "Paris"},
		{17_034_870, 1681338455, "Shanghai"}, {19_426_587, 1710338135, "Cancun"}, {22_431_084, 1746612311, "Prague"},
	}
	for _, c := range cases {
		if got := MainnetSchedule(c.number, c.time).String(); got != c.want {
			t.Errorf("block %d: %s, want %s", c.number, got, c.want)
		}
	}
}

// A benchmark or an embedder loads a stored block once and replays it as
// often as it likes; each replay starts from a fresh copy of the pre-state.
func ExampleReplayBlock() {
	dir := filepath.Join(FixturesDir(), "mainnet", "ethereum", "blocks", "4370000")
	code, err := LoadCodeFile(FindCodeFile(dir)) // or nil: found on demand
	if err != nil {
		return
	}
	b, err := LoadMainnetBlock(dir, code)
	if err != nil {
		return
	}
	r := ReplayBlock(b, ReplayOptions{Workers: 1})
	fmt.Println(r.Block, r.OK, *r.GasUsedOK, *r.ReceiptsRootOK, *r.LogsBloomOK)
}
