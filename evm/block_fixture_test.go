package evm

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
	"github.com/plasmaxpl/engine/types/rlp"
)

// blockFixtureAccount is one account of a blockchain test's pre or post alloc.
type blockFixtureAccount struct {
	Balance string            `json:"balance"`
	Nonce   string            `json:"nonce"`
	Code    string            `json:"code"`
	Storage map[string]string `json:"storage"`
}

type blockFixture struct {
	Network       string                         `json:"network"`
	GenesisRLP    string                         `json:"genesisRLP"`
	Pre           map[string]blockFixtureAccount `json:"pre"`
	PostState     map[string]blockFixtureAccount `json:"postState"`
	PostStateHash string                         `json:"postStateHash"`
	LastBlockHash string                         `json:"lastblockhash"`
	Config        struct {
		ChainID string `json:"chainid"`
	} `json:"config"`
	Blocks []struct {
		RLP             string `json:"rlp"`
		ExpectException string `json:"expectException"`
	} `json:"blocks"`
}

// blockFixtureSchedule maps a blockchain test's network to a fork schedule.
func blockFixtureSchedule(network string) (func(number, time uint64) forks.Fork, bool) {
	if from, to, ok := strings.Cut(network, "To"); ok && strings.HasSuffix(to, "AtTime15k") {
		f1, err1 := forks.Parse(from)
		f2, err2 := forks.Parse(strings.TrimSuffix(to, "AtTime15k"))
		if err1 != nil || err2 != nil {
			return nil, false
		}
		return func(_, time uint64) forks.Fork {
			if time >= 15000 {
				return f2
			}
			return f1
		}, true
	}
	f, err := forks.Parse(network)
	if err != nil {
		return nil, false
	}
	return func(uint64, uint64) forks.Fork { return f }, true
}

func blockFixtureState(t *testing.T, alloc map[string]blockFixtureAccount) *statedb.StateDB {
	st := statedb.New()
	for a, acc := range alloc {
		addr := types.HexToAddress(a)
		st.CreateAccount(addr)
		var bal uint256.Int
		if err := types.ParseUint256Hex(acc.Balance, &bal); err != nil {
			t.Fatalf("balance %q: %v", acc.Balance, err)
		}
		st.SetBalance(addr, &bal)
		n, err := types.ParseUint64Hex(acc.Nonce)
		if err != nil {
			t.Fatalf("nonce %q: %v", acc.Nonce, err)
		}
		st.SetNonce(addr, n)
		if code, _ := types.DecodeHex(acc.Code); len(code) > 0 {
			st.SetCode(addr, code)
		}
		if len(acc.Storage) > 0 {
			m := make(map[types.Hash]types.Hash, len(acc.Storage))
			for k, v := range acc.Storage {
				m[types.HexToHash(k)] = types.HexToHash(v)
			}
			st.SetStorage(addr, m)
		}
	}
	st.IntermediateRoot(false)
	return st
}

// blockUncleHash is keccak256 of the RLP list of the uncle headers.
func blockUncleHash(uncles []*types.Header) types.Hash {
	buf, start := rlp.StartList(nil)
	for _, u := range uncles {
		buf = u.AppendRLP(buf)
	}
	return types.Keccak256(rlp.EndList(buf, start))
}

// runBlockFixture imports the test's blocks in order and returns an error
// describing the first disagreement with the fixture.
func runBlockFixture(t *testing.T, ft *blockFixture) error {
	schedule, ok := blockFixtureSchedule(ft.Network)
	if !ok {
		return errSkipFixture
	}
	chainID := uint64(1)
	if ft.Config.ChainID != "" {
		chainID, _ = types.ParseUint64Hex(ft.Config.ChainID)
	}
	raw, err := types.DecodeHex(ft.GenesisRLP)
	if err != nil {
		return err
	}
	genesis, err := types.DecodeBlock(raw)
	if err != nil {
		return fmt.Errorf("genesis: %v", err)
	}
	state := blockFixtureState(t, ft.Pre)
	if root := state.IntermediateRoot(true); root != genesis.Header.Root {
		return fmt.Errorf("genesis state root %v, header %v", root, genesis.Header.Root)
	}
	headers := map[types.Hash]*types.Header{genesis.Hash(): genesis.Header}
	head := genesis.Header
	cfg := BlockConfig{ChainID: chainID, Schedule: schedule}

	for i, b := range ft.Blocks {
		err := func() error {
			raw, err := types.DecodeHex(b.RLP)
			if err != nil {
				return err
			}
			blk, err := types.DecodeBlock(raw)
			if err != nil {
				return err
			}
			h := blk.Header
			parent := headers[h.ParentHash]
			if parent == nil {
				return fmt.Errorf("unknown parent")
			}
			if parent != head {
				return errSkipFixture // side chains are not modelled here
			}
			fork := schedule(h.Number, h.Time)
			if err := ValidateHeader(h, parent, fork); err != nil {
				return err
			}
			if blockUncleHash(blk.Uncles) != h.UncleHash {
				return fmt.Errorf("uncle hash mismatch")
			}
			getHash := func(n uint64) types.Hash {
				for p := parent; p != nil; p = headers[p.ParentHash] {
					if p.Number == n {
						return p.Hash()
					}
					if p.Number < n {
						break
					}
				}
				return types.Hash{}
			}
			work := state.Copy()
			res, err := ExecuteBlock(h, blk.Transactions, blk.Uncles, blk.Withdrawals, work, cfg, getHash)
			if err != nil {
				return err
			}
			if err := ValidateBlockResult(h, res); err != nil {
				return err
			}
			state = work
			headers[blk.Hash()] = h
			head = h
			return nil
		}()
		if err == errSkipFixture {
			return err
		}
		switch {
		case b.ExpectException != "" && err == nil:
			return fmt.Errorf("block %d: expected %s, got no error", i, b.ExpectException)
		case b.ExpectException == "" && err != nil:
			return fmt.Errorf("block %d: %v", i, err)
		}
	}
	if ft.LastBlockHash != "" && head.Hash() != types.HexToHash(ft.LastBlockHash) {
		return fmt.Errorf("last block hash %v, want %v", head.Hash(), ft.LastBlockHash)
	}
	want := types.HexToHash(ft.PostStateHash)
	if ft.PostState != nil {
		want = blockFixtureState(t, ft.PostState).IntermediateRoot(true)
	}
	if got := state.IntermediateRoot(true); got != want {
		return fmt.Errorf("post state root %v, want %v", got, want)
	}
	return nil
}

var errSkipFixture = fmt.Errorf("fixture not supported by this runner")

// TestBlockFixtures imports Ethereum's blockchain tests (Cancun
// ethereum/tests and Prague execution-spec-tests) through ValidateHeader,
// ExecuteBlock and ValidateBlockResult: valid blocks must reproduce the
// header's roots and the final state; invalid ones must be rejected.
// Every supported test passes; side chains (reorgs) are skipped.
func TestBlockFixtures(t *testing.T) {
	root := filepath.Join("..", "..", "shared", "fixtures", "blocktests")
	if _, err := os.Stat(root); err != nil {
		t.Skip("fixtures not found at ../shared/fixtures; skipping")
	}
	var files []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	if testing.Short() {
		var sample []string
		for i := 0; i < len(files); i += 8 {
			sample = append(sample, files[i])
		}
		files = sample
	}
	type tally struct{ pass, fail, skip int }
	perDir := map[string]*tally{}
	var failures []string
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		dir := filepath.Dir(rel)
		if perDir[dir] == nil {
			perDir[dir] = &tally{}
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var tests map[string]*blockFixture
		if err := json.Unmarshal(raw, &tests); err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		for name, ft := range tests {
			err := func() (err error) {
				defer func() {
					if p := recover(); p != nil {
						err = fmt.Errorf("panic: %v", p)
					}
				}()
				return runBlockFixture(t, ft)
			}()
			switch {
			case err == errSkipFixture:
				perDir[dir].skip++
			case err != nil:
				perDir[dir].fail++
				failures = append(failures, fmt.Sprintf("%s %s: %v", rel, name, err))
			default:
				perDir[dir].pass++
			}
		}
	}
	dirs := make([]string, 0, len(perDir))
	for d := range perDir {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	total := tally{}
	for _, d := range dirs {
		c := perDir[d]
		total.pass += c.pass
		total.fail += c.fail
		total.skip += c.skip
		if c.fail > 0 || testing.Verbose() {
			t.Logf("%-90s pass %d fail %d skip %d", d, c.pass, c.fail, c.skip)
		}
	}
	t.Logf("block tests: %d passed, %d failed, %d skipped", total.pass, total.fail, total.skip)
	for i, f := range failures {
		if i == 40 {
			t.Logf("... and %d more", len(failures)-40)
			break
		}
		t.Log(f)
	}
	if len(failures) > 0 {
		t.Errorf("%d blockchain tests failed", len(failures))
	}
}
