package kernels

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/snappy"
	"golang.org/x/crypto/sha3"

	"github.com/plasmaxpl/engine/types"
)

func needHost(t testing.TB) {
	t.Helper()
	if !HostAvailable {
		t.Skip("host build of the kernels needs cgo (CGO_ENABLED=1 and a C compiler)")
	}
}

func refKeccak(b []byte) types.Hash {
	h := sha3.NewLegacyKeccak256()
	h.Write(b)
	var out types.Hash
	h.Sum(out[:0])
	return out
}

// TestHostKeccakEveryLength hashes every length 0..600 (all padding cases
// across four rate blocks) at every alignment 0..7.
func TestHostKeccakEveryLength(t *testing.T) {
	needHost(t)
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 608)
	for i := range buf {
		buf[i] = byte(rng.Uint32())
	}
	for align := 0; align < 8; align++ {
		var offsets []uint32
		var data []byte
		for n := 0; n <= 600; n++ {
			offsets = append(offsets, uint32(len(data)))
			data = append(data, buf[align:align+n]...)
		}
		offsets = append(offsets, uint32(len(data)))
		// Shift the whole batch so message starts have every alignment.
		data = append(make([]byte, align), data...)
		for i := range offsets {
			offsets[i] += uint32(align)
		}
		out := make([]types.Hash, len(offsets)-1)
		HostKeccakBatch(data, offsets, out)
		for n := range out {
			if want := refKeccak(buf[align : align+n]); out[n] != want {
				t.Fatalf("align %d len %d: got %x want %x", align, n, out[n], want)
			}
		}
	}
}

func TestHostKeccakRandomBatches(t *testing.T) {
	needHost(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for iter := 0; iter < 50; iter++ {
		n := rng.IntN(300)
		start := rng.IntN(16)
		data := make([]byte, start)
		offsets := []uint32{uint32(start)}
		for i := 0; i < n; i++ {
			var l int
			switch rng.IntN(4) {
			case 0:
				l = 32 + rng.IntN(2)*32 // trie-node-like sizes
			case 1:
				l = rng.IntN(136 * 3)
			case 2:
				l = 500 + rng.IntN(4000)
			default:
				l = rng.IntN(8)
			}
			for j := 0; j < l; j++ {
				data = append(data, byte(rng.Uint32()))
			}
			offsets = append(offsets, uint32(len(data)))
		}
		out := make([]types.Hash, n)
		HostKeccakBatch(data, offsets, out)
		for i := range out {
			if want := refKeccak(data[offsets[i]:offsets[i+1]]); out[i] != want {
				t.Fatalf("iter %d msg %d (len %d): mismatch", iter, i, offsets[i+1]-offsets[i])
			}
		}
	}
}

func FuzzHostKeccak(f *testing.F) {
	if !HostAvailable {
		f.Skip("host build of the kernels needs cgo")
	}
	f.Add([]byte{}, uint8(0))
	f.Add(bytes.Repeat([]byte{0xab}, 135), uint8(3))
	f.Add(bytes.Repeat([]byte{0x01}, 300), uint8(7))
	f.Fuzz(func(t *testing.T, msg []byte, cut uint8) {
		// Two messages: msg split at cut.
		c := int(cut)
		if c > len(msg) {
			c = len(msg)
		}
		offsets := []uint32{0, uint32(c), uint32(len(msg))}
		out := make([]types.Hash, 2)
		HostKeccakBatch(msg, offsets, out)
		if out[0] != refKeccak(msg[:c]) || out[1] != refKeccak(msg[c:]) {
			t.Fatalf("mismatch for %d-byte input cut at %d", len(msg), c)
		}
	})
}

// checkSnappy compresses src with the host build and decodes it with two
// independent decoders.
func checkSnappy(t testing.TB, src []byte, segLen, lookback int) []byte {
	t.Helper()
	enc, err := HostSnappyChunk(src, segLen, lookback)
	if err != nil {
		t.Fatal(err)
	}
	if len(enc) > SnappyChunkBound(len(src), segLen) {
		t.Fatalf("%d bytes: output %d over bound %d", len(src), len(enc), SnappyChunkBound(len(src), segLen))
	}
	got, err := s2.Decode(nil, enc)
	if err != nil {
		t.Fatalf("s2.Decode of %d-byte chunk (seg %d, lookback %d): %v", len(src), segLen, lookback, err)
	}
	if !bytes.Equal(got, src) {
		t.Fatalf("s2.Decode round trip differs (%d bytes, seg %d, lookback %d)", len(src), segLen, lookback)
	}
	got, err = snappy.Decode(nil, enc)
	if err != nil {
		t.Fatalf("snappy.Decode: %v", err)
	}
	if !bytes.Equal(got, src) {
		t.Fatalf("snappy.Decode round trip differs (%d bytes)", len(src))
	}
	return enc
}

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// repetitive builds data with matches at every distance and length: runs,
// short periods, text-like repeats and random noise.
func repetitive(rng *rand.Rand, n int) []byte {
	words := [][]byte{[]byte("transaction"), []byte("0x0000000000000000"), []byte("\"gasUsed\":"), []byte("ab"), {0}}
	var b []byte
	for len(b) < n {
		switch rng.IntN(5) {
		case 0:
			b = append(b, bytes.Repeat([]byte{byte(rng.Uint32())}, rng.IntN(300))...)
		case 1:
			b = append(b, words[rng.IntN(len(words))]...)
		case 2:
			if len(b) > 0 {
				from := rng.IntN(len(b))
				l := rng.IntN(200)
				for i := 0; i < l; i++ {
					b = append(b, b[from+i])
				}
			}
		case 3:
			b = append(b, randomBytes(rng, rng.IntN(40))...)
		default:
			if len(b) > 70000 {
				from := len(b) - 65536 - rng.IntN(10)
				b = append(b, b[from:from+rng.IntN(100)]...)
			}
		}
	}
	return b[:n]
}

var snappyParams = []struct{ seg, lookback int }{
	{SnappySegment, SnappyLookback},
	{1, 0}, {7, 3}, {16, 0}, {100, 50}, {2048, 0}, {4096, 0}, {65536, 0}, {32768, 32768}, {1000, 64536},
}

func TestHostSnappyRandom(t *testing.T) {
	needHost(t)
	rng := rand.New(rand.NewPCG(5, 6))
	sizes := []int{0, 1, 2, 3, 4, 5, 15, 16, 17, 63, 64, 65, 100, 4095, 4096, 4097, 65535, 65536, 65537, 200000}
	for _, p := range snappyParams {
		for _, n := range sizes {
			checkSnappy(t, randomBytes(rng, n), p.seg, p.lookback)
			checkSnappy(t, repetitive(rng, n), p.seg, p.lookback)
			checkSnappy(t, make([]byte, n), p.seg, p.lookback)
		}
	}
}

func TestHostSnappyCompresses(t *testing.T) {
	needHost(t)
	src := bytes.Repeat([]byte("plasma batch "), 5000)
	enc := checkSnappy(t, src, SnappySegment, SnappyLookback)
	if len(enc) > len(src)/10 {
		t.Fatalf("repeated text: %d -> %d bytes, want under a tenth", len(src), len(enc))
	}
}

func TestHostSnappyParams(t *testing.T) {
	needHost(t)
	for _, p := range []struct{ seg, lookback int }{{0, 0}, {-1, 0}, {4096, -1}, {65536, 1}} {
		if _, err := HostSnappyChunk([]byte("x"), p.seg, p.lookback); err == nil {
			t.Errorf("segment %d lookback %d: no error", p.seg, p.lookback)
		}
	}
}

// fixtureCorpusOrNil is fixtureCorpus without skipping.
func fixtureCorpusOrNil(max int) []byte {
	dir := filepath.Join("..", "..", "..", "shared", "fixtures", "mainnet", "ethereum", "blocks")
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	sort.Strings(files)
	var b []byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil
		}
		b = append(b, data...)
		if len(b) >= max {
			return b[:max]
		}
	}
	if len(b) < max {
		return nil
	}
	return b
}

// fixtureCorpus returns up to max bytes of real Ethereum block and state JSON
// from the shared fixtures, or skips.
func fixtureCorpus(t testing.TB, max int) []byte {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "fixtures", "mainnet", "ethereum", "blocks")
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if len(files) == 0 {
		t.Skipf("fixtures not found under %s", dir)
	}
	sort.Strings(files)
	var b []byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, data...)
		if len(b) >= max {
			return b[:max]
		}
	}
	return b
}

func TestHostSnappyMainnet(t *testing.T) {
	needHost(t)
	corpus := fixtureCorpus(t, 8<<20)
	for _, p := range snappyParams[:6] {
		var in, out int
		for off := 0; off < len(corpus); off += 64 << 10 {
			chunk := corpus[off:min(off+64<<10, len(corpus))]
			out += len(checkSnappy(t, chunk, p.seg, p.lookback))
			in += len(chunk)
		}
		t.Logf("mainnet JSON, 64 KiB chunks, segment %d lookback %d: %d -> %d bytes (%.2fx)",
			p.seg, p.lookback, in, out, float64(in)/float64(out))
	}
}

func FuzzHostSnappy(f *testing.F) {
	if !HostAvailable {
		f.Skip("host build of the kernels needs cgo")
	}
	f.Add([]byte("hello hello hello hello hello"), uint16(8), uint16(4))
	f.Add(bytes.Repeat([]byte{1, 2, 3}, 1000), uint16(4096), uint16(4096))
	f.Add([]byte{}, uint16(1), uint16(0))
	f.Fuzz(func(t *testing.T, src []byte, seg, lookback uint16) {
		s := int(seg)%8192 + 1
		checkSnappy(t, src, s, int(lookback))
	})
}

func TestPTXSelection(t *testing.T) {
	for _, c := range []struct {
		major int
		want  string
	}{{8, ".target sm_80"}, {9, ".target sm_90"}, {10, ".target sm_90"}} {
		for _, m := range []string{KeccakModule, SnappyModule} {
			ptx, err := PTX(m, c.major, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains([]byte(ptx), []byte(c.want)) {
				t.Errorf("%s on %d.0: PTX lacks %q", m, c.major, c.want)
			}
		}
	}
	if _, err := PTX(KeccakModule, 7, 5); err == nil {
		t.Error("7.5: no error")
	}
	if _, err := PTX("nope", 9, 0); err == nil {
		t.Error("unknown module: no error")
	}
	k, _ := PTX(KeccakModule, 9, 0)
	s, _ := PTX(SnappyModule, 9, 0)
	if !bytes.Contains([]byte(k), []byte(".entry "+KeccakFunction)) || !bytes.Contains([]byte(s), []byte(".entry "+SnappyFunction)) {
		t.Error("PTX lacks the kernel entry points")
	}
}
