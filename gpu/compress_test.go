package gpu

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
)

func testChunks(rng *rand.Rand) [][]byte {
	random := make([]byte, 100000)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	text := bytes.Repeat([]byte(`{"hash":"0x00ab","gasUsed":"0x5208"},`), 3000)
	chunks := [][]byte{{}, {1}, []byte("abc"), random[:5000], text[:DefaultChunkSize], make([]byte, 70000)}
	chunks = append(chunks, SplitChunks(random, 30000)...)
	chunks = append(chunks, SplitChunks(text, DefaultChunkSize)...)
	return chunks
}

func roundTrip(t *testing.T, chunks [][]byte, codec Codec) []byte {
	t.Helper()
	b, err := CompressBatch(chunks, codec)
	if err != nil {
		t.Fatalf("%v: %v", codec, err)
	}
	total := 0
	for _, c := range chunks {
		total += len(c)
	}
	out, err := DecompressBatch(b, total)
	if err != nil {
		t.Fatalf("%v: %v", codec, err)
	}
	if len(out) != len(chunks) {
		t.Fatalf("%v: %d chunks back, want %d", codec, len(out), len(chunks))
	}
	for i := range out {
		if !bytes.Equal(out[i], chunks[i]) {
			t.Fatalf("%v: chunk %d differs", codec, i)
		}
	}
	if total > 0 {
		if _, err := DecompressBatch(b, total-1); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("%v: limit one under the size: got %v, want ErrTooLarge", codec, err)
		}
	}
	return b
}

func TestCompressRoundTripEveryCodec(t *testing.T) {
	chunks := testChunks(rand.New(rand.NewPCG(1, 1)))
	for _, codec := range Codecs {
		b := roundTrip(t, chunks, codec)
		info, err := InspectBatch(b, 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		want := codec
		if codec == CodecGPUSnappy && AcceleratedCompressor == nil {
			want = CodecSnappy
		}
		if info.Codec != want || info.Chunks != len(chunks) || info.Compressed != len(b) {
			t.Errorf("%v: info %+v", codec, info)
		}
		t.Logf("%-10v %d bytes", codec, len(b))
		roundTrip(t, nil, codec)
		roundTrip(t, [][]byte{{}}, codec)
	}
}

// TestCompressPayloadsAreStandard decodes each payload with an independent
// decoder of its format.
func TestCompressPayloadsAreStandard(t *testing.T) {
	chunks := testChunks(rand.New(rand.NewPCG(2, 2)))
	for _, codec := range []Codec{CodecSnappy, CodecZstd, CodecS2, CodecGPUSnappy} {
		b, err := CompressBatch(chunks, codec)
		if err != nil {
			t.Fatal(err)
		}
		_, entries, err := parseBatch(b, 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		at := batchHeaderSize + batchEntrySize*len(entries)
		dec, _ := zstd.NewReader(nil)
		for i, e := range entries {
			p := b[at : at+int(e.csize)]
			at += int(e.csize)
			if e.csize == e.usize {
				continue
			}
			var got []byte
			switch codec {
			case CodecSnappy, CodecGPUSnappy:
				got, err = snappy.Decode(nil, p)
			case CodecS2:
				got, err = s2.Decode(nil, p)
			case CodecZstd:
				got, err = dec.DecodeAll(p, nil)
			}
			if err != nil || !bytes.Equal(got, chunks[i]) {
				t.Fatalf("%v chunk %d: independent decode failed: %v", codec, i, err)
			}
		}
		dec.Close()
	}
}

func TestCompressStoresIncompressible(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	for _, codec := range Codecs {
		b, err := CompressBatch([][]byte{random}, codec)
		if err != nil {
			t.Fatal(err)
		}
		if want := batchHeaderSize + batchEntrySize + len(random) + batchCRCSize; len(b) != want {
			t.Errorf("%v: %d bytes, want %d (stored)", codec, len(b), want)
		}
	}
}

// reseal recomputes the checksum after a test edits a batch.
func reseal(b []byte) []byte {
	binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], crcTable))
	return b
}

func TestDecompressRejects(t *testing.T) {
	good, err := CompressBatch([][]byte{bytes.Repeat([]byte("ab"), 1000), []byte("xyz")}, CodecSnappy)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	cases := map[string][]byte{
		"empty":         nil,
		"short":         good[:10],
		"magic":         edit(func(b []byte) []byte { b[0] = 'X'; return reseal(b) }),
		"version":       edit(func(b []byte) []byte { b[4] = 2; return reseal(b) }),
		"codec":         edit(func(b []byte) []byte { b[5] = 99; return reseal(b) }),
		"reserved":      edit(func(b []byte) []byte { b[7] = 1; return reseal(b) }),
		"checksum":      edit(func(b []byte) []byte { b[len(b)-10] ^= 1; return b }),
		"truncated":     reseal(bytes.Clone(good[:len(good)-5])),
		"count huge":    edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], 1<<31); return reseal(b) }),
		"count+1":       edit(func(b []byte) []byte { b[8]++; return reseal(b) }),
		"csize>usize":   edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[12+8:], 4); return reseal(b) }),
		"usize lies":    edit(func(b []byte) []byte { b[12+4]++; return reseal(b) }),
		"payload bytes": edit(func(b []byte) []byte { b[12+16+1] ^= 0xff; return reseal(b) }),
		"none packed":   edit(func(b []byte) []byte { b[5] = byte(CodecNone); return reseal(b) }),
		"as zstd":       edit(func(b []byte) []byte { b[5] = byte(CodecZstd); return reseal(b) }),
	}
	for name, b := range cases {
		if out, err := DecompressBatch(b, 1<<20); err == nil {
			t.Errorf("%s: no error (%d chunks)", name, len(out))
		}
	}
	huge := edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[12+4:], 1<<31); return reseal(b) })
	if _, err := DecompressBatch(huge, 1<<30); !errors.Is(err, ErrTooLarge) {
		t.Errorf("2 GiB declared, 1 GiB allowed: %v", err)
	}
	if _, err := DecompressBatch(good, -1); !errors.Is(err, ErrTooLarge) {
		t.Errorf("negative limit: %v", err)
	}
}

func TestParseCodec(t *testing.T) {
	for _, c := range Codecs {
		got, err := ParseCodec(c.String())
		if err != nil || got != c {
			t.Errorf("%v: %v %v", c, got, err)
		}
	}
	if _, err := ParseCodec("lz4"); err == nil {
		t.Error("lz4: no error")
	}
	if _, err := CompressBatch(nil, Codec(42)); err == nil {
		t.Error("codec 42: no error")
	}
}

func TestSplitChunks(t *testing.T) {
	data := make([]byte, 10)
	if got := SplitChunks(data, 4); len(got) != 3 || len(got[2]) != 2 || cap(got[0]) != 4 {
		t.Fatalf("got %d chunks", len(got))
	}
	if got := SplitChunks(nil, 4); len(got) != 0 {
		t.Fatal("nil data gave chunks")
	}
}

func FuzzDecompressBatch(f *testing.F) {
	rng := rand.New(rand.NewPCG(4, 4))
	small := [][]byte{[]byte("hello hello hello hello"), {}, {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7}}
	for _, codec := range Codecs {
		b, err := CompressBatch(small, codec)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	b, _ := CompressBatch(testChunks(rng)[:5], CodecZstd)
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		// The checksum would stop almost every mutation at the door, so
		// also try each input with a valid checksum.
		for _, in := range [][]byte{b, resealCopy(b)} {
			chunks, err := DecompressBatch(in, 1<<20)
			if err != nil {
				continue
			}
			// Whatever decodes must re-encode to the same chunks.
			codec := Codec(in[5])
			again, err := CompressBatch(chunks, codec)
			if err != nil {
				t.Fatal(err)
			}
			back, err := DecompressBatch(again, 1<<20)
			if err != nil || len(back) != len(chunks) {
				t.Fatalf("re-encoded batch fails: %v", err)
			}
			for i := range back {
				if !bytes.Equal(back[i], chunks[i]) {
					t.Fatalf("chunk %d differs after re-encoding", i)
				}
			}
		}
	})
}

func resealCopy(b []byte) []byte {
	if len(b) < 4 {
		return b
	}
	return reseal(bytes.Clone(b))
}

// mainnetCorpus returns real block and state JSON from the shared fixtures.
func mainnetCorpus(t testing.TB, max int) []byte {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "fixtures", "mainnet", "ethereum", "blocks")
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

func TestCompressionBenchMainnet(t *testing.T) {
	chunks := SplitChunks(mainnetCorpus(t, 4<<20), DefaultChunkSize)
	res, err := CompressionBench(chunks, Codecs, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		t.Log(r)
		if r.Codec != CodecNone && r.Ratio < 1.5 {
			t.Errorf("%v: ratio %.2f on JSON", r.Codec, r.Ratio)
		}
	}
}

func BenchmarkCompressBatch(b *testing.B) {
	chunks := SplitChunks(mainnetCorpus(b, 8<<20), DefaultChunkSize)
	var total int64
	for _, c := range chunks {
		total += int64(len(c))
	}
	for _, codec := range Codecs {
		b.Run(codec.String(), func(b *testing.B) {
			b.SetBytes(total)
			for b.Loop() {
				if _, err := CompressBatch(chunks, codec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecompressBatch(b *testing.B) {
	chunks := SplitChunks(mainnetCorpus(b, 8<<20), DefaultChunkSize)
	var total int64
	for _, c := range chunks {
		total += int64(len(c))
	}
	for _, codec := range Codecs {
		batch, err := CompressBatch(chunks, codec)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(codec.String(), func(b *testing.B) {
			b.SetBytes(total)
			for b.Loop() {
				if _, err := DecompressBatch(batch, int(total)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
