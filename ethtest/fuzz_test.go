package ethtest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixture decoders take untrusted files: whatever they accept must run
// to a result or an error, never a panic (the runners turn a panic into an
// "internal error" result, which these targets treat as a failure).

// fuzzGasCap keeps fuzzed vectors from asking for hours of execution: the
// targets look for decoding and validation bugs, not slow contracts.
const fuzzGasCap = 5_000_000

func addSeedFile(f *testing.F, rel string) {
	dir := FixturesDir()
	if dir == "" {
		return
	}
	if b, err := os.ReadFile(filepath.Join(dir, rel)); err == nil {
		f.Add(b)
	}
}

func FuzzStateTestJSON(f *testing.F) {
	addSeedFile(f, "statetests/ethereum-tests/GeneralStateTests/VMTests/vmArithmeticTest/add.json")
	f.Add([]byte(`{"t":{"env":{"currentCoinbase":"0x01","currentGasLimit":"0x10000","currentNumber":"0x1","currentTimestamp":"0x1"},"pre":{},"transaction":{"nonce":"0x0","gasPrice":"0x1","gasLimit":["0x5208"],"to":"0x02","value":["0x0"],"data":["0x"],"secretKey":"0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8"},"post":{"Cancun":[{"indexes":{"data":0,"gas":0,"value":0},"hash":"0x00","logs":"0x00"}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var tests map[string]*StateTest
		if json.Unmarshal(data, &tests) != nil {
			return
		}
		for _, st := range tests {
			if st == nil {
				return
			}
			if st.Env.GasLimit > fuzzGasCap {
				return
			}
			for _, g := range st.Transaction.GasLimit {
				if v, err := parseQuantityString(g); err != nil || !v.IsUint64() || v.Uint64() > fuzzGasCap {
					return
				}
			}
		}
		for _, r := range RunStateTests(tests, StateTestOptions{Index: -1}) {
			if strings.HasPrefix(r.Error, "internal error") {
				t.Fatalf("%s: %s", r.Name, r.Error)
			}
		}
	})
}

func FuzzBlockTestJSON(f *testing.F) {
	addSeedFile(f, "blocktests/ethereum-tests/BlockchainTests/ValidBlocks/bcExample/basefeeExample.json")
	f.Add([]byte(`{"t":{"network":"Cancun","pre":{},"blocks":[{"rlp":"0xc0"}],"lastblockhash":"0x00","sealEngine":"NoProof"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var tests map[string]*BlockTest
		if json.Unmarshal(data, &tests) != nil {
			return
		}
		for name, bt := range tests {
			if bt == nil {
				return
			}
			if _, err := bt.Run(BlockTestOptions{}); err != nil && strings.HasPrefix(err.Error(), "internal error") {
				t.Fatalf("%s: %v", name, err)
			}
		}
	})
}

func FuzzT8nInput(f *testing.F) {
	f.Add([]byte(`{"alloc":{},"env":{"currentCoinbase":"0x01","currentGasLimit":"0x10000","currentNumber":"0x1","currentTimestamp":"0x1","currentRandom":"0x01","currentDifficulty":"0x0","currentBaseFee":"0x7","withdrawals":[],"parentBeaconBlockRoot":"0x02","currentExcessBlobGas":"0x0"},"txs":[]}`))
	f.Add([]byte(`{"alloc":{"0x01":{"balance":"0x10"}},"env":{},"txsRlp":"0xc0"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := ReadT8nInputs("stdin", "stdin", "stdin", bytes.NewReader(data), 1)
		if err != nil || in == nil {
			return
		}
		if in.Env != nil && uint64(in.Env.GasLimit) > fuzzGasCap {
			return
		}
		RunT8n(in, T8nConfig{Fork: "Prague", ChainID: 1})
	})
}

func FuzzDecodeTxList(f *testing.F) {
	f.Add([]byte{0xc0})
	f.Add([]byte{0xc1, 0x80})
	f.Fuzz(func(t *testing.T, data []byte) {
		DecodeTxList(data)
	})
}
