package proof

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/statedb/persist"
	"github.com/plasmaxpl/engine/types"
)

type fixtureAccount struct {
	Balance string            `json:"balance"`
	Nonce   string            `json:"nonce"`
	Code    string            `json:"code"`
	Storage map[string]string `json:"storage"`
}

type fixturePost struct {
	Hash  types.Hash                       `json:"hash"`
	State map[types.Address]fixtureAccount `json:"state"`
}

func fixturesDir(t *testing.T) string {
	if d := os.Getenv("PLASMA_FIXTURES"); d != "" {
		return d
	}
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			cand := filepath.Join(dir, "..", "shared", "fixtures")
			if st, err := os.Stat(cand); err == nil && st.IsDir() {
				return cand
			}
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	t.Skip("fixtures not found: set PLASMA_FIXTURES or place them at ../shared/fixtures")
	return ""
}

// buildState loads an alloc into a fresh state.
func buildState(t *testing.T, alloc map[types.Address]fixtureAccount) *statedb.StateDB {
	s := statedb.New()
	for addr, a := range alloc {
		s.CreateAccount(addr)
		var bal uint256.Int
		if err := types.ParseUint256Hex(a.Balance, &bal); err != nil {
			t.Fatal(err)
		}
		s.SetBalance(addr, &bal)
		n, err := types.ParseUint64Hex(a.Nonce)
		if err != nil {
			t.Fatal(err)
		}
		s.SetNonce(addr, n)
		code, err := types.DecodeHex(a.Code)
		if err != nil {
			t.Fatal(err)
		}
		s.SetCode(addr, code)
		st := map[types.Hash]types.Hash{}
		for k, v := range a.Storage {
			st[parseWord(t, k)] = parseWord(t, v)
		}
		s.SetStorage(addr, st)
	}
	s.IntermediateRoot(false)
	return s
}

func parseWord(t *testing.T, s string) types.Hash {
	var v uint256.Int
	if err := types.ParseUint256Hex(s, &v); err != nil {
		t.Fatalf("word %q: %v", s, err)
	}
	return v.Bytes32()
}

// pragueVectors returns the post entries (with state) of the Prague state
// tests, in a stable order.
func pragueVectors(t *testing.T) []fixturePost {
	dir := filepath.Join(fixturesDir(t), "statetests", "execution-spec-tests", "state_tests")
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		t.Skip("no execution-spec-tests state tests under " + dir)
	}
	sort.Strings(files)
	if testing.Short() {
		files = files[:min(len(files), 12)]
	}
	var out []fixturePost
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var tests map[string]struct {
			Post map[string][]fixturePost `json:"post"`
		}
		if err := json.Unmarshal(b, &tests); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		names := make([]string, 0, len(tests))
		for n := range tests {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			for _, p := range tests[n].Post["Prague"] {
				if p.State != nil {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// TestFixtureProofs proves every account of every Prague post-state, with
// all its slots and an absent one, checks the proofs against the
// fixture's root, and checks that tampered proofs fail.
func TestFixtureProofs(t *testing.T) {
	vectors := pragueVectors(t)
	accounts, slots := 0, 0
	for vi, p := range vectors {
		s := buildState(t, p.State)
		if root := s.AccountTrie().Hash(); root != p.Hash {
			t.Fatalf("vector %d: root %x, fixture %x", vi, root, p.Hash)
		}
		for addr, a := range p.State {
			keys := []types.Hash{{0: 0xde, 31: 0xad}} // absent
			for k := range a.Storage {
				keys = append(keys, parseWord(t, k))
			}
			res, err := Prove(s, addr, keys...)
			if err != nil {
				t.Fatal(err)
			}
			if err := res.Verify(p.Hash); err != nil {
				t.Fatalf("vector %d account %v: %v", vi, addr, err)
			}
			// The JSON form round-trips and still verifies.
			js, _ := json.Marshal(res)
			if !strings.Contains(string(js), `"balance":"0x`) || !strings.Contains(string(js), `"nonce":"0x`) {
				t.Fatalf("quantities not in hex: %s", js)
			}
			var back AccountResult
			if err := json.Unmarshal(js, &back); err != nil {
				t.Fatal(err)
			}
			if err := back.Verify(p.Hash); err != nil {
				t.Fatalf("after JSON round trip: %v", err)
			}
			if vi%7 == 0 {
				tamper(t, res, p.Hash)
			}
			accounts++
			slots += len(keys)
		}
		// An account that does not exist is proven absent.
		res, err := Prove(s, types.Address{0: 0xee, 19: 0x42})
		if err != nil {
			t.Fatal(err)
		}
		if err := res.Verify(p.Hash); err != nil {
			t.Fatalf("absent account: %v", err)
		}
		res.Balance.SetUint64(1)
		if err := res.Verify(p.Hash); !errors.Is(err, ErrInvalid) {
			t.Fatal("absent account with a balance verified")
		}
	}
	t.Logf("%d vectors, %d accounts, %d slots proven", len(vectors), accounts, slots)
}

// tamper changes each part of a valid result in turn; none may verify.
func tamper(t *testing.T, good *AccountResult, root types.Hash) {
	t.Helper()
	js, _ := json.Marshal(good)
	fresh := func() *AccountResult {
		var r AccountResult
		json.Unmarshal(js, &r)
		return &r
	}
	cases := map[string]func(r *AccountResult) bool{
		"balance":     func(r *AccountResult) bool { r.Balance.AddUint64(&r.Balance.Int, 1); return true },
		"nonce":       func(r *AccountResult) bool { r.Nonce++; return true },
		"code hash":   func(r *AccountResult) bool { r.CodeHash[5] ^= 1; return true },
		"storageHash": func(r *AccountResult) bool { r.StorageHash[0] ^= 1; return true },
		"proof byte": func(r *AccountResult) bool {
			n := r.AccountProof[len(r.AccountProof)-1]
			n[len(n)-1] ^= 1
			return true
		},
		"slot value": func(r *AccountResult) bool {
			r.StorageProof[0].Value.AddUint64(&r.StorageProof[0].Value.Int, 1)
			return true
		},
		"slot proof": func(r *AccountResult) bool {
			for i := range r.StorageProof {
				if p := r.StorageProof[i].Proof; len(p) > 0 {
					p[0][len(p[0])/2] ^= 0x10
					return true
				}
			}
			return false
		},
	}
	for name, f := range cases {
		r := fresh()
		if !f(r) {
			continue
		}
		if err := r.Verify(root); err == nil {
			t.Fatalf("tampered %s verified", name)
		}
	}
}

// TestProofsFromDatabase checks that a state read lazily from the database
// gives the same proofs as the in-memory state it was committed from.
func TestProofsFromDatabase(t *testing.T) {
	vectors := pragueVectors(t)
	db, err := persist.OpenMemory(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for vi, p := range vectors[:min(len(vectors), 40)] {
		mem := buildState(t, p.State)
		if _, err := db.Commit(uint64(vi), mem); err != nil {
			t.Fatal(err)
		}
		stored := db.State()
		for addr, a := range p.State {
			var keys []types.Hash
			for k := range a.Storage {
				keys = append(keys, parseWord(t, k))
			}
			want, err := Prove(mem, addr, keys...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Prove(stored, addr, keys...)
			if err != nil {
				t.Fatal(err)
			}
			wj, _ := json.Marshal(want)
			gj, _ := json.Marshal(got)
			if string(wj) != string(gj) {
				t.Fatalf("vector %d %v: proof from database\n%s\nwant\n%s", vi, addr, gj, wj)
			}
		}
	}
}
