package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/statedb/persist"
	"github.com/plasmaxpl/engine/statedb/proof"
	"github.com/plasmaxpl/engine/types"
)

// proofFixture is a state database of two blocks and the in-memory states
// it was committed from (the oracle of what the proofs must show).
type proofFixture struct {
	dir            string
	roots          [2]types.Hash
	states         [2]*statedb.StateDB
	contract, user types.Address
	slots          []types.Hash
}

func word(i uint64) types.Hash { return types.Hash(uint256.NewInt(i).Bytes32()) }

func addr(i byte) types.Address {
	var a types.Address
	a[0], a[19] = 0xaa, i
	return a
}

// buildProofFixture commits block 1 (40 accounts, a contract with code and
// 16 slots) and block 2 (balances and slots changed, a slot cleared).
func buildProofFixture(t *testing.T) *proofFixture {
	t.Helper()
	f := &proofFixture{dir: filepath.Join(t.TempDir(), "state"), contract: addr(200), user: addr(7)}
	db, err := persist.Open(f.dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range uint64(16) {
		f.slots = append(f.slots, word(i*i+1))
	}
	build := func(block int) *statedb.StateDB {
		s := statedb.New()
		for i := range byte(40) {
			a := addr(i)
			s.CreateAccount(a)
			s.SetBalance(a, uint256.NewInt(uint64(i)*1000+uint64(block)))
			s.SetNonce(a, uint64(i)+uint64(block))
		}
		s.CreateAccount(f.contract)
		s.SetCode(f.contract, []byte{0x60, 0x00, 0x54, 0x00})
		s.SetNonce(f.contract, 1)
		for i, k := range f.slots {
			v := uint64(i+1) * uint64(block)
			if block == 2 && i == 3 {
				continue // cleared in block 2
			}
			s.SetState(f.contract, k, word(v))
		}
		s.IntermediateRoot(false)
		return s
	}
	for i := range 2 {
		f.states[i] = build(i + 1)
		if f.roots[i], err = db.Commit(uint64(i+1), build(i+1)); err != nil {
			t.Fatal(err)
		}
		if want := f.states[i].IntermediateRoot(false); f.roots[i] != want {
			t.Fatalf("block %d: database root %v, in-memory %v", i+1, f.roots[i], want)
		}
	}
	return f
}

func hexWords(ws []types.Hash) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Hex())
	}
	return out
}

// TestProofCLI: what plasma proof prints verifies with statedb/proof
// against the root it names, equals the proof of the in-memory state the
// database was committed from, and fails verification once tampered.
func TestProofCLI(t *testing.T) {
	f := buildProofFixture(t)
	absent := addr(250)
	cases := []struct {
		name  string
		block int // 0: head (block 2)
		addr  types.Address
		slots []types.Hash
	}{
		{"contract with slots at the head", 0, f.contract, f.slots},
		{"contract at block 1 by --root", 1, f.contract, f.slots},
		{"plain account", 0, f.user, nil},
		{"absent account and slot", 0, absent, []types.Hash{word(1)}},
	}
	for _, tc := range cases {
		args := []string{"--db", f.dir, tc.addr.Hex()}
		root, state := f.roots[1], f.states[1]
		if tc.block == 1 {
			root, state = f.roots[0], f.states[0]
			args = append(args, "--root", root.Hex())
		}
		args = append(args, hexWords(tc.slots)...)
		code, out, stderr := runCLI(t, "proof", args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", tc.name, code, stderr)
		}
		var named struct{ StateRoot types.Hash }
		if err := json.Unmarshal([]byte(stderr), &named); err != nil || named.StateRoot != root {
			t.Fatalf("%s: stderr %q does not name root %v", tc.name, stderr, root)
		}
		var got proof.AccountResult
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%s: output is not an eth_getProof result: %v\n%s", tc.name, err, out)
		}
		if err := got.Verify(root); err != nil {
			t.Fatalf("%s: printed proof does not verify: %v", tc.name, err)
		}
		want, err := proof.Prove(state, tc.addr, tc.slots...)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := jsonString(want), jsonString(&got); a != b {
			t.Fatalf("%s: database proof differs from the in-memory one:\n%s\n%s", tc.name, b, a)
		}
		// The fields agree with the state itself.
		bal := state.GetBalance(tc.addr)
		if !got.Balance.Eq(&bal) || uint64(got.Nonce) != state.GetNonce(tc.addr) || len(got.StorageProof) != len(tc.slots) {
			t.Fatalf("%s: fields %+v disagree with the state", tc.name, got)
		}
		for i, sp := range got.StorageProof {
			v := state.GetState(tc.addr, tc.slots[i])
			if sp.Value.Bytes32() != v {
				t.Fatalf("%s: slot %v = %v, state has %v", tc.name, sp.Key, sp.Value.Hex(), v)
			}
		}
		// Tampered results fail.
		forged := got
		forged.Balance.AddUint64(&forged.Balance.Int, 1)
		if forged.Verify(root) == nil {
			t.Fatalf("%s: a forged balance verifies", tc.name)
		}
		if len(got.StorageProof) > 0 {
			forged = got
			forged.StorageProof = append([]proof.StorageResult(nil), got.StorageProof...)
			forged.StorageProof[0].Value.AddUint64(&forged.StorageProof[0].Value.Int, 1)
			if forged.Verify(root) == nil {
				t.Fatalf("%s: a forged slot value verifies", tc.name)
			}
		}
		if tc.block == 1 && got.Verify(f.roots[1]) == nil {
			t.Fatalf("%s: block 1's proof verifies under block 2's root", tc.name)
		}
	}
}

// TestProofCLIUsage: bad arguments exit 2, unusable databases exit 1 (as
// the usage text says), each with a message and nothing on stdout.
func TestProofCLIUsage(t *testing.T) {
	f := buildProofFixture(t)
	user := f.user.Hex()
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{nil, 2, "usage"},
		{[]string{user}, 2, "usage"},
		{[]string{"--db", f.dir}, 2, "usage"},
		{[]string{"--db", f.dir, "0xzz"}, 2, "bad address"},
		{[]string{"--db", f.dir, "0x" + strings.Repeat("11", 21)}, 2, "bad address"},
		{[]string{"--db", f.dir, user, "0xzz"}, 2, "bad slot"},
		{[]string{"--db", f.dir, user, "0x" + strings.Repeat("11", 33)}, 2, "bad slot"},
		{[]string{"--db", f.dir, "--root", "0xzz", user}, 2, "bad --root"},
		{[]string{"--db", f.dir, "--nope", user}, 2, "flag provided but not defined"},
		{[]string{"--db", f.dir, "--root", word(99).Hex(), user}, 1, "root not retained"},
	} {
		code, out, stderr := runCLI(t, "proof", tc.args...)
		if code != tc.code || out != "" || !strings.Contains(stderr, tc.msg) {
			t.Errorf("proof %q: exit %d (want %d), stdout %q, stderr %q (want %q)", tc.args, code, tc.code, out, stderr, tc.msg)
		}
	}
	for name, dir := range badDatabases(t) {
		code, out, stderr := runCLI(t, "proof", "--db", dir.path, user)
		if code != 1 || out != "" || !strings.Contains(stderr, "plasma proof: ") || !strings.Contains(stderr, dir.msg) {
			t.Errorf("%s: exit %d (want 1), stdout %q, stderr %q (want %q)", name, code, out, stderr, dir.msg)
		}
	}
}

type badDB struct{ path, msg string }

// quietLogger keeps pebble's informational lines out of test output.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}

// badDatabases returns directories that are not usable state databases,
// with a part of the message each must give. Each is new and may be
// opened once.
func badDatabases(t *testing.T) map[string]badDB {
	t.Helper()
	tmp := t.TempDir()
	out := map[string]badDB{}
	mk := func(name string) string {
		p := filepath.Join(tmp, name)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}

	out["missing"] = badDB{filepath.Join(tmp, "missing"), "no database in"}
	out["empty"] = badDB{mk("empty"), "no database in"}
	foreign := mk("foreign")
	os.WriteFile(filepath.Join(foreign, "README"), []byte("hello"), 0o644)
	out["foreign files"] = badDB{foreign, "holds no pebble database"}
	file := filepath.Join(tmp, "a-file")
	os.WriteFile(file, []byte("x"), 0o644)
	out["a file"] = badDB{file, "not a plasma state database"}

	// A pebble database of another program.
	other := mk("other-pebble")
	kv, err := pebble.Open(other, &pebble.Options{Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	kv.Set([]byte("hello"), []byte("world"), pebble.Sync)
	kv.Close()
	out["another program's pebble"] = badDB{other, "no format marker"}

	// A state database with no committed block.
	fresh := mk("fresh")
	db, err := persist.Open(fresh, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	out["no block"] = badDB{fresh, "no committed block"}

	// State databases whose files are damaged.
	for _, damage := range []string{"garbled", "truncated"} {
		dir := mk(damage)
		db, err := persist.Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		s := statedb.New()
		for i := range byte(50) {
			s.SetBalance(addr(i), uint256.NewInt(uint64(i)+1))
		}
		if _, err := db.Commit(1, s); err != nil {
			t.Fatal(err)
		}
		db.Close()
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			b, err := os.ReadFile(p)
			if err != nil || e.IsDir() {
				continue
			}
			if damage == "truncated" {
				b = b[:len(b)/3]
			} else {
				for i := range b {
					b[i] ^= 0x5a
				}
			}
			os.WriteFile(p, b, 0o644)
		}
		out[damage] = badDB{dir, "state database is corrupted"}
	}
	return out
}

// TestProofCLIPrintsOnlyJSON: stdout holds the result and nothing else,
// in the documented field order.
func TestProofCLIPrintsOnlyJSON(t *testing.T) {
	f := buildProofFixture(t)
	_, out, _ := runCLI(t, "proof", "--db", f.dir, f.contract.Hex(), f.slots[0].Hex())
	var keys []string
	dec := json.NewDecoder(strings.NewReader(out))
	tok, _ := dec.Token()
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, fmt.Sprint(k))
		var skip json.RawMessage
		dec.Decode(&skip)
	}
	if end, _ := dec.Token(); tok != json.Delim('{') || end != json.Delim('}') || dec.More() {
		t.Fatalf("stdout is not exactly one JSON object: %q", out)
	}
	want := "address accountProof balance codeHash nonce storageHash storageProof"
	if got := strings.Join(keys, " "); got != want {
		t.Fatalf("fields %q, want %q", got, want)
	}
}
