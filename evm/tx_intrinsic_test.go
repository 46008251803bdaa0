package evm

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

func txBytes(zeros, nonZeros int) []byte {
	b := make([]byte, 0, zeros+nonZeros)
	for range zeros {
		b = append(b, 0)
	}
	for range nonZeros {
		b = append(b, 0xab)
	}
	return b
}

// TestIntrinsicGas checks the costs as the EIPs state them.
func TestIntrinsicGas(t *testing.T) {
	al := types.AccessList{
		{Address: types.Address{1}, StorageKeys: []types.Hash{{1}, {2}}},
		{Address: types.Address{2}, StorageKeys: []types.Hash{{3}}},
	}
	tests := []struct {
		name   string
		data   []byte
		al     types.AccessList
		auths  uint64
		create bool
		fork   forks.Fork
		want   uint64
	}{
		{"empty call", nil, nil, 0, false, forks.Frontier, 21000},
		{"empty create frontier", nil, nil, 0, true, forks.Frontier, 21000},   // EIP-2 not yet
		{"empty create homestead", nil, nil, 0, true, forks.Homestead, 53000}, // EIP-2
		{"data frontier", txBytes(3, 2), nil, 0, false, forks.Frontier, 21000 + 3*4 + 2*68},
		{"data petersburg", txBytes(3, 2), nil, 0, false, forks.Petersburg, 21000 + 3*4 + 2*68},
		{"data istanbul", txBytes(3, 2), nil, 0, false, forks.Istanbul, 21000 + 3*4 + 2*16},   // EIP-2028
		{"access list", nil, al, 0, false, forks.Berlin, 21000 + 2*2400 + 3*1900},             // EIP-2930
		{"create 33 bytes london", txBytes(0, 33), nil, 0, true, forks.London, 53000 + 33*16}, // no EIP-3860 yet
		{"create 33 bytes shanghai", txBytes(0, 33), nil, 0, true, forks.Shanghai, 53000 + 33*16 + 2*2},
		{"create 64 bytes shanghai", txBytes(64, 0), nil, 0, true, forks.Shanghai, 53000 + 64*4 + 2*2},
		{"call not charged initcode", txBytes(0, 33), nil, 0, false, forks.Shanghai, 21000 + 33*16},
		{"auths", nil, nil, 3, false, forks.Prague, 21000 + 3*25000}, // EIP-7702
		{"everything", txBytes(1, 1), al, 1, false, forks.Prague, 21000 + 4 + 16 + 2*2400 + 3*1900 + 25000},
	}
	for _, tt := range tests {
		got, err := IntrinsicGas(tt.data, tt.al, tt.auths, tt.create, forks.RulesFor(tt.fork))
		if err != nil || got != tt.want {
			t.Errorf("%s: got %d, %v; want %d", tt.name, got, err, tt.want)
		}
	}
	if _, err := IntrinsicGas(nil, nil, 1<<62, false, forks.RulesFor(forks.Prague)); !errors.Is(err, ErrIntrinsicGas) {
		t.Errorf("overflowing auth count: got %v", err)
	}
}

// TestFloorDataGas checks EIP-7623's floor: 21000 + 10 * (zeros + 4*nonzeros).
func TestFloorDataGas(t *testing.T) {
	tests := []struct {
		data []byte
		want uint64
	}{
		{nil, 21000},
		{txBytes(1, 0), 21010},
		{txBytes(0, 1), 21040},
		{txBytes(100, 100), 21000 + 10*(100+400)},
	}
	for _, tt := range tests {
		got, err := FloorDataGas(tt.data)
		if err != nil || got != tt.want {
			t.Errorf("floor(%d bytes): got %d, %v; want %d", len(tt.data), got, err, tt.want)
		}
	}
}

func TestCheckTxType(t *testing.T) {
	intro := map[uint8]forks.Fork{0: forks.Frontier, 1: forks.Berlin, 2: forks.London, 3: forks.Cancun, 4: forks.Prague}
	for _, f := range forks.All() {
		for typ := uint8(0); typ <= 5; typ++ {
			from, known := intro[typ]
			want := known && f >= from
			err := CheckTxType(typ, forks.RulesFor(f))
			if (err == nil) != want {
				t.Errorf("type %d at %v: got %v", typ, f, err)
			}
			if err != nil && !errors.Is(err, ErrTxTypeNotSupported) {
				t.Errorf("type %d at %v: error %v does not wrap ErrTxTypeNotSupported", typ, f, err)
			}
		}
	}
	if got := TxExceptionName(CheckTxType(3, forks.RulesFor(forks.Shanghai))); got != "TransactionException.TYPE_3_TX_PRE_FORK" {
		t.Errorf("type 3 before Cancun: %q", got)
	}
}

// txFixtureTx is the part of a state test's transaction that intrinsic gas
// depends on.
type txFixtureTx struct {
	Data        []string           `json:"data"`
	GasLimit    []string           `json:"gasLimit"`
	To          string             `json:"to"`
	AccessLists []types.AccessList `json:"accessLists"`
	AuthList    []json.RawMessage  `json:"authorizationList"`
}

type txFixturePost struct {
	Indexes struct {
		Data int `json:"data"`
		Gas  int `json:"gas"`
	} `json:"indexes"`
	ExpectException string `json:"expectException"`
}

// TestIntrinsicGasFixtures checks IntrinsicGas and FloorDataGas against
// Ethereum's state tests: every vector that expects INTRINSIC_GAS_TOO_LOW
// must have a gas limit below our intrinsic gas (or EIP-7623 floor), and
// every vector that expects no exception must cover both.
func TestIntrinsicGasFixtures(t *testing.T) {
	root := filepath.Join("..", "..", "shared", "fixtures", "statetests")
	if _, err := os.Stat(root); err != nil {
		t.Skip("fixtures not found at ../shared/fixtures; skipping")
	}
	dirs := []string{
		"ethereum-tests/GeneralStateTests/stTransactionTest",
		"ethereum-tests/GeneralStateTests/stEIP2930",
		"ethereum-tests/GeneralStateTests/Shanghai/stEIP3860-limitmeterinitcode",
		"ethereum-tests/GeneralStateTests/stCreateTest",
		"execution-spec-tests/state_tests/prague/eip7623_increase_calldata_cost",
		"execution-spec-tests/state_tests/prague/eip7702_set_code_tx",
		"execution-spec-tests/state_tests/shanghai/eip3860_initcode",
		"execution-spec-tests/state_tests/berlin/eip2930_access_list",
	}
	var low, ok int
	for _, d := range dirs {
		err := filepath.WalkDir(filepath.Join(root, d), func(path string, de os.DirEntry, err error) error {
			if err != nil || de.IsDir() || !strings.HasSuffix(path, ".json") {
				return err
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			var file map[string]struct {
				Transaction txFixtureTx                `json:"transaction"`
				Post        map[string][]txFixturePost `json:"post"`
			}
			if err := json.Unmarshal(raw, &file); err != nil {
				t.Errorf("%s: %v", path, err)
				return nil
			}
			for name, test := range file {
				tx := test.Transaction
				for forkName, posts := range test.Post {
					fork, err := forks.Parse(forkName)
					if err != nil {
						continue
					}
					rules := forks.RulesFor(fork)
					for _, p := range posts {
						data, err := types.DecodeHex(tx.Data[p.Indexes.Data])
						if err != nil {
							continue // e.g. ":raw" or ":bigint" notations
						}
						gasLimit, err := txParseQuantity(tx.GasLimit[p.Indexes.Gas])
						if err != nil {
							continue
						}
						var al types.AccessList
						if p.Indexes.Data < len(tx.AccessLists) {
							al = tx.AccessLists[p.Indexes.Data]
						}
						need, err := IntrinsicGas(data, al, uint64(len(tx.AuthList)), tx.To == "", rules)
						if err != nil {
							t.Fatalf("%s %s: %v", name, forkName, err)
						}
						if rules.IsPrague {
							floor, _ := FloorDataGas(data)
							need = max(need, floor)
						}
						switch {
						case strings.Contains(p.ExpectException, "INTRINSIC_GAS_TOO_LOW"):
							low++
							if gasLimit >= need {
								t.Errorf("%s %s %+v: gas limit %d covers intrinsic %d, but fixture says too low", name, forkName, p.Indexes, gasLimit, need)
							}
						case p.ExpectException == "":
							ok++
							if gasLimit < need {
								t.Errorf("%s %s %+v: gas limit %d below intrinsic %d, but fixture says valid", name, forkName, p.Indexes, gasLimit, need)
							}
						}
					}
				}
			}
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	if low == 0 || ok == 0 {
		t.Fatalf("checked %d too-low and %d valid vectors; expected some of each", low, ok)
	}
	t.Logf("checked %d too-low and %d valid vectors", low, ok)
}

// txParseQuantity parses a fixture's 0x-hex quantity that must fit in 64 bits.
func txParseQuantity(s string) (uint64, error) {
	b, err := types.DecodeHex(s)
	if err != nil {
		return 0, err
	}
	if len(b) > 8 {
		return 0, errors.New("quantity over 64 bits")
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v, nil
}

func FuzzIntrinsicGas(f *testing.F) {
	f.Add([]byte{0, 1, 2}, uint64(0), true)
	f.Fuzz(func(t *testing.T, data []byte, auths uint64, create bool) {
		for _, fork := range []forks.Fork{forks.Frontier, forks.Istanbul, forks.Shanghai, forks.Prague} {
			g, err := IntrinsicGas(data, nil, auths, create, forks.RulesFor(fork))
			if err == nil && g < TxGas {
				t.Fatalf("gas %d below base", g)
			}
		}
		if fl, err := FloorDataGas(data); err != nil || fl < TxGas {
			t.Fatalf("floor %d, %v", fl, err)
		}
	})
}
