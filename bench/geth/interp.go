package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	gethcommon "github.com/ethereum/go-ethereum/common"
	gethstate "github.com/ethereum/go-ethereum/core/state"
	gethtracing "github.com/ethereum/go-ethereum/core/tracing"
	gethruntime "github.com/ethereum/go-ethereum/core/vm/runtime"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

// contractCase is one compute-heavy contract call as revm's bench runs it
// (shared/fixtures/contracts/FORMAT.md): the accounts with code and storage,
// the target, the calldata and the gas limit.
type contractCase struct {
	name    string
	codes   map[types.Address][]byte
	storage map[types.Address]map[types.Hash]types.Hash
	target  types.Address
	input   []byte
	gas     uint64
}

var (
	benchCaller = types.HexToAddress("0x1000000000000000000000000000000000000001")
	benchTarget = types.HexToAddress("0x2000000000000000000000000000000000000002")
	// A Cancun block: the fork both interpreters run the contracts under.
	cancunNumber = uint64(19_500_000)
	cancunTime   = uint64(1_710_400_000)
)

func readHexFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return types.DecodeHex(strings.TrimSpace(string(b)))
}

func loadContractCases(dir string, quick bool) ([]contractCase, error) {
	var cases []contractCase
	for _, c := range []struct{ name, file, input string }{
		{"snailtracer", "snailtracer.hex", "30627b7c"},
		{"analysis", "analysis.hex", "8035F0CE"},
	} {
		code, err := readHexFile(filepath.Join(dir, c.file))
		if err != nil {
			return nil, err
		}
		in, _ := types.DecodeHex(c.input)
		cases = append(cases, contractCase{name: c.name, codes: map[types.Address][]byte{benchTarget: code},
			target: benchTarget, input: in, gas: 1_000_000_000})
	}
	addrs := map[string]types.Address{
		"one":   types.HexToAddress("0x0a743ba7304efcc9e384ece9be7631e2470e401e"),
		"two":   types.HexToAddress("0x49206861766520746f6f206d7563682074696d65"),
		"three": types.HexToAddress("0xc917e98213a05d271adc5d93d2fee6c1f1006f75"),
		"four":  types.HexToAddress("0xf529c70db0800449ebd81fbc6e4221523a989f05"),
	}
	bp := contractCase{name: "burntpix", codes: map[types.Address][]byte{}, target: addrs["two"], gas: math.MaxUint64}
	for name, a := range addrs {
		code, err := readHexFile(filepath.Join(dir, "burntpix", "bytecode_"+name+".hex"))
		if err != nil {
			return nil, err
		}
		bp.codes[a] = code
	}
	slot := func(i byte) types.Hash { var h types.Hash; h[31] = i; return h }
	word := func(a types.Address) types.Hash { var h types.Hash; copy(h[12:], a[:]); return h }
	bp.storage = map[types.Address]map[types.Hash]types.Hash{addrs["two"]: {
		slot(0): word(addrs["four"]), slot(1): word(addrs["one"]), slot(2): word(addrs["three"]),
	}}
	// run(uint32 seed, uint256 iterations) with seed 0.
	iterations := uint64(20_000)
	if quick {
		iterations = 5_000
	}
	in := append([]byte(nil), crypto.Keccak256([]byte("run(uint32,uint256)"))[:4]...)
	in = append(in, make([]byte, 64)...)
	binary.BigEndian.PutUint64(in[len(in)-8:], iterations)
	bp.input = in
	bp.name = fmt.Sprintf("burntpix (%d iterations)", iterations)
	cases = append(cases, bp)
	return cases, nil
}

// oursCall runs the case once on our interpreter over a fresh in-memory
// state and returns the gas used and the time of the call alone.
func oursCall(c *contractCase) (uint64, time.Duration, error) {
	st := statedb.New()
	for a, code := range c.codes {
		st.SetCode(a, code)
	}
	for a, s := range c.storage {
		st.SetStorage(a, s)
	}
	st.IntermediateRoot(true)
	rules := forks.RulesFor(forks.Cancun)
	rnd := types.Hash{1}
	e := evm.New(evm.BlockContext{Number: cancunNumber, Time: cancunTime, GasLimit: 30_000_000,
		BaseFee: uint256.NewInt(7), BlobBaseFee: uint256.NewInt(1), Random: &rnd}, st, evm.Config{ChainID: 1, Rules: rules})
	target := c.target
	start := time.Now()
	st.Prepare(rules, benchCaller, types.Address{}, &target, nil, nil)
	_, left, err := e.Call(benchCaller, c.target, c.input, c.gas, new(uint256.Int))
	el := time.Since(start)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", c.name, err)
	}
	return c.gas - left, el, nil
}

func gethChainConfig() *params.ChainConfig {
	cfg := *params.MainnetChainConfig
	return &cfg
}

// gethCall runs the case once on go-ethereum's core/vm (runtime.Call) over a
// fresh in-memory state.StateDB.
func gethCall(c *contractCase, chain *params.ChainConfig) (uint64, time.Duration, error) {
	sdb, _ := gethstate.New(gethcommon.Hash{}, gethstate.NewDatabaseForTesting())
	for a, code := range c.codes {
		sdb.SetCode(gethcommon.Address(a), code, gethtracing.CodeChangeUnspecified)
	}
	for a, s := range c.storage {
		for k, v := range s {
			sdb.SetState(gethcommon.Address(a), gethcommon.Hash(k), gethcommon.Hash(v))
		}
	}
	rnd := gethcommon.Hash{1}
	cfg := &gethruntime.Config{
		ChainConfig: chain, Origin: gethcommon.Address(benchCaller), BlockNumber: new(big.Int).SetUint64(cancunNumber),
		Time: cancunTime, GasLimit: c.gas, GasPrice: big.NewInt(0), Value: big.NewInt(0), Difficulty: big.NewInt(0),
		BaseFee: big.NewInt(7), BlobBaseFee: big.NewInt(1), Random: &rnd, State: sdb,
	}
	start := time.Now()
	_, left, err := gethruntime.Call(gethcommon.Address(c.target), c.input, cfg)
	el := time.Since(start)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", c.name, err)
	}
	return c.gas - left, el, nil
}

// benchInterpreter compares single-threaded interpreter throughput in gas/s.
func benchInterpreter(o *options) []Benchmark {
	var out []Benchmark
	cases, err := loadContractCases(filepath.Join(o.fixtures, "contracts"), o.quick)
	if err != nil {
		return []Benchmark{{Name: "interpreter", Error: err.Error()}}
	}
	chain := gethChainConfig()
	for i := range cases {
		c := &cases[i]
		og, _, err1 := oursCall(c)
		gg, _, err2 := gethCall(c, chain)
		if err1 != nil || err2 != nil || og != gg {
			out = append(out, Benchmark{Name: c.name, Error: fmt.Sprintf("ours used %d gas (err %v), go-ethereum %d (err %v)", og, err1, gg, err2)})
			continue
		}
		impls := []impl{
			{name: "ours", run: func() (float64, time.Duration, error) {
				return repeatFor(o.minTime, func() (float64, time.Duration, error) {
					g, d, err := oursCall(c)
					return float64(g), d, err
				})
			}},
			{name: "go-ethereum core/vm", geth: true, run: func() (float64, time.Duration, error) {
				return repeatFor(o.minTime, func() (float64, time.Duration, error) {
					g, d, err := gethCall(c, chain)
					return float64(g), d, err
				})
			}},
		}
		b := runAlternating("interpreter "+c.name, "Mgas/s", 1e6, o.rounds, impls)
		b.Note = fmt.Sprintf("%d gas per call (equal on both sides), Cancun rules, one thread", og)
		out = append(out, b)
		o.logBench(b)
	}
	return out
}
