package merkle

import (
	"encoding/json"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/plasmaxpl/engine/types"
)

const fixtureRoot = "../../shared/fixtures"

// fixtureAccount is one account of a state test's post "state" alloc.
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
	Post map[string][]fixturePost `json:"post"`
}

// fixtureInt parses a 0x-hex number into its minimal big-endian bytes
// (empty for zero), using math/big as the oracle.
func fixtureInt(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.TrimPrefix(s, "0x")
	if s == "" {
		return nil
	}
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		t.Fatalf("bad number %q", s)
	}
	return v.Bytes()
}

// fixtureAccountRLP returns rlp([nonce, balance, storageRoot, codeHash]) of
// an alloc account, its storage trie keyed by keccak256(slot as 32 bytes)
// holding rlp(minimal value), zero slots absent.
func fixtureAccountRLP(t testing.TB, acc fixtureAccount) []byte {
	storage := New()
	for k, v := range acc.Storage {
		val := fixtureInt(t, v)
		if len(val) == 0 {
			continue
		}
		slot := make([]byte, 32)
		kb := fixtureInt(t, k)
		copy(slot[32-len(kb):], kb)
		sk := types.Keccak256(slot)
		storage.Update(sk[:], refString(val))
	}
	sr := storage.Hash()
	ch := types.Keccak256(mustHex(t, acc.Code))
	return refList(
		refString(fixtureInt(t, acc.Nonce)),
		refString(fixtureInt(t, acc.Balance)),
		refString(sr[:]),
		refString(ch[:]),
	)
}

// fixtureStateRoot builds the secure account trie of an alloc: key
// keccak256(address), value the account RLP.
func fixtureStateRoot(t testing.TB, alloc map[string]fixtureAccount) types.Hash {
	state := New()
	for addrHex, acc := range alloc {
		ak := types.Keccak256(mustHex(t, addrHex))
		state.Update(ak[:], fixtureAccountRLP(t, acc))
	}
	return state.Hash()
}

// loadFixtureTests returns up to limit post entries that carry a full
// "state", spread over the execution-spec-tests state fixtures, or skips
// the test when the fixtures are absent.
func loadFixtureTests(t *testing.T, limit int) []fixturePost {
	dir := filepath.Join(fixtureRoot, "statetests/execution-spec-tests/state_tests")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("fixtures not found at %s: %v", dir, err)
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	var out []fixturePost
	// Take a spread of files rather than the first few folders only.
	step := max(1, len(files)/60)
	for fi := 0; fi < len(files) && len(out) < limit; fi += step {
		raw, err := os.ReadFile(files[fi])
		if err != nil {
			t.Fatal(err)
		}
		var tests map[string]fixtureTest
		if err := json.Unmarshal(raw, &tests); err != nil {
			t.Fatalf("%s: %v", files[fi], err)
		}
		names := make([]string, 0, len(tests))
		for n := range tests {
			names = append(names, n)
		}
		sort.Strings(names)
		perFile := 0
		for _, name := range names {
			forks := make([]string, 0, len(tests[name].Post))
			for f := range tests[name].Post {
				forks = append(forks, f)
			}
			sort.Strings(forks)
			for _, fork := range forks {
				for _, p := range tests[name].Post[fork] {
					if p.State != nil && perFile < 10 && len(out) < limit {
						out = append(out, p)
						perFile++
					}
				}
			}
		}
	}
	return out
}

// TestFixtureStateRoots rebuilds the post-state root of execution-spec-tests
// state fixtures from their full post alloc and compares it with "hash".
func TestFixtureStateRoots(t *testing.T) {
	limit := 400
	if testing.Short() {
		limit = 50
	}
	posts := loadFixtureTests(t, limit)
	for i, p := range posts {
		want := types.Hash(mustHex(t, p.Hash))
		if got := fixtureStateRoot(t, p.State); got != want {
			t.Errorf("post %d: root %x, want %x", i, got, want)
		}
	}
	if len(posts) < 50 {
		t.Fatalf("only %d vectors checked", len(posts))
	}
	t.Logf("%d post states checked", len(posts))
}
