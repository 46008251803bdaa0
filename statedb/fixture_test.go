package statedb

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/types"
)

// The execution-spec-tests state fixtures carry, for every post entry, the
// full post-state alloc and its root as Ethereum computed it: an
// independent oracle for our account encoding, storage encoding and trie.

const eestStateTests = "../../shared/fixtures/statetests/execution-spec-tests/state_tests"

type fixtureAccount struct {
	Nonce   string            `json:"nonce"`
	Balance string            `json:"balance"`
	Code    string            `json:"code"`
	Storage map[string]string `json:"storage"`
}

type fixturePost struct {
	Hash  string                    `json:"hash"`
	State map[string]fixtureAccount `json:"state"`
}

type fixtureTest struct {
	Pre  map[string]fixtureAccount `json:"pre"`
	Post map[string][]fixturePost  `json:"post"`
}

func parseU256(t testing.TB, s string) *uint256.Int {
	t.Helper()
	b, err := types.DecodeHex(s)
	if err != nil || len(b) > 32 {
		t.Fatalf("bad quantity %q", s)
	}
	return new(uint256.Int).SetBytes(b)
}

// loadAlloc writes an alloc into s through the exported loading API.
func loadAlloc(t testing.TB, s *StateDB, alloc map[string]fixtureAccount) {
	t.Helper()
	for as, acc := range alloc {
		addr, err := types.ParseAddress(as)
		if err != nil {
			t.Fatal(err)
		}
		s.SetBalance(addr, parseU256(t, acc.Balance))
		s.SetNonce(addr, parseU256(t, acc.Nonce).Uint64())
		code, err := types.DecodeHex(acc.Code)
		if err != nil {
			t.Fatal(err)
		}
		s.SetCode(addr, code)
		st := make(map[types.Hash]types.Hash, len(acc.Storage))
		for k, v := range acc.Storage {
			kh, err1 := types.ParseHash(k)
			vh, err2 := types.ParseHash(v)
			if err1 != nil || err2 != nil {
				t.Fatalf("bad storage entry %q: %q", k, v)
			}
			st[kh] = vh
		}
		s.SetStorage(addr, st)
	}
}

func fixtureFiles(t *testing.T) []string {
	if _, err := os.Stat(eestStateTests); err != nil {
		t.Skipf("fixtures not found at %s (they live in the shared fixtures checkout)", eestStateTests)
	}
	var files []string
	filepath.WalkDir(eestStateTests, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	return files
}

// TestFixturePostStateRoots loads post-state allocs and compares the state
// root with the fixture's expected hash.
func TestFixturePostStateRoots(t *testing.T) {
	files := fixtureFiles(t)
	limit := 600
	if testing.Short() {
		limit = 100
	}
	checked := 0
	for _, f := range files {
		if checked >= limit {
			break
		}
		info, err := os.Stat(f)
		if err != nil || info.Size() > 1<<20 {
			continue // keep the test quick: large files add no variety
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var tests map[string]fixtureTest
		if err := json.Unmarshal(raw, &tests); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		names := make([]string, 0, len(tests))
		for n := range tests {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			for fork, posts := range tests[name].Post {
				for i, p := range posts {
					if p.State == nil {
						continue
					}
					want, err := types.ParseHash(p.Hash)
					if err != nil {
						t.Fatal(err)
					}
					s := New()
					loadAlloc(t, s, p.State)
					// Loading must keep empty accounts (an alloc is the
					// exact account set), as pre-state loading does.
					if got := s.IntermediateRoot(false); got != want {
						t.Errorf("%s %s[%d]: root %s, want %s", name, fork, i, got, want)
					}
					// Post states hold no empty accounts, so clearing
					// must change nothing.
					if !allocHasEmpty(p.State) {
						c := New()
						loadAlloc(t, c, p.State)
						if got := c.IntermediateRoot(true); got != want {
							t.Errorf("%s %s[%d]: root with EIP-161 clearing %s, want %s", name, fork, i, got, want)
						}
					}
					checked++
				}
			}
		}
	}
	if checked == 0 {
		t.Skip("no post states with allocs found")
	}
	t.Logf("checked %d post-state roots", checked)
}

func allocHasEmpty(alloc map[string]fixtureAccount) bool {
	for _, a := range alloc {
		code, _ := types.DecodeHex(a.Code)
		b, _ := types.DecodeHex(a.Balance)
		n, _ := types.DecodeHex(a.Nonce)
		if len(code) == 0 && new(uint256.Int).SetBytes(b).IsZero() && new(uint256.Int).SetBytes(n).IsZero() {
			return true
		}
	}
	return false
}

// TestFixturePreStateIncremental loads a pre-state, then overwrites it with
// the post-state in a second transaction (deleting accounts that vanished),
// checking that incremental root updates give the same root as a fresh load.
func TestFixturePreStateIncremental(t *testing.T) {
	files := fixtureFiles(t)
	checked := 0
	for _, f := range files {
		if checked >= 150 {
			break
		}
		info, err := os.Stat(f)
		if err != nil || info.Size() > 256<<10 {
			continue
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var tests map[string]fixtureTest
		if err := json.Unmarshal(raw, &tests); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for name, tc := range tests {
			for fork, posts := range tc.Post {
				for i, p := range posts {
					if p.State == nil {
						continue
					}
					want, _ := types.ParseHash(p.Hash)
					s := New()
					loadAlloc(t, s, tc.Pre)
					s.IntermediateRoot(false)
					for as := range tc.Pre {
						if _, ok := p.State[as]; !ok {
							s.SelfDestruct(types.HexToAddress(as))
						}
					}
					s.Finalise(true)
					loadAlloc(t, s, p.State)
					if got := s.IntermediateRoot(false); got != want {
						t.Errorf("%s %s[%d]: incremental root %s, want %s", name, fork, i, got, want)
					}
					checked++
				}
			}
		}
	}
	t.Logf("checked %d incremental roots", checked)
}
