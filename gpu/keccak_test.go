package gpu

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/sha3"

	"github.com/plasmaxpl/engine/types"
)

// oracle hashes with x/crypto's legacy Keccak-256, independently of types.
func oracle(msg []byte) types.Hash {
	d := sha3.NewLegacyKeccak256()
	d.Write(msg)
	var h types.Hash
	d.Sum(h[:0])
	return h
}

// checkBatch hashes the batch with b and compares every digest with the
// oracle.
func checkBatch(t *testing.T, b BatchHasher, data []byte, offsets []uint32) {
	t.Helper()
	n := max(len(offsets)-1, 0)
	out := make([]types.Hash, n)
	for i := range out {
		out[i] = types.Hash{0xde, 0xad} // must be overwritten
	}
	b.HashBatch(data, offsets, out)
	for i := range out {
		msg := data[offsets[i]:offsets[i+1]]
		if want := oracle(msg); out[i] != want {
			t.Fatalf("%s: message %d of %d (len %d): got %x, want %x", b.Name(), i, n, len(msg), out[i], want)
		}
	}
}

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestOracleKnownAnswer(t *testing.T) {
	// Keccak-256 of the empty string, as published by the Keccak team.
	want := "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
	for _, b := range Backends() {
		out := make([]types.Hash, 1)
		b.HashBatch(nil, []uint32{0, 0}, out)
		if got := hex.EncodeToString(out[0][:]); got != want {
			t.Errorf("%s: keccak256(\"\") = %s, want %s", b.Name(), got, want)
		}
	}
}

var batchSizes = []int{0, 1, 3, 4, 5, 7, 8, 9, 100}

func TestEqualLengths(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, b := range Backends() {
		t.Run(b.Name(), func(t *testing.T) {
			for size := 0; size <= 600; size++ {
				for _, n := range batchSizes {
					if n == 100 && size%7 != 0 {
						continue // keep the run short; the small batches cover every size
					}
					data := randomBytes(r, n*size)
					offsets := make([]uint32, n+1)
					for i := range offsets {
						offsets[i] = uint32(i * size)
					}
					checkBatch(t, b, data, offsets)
				}
			}
		})
	}
}

func TestMixedLengths(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, b := range Backends() {
		t.Run(b.Name(), func(t *testing.T) {
			for iter := 0; iter < 200; iter++ {
				for _, n := range batchSizes {
					offsets := make([]uint32, n+1)
					for i := 1; i <= n; i++ {
						size := r.IntN(601)
						if r.IntN(4) == 0 {
							// Favour the lengths around block boundaries.
							size = max(0, keccakRate*r.IntN(5)+r.IntN(5)-2)
						}
						offsets[i] = offsets[i-1] + uint32(size)
					}
					checkBatch(t, b, randomBytes(r, int(offsets[n])), offsets)
				}
			}
		})
	}
}

func TestOffsetEdgeCases(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	data := randomBytes(r, 1000)
	cases := []struct {
		name    string
		data    []byte
		offsets []uint32
	}{
		{"nil offsets", data, nil},
		{"one offset", data, []uint32{5}},
		{"empty data", nil, []uint32{0, 0, 0}},
		{"not starting at zero", data, []uint32{17, 20, 300, 301}},
		{"repeated offsets", data, []uint32{3, 3, 3, 10, 10, 146, 146}},
		{"whole buffer", data, []uint32{0, 1000}},
		// Short tails at the very end of data, where no 8-byte load fits.
		{"short tail at end", data[:995], []uint32{990, 991, 993, 995}},
		{"tiny buffer", data[:3], []uint32{0, 1, 3}},
		{"unaligned buffer", data[1:], []uint32{0, 7, 64, 201, 999}},
		// Messages may overlap when offsets are not consecutive slices:
		// the same bytes hashed with every length up to a block and a half.
		{"prefixes", data[:300], func() []uint32 {
			o := []uint32{}
			for i := 0; i <= 204; i++ {
				o = append(o, uint32(i))
			}
			return o
		}()},
	}
	for _, b := range Backends() {
		for _, c := range cases {
			t.Run(b.Name()+"/"+c.name, func(t *testing.T) {
				checkBatch(t, b, c.data, c.offsets)
			})
		}
	}
}

// The SIMD backends must not panic on malformed batches: bad messages get
// the zero Hash and the others are still hashed correctly.
func TestMalformedBatch(t *testing.T) {
	data := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
	offsets := []uint32{0, 5, 3, 10, 200, 36, 36}
	for _, b := range Backends() {
		if b.Name() == "portable" {
			continue // Portable panics on bad bounds, by its contract
		}
		out := make([]types.Hash, len(offsets)-1)
		b.HashBatch(data, offsets, out)
		for i := range out {
			lo, hi := offsets[i], offsets[i+1]
			want := types.Hash{}
			if lo <= hi && int(hi) <= len(data) {
				want = oracle(data[lo:hi])
			}
			if out[i] != want {
				t.Errorf("%s: message %d [%d,%d): got %x, want %x", b.Name(), i, lo, hi, out[i], want)
			}
		}
		// Fewer outputs than messages: the extra messages are ignored.
		short := make([]types.Hash, 2)
		b.HashBatch(data, []uint32{0, 1, 2, 3, 4}, short)
		if short[0] != oracle(data[0:1]) || short[1] != oracle(data[1:2]) {
			t.Errorf("%s: short output slice hashed wrongly", b.Name())
		}
	}
	if err := CheckBatch(data, offsets, make([]types.Hash, 6)); err == nil {
		t.Error("CheckBatch accepted decreasing offsets")
	}
	if err := CheckBatch(data, []uint32{0, 5, 36}, make([]types.Hash, 2)); err != nil {
		t.Errorf("CheckBatch rejected a good batch: %v", err)
	}
	if err := CheckBatch(data, []uint32{0, 5, 36}, make([]types.Hash, 1)); err == nil {
		t.Error("CheckBatch accepted too few outputs")
	}
}

func TestNoAllocations(t *testing.T) {
	short, shortOffsets := UniformBatch(64, 100)
	long, longOffsets := UniformBatch(64, 300)
	out := make([]types.Hash, 64)
	for _, b := range Backends() {
		if b.Name() == "portable" {
			continue
		}
		for _, c := range []struct {
			data    []byte
			offsets []uint32
		}{{short, shortOffsets}, {long, longOffsets}, {long[:1000], []uint32{0, 10, 500, 510, 1000}}} {
			if n := testing.AllocsPerRun(20, func() { b.HashBatch(c.data, c.offsets, out[:len(c.offsets)-1]) }); n != 0 {
				t.Errorf("%s: %v allocations per batch", b.Name(), n)
			}
		}
	}
}

func TestBackendSelection(t *testing.T) {
	bs := Backends()
	if bs[0].Name() != "portable" {
		t.Errorf("first backend is %s, want portable", bs[0].Name())
	}
	if got, want := Default().Name(), bs[len(bs)-1].Name(); got != want {
		t.Errorf("Default() = %s, want the last backend %s", got, want)
	}
	for _, b := range bs {
		got, err := BackendByName(b.Name())
		if err != nil || got.Name() != b.Name() {
			t.Errorf("BackendByName(%q) = %v, %v", b.Name(), got, err)
		}
	}
	if _, err := BackendByName("nope"); err == nil {
		t.Error("BackendByName accepted an unknown name")
	}
	t.Logf("backends: %v", func() (n []string) {
		for _, b := range bs {
			n = append(n, b.Name())
		}
		return
	}())
}

func ExampleDefault() {
	data := []byte("helloworld")
	offsets := []uint32{0, 5, 10} // "hello", "world"
	out := make([]types.Hash, 2)
	Default().HashBatch(data, offsets, out)
	fmt.Println(hex.EncodeToString(out[0][:]))
	fmt.Println(hex.EncodeToString(out[1][:]))
	// Output:
	// 1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8
	// 8452c9b9140222b08593a26daa782707297be9f7b3e8281d7b4974769f19afd0
}

func TestHashBench(t *testing.T) {
	res, err := HashBench(Backends(), []int{0, 64, 200}, 33, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3*len(Backends()) {
		t.Fatalf("got %d results, want %d", len(res), 3*len(Backends()))
	}
	for _, r := range res {
		if r.Batches == 0 || r.HashesPerSec <= 0 {
			t.Errorf("empty result %+v", r)
		}
		t.Log(r)
	}
	if _, err := HashBench(Backends(), []int{64}, 0, time.Millisecond); err == nil {
		t.Error("HashBench accepted an empty batch")
	}
}

// Backends are stateless values shared by every caller: batches hashed at
// the same time from several goroutines must not disturb one another.
func TestConcurrentBatches(t *testing.T) {
	for _, b := range Backends() {
		var wg sync.WaitGroup
		errs := make(chan string, 8)
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func(seed uint64) {
				defer wg.Done()
				r := rand.New(rand.NewPCG(seed, 9))
				for iter := 0; iter < 20; iter++ {
					offsets := make([]uint32, 41)
					for i := 1; i < len(offsets); i++ {
						offsets[i] = offsets[i-1] + uint32(r.IntN(300))
					}
					data := randomBytes(r, int(offsets[40]))
					out := make([]types.Hash, 40)
					b.HashBatch(data, offsets, out)
					for i := range out {
						if out[i] != oracle(data[offsets[i]:offsets[i+1]]) {
							errs <- fmt.Sprintf("%s: goroutine %d message %d wrong", b.Name(), seed, i)
							return
						}
					}
				}
			}(uint64(g))
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
	}
}
