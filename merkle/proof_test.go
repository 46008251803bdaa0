package merkle

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/plasmaxpl/engine/types"
)

func TestProofRoundTrip(t *testing.T) {
	for seed := uint64(0); seed < 30; seed++ {
		r := rand.New(rand.NewPCG(seed, 99))
		mode := int(seed % 3)
		tr := New()
		m := map[string][]byte{}
		n := 1 + r.IntN(400)
		for i := 0; i < n; i++ {
			k, v := randKey(r, mode), randValue(r)
			tr.Update(k, v)
			m[string(k)] = v
		}
		root := refRoot(m) // independent root
		for k, v := range m {
			proof, err := tr.Prove([]byte(k))
			if err != nil {
				t.Fatal(err)
			}
			got, err := VerifyProof(root, []byte(k), proof)
			if err != nil || !bytes.Equal(got, v) {
				t.Fatalf("seed %d key %x: got %x, %v; want %x", seed, k, got, err, v)
			}
			if r.IntN(10) == 0 {
				checkTampered(t, root, []byte(k), proof, v)
			}
		}
		for i := 0; i < 50; i++ {
			k := randKey(r, mode)
			if _, ok := m[string(k)]; ok {
				continue
			}
			proof, err := tr.Prove(k)
			if err != nil {
				t.Fatal(err)
			}
			got, err := VerifyProof(root, k, proof)
			if err != nil || got != nil {
				t.Fatalf("seed %d absent key %x: got %x, %v", seed, k, got, err)
			}
			if i%5 == 0 {
				checkTampered(t, root, k, proof, nil)
			}
		}
	}
}

// checkTampered checks that no single-byte change to a proof, nor dropping
// one of its nodes, can make it verify, except to the same answer.
func checkTampered(t *testing.T, root types.Hash, key []byte, proof [][]byte, want []byte) {
	t.Helper()
	for i := range proof {
		bad := make([][]byte, len(proof))
		copy(bad, proof)
		bad[i] = bytes.Clone(proof[i])
		bad[i][len(bad[i])/2] ^= 0x01
		if got, err := VerifyProof(root, key, bad); err == nil {
			t.Fatalf("tampered node %d of %d verified: %x", i, len(proof), got)
		}
		dropped := append(append([][]byte{}, proof[:i]...), proof[i+1:]...)
		if got, err := VerifyProof(root, key, dropped); err == nil {
			t.Fatalf("proof without node %d of %d verified: %x", i, len(proof), got)
		}
	}
	// A wrong root fails.
	other := root
	other[0] ^= 1
	if _, err := VerifyProof(other, key, proof); !errors.Is(err, ErrProofMissingNode) {
		t.Fatalf("wrong root: %v", err)
	}
}

func TestProofEmptyAndSmall(t *testing.T) {
	tr := New()
	proof, _ := tr.Prove([]byte("x"))
	if len(proof) != 0 {
		t.Fatalf("empty trie proof %x", proof)
	}
	if v, err := VerifyProof(types.EmptyRootHash, []byte("x"), proof); v != nil || err != nil {
		t.Fatal(v, err)
	}
	// A root shorter than 32 bytes is still hashed and listed.
	tr.Update([]byte("a"), []byte("b"))
	proof, _ = tr.Prove([]byte("a"))
	if len(proof) != 1 || len(proof[0]) >= 32 {
		t.Fatalf("small root proof %x", proof)
	}
	if v, err := VerifyProof(tr.Hash(), []byte("a"), proof); string(v) != "b" || err != nil {
		t.Fatal(v, err)
	}
}

// TestProofFixtureState proves accounts of a state-test post alloc against
// the fixture's own root.
func TestProofFixtureState(t *testing.T) {
	tests := loadFixtureTests(t, 40)
	checked := 0
	for _, p := range tests {
		state := New()
		want := map[types.Hash][]byte{}
		for addrHex, acc := range p.State {
			ak := types.Keccak256(mustHex(t, addrHex))
			enc := fixtureAccountRLP(t, acc)
			state.Update(ak[:], enc)
			want[ak] = enc
		}
		root := types.Hash(mustHex(t, p.Hash))
		for ak, enc := range want {
			proof, _ := state.Prove(ak[:])
			got, err := VerifyProof(root, ak[:], proof)
			if err != nil || !bytes.Equal(got, enc) {
				t.Fatalf("account %x: %x, %v", ak, got, err)
			}
			checked++
		}
	}
	t.Logf("%d account proofs checked", checked)
}

// FuzzVerifyProof feeds arbitrary proofs to the verifier: it must return
// an error or an answer, never panic. The first proof node is taken as the
// root so that decoding is reached.
func FuzzVerifyProof(f *testing.F) {
	tr := New()
	r := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 50; i++ {
		tr.Update(randKey(r, i%3), randValue(r))
	}
	tr.Update([]byte("do"), []byte("verb"))
	proof, _ := tr.Prove([]byte("do"))
	f.Add([]byte("do"), joinProof(proof))
	proof, _ = tr.Prove([]byte("dog"))
	f.Add([]byte("dog"), joinProof(proof))
	f.Fuzz(func(t *testing.T, key, blob []byte) {
		proof := splitProof(blob)
		if len(proof) == 0 {
			return
		}
		VerifyProof(types.Keccak256(proof[0]), key, proof)
	})
}

// joinProof and splitProof pack a proof into one byte string: each node
// preceded by a one-byte length (nodes over 255 bytes are cut).
func joinProof(proof [][]byte) []byte {
	var out []byte
	for _, p := range proof {
		if len(p) > 255 {
			p = p[:255]
		}
		out = append(out, byte(len(p)))
		out = append(out, p...)
	}
	return out
}

func splitProof(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		n := int(b[0])
		b = b[1:]
		n = min(n, len(b))
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

// FuzzTrie applies a sequence of operations decoded from the input and
// compares the result with the reference trie.
func FuzzTrie(f *testing.F) {
	f.Add([]byte("\x01\x03dog\x05puppy\x01\x03doe\x08reindeer\x02\x03dog"))
	f.Fuzz(func(t *testing.T, ops []byte) {
		tr := New()
		m := map[string][]byte{}
		var keys [][]byte
		for len(ops) >= 2 {
			op, kl := ops[0], int(ops[1])%8
			ops = ops[2:]
			if kl > len(ops) {
				break
			}
			k := ops[:kl]
			ops = ops[kl:]
			keys = append(keys, k)
			switch op % 3 {
			case 0:
				tr.Hash()
			case 1:
				if len(ops) == 0 {
					return
				}
				vl := min(int(ops[0])%40, len(ops)-1)
				v := ops[1 : 1+vl]
				ops = ops[1+vl:]
				tr.Update(k, v)
				if len(v) == 0 {
					delete(m, string(k))
				} else {
					m[string(k)] = bytes.Clone(v)
				}
			case 2:
				tr.Delete(k)
				delete(m, string(k))
			}
		}
		checkTrie(t, tr, m, keys)
	})
}
