package precompile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

// The execution-spec-tests fixtures for EIP-2537 and EIP-4844 mostly use one
// of two tiny contracts: copy the calldata to memory, CALL a precompile with
// a fixed gas, and store the outcome. Recognising those contracts turns the
// fixtures' expected post-state storage into direct precompile vectors
// (input, gas, success, output), checked here without an interpreter.

const fixturesRoot = "../../../shared/fixtures"

type fixtureTest struct {
	Pre         map[string]fixtureAccount `json:"pre"`
	Transaction struct {
		To   string   `json:"to"`
		Data []string `json:"data"`
	} `json:"transaction"`
	Post map[string][]struct {
		Indexes struct {
			Data int `json:"data"`
		} `json:"indexes"`
		ExpectException string                    `json:"expectException"`
		State           map[string]fixtureAccount `json:"state"`
	} `json:"post"`
}

type fixtureAccount struct {
	Code    string            `json:"code"`
	Storage map[string]string `json:"storage"`
}

type evmOp struct {
	op  byte
	imm []byte
}

func tokenize(code []byte) []evmOp {
	var out []evmOp
	for i := 0; i < len(code); i++ {
		op := code[i]
		var imm []byte
		if op >= 0x60 && op <= 0x7f {
			n := int(op-0x60) + 1
			end := min(i+1+n, len(code))
			imm = code[i+1 : end]
			i += n
		}
		out = append(out, evmOp{op, imm})
	}
	return out
}

// storage layouts the recognised contracts use
const (
	layoutSimple    = iota + 1 // 0: success, 1: returndatasize, 2: keccak(returndata) if stored
	layoutPointEval            // 0: success, 3: returndatasize, 4 and 5: the two output words
)

type callerContract struct {
	addr   byte
	gas    uint64
	layout int
}

// recognise returns the precompile call a fixture contract makes, if it is
// one of the known shapes.
func recognise(codeHex string) (callerContract, bool) {
	code, err := types.DecodeHex(codeHex)
	if err != nil || len(code) == 0 {
		return callerContract{}, false
	}
	const prefix = "366000600037" // CALLDATACOPY(0, 0, CALLDATASIZE)
	hexCode := strings.TrimPrefix(strings.ToLower(codeHex), "0x")
	if !strings.HasPrefix(hexCode, prefix) {
		return callerContract{}, false
	}
	ops := tokenize(code)
	for i, o := range ops {
		if o.op != 0xf1 && o.op != 0xf2 && o.op != 0xf4 && o.op != 0xfa {
			continue
		}
		if i < 2 || ops[i-1].op < 0x60 || ops[i-1].op > 0x67 || ops[i-2].op != 0x60 {
			return callerContract{}, false
		}
		var gas uint64
		for _, b := range ops[i-1].imm {
			gas = gas<<8 | uint64(b)
		}
		c := callerContract{addr: ops[i-2].imm[0], gas: gas}
		var rest strings.Builder
		for _, r := range ops[i+1:] {
			fmt.Fprintf(&rest, "%02x%x", r.op, r.imm)
		}
		switch s := rest.String(); s {
		case "6000553d600155", "6000553d6001553d600060003e3d600020600255":
			c.layout = layoutSimple
		case "6000556000516001556020516002553d6003553d600060003e60005160045560205160055500":
			c.layout = layoutPointEval
		default:
			return callerContract{}, false
		}
		return c, true
	}
	return callerContract{}, false
}

func slot(storage map[string]string, n int64) *big.Int {
	for k, v := range storage {
		kb, ok := new(big.Int).SetString(strings.TrimPrefix(k, "0x"), 16)
		if ok && kb.Cmp(big.NewInt(n)) == 0 {
			vb, _ := new(big.Int).SetString(strings.TrimPrefix(v, "0x"), 16)
			return vb
		}
	}
	return new(big.Int)
}

func word(b []byte) *big.Int { return new(big.Int).SetBytes(b) }

// runFixtureDir checks every recognised vector under dir and returns how
// many it checked.
func runFixtureDir(t *testing.T, dir string) int {
	t.Helper()
	var files []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	checked := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var tests map[string]fixtureTest
		if err := json.Unmarshal(raw, &tests); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for name, tc := range tests {
			to := strings.ToLower(tc.Transaction.To)
			acct, ok := tc.Pre[to]
			if !ok {
				continue
			}
			cc, ok := recognise(acct.Code)
			if !ok {
				continue
			}
			for forkName, posts := range tc.Post {
				fork, err := forks.Parse(forkName)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				set := ForRules(forks.RulesFor(fork))
				for _, post := range posts {
					if post.ExpectException != "" {
						continue
					}
					st, ok := post.State[to]
					if !ok {
						continue
					}
					input, err := types.DecodeHex(tc.Transaction.Data[post.Indexes.Data])
					if err != nil {
						t.Fatal(err)
					}
					where := fmt.Sprintf("%s\n  %s [%s] input %x", filepath.Base(f), name, forkName, input)
					checkVector(t, where, set, cc, input, st.Storage)
					checked++
				}
			}
		}
	}
	return checked
}

var successCount int

func checkVector(t *testing.T, where string, set *Set, cc callerContract, input []byte, storage map[string]string) {
	t.Helper()
	success, out := false, []byte(nil)
	c, ok := set.Lookup(lowAddress(cc.addr))
	if !ok {
		success = true // a call to an empty account succeeds with no output
	} else if c.RequiredGas(input) <= cc.gas {
		o, err := c.Run(input)
		success, out = err == nil, o
	}
	wantSuccess := slot(storage, 0).Sign() != 0
	if wantSuccess {
		successCount++
	}
	if success != wantSuccess {
		t.Errorf("%s\n  success %v, want %v (gas %d, required %d)", where, success, wantSuccess, cc.gas, requiredGas(c, input))
		return
	}
	if !success {
		return
	}
	switch cc.layout {
	case layoutSimple:
		if got, want := int64(len(out)), slot(storage, 1).Int64(); got != want {
			t.Errorf("%s\n  output length %d, want %d", where, got, want)
			return
		}
		if want := slot(storage, 2); want.Sign() != 0 {
			h := types.Keccak256(out)
			if word(h[:]).Cmp(want) != 0 {
				t.Errorf("%s\n  output %x: hash mismatch", where, out)
			}
		}
	case layoutPointEval:
		if got, want := int64(len(out)), slot(storage, 3).Int64(); got != want {
			t.Errorf("%s\n  output length %d, want %d", where, got, want)
			return
		}
		want := make([]byte, 64)
		slot(storage, 4).FillBytes(want[:32])
		slot(storage, 5).FillBytes(want[32:])
		if !bytes.Equal(out, want) {
			t.Errorf("%s\n  output %x, want %x", where, out, want)
		}
	}
}

func requiredGas(c Contract, input []byte) uint64 {
	if c == nil {
		return 0
	}
	return c.RequiredGas(input)
}

func fixtureDir(t *testing.T, rel string) string {
	t.Helper()
	dir := filepath.Join(fixturesRoot, rel)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("fixtures not found at %s (see ../shared/fixtures/README.md)", dir)
	}
	return dir
}

func TestFixturesEIP2537(t *testing.T) {
	dir := fixtureDir(t, "statetests/execution-spec-tests/state_tests/prague/eip2537_bls_12_381_precompiles")
	n := runFixtureDir(t, dir)
	t.Logf("checked %d vectors (%d successful calls so far)", n, successCount)
	if n < 100 {
		t.Errorf("only %d vectors recognised; the fixture contracts may have changed shape", n)
	}
}

func TestFixturesPointEvaluation(t *testing.T) {
	dir := fixtureDir(t, "statetests/execution-spec-tests/state_tests/cancun/eip4844_blobs/point_evaluation_precompile")
	n := runFixtureDir(t, dir)
	t.Logf("checked %d vectors (%d successful calls so far)", n, successCount)
	if n < 50 {
		t.Errorf("only %d vectors recognised; the fixture contracts may have changed shape", n)
	}
}
