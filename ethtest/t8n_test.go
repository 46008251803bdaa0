package ethtest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

// t8nEnvOfStateTest is the t8n environment of a state test's env, with
// the BLOCKHASH answers state tests were filled with.
func t8nEnvOfStateTest(e stEnv, rules forks.Rules) *T8nEnv {
	env := &T8nEnv{
		Coinbase: e.Coinbase, GasLimit: e.GasLimit, Number: e.Number, Timestamp: e.Timestamp,
		Difficulty: e.Difficulty, ExcessBlobGas: e.ExcessBlobGas, BlockHashes: map[string]types.Hash{},
	}
	for n := uint64(e.Number); n > 0 && uint64(e.Number)-n < 256; n-- {
		env.BlockHashes[decimal(n-1)] = stateTestBlockHash(n - 1)
	}
	if rules.IsLondon {
		env.BaseFee = &hexU256{}
		env.BaseFee.SetUint64(10)
		if e.BaseFee != nil {
			env.BaseFee = e.BaseFee
		}
	}
	if rules.IsMerge {
		env.Random = e.Random
		if env.Random == nil {
			env.Random = &hexU256{}
		}
		env.Difficulty = nil
	}
	if rules.IsShanghai {
		env.Withdrawals = []*types.Withdrawal{}
	}
	if rules.IsCancun {
		env.ParentBeaconBlockRoot = &types.Hash{}
		if env.ExcessBlobGas == nil {
			env.ExcessBlobGas = new(hexU64)
		}
	}
	return env
}

func decimal(n uint64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestT8nStateTests runs a sample of state-test vectors (before Prague,
// whose end-of-block system calls need contracts state tests lack) through
// the transition: the signed txbytes as the only transaction, pre as the
// alloc. A valid transaction must give the vector's state root and logs
// hash; an invalid one must be rejected.
func TestT8nStateTests(t *testing.T) {
	dir := FixturesDir()
	if dir == "" {
		t.Skip("no ../shared/fixtures beside the module: t8n state-test sample skipped")
	}
	files := jsonFiles(t, filepath.Join(dir, "statetests", "ethereum-tests", "GeneralStateTests"))
	step := 5
	if testing.Short() {
		step = 30
	}
	checked, rejected := 0, 0
	for i := 0; i < len(files); i += step {
		tests, err := ReadStateTestFile(files[i])
		if err != nil {
			t.Fatal(err)
		}
		for name, st := range tests {
			for forkName, posts := range st.Post {
				fork, err := forks.Parse(forkName)
				if err != nil || fork >= forks.Prague {
					continue
				}
				rules := forks.RulesFor(fork)
				for idx, post := range posts {
					if len(post.TxBytes) == 0 {
						continue
					}
					tx, err := types.DecodeTransaction(post.TxBytes)
					if err != nil {
						continue // undecodable txbytes: a t9n matter, not a t8n one
					}
					chainID := uint64(1)
					if st.Config != nil && st.Config.ChainID != nil {
						chainID = uint64(*st.Config.ChainID)
					}
					in := &T8nInput{Alloc: st.Pre, Env: t8nEnvOfStateTest(st.Env, rules), Txs: []*types.Transaction{tx}}
					out, err := RunT8n(in, T8nConfig{Fork: forkName, ChainID: chainID})
					where := name + "/" + forkName + "/" + decimal(uint64(idx))
					if err != nil {
						t.Errorf("%s: %v", where, err)
						continue
					}
					r := out.Result
					if post.ExpectException != "" {
						rejected++
						if len(r.Rejected) != 1 {
							t.Errorf("%s: expected %s, transaction not rejected", where, post.ExpectException)
						}
						continue
					}
					checked++
					if len(r.Rejected) != 0 {
						t.Errorf("%s: rejected: %s", where, r.Rejected[0].Error)
						continue
					}
					if r.StateRoot != post.Hash {
						t.Errorf("%s: state root %v, want %v", where, r.StateRoot, post.Hash)
					}
					if r.LogsHash != post.Logs {
						t.Errorf("%s: logs hash %v, want %v", where, r.LogsHash, post.Logs)
					}
				}
			}
		}
	}
	t.Logf("t8n: %d state-test vectors matched, %d invalid transactions rejected", checked, rejected)
	if checked == 0 {
		t.Fatal("no vectors checked")
	}
}

// TestT8nBlockTests chains the valid blocks of a sample of blockchain
// tests through the transition, feeding each output alloc (read back from
// its JSON) into the next block, and compares every header's roots, bloom
// and gas used; the final alloc must give the fixture's post-state root.
func TestT8nBlockTests(t *testing.T) {
	dir := FixturesDir()
	if dir == "" {
		t.Skip("no ../shared/fixtures beside the module: t8n blockchain-test sample skipped")
	}
	files := jsonFiles(t, filepath.Join(dir, "blocktests"))
	step := 1
	if testing.Short() {
		step = 5
	}
	chains := 0
	for i := 0; i < len(files); i += step {
		tests, err := ReadBlockTestFile(files[i])
		if err != nil {
			t.Fatal(err)
		}
	test:
		for name, bt := range tests {
			sched, err := ParseSchedule(bt.Network)
			if err != nil || bt.PostState == nil {
				continue
			}
			genesis, err := types.DecodeBlock(bt.GenesisRLP)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var blocks []*types.Block
			for _, b := range bt.Blocks {
				if b.ExpectException != "" {
					continue test // chains with invalid blocks are the block runner's job
				}
				raw, _ := types.DecodeHex(b.RLP)
				blk, err := types.DecodeBlock(raw)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				blocks = append(blocks, blk)
			}
			alloc := bt.Pre
			parent := genesis.Header
			hashes := map[string]types.Hash{"0": genesis.Hash()}
			for bi, blk := range blocks {
				h := blk.Header
				if h.ParentHash != parent.Hash() {
					continue test // side chains
				}
				fork := sched.ForkAt(h.Number, h.Time)
				env := &T8nEnv{
					Coinbase: h.Coinbase, GasLimit: hexU64(h.GasLimit), Number: hexU64(h.Number), Timestamp: hexU64(h.Time),
					Random: &hexU256{}, BlockHashes: hashes, Withdrawals: blk.Withdrawals,
					ParentBeaconBlockRoot: h.ParentBeaconRoot,
				}
				env.Random.SetBytes(h.MixDigest[:])
				if h.BaseFee != nil {
					env.BaseFee = &hexU256{Int: *h.BaseFee}
				}
				if h.ExcessBlobGas != nil {
					e := hexU64(*h.ExcessBlobGas)
					env.ExcessBlobGas = &e
				}
				out, err := RunT8n(&T8nInput{Alloc: alloc, Env: env, Txs: blk.Transactions}, T8nConfig{Fork: fork.String(), ChainID: 1})
				where := name + " block " + decimal(uint64(bi))
				if err != nil {
					t.Errorf("%s: %v", where, err)
					continue test
				}
				r := out.Result
				switch {
				case len(r.Rejected) > 0:
					t.Errorf("%s: rejected tx %d: %s", where, r.Rejected[0].Index, r.Rejected[0].Error)
				case r.StateRoot != h.Root:
					t.Errorf("%s: state root %v, want %v", where, r.StateRoot, h.Root)
				case r.TxRoot != h.TxHash || r.ReceiptsRoot != h.ReceiptHash || r.LogsBloom != h.Bloom:
					t.Errorf("%s: tx root, receipts root or bloom differ from the header", where)
				case r.GasUsed != hexQuantity(h.GasUsed):
					t.Errorf("%s: gas used %s, want %d", where, r.GasUsed, h.GasUsed)
				case h.RequestsHash != nil && (r.RequestsHash == nil || *r.RequestsHash != *h.RequestsHash):
					t.Errorf("%s: requests hash differs from the header", where)
				case h.WithdrawalsHash != nil && (r.WithdrawalsRoot == nil || *r.WithdrawalsRoot != *h.WithdrawalsHash):
					t.Errorf("%s: withdrawals root differs from the header", where)
				default:
					// The output alloc, read back, is the next block's input.
					raw, err := json.Marshal(out.Alloc)
					if err != nil {
						t.Fatal(err)
					}
					var next Alloc
					if err := json.Unmarshal(raw, &next); err != nil {
						t.Fatalf("%s: output alloc does not read back: %v", where, err)
					}
					alloc = next
					parent = h
					hashes[decimal(h.Number)] = h.Hash()
					continue
				}
				continue test
			}
			if got, want := newAllocState(alloc).IntermediateRoot(true), newAllocState(*bt.PostState).IntermediateRoot(true); got != want {
				t.Errorf("%s: final alloc root %v, want %v", name, got, want)
			}
			chains++
		}
	}
	t.Logf("t8n: %d block chains reproduced", chains)
	if chains == 0 {
		t.Fatal("no chains checked")
	}
}

// TestT8nExitCodes checks the error classes of the tool.
func TestT8nExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	alloc := write("alloc.json", `{"0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b":{"balance":"0x1000000000000000","nonce":"0x0","code":"0x","storage":{}},
		"0x00000000000000000000000000000000000000bb":{"balance":"0x0","code":"0x60034060005500","storage":{}}}`)
	env := write("env.json", `{"currentCoinbase":"0x0000000000000000000000000000000000000c0b","currentGasLimit":"0x1000000","currentNumber":"0x5","currentTimestamp":"0x1000","currentRandom":"0x01","currentBaseFee":"0x7","withdrawals":[],"parentBeaconBlockRoot":"0x0000000000000000000000000000000000000000000000000000000000000000"}`)
	envNoBeacon := write("env2.json", `{"currentCoinbase":"0x0000000000000000000000000000000000000c0b","currentGasLimit":"0x1000000","currentNumber":"0x5","currentTimestamp":"0x1000","currentRandom":"0x01","currentBaseFee":"0x7","withdrawals":[]}`)
	key := `"secretKey":"0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8"`
	txs := write("txs.json", `[{"type":"0x2","chainId":"0x1","nonce":"0x0","to":"0x00000000000000000000000000000000000000bb","gas":"0x30000","maxFeePerGas":"0x20","maxPriorityFeePerGas":"0x2","value":"0x0","input":"0x",`+key+`}]`)
	noTxs := write("none.json", `[]`)
	badJSON := write("bad.json", `[{"type":`)
	badRLP := write("bad.rlp", `"0xf801"`)

	run := func(allocP, envP, txsP, fork string) error {
		in, err := ReadT8nInputs(allocP, envP, txsP, strings.NewReader(""), 1)
		if err != nil {
			return err
		}
		_, err = RunT8n(in, T8nConfig{Fork: fork, ChainID: 1})
		return err
	}
	cases := []struct {
		name                  string
		alloc, env, txs, fork string
		code                  int
	}{
		{"ok", alloc, env, noTxs, "Cancun", 0},
		{"unknown fork", alloc, env, noTxs, "Osaka2", T8nErrConfig},
		{"no beacon root", alloc, envNoBeacon, noTxs, "Cancun", T8nErrConfig},
		{"no withdrawals", alloc, write("env3.json", `{"currentCoinbase":"0x0000000000000000000000000000000000000c0b","currentGasLimit":"0x1000000","currentNumber":"0x5","currentTimestamp":"0x1000","currentRandom":"0x01","currentBaseFee":"0x7"}`), noTxs, "Shanghai", T8nErrConfig},
		{"missing blockhash", alloc, env, txs, "Cancun", T8nErrMissingBlockhash},
		{"bad json", alloc, env, badJSON, "Cancun", T8nErrJSON},
		{"bad env json", alloc, badJSON, noTxs, "Cancun", T8nErrJSON},
		{"missing file", filepath.Join(dir, "nope.json"), env, noTxs, "Cancun", T8nErrIO},
		{"bad rlp", alloc, env, badRLP, "Cancun", T8nErrRLP},
		{"prague without system contracts", alloc, env, noTxs, "Prague", T8nErrEVM},
	}
	for _, c := range cases {
		err := run(c.alloc, c.env, c.txs, c.fork)
		if got := T8nExitCode(err); got != c.code {
			t.Errorf("%s: exit code %d (%v), want %d", c.name, got, err, c.code)
		}
	}
}

// TestT8nStdinAndOutputs reads all inputs from one stdin object, runs a
// signed transfer and a rejected one, and checks the grouped stdout
// object and the files written to basedir.
func TestT8nStdinAndOutputs(t *testing.T) {
	stdin := `{"alloc":{"0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b":{"balance":"0x1000000000000000"}},
	"env":{"currentCoinbase":"0x0000000000000000000000000000000000000c0b","currentGasLimit":"0x1000000","currentNumber":"0x1","currentTimestamp":"0x10","currentDifficulty":"0x20000","parentBaseFee":"0x10","parentGasUsed":"0x0","parentGasLimit":"0x1000000"},
	"txs":[{"type":"0x0","nonce":"0x0","to":"0x00000000000000000000000000000000000000bb","gas":"0x5208","gasPrice":"0x20","value":"0x5","input":"0x","secretKey":"0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8","protected":false},
	       {"type":"0x0","nonce":"0x0","to":"0x00000000000000000000000000000000000000bb","gas":"0x5208","gasPrice":"0x20","value":"0x5","input":"0x","secretKey":"0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8"}]}`
	in, err := ReadT8nInputs("stdin", "stdin", "stdin", strings.NewReader(stdin), 1)
	if err != nil {
		t.Fatal(err)
	}
	if in.Txs[0].Protected() || !in.Txs[1].Protected() {
		t.Fatal("protected flag not honoured")
	}
	out, err := RunT8n(in, T8nConfig{Fork: "London", ChainID: 1, Reward: -1})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Result
	if len(r.Receipts) != 1 || len(r.Rejected) != 1 || r.Rejected[0].Index != 1 {
		t.Fatalf("receipts %d, rejected %+v", len(r.Receipts), r.Rejected)
	}
	// London's first-block base fee derives from the parent: 0x10 with an
	// empty parent moves down by 1/8.
	if r.BaseFee == nil || *r.BaseFee != "0xe" {
		t.Errorf("base fee %v, want 0xe", r.BaseFee)
	}
	bal := out.Alloc[types.HexToAddress("0x00000000000000000000000000000000000000bb")].Balance
	if bal != "0x5" {
		t.Errorf("recipient balance %s", bal)
	}
	// No block reward: the coinbase holds the tip, 21000 * (0x20 - 0xe).
	if got := out.Alloc[types.HexToAddress("0x0000000000000000000000000000000000000c0b")].Balance; got != "0x5c490" {
		t.Errorf("coinbase balance %s, want the tip 0x5c490", got)
	}

	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := T8nWriteOutputs(out, dir, "alloc.json", "stdout", "stderr", &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	var grouped map[string]json.RawMessage
	if err := json.Unmarshal(stdout.Bytes(), &grouped); err != nil || grouped["result"] == nil || len(grouped) != 1 {
		t.Fatalf("stdout %q: %v", stdout.String(), err)
	}
	if err := json.Unmarshal(stderr.Bytes(), &grouped); err != nil || grouped["body"] == nil {
		t.Fatalf("stderr %q: %v", stderr.String(), err)
	}
	var body string
	json.Unmarshal(grouped["body"], &body)
	raw, _ := types.DecodeHex(body)
	txs, err := DecodeTxList(raw)
	if err != nil || len(txs) != 2 || txs[0].Hash() != in.Txs[0].Hash() {
		t.Fatalf("body does not decode to the input transactions: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "alloc.json"))
	if err != nil {
		t.Fatal(err)
	}
	var a Alloc
	if err := json.Unmarshal(b, &a); err != nil || len(a) != len(out.Alloc) {
		t.Fatalf("alloc file: %v", err)
	}
}
