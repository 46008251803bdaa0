package persist

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/merkle"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

// replay resumes the workload in db after its head and commits blocks up
// to last. Every reopenEvery blocks the state is reopened from the
// database, so both long-lived and freshly loaded states commit.
func replay(db *DB, last uint64, txs, reopenEvery int) error {
	next := uint64(0)
	if h, ok := db.Head(); ok {
		next = h.Number + 1
	}
	s := db.State()
	for b := next; b <= last; b++ {
		if reopenEvery > 0 && b%uint64(reopenEvery) == 0 {
			s = db.State()
		}
		if b == 0 {
			genesis(s)
			s.IntermediateRoot(true)
		} else {
			applyBlock(s, b, txs)
		}
		if _, err := db.Commit(b, s); err != nil {
			return err
		}
	}
	return nil
}

// sameState compares the workload's accounts in got and want.
func sameState(t *testing.T, got, want *statedb.StateDB) {
	t.Helper()
	check := func(a types.Address) {
		if g, w := got.GetBalance(a), want.GetBalance(a); !g.Eq(&w) {
			t.Fatalf("%v: balance %v, want %v", a, &g, &w)
		}
		if g, w := got.GetNonce(a), want.GetNonce(a); g != w {
			t.Fatalf("%v: nonce %d, want %d", a, g, w)
		}
		if g, w := got.Exist(a), want.Exist(a); g != w {
			t.Fatalf("%v: exists %v, want %v", a, g, w)
		}
		if g, w := got.GetCode(a), want.GetCode(a); !bytes.Equal(g, w) {
			t.Fatalf("%v: code %x, want %x", a, g, w)
		}
	}
	for i := range workAccounts {
		check(workAddr(i))
	}
	for i := range workContracts {
		c := workContract(i)
		check(c)
		for j := range workSlots {
			slot := types.Hash{31: byte(j)}
			if g, w := got.GetState(c, slot), want.GetState(c, slot); g != w {
				t.Fatalf("%v slot %x: %x, want %x", c, slot, g, w)
			}
		}
	}
	if err := got.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestCommitMatchesMemory(t *testing.T) {
	const blocks = 40
	ref := referenceRoots(blocks, 60)
	db, err := OpenMemory(&Options{Retain: 5, PruneEvery: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mem := statedb.New()
	genesis(mem)
	mem.IntermediateRoot(true)
	var history []*statedb.StateDB
	for b := uint64(0); b <= blocks; b++ {
		if err := replay(db, b, 60, 3); err != nil {
			t.Fatal(err)
		}
		if b > 0 {
			applyBlock(mem, b, 60)
		}
		history = append(history, mem.Copy())
		h, _ := db.Head()
		if h.Number != b || h.Root != ref[b] {
			t.Fatalf("block %d: head %d %x, want root %x", b, h.Number, h.Root, ref[b])
		}
	}
	roots, err := db.Roots()
	if err != nil {
		t.Fatal(err)
	}
	if len(roots) != 5 {
		t.Fatalf("%d retained roots, want 5", len(roots))
	}
	// Every retained state reads back exactly (through the tries for old
	// roots, through the flat view for the head).
	for _, r := range roots {
		s, err := db.StateAt(r.Root)
		if err != nil {
			t.Fatal(err)
		}
		sameState(t, s, history[r.Number])
	}
	if _, err := db.StateAt(ref[1]); !errors.Is(err, ErrPruned) {
		t.Fatalf("StateAt(pruned root) = %v, want ErrPruned", err)
	}
	// After a full prune, every retained state is still complete.
	if _, err := db.Prune(); err != nil {
		t.Fatal(err)
	}
	for _, r := range roots {
		if err := walkState(db, r.Root); err != nil {
			t.Fatalf("block %d after prune: %v", r.Number, err)
		}
	}
}

// walkState reads every node and code reachable from root.
func walkState(db *DB, root types.Hash) error {
	return merkle.Walk(root, db, nil, func(_, v []byte) error {
		a, err := DecodeAccount(v)
		if err != nil {
			return err
		}
		if _, err := db.Code(a.CodeHash); err != nil {
			return err
		}
		return merkle.Walk(a.Root, db, nil, nil)
	})
}

func TestPruneBoundsSize(t *testing.T) {
	db, err := OpenMemory(&Options{Retain: 2, PruneEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := replay(db, 30, 80, 0); err != nil {
		t.Fatal(err)
	}
	st, err := db.Prune()
	if err != nil {
		t.Fatal(err)
	}
	if st.NodesDeleted == 0 || st.Roots != 2 {
		t.Fatalf("prune: %+v", st)
	}
	again, err := db.Prune()
	if err != nil {
		t.Fatal(err)
	}
	if again.NodesDeleted != 0 || again.NodesKept != st.NodesKept {
		t.Fatalf("second prune changed something: %+v after %+v", again, st)
	}
	t.Logf("kept %d nodes, deleted %d", st.NodesKept, st.NodesDeleted)
}

func TestReopenResumes(t *testing.T) {
	ref := referenceRoots(30, 50)
	dir := filepath.Join(t.TempDir(), "state")
	db, err := Open(dir, &Options{Retain: 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := replay(db, 12, 50, 5); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(dir, &Options{Retain: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if h, _ := db.Head(); h.Number != 12 || h.Root != ref[12] {
		t.Fatalf("reopened head %d %x, want 12 %x", h.Number, h.Root, ref[12])
	}
	if err := replay(db, 30, 50, 7); err != nil {
		t.Fatal(err)
	}
	if h, _ := db.Head(); h.Root != ref[30] {
		t.Fatalf("final root %x, want %x", h.Root, ref[30])
	}
	if _, err := db.Commit(30, db.State()); err == nil {
		t.Fatal("committing a block at the head's number succeeded")
	}
}

// TestLazyState checks that an opened state loads only what it touches and
// behaves like the in-memory one for reads after writes, reverts and
// deletions of accounts that exist only in the store.
func TestLazyState(t *testing.T) {
	db, err := OpenMemory(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := replay(db, 5, 80, 0); err != nil {
		t.Fatal(err)
	}
	mem := statedb.New()
	genesis(mem)
	for b := uint64(1); b <= 5; b++ {
		applyBlock(mem, b, 80)
	}
	s := db.State()
	for _, st := range []*statedb.StateDB{s, mem} {
		c := workContract(3)
		st.SelfDestruct(c)
		st.Finalise(true)
		if st.Exist(c) || st.GetState(c, types.Hash{31: 1}) != (types.Hash{}) {
			t.Fatal("destroyed account still visible")
		}
		st.CreateAccount(c)
		st.SetState(c, types.Hash{31: 2}, types.Hash{31: 9})
		st.AddBalance(workAddr(7), uint256.NewInt(5))
		st.Finalise(true)
		st.IntermediateRoot(true)
	}
	if s.IntermediateRoot(true) != mem.IntermediateRoot(true) {
		t.Fatal("opened and in-memory states disagree")
	}
	if len(s.Dump()) >= len(mem.Dump()) {
		t.Fatalf("opened state loaded %d accounts of %d", len(s.Dump()), len(mem.Dump()))
	}
	sameState(t, s, mem)
}

func TestForeignAndCorruptDirs(t *testing.T) {
	base := t.TempDir()

	foreign := filepath.Join(base, "foreign")
	os.MkdirAll(foreign, 0o755)
	os.WriteFile(filepath.Join(foreign, "notes.txt"), []byte("hello"), 0o644)
	if _, err := Open(foreign, nil); !errors.Is(err, ErrNotStateDB) {
		t.Fatalf("directory with other files: %v, want ErrNotStateDB", err)
	}

	other := filepath.Join(base, "otherpebble")
	kv, err := pebble.Open(other, &pebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	kv.Set([]byte("some"), []byte("thing"), pebble.Sync)
	kv.Close()
	if _, err := Open(other, nil); !errors.Is(err, ErrNotStateDB) {
		t.Fatalf("pebble database of another program: %v, want ErrNotStateDB", err)
	}

	good := filepath.Join(base, "good")
	db, err := Open(good, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := replay(db, 3, 30, 0); err != nil {
		t.Fatal(err)
	}
	db.kv.Set([]byte{prefixMeta}, append([]byte(formatMagic), formatVersion+1), pebble.Sync)
	db.Close()
	if _, err := Open(good, nil); !errors.Is(err, ErrVersion) {
		t.Fatalf("other version: %v, want ErrVersion", err)
	}

	// Damaged files: every pebble file overwritten in turn.
	mk := func(name string) string {
		d := filepath.Join(base, name)
		db, err := Open(d, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := replay(db, 3, 30, 0); err != nil {
			t.Fatal(err)
		}
		db.Close()
		return d
	}
	src := mk("src")
	files, _ := os.ReadDir(src)
	for _, f := range files {
		if f.IsDir() || f.Name() == "LOCK" {
			continue
		}
		d := filepath.Join(base, "bad-"+f.Name())
		os.CopyFS(d, os.DirFS(src))
		p := filepath.Join(d, f.Name())
		info, _ := os.Stat(p)
		junk := bytes.Repeat([]byte{0x5a}, max(int(info.Size()), 64))
		os.WriteFile(p, junk, 0o644)
		db, err := Open(d, nil)
		t.Logf("damaged %s: %v", f.Name(), err)
		if err == nil {
			// Some files (logs of old options) may be irrelevant; the
			// state must then still be complete.
			h, _ := db.Head()
			err = walkState(db, h.Root)
			db.Close()
			if err == nil {
				continue
			}
		}
		if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNotStateDB) {
			t.Errorf("damaged %s: %v, want ErrCorrupt", f.Name(), err)
		}
	}

	// A missing trie node is reported when it is needed.
	d := mk("missing")
	db, err = Open(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := db.Head()
	db.kv.Delete(hashKey(prefixNode, h.Root), pebble.Sync)
	db.Close()
	if _, err := Open(d, nil); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("missing root node: %v, want ErrCorrupt", err)
	}
}

func FuzzDecodeAccount(f *testing.F) {
	a := statedb.StoredAccount{Nonce: 7, Root: types.EmptyRootHash, CodeHash: types.EmptyCodeHash}
	a.Balance.SetUint64(1e18)
	f.Add(EncodeAccount(&a))
	f.Add([]byte{0xc0})
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := DecodeAccount(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		if !bytes.Equal(EncodeAccount(&a), b) {
			t.Fatalf("accepted non-canonical account %x", b)
		}
	})
}

func FuzzDecodeSlot(f *testing.F) {
	f.Add([]byte{0x01})
	f.Add([]byte{0x82, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeSlot(b)
		if err != nil {
			return
		}
		i := 0
		for i < 32 && v[i] == 0 {
			i++
		}
		var want []byte
		if w := v[i:]; len(w) == 1 && w[0] < 0x80 {
			want = w
		} else {
			want = append([]byte{0x80 + byte(len(w))}, w...)
		}
		if !bytes.Equal(want, b) {
			t.Fatalf("accepted %x, canonical is %x", b, want)
		}
	})
}

// TestOpenedStateConcurrentReads reads one opened state from several
// goroutines (as a parallel executor reads the state before a block); run
// with -race.
func TestOpenedStateConcurrentReads(t *testing.T) {
	db, err := OpenMemory(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := replay(db, 4, 80, 0); err != nil {
		t.Fatal(err)
	}
	s := db.State()
	want := db.State()
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range workAccounts {
				s.GetBalance(workAddr((i + g*37) % workAccounts))
				c := workContract((i + g) % workContracts)
				s.GetState(c, types.Hash{31: byte(i % workSlots)})
				s.GetCommittedState(c, types.Hash{31: byte((i + 1) % workSlots)})
				s.Exist(c)
			}
		}()
	}
	for range 4 {
		<-done
	}
	sameState(t, s, want)
}
