package statedb

import (
	"bytes"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/types"
)

// refString is the RLP encoding of a short byte string, written from the
// Yellow Paper's definition (appendix B).
func refString(b []byte) []byte {
	if len(b) == 1 && b[0] < 0x80 {
		return []byte{b[0]}
	}
	return append([]byte{0x80 + byte(len(b))}, b...)
}

// refList wraps an RLP payload shorter than 256 bytes in a list header.
func refList(payload []byte) []byte {
	if len(payload) < 56 {
		return append([]byte{0xc0 + byte(len(payload))}, payload...)
	}
	return append([]byte{0xf8, byte(len(payload))}, payload...)
}

// refInt encodes an integer as its minimal big-endian bytes (math/big's).
func refInt(x *big.Int) []byte { return refString(x.Bytes()) }

func randomBytes(r *rand.Rand, max int) []byte {
	b := make([]byte, r.IntN(max+1))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	if len(b) > 0 && r.IntN(4) == 0 {
		b[0] = 0 // leading zeros must be stripped
	}
	return b
}

func TestEncodeAccountAgainstMathBig(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 5000 {
		nb := randomBytes(r, 8)
		bb := randomBytes(r, 32)
		if i < 300 { // every one-byte edge
			nb, bb = []byte{byte(i)}, []byte{byte(i / 2)}
		}
		nonce := new(big.Int).SetBytes(nb)
		bal := new(big.Int).SetBytes(bb)
		root := types.Keccak256(nb)
		code := types.Keccak256(bb)

		want := refList(bytes.Join([][]byte{refInt(nonce), refInt(bal), refString(root[:]), refString(code[:])}, nil))
		got := encodeAccount([]byte{0xee}, nonce.Uint64(), new(uint256.Int).SetBytes(bb), &root, &code)
		if got[0] != 0xee || !bytes.Equal(got[1:], want) {
			t.Fatalf("nonce %x balance %x:\n got  %x\n want %x", nonce, bal, got[1:], want)
		}
		if len(want) > maxAccountRLP {
			t.Fatalf("encoding of %d bytes exceeds maxAccountRLP", len(want))
		}
	}
}

func TestEncodeStorageValueAgainstMathBig(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for i := range 5000 {
		b := randomBytes(r, 32)
		if i < 256 {
			b = []byte{byte(i)}
		}
		v := types.BytesToHash(b)
		if v == (types.Hash{}) {
			continue
		}
		want := refInt(new(big.Int).SetBytes(b))
		if got := encodeStorageValue(nil, &v); !bytes.Equal(got, want) {
			t.Fatalf("value %x: got %x, want %x", v, got, want)
		}
	}
}

func TestDump(t *testing.T) {
	s := New()
	s.SetBalance(addrA, u(5))
	s.SetNonce(addrA, 2)
	s.SetCode(addrA, []byte{0x60})
	s.SetStorage(addrA, map[types.Hash]types.Hash{key1: val1, key2: {}})
	s.Finalise(false)
	s.SetState(addrA, key2, val2)         // unfinalised write shows
	s.SetState(addrA, key1, types.Hash{}) // cleared slot disappears
	s.CreateAccount(addrB)

	d := s.Dump()
	if len(d) != 2 {
		t.Fatalf("%d accounts, want 2", len(d))
	}
	a := d[addrA]
	if a.Balance.Uint64() != 5 || a.Nonce != 2 || !bytes.Equal(a.Code, []byte{0x60}) {
		t.Fatalf("account A %+v", a)
	}
	if len(a.Storage) != 1 || a.Storage[key2] != val2 {
		t.Fatalf("storage %v", a.Storage)
	}
	if b := d[addrB]; b.Code != nil || b.Storage != nil || b.Nonce != 0 || !b.Balance.IsZero() {
		t.Fatalf("account B %+v", b)
	}
	a.Code[0] = 0 // the dump is a copy
	if s.GetCode(addrA)[0] != 0x60 {
		t.Fatal("dump aliases the state's code")
	}
}
