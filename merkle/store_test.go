package merkle

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/plasmaxpl/engine/types"
)

// memNodes is a map-backed NodeReader.
type memNodes struct {
	mu sync.Mutex
	m  map[types.Hash][]byte
}

func newMemNodes() *memNodes { return &memNodes{m: map[types.Hash][]byte{}} }

func (s *memNodes) Node(h types.Hash) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	enc, ok := s.m[h]
	if !ok {
		return nil, fmt.Errorf("%w: %x", ErrMissingNode, h)
	}
	return enc, nil
}

// persist writes t's new nodes to s, checking each against its hash.
func (s *memNodes) persist(t testing.TB, tr *Trie) types.Hash {
	t.Helper()
	root, err := tr.NewNodes(func(h types.Hash, enc []byte) error {
		if types.Keccak256(enc) != h {
			t.Fatalf("node %x: encoding hashes to %x", h, types.Keccak256(enc))
		}
		s.mu.Lock()
		s.m[h] = bytes.Clone(enc)
		s.mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tr.MarkStored()
	return root
}

// TestStoredTrieMatchesMemory opens a persisted trie, changes it and the
// in-memory original identically, and compares Get and roots with a map
// and the reference trie, persisting again after every round.
func TestStoredTrieMatchesMemory(t *testing.T) {
	for mode := range 3 {
		t.Run(fmt.Sprint("mode", mode), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(mode), 7))
			store := newMemNodes()
			mem := New()
			m := map[string][]byte{}
			var keys [][]byte
			for range 300 {
				k, v := randKey(r, mode), randValue(r)
				keys = append(keys, k)
				mem.Update(k, v)
				m[string(k)] = v
			}
			root := store.persist(t, mem)
			for round := range 6 {
				st := Open(root, store)
				if st.Hash() != root {
					t.Fatalf("opened root %x, want %x", st.Hash(), root)
				}
				for range 60 {
					var k []byte
					if r.IntN(2) == 0 && len(keys) > 0 {
						k = keys[r.IntN(len(keys))]
					} else {
						k = randKey(r, mode)
						keys = append(keys, k)
					}
					if r.IntN(3) == 0 {
						st.Delete(k)
						mem.Delete(k)
						delete(m, string(k))
					} else {
						v := randValue(r)
						st.Update(k, v)
						mem.Update(k, v)
						m[string(k)] = v
					}
				}
				if err := st.Err(); err != nil {
					t.Fatal(err)
				}
				want := refRoot(m)
				if got := st.Hash(); got != want {
					t.Fatalf("round %d: stored trie root %x, want %x", round, got, want)
				}
				if got := mem.Hash(); got != want {
					t.Fatalf("round %d: memory trie root %x, want %x", round, got, want)
				}
				fresh := Open(want, store)
				for _, k := range keys {
					// Before persisting, the new nodes exist only in st.
					gv, gok := st.Get(k)
					wv, wok := m[string(k)]
					if gok != wok || !bytes.Equal(gv, wv) {
						t.Fatalf("Get(%x) = %x %v, want %x %v", k, gv, gok, wv, wok)
					}
				}
				if round%2 == 0 {
					root = store.persist(t, st)
				} else {
					root = store.persist(t, mem)
				}
				for _, k := range keys {
					gv, gok := fresh.Get(k)
					wv, wok := m[string(k)]
					if gok != wok || !bytes.Equal(gv, wv) {
						t.Fatalf("reopened Get(%x) = %x %v, want %x %v", k, gv, gok, wv, wok)
					}
					p, err := fresh.Prove(k)
					if err != nil {
						t.Fatal(err)
					}
					pv, err := VerifyProof(root, k, p)
					if err != nil || !bytes.Equal(pv, wv) {
						t.Fatalf("proof of %x from stored trie: %x, %v", k, pv, err)
					}
				}
				if err := fresh.Err(); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestDiffAgainstMaps compares Diff with the difference of two maps.
func TestDiffAgainstMaps(t *testing.T) {
	for mode := range 3 {
		r := rand.New(rand.NewPCG(uint64(mode), 11))
		store := newMemNodes()
		a := New()
		ma := map[string][]byte{}
		for range 200 {
			k, v := randKey(r, mode), randValue(r)
			a.Update(k, v)
			ma[string(k)] = v
		}
		root := store.persist(t, a)
		for round := range 5 {
			b := Open(root, store)
			mb := map[string][]byte{}
			for k, v := range ma {
				mb[k] = v
			}
			for range r.IntN(40) {
				k := randKey(r, mode)
				if r.IntN(3) == 0 && len(ma) > 0 {
					for kk := range ma {
						k = []byte(kk)
						break
					}
					b.Delete(k)
					delete(mb, string(k))
					continue
				}
				v := randValue(r)
				b.Update(k, v)
				mb[string(k)] = v
			}
			got := map[string][2][]byte{}
			err := Diff(Open(root, store), b, func(k, x, y []byte) error {
				if _, dup := got[string(k)]; dup {
					return fmt.Errorf("key %x reported twice", k)
				}
				got[string(k)] = [2][]byte{bytes.Clone(x), bytes.Clone(y)}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string][2][]byte{}
			for k, v := range ma {
				if w := mb[k]; !bytes.Equal(v, w) {
					want[k] = [2][]byte{v, w}
				}
			}
			for k, v := range mb {
				if _, ok := ma[k]; !ok {
					want[k] = [2][]byte{nil, v}
				}
			}
			if len(got) != len(want) {
				t.Fatalf("mode %d round %d: %d differences, want %d", mode, round, len(got), len(want))
			}
			for k, w := range want {
				g := got[k]
				if !bytes.Equal(g[0], w[0]) || !bytes.Equal(g[1], w[1]) {
					t.Fatalf("key %x: diff %x -> %x, want %x -> %x", k, g[0], g[1], w[0], w[1])
				}
			}
			root = store.persist(t, b)
			ma = mb
		}
	}
}

// TestWalkVisitsEveryNode checks that Walk reaches every stored node and
// every entry.
func TestWalkVisitsEveryNode(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	store := newMemNodes()
	tr := New()
	m := map[string][]byte{}
	for range 500 {
		k, v := randKey(r, 0), randValue(r)
		tr.Update(k, v)
		m[string(k)] = v
	}
	root := store.persist(t, tr)
	seen := map[types.Hash]bool{}
	leaves := 0
	err := Walk(root, store, func(h types.Hash) bool { seen[h] = true; return true }, func(k, v []byte) error {
		leaves++
		if !bytes.Equal(m[string(k)], v) {
			return fmt.Errorf("walk: key %x value %x, want %x", k, v, m[string(k)])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if leaves != len(m) || len(seen) != len(store.m) {
		t.Fatalf("walk saw %d leaves, %d nodes; want %d, %d", leaves, len(seen), len(m), len(store.m))
	}
}

// TestStoredTrieCorruption checks that missing and altered nodes give
// errors, never panics or wrong answers.
func TestStoredTrieCorruption(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	store := newMemNodes()
	tr := New()
	var keys [][]byte
	for range 200 {
		k := randKey(r, 0)
		keys = append(keys, k)
		tr.Update(k, randValue(r))
	}
	root := store.persist(t, tr)
	for h, enc := range store.m {
		if h == root {
			continue
		}
		bad := bytes.Clone(enc)
		bad[len(bad)/2] ^= 1
		store.m[h] = bad
		st := Open(root, store)
		for _, k := range keys {
			st.Update(k, []byte{1})
		}
		if err := st.Err(); !errors.Is(err, ErrBadNode) {
			t.Fatalf("altered node: Err() = %v, want ErrBadNode", err)
		}
		delete(store.m, h)
		st = Open(root, store)
		for _, k := range keys {
			st.Get(k)
		}
		if err := st.Err(); !errors.Is(err, ErrMissingNode) {
			t.Fatalf("missing node: Err() = %v, want ErrMissingNode", err)
		}
		store.m[h] = enc
		break
	}
}

// FuzzDecodeNode feeds arbitrary bytes to the stored-node decoder: it must
// not panic, and what it accepts must re-encode to the same bytes.
func FuzzDecodeNode(f *testing.F) {
	tr := New()
	r := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		tr.Update(randKey(r, 1), randValue(r))
	}
	store := newMemNodes()
	store.persist(f, tr)
	for _, enc := range store.m {
		f.Add(enc)
	}
	f.Fuzz(func(t *testing.T, enc []byte) {
		if _, err := DecodeNode(enc); err != nil {
			return
		}
		n, err := decodeNode(enc, 0)
		if err != nil {
			t.Fatal("DecodeNode and decodeNode disagree")
		}
		if got := appendNode(nil, n); !bytes.Equal(got, enc) {
			t.Fatalf("re-encoded %x, want %x", got, enc)
		}
	})
}

// FuzzStoredTrie corrupts one stored node as the input says and runs
// updates and lookups: the trie must report an error or stay correct.
func FuzzStoredTrie(f *testing.F) {
	f.Add(uint16(0), uint16(3), byte(1), []byte("ops"))
	f.Fuzz(func(t *testing.T, which, at uint16, xor byte, ops []byte) {
		r := rand.New(rand.NewPCG(9, 9))
		store := newMemNodes()
		tr := New()
		m := map[string][]byte{}
		for range 64 {
			k, v := randKey(r, 1+int(which%2)), randValue(r)
			tr.Update(k, v)
			m[string(k)] = v
		}
		root := store.persist(t, tr)
		var hs []types.Hash
		for h := range store.m {
			hs = append(hs, h)
		}
		// Corrupt one node in place of its valid encoding.
		h := hs[int(which)%len(hs)]
		enc := bytes.Clone(store.m[h])
		if xor != 0 {
			enc[int(at)%len(enc)] ^= xor
		} else {
			enc = enc[:int(at)%len(enc)]
		}
		store.m[h] = enc
		st := Open(root, store)
		for i := 0; i+1 < len(ops); i += 2 {
			k := []byte{ops[i] & 0x33}
			if ops[i+1]&1 == 0 {
				st.Delete(k)
				delete(m, string(k))
			} else {
				st.Update(k, []byte{ops[i+1]})
				m[string(k)] = []byte{ops[i+1]}
			}
		}
		got := st.Hash()
		if st.Err() == nil && got != refRoot(m) {
			t.Fatalf("no error reported, root %x, want %x", got, refRoot(m))
		}
	})
}
