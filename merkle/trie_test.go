package merkle

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/plasmaxpl/engine/gpu"
	"github.com/plasmaxpl/engine/types"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEmptyRoot(t *testing.T) {
	tr := New()
	if got := tr.Hash(); got != types.EmptyRootHash {
		t.Fatalf("empty root %x", got)
	}
	// keccak256(rlp("")) computed independently.
	if want := types.Keccak256([]byte{0x80}); want != types.EmptyRootHash {
		t.Fatalf("EmptyRootHash %x != keccak(0x80) %x", types.EmptyRootHash, want)
	}
	if tr.Len() != 0 {
		t.Fatal("Len of empty trie")
	}
}

// Vectors from ethereum/tests TrieTests (trieanyorder.json, trietest.json).
func TestKnownRoots(t *testing.T) {
	type kv struct{ k, v string }
	cases := []struct {
		name string
		ops  []kv // an empty value deletes
		root string
	}{
		{"singleItem", []kv{{"A", strings.Repeat("a", 50)}}, "d23786fb4a010da3ce639d66d5e904a11dbc02746d1ce25029e53290cabf28ab"},
		{"basic", []kv{{"a", "A"}, {"b", "B"}}, "300eab197a9d9e437aaeb9b0d7bd77d57e8d4e3eeca0b1e6a3fe28a84e2cd70c"},
		{"basic1", []kv{{"test", "test"}}, "85d106d4edff3b7a4889e91251d0a87d7c17a1dda648ebdba8c6060825be23b8"},
		{"testy", []kv{{"test", "test"}, {"te", "testy"}}, "8452568af70d8d140f58d941338542f645fcca50094b20f3c3d8c3df49337928"},
		{"dogs", []kv{{"doe", "reindeer"}, {"dog", "puppy"}, {"dogglesworth", "cat"}}, "8aad789dff2f538bca5d8ea56e8abe10f4c7ba3a5dea95fea4cd6e7c3a1168d3"},
		{"smallValues", []kv{{"be", "e"}, {"dog", "puppy"}, {"bed", "d"}}, "3f67c7a47520f79faa29255d2d3c084a7a6df0453116ed7232ff10277a8be68b"},
		{"foo", []kv{{"foo", "bar"}, {"food", "bass"}}, "17beaa1648bafa633cda809c90c04af50fc8aed3cb40d16efbddee6fdf63c4c3"},
		{"hex", []kv{{"\x00\x45", "\x01\x23\x45\x67\x89"}, {"\x45\x00", "\x98\x76\x54\x32\x10"}}, "285505fcabe84badc8aa310e2aae17eddc7d120aabec8a476902c8184b3a3503"},
		{"puppy", []kv{{"do", "verb"}, {"horse", "stallion"}, {"doge", "coin"}, {"dog", "puppy"}}, "5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84"},
		{"emptyValues", []kv{{"do", "verb"}, {"ether", "wookiedoo"}, {"horse", "stallion"}, {"shaman", "horse"}, {"doge", "coin"}, {"ether", ""}, {"dog", "puppy"}, {"shaman", ""}}, "5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := types.Hash(mustHex(t, c.root))
			// Forward, reverse, and hashing after every step.
			tr := New()
			for _, op := range c.ops {
				tr.Update([]byte(op.k), []byte(op.v))
			}
			if got := tr.Hash(); got != want {
				t.Fatalf("root %x, want %x", got, want)
			}
			tr2 := New()
			for _, op := range c.ops {
				tr2.Update([]byte(op.k), []byte(op.v))
				tr2.Hash()
			}
			if got := tr2.Hash(); got != want {
				t.Fatalf("incremental root %x, want %x", got, want)
			}
			m := map[string][]byte{}
			for _, op := range c.ops {
				m[op.k] = []byte(op.v)
			}
			if got := refRoot(m); got != want {
				t.Fatalf("reference root %x, want %x", got, want)
			}
		})
	}
}

// randKey returns keys that often share prefixes and vary in length, so
// that branch values, embedded nodes and extensions all occur.
func randKey(r *rand.Rand, mode int) []byte {
	switch mode {
	case 0: // 32-byte keys as in the secure trie
		k := make([]byte, 32)
		for i := range k {
			k[i] = byte(r.Uint32())
		}
		return k
	case 1: // short keys from a tiny alphabet: many shared prefixes
		k := make([]byte, r.IntN(5))
		for i := range k {
			k[i] = byte(r.IntN(3)) * 0x11
		}
		return k
	default: // 32-byte keys with a shared random prefix
		k := make([]byte, 32)
		n := r.IntN(32)
		for i := n; i < 32; i++ {
			k[i] = byte(r.Uint32())
		}
		if r.IntN(2) == 0 {
			k[31] &= 0x0f
		}
		return k
	}
}

func randValue(r *rand.Rand) []byte {
	var n int
	switch r.IntN(4) {
	case 0:
		n = 1
	case 1:
		n = 1 + r.IntN(8)
	case 2:
		n = 30 + r.IntN(10)
	default:
		n = 60 + r.IntN(80)
	}
	v := make([]byte, n)
	for i := range v {
		v[i] = byte(r.Uint32())
	}
	return v
}

// TestAgainstReference applies random updates and deletes, checking Get,
// Len and Hash against a map and the naive reference trie.
func TestAgainstReference(t *testing.T) {
	for seed := uint64(0); seed < 60; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		mode := int(seed % 3)
		tr := New()
		m := map[string][]byte{}
		var keys [][]byte
		steps := 1 + r.IntN(300)
		for s := 0; s < steps; s++ {
			var k []byte
			if len(keys) > 0 && r.IntN(3) == 0 {
				k = keys[r.IntN(len(keys))]
			} else {
				k = randKey(r, mode)
				keys = append(keys, k)
			}
			switch r.IntN(4) {
			case 0:
				tr.Delete(k)
				delete(m, string(k))
			case 1:
				tr.Update(k, nil)
				delete(m, string(k))
			default:
				v := randValue(r)
				tr.Update(k, v)
				m[string(k)] = bytes.Clone(v)
				v[0] ^= 0xff // the trie must keep its own copy
			}
			if r.IntN(10) == 0 {
				checkTrie(t, tr, m, keys)
			}
		}
		checkTrie(t, tr, m, keys)
	}
}

func checkTrie(t *testing.T, tr *Trie, m map[string][]byte, keys [][]byte) {
	t.Helper()
	if tr.Len() != len(m) {
		t.Fatalf("Len %d, want %d", tr.Len(), len(m))
	}
	for _, k := range keys {
		got, ok := tr.Get(k)
		want, wok := m[string(k)]
		if ok != wok || !bytes.Equal(got, want) {
			t.Fatalf("Get(%x) = %x,%v; want %x,%v", k, got, ok, want, wok)
		}
	}
	if got, want := tr.Hash(), refRoot(m); got != want {
		t.Fatalf("root %x, reference %x (%d keys)", got, want, len(m))
	}
}

func TestOrderIndependence(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for mode := 0; mode < 3; mode++ {
		m := map[string][]byte{}
		var keys []string
		for i := 0; i < 500; i++ {
			k := string(randKey(r, mode))
			if _, ok := m[k]; !ok {
				keys = append(keys, k)
			}
			m[k] = randValue(r)
		}
		want := refRoot(m)
		for round := 0; round < 5; round++ {
			r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
			tr := New()
			// Insert some junk keys too; removeJunk deletes them at the end.
			for i, k := range keys {
				if i%7 == 0 {
					junk := randKey(r, mode)
					if _, ok := m[string(junk)]; !ok {
						tr.Update(junk, []byte("junk"))
						if i%2 == 0 {
							tr.Hash()
						}
					}
				}
				tr.Update([]byte(k), m[k])
			}
			for _, k := range keys {
				tr.Update([]byte(k), m[k])
			}
			if got := removeJunk(tr, m); got != want {
				t.Fatalf("mode %d round %d: root %x want %x", mode, round, got, want)
			}
		}
	}
}

// removeJunk deletes every key not in m (found by a walk) and returns the root.
func removeJunk(tr *Trie, m map[string][]byte) types.Hash {
	var extra [][]byte
	walk(tr.root, nil, func(nibs, val []byte) {
		k := packNibbles(nibs)
		if _, ok := m[string(k)]; !ok {
			extra = append(extra, k)
		}
	})
	for _, k := range extra {
		tr.Delete(k)
	}
	return tr.Hash()
}

func walk(n *node, path []byte, f func(nibs, val []byte)) {
	if n == nil {
		return
	}
	switch n.kind {
	case kindLeaf:
		f(append(bytes.Clone(path), n.key...), n.val)
	case kindExt:
		walk(n.child, append(bytes.Clone(path), n.key...), f)
	case kindBranch:
		if len(n.val) > 0 {
			f(bytes.Clone(path), n.val)
		}
		for i, k := range n.kids {
			walk(k, append(bytes.Clone(path), byte(i)), f)
		}
	}
}

func packNibbles(nibs []byte) []byte {
	out := make([]byte, len(nibs)/2)
	for i := range out {
		out[i] = nibs[2*i]<<4 | nibs[2*i+1]
	}
	return out
}

func TestDeleteAll(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for mode := 0; mode < 3; mode++ {
		tr := New()
		var keys [][]byte
		for i := 0; i < 1000; i++ {
			k := randKey(r, mode)
			keys = append(keys, k)
			tr.Update(k, randValue(r))
		}
		tr.Hash()
		r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		for i, k := range keys {
			tr.Delete(k)
			if i%100 == 0 {
				tr.Hash()
			}
		}
		if tr.Len() != 0 || tr.Hash() != types.EmptyRootHash || tr.root != nil {
			t.Fatalf("mode %d: after deleting all: len %d root %x", mode, tr.Len(), tr.Hash())
		}
	}
}

func TestCopyIndependence(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	a := New()
	ma := map[string][]byte{}
	var keys [][]byte
	for i := 0; i < 300; i++ {
		k := randKey(r, i%3)
		v := randValue(r)
		keys = append(keys, k)
		a.Update(k, v)
		ma[string(k)] = v
	}
	before := a.Hash()
	// Leave some changes pending when copying.
	k := randKey(r, 0)
	keys = append(keys, k)
	a.Update(k, []byte("pending"))
	ma[string(k)] = []byte("pending")

	b := a.Copy()
	mb := map[string][]byte{}
	for k, v := range ma {
		mb[k] = v
	}
	if a.Hash() != b.Hash() || a.Hash() == before {
		t.Fatal("copy root differs")
	}
	for i := 0; i < 200; i++ {
		k := keys[r.IntN(len(keys))]
		switch r.IntN(3) {
		case 0:
			a.Delete(k)
			delete(ma, string(k))
		case 1:
			v := randValue(r)
			a.Update(k, v)
			ma[string(k)] = v
		default:
			v := randValue(r)
			b.Update(k, v)
			mb[string(k)] = v
		}
		if i%50 == 0 {
			c := b.Copy()
			c.Update(keys[0], []byte("only in c"))
			c.Delete(keys[1])
			c.Hash()
		}
	}
	checkTrie(t, a, ma, keys)
	checkTrie(t, b, mb, keys)
}

func TestGetValueStable(t *testing.T) {
	tr := New()
	tr.Update([]byte("k"), []byte("one"))
	v, _ := tr.Get([]byte("k"))
	tr.Update([]byte("k"), []byte("two"))
	if string(v) != "one" {
		t.Fatalf("earlier Get result changed to %q", v)
	}
}

func TestHashCached(t *testing.T) {
	tr := New()
	tr.Update([]byte("abc"), []byte("def"))
	h := tr.Hash()
	ch := &countingHasher{}
	tr.hasher = ch
	if tr.Hash() != h || ch.calls != 0 {
		t.Fatal("Hash of unchanged trie did work")
	}
	// Rewriting an identical value must not dirty anything.
	tr.Update([]byte("abc"), []byte("def"))
	if tr.Hash() != h || ch.calls != 0 {
		t.Fatal("no-op update dirtied the trie")
	}
}

// countingHasher counts HashBatch calls and checks the batch shape.
type countingHasher struct {
	calls, msgs int
}

func (c *countingHasher) Name() string { return "counting" }

func (c *countingHasher) HashBatch(data []byte, offsets []uint32, out []types.Hash) {
	c.calls++
	c.msgs += len(out)
	gpu.Portable{}.HashBatch(data, offsets, out)
}

// TestBatchPerLevel checks that a commit makes at most one HashBatch call
// per depth and never hashes embedded nodes.
func TestBatchPerLevel(t *testing.T) {
	ch := &countingHasher{}
	tr := NewWithHasher(ch)
	r := rand.New(rand.NewPCG(9, 9))
	for i := 0; i < 5000; i++ {
		tr.Update(randKey(r, 0), randValue(r))
	}
	tr.Hash()
	// 5000 random keys: depth is at most about 5 branch levels plus leaves.
	if ch.calls > 8 {
		t.Fatalf("%d HashBatch calls for one commit", ch.calls)
	}
	if ch.msgs > tr.Len()*2 {
		t.Fatalf("%d messages hashed for %d keys", ch.msgs, tr.Len())
	}
}
