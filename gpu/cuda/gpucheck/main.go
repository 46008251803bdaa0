//go:build cuda

// Command gpucheck checks the CUDA backends against the CPU and measures
// them. gpu/check-on-gpu.sh builds and runs it beside the plugin:
//
//	go build -tags cuda -o bin/gpucheck ./gpu/cuda/gpucheck
//	go build -tags cuda -buildmode=plugin -o bin/plasma-cuda.so ./gpu/cuda/plugin
//	bin/gpucheck -require-gpu
//
// Exit status: 0 when every check passed (or no GPU was found and
// -require-gpu was not given), 1 on a mismatch or a required GPU missing.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/s2"
	"golang.org/x/crypto/sha3"

	"github.com/plasmaxpl/engine/gpu"
	"github.com/plasmaxpl/engine/gpu/cuda"
	"github.com/plasmaxpl/engine/gpu/kernels"
	"github.com/plasmaxpl/engine/types"
)

var (
	requireGPU = flag.Bool("require-gpu", false, "fail when no usable GPU is found")
	loadOnly   = flag.Bool("load-plugin", false, "only open the plugin, without probing first (exits through gorgonia.org/cu's init when there is no GPU)")
	sizesFlag  = flag.String("sizes", "32,64,136,256,532,1024,4096", "message sizes for the hashing table")
	batchBytes = flag.Int("batch-mib", 256, "MiB hashed per measurement")
	compMiB    = flag.Int("compress-mib", 256, "MiB compressed per measurement")
	minTime    = flag.Duration("time", 2*time.Second, "minimum time per measurement")
	fixtures   = flag.String("fixtures", "../shared/fixtures", "fixture folder (real blocks for compression)")
)

var failures int

func failf(format string, args ...any) {
	failures++
	fmt.Printf("FAIL "+format+"\n", args...)
}

func main() {
	flag.Parse()
	ok, reason := cuda.Probe()
	fmt.Printf("probe: ok=%v %s\n", ok, reason)
	if *loadOnly {
		eng, err := cuda.LoadPlugin()
		if err != nil {
			fmt.Println("plugin:", err)
			os.Exit(1)
		}
		fmt.Println("plugin loaded:", eng.Device())
		return
	}
	eng, err := cuda.Open()
	if err != nil {
		fmt.Fprintf(os.Stderr, "gpucheck: %v; falling back to CPU\n", err)
		if *requireGPU {
			os.Exit(1)
		}
		return
	}
	fmt.Println("device:", eng.Device())
	fmt.Println("plugin:", cuda.PluginPath())

	checkKeccak(eng)
	checkSnappy(eng)
	if failures > 0 {
		fmt.Printf("%d checks FAILED\n", failures)
		os.Exit(1)
	}
	fmt.Println("all checks passed")
	benchKeccak(eng)
	benchSnappy(eng)
	if cuda.Disabled() {
		fmt.Println("FAIL a CUDA error disabled the GPU during the run")
		os.Exit(1)
	}
}

func refKeccak(b []byte) types.Hash {
	h := sha3.NewLegacyKeccak256()
	h.Write(b)
	var out types.Hash
	h.Sum(out[:0])
	return out
}

// batch is a flat buffer with offsets, as gpu.BatchHasher takes it.
type batch struct {
	data    []byte
	offsets []uint32
}

func (b *batch) add(msg []byte) {
	if len(b.offsets) == 0 {
		b.offsets = append(b.offsets, uint32(len(b.data)))
	}
	b.data = append(b.data, msg...)
	b.offsets = append(b.offsets, uint32(len(b.data)))
}

func (b *batch) n() int { return len(b.offsets) - 1 }

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		v := rng.Uint64()
		for j := i; j < min(i+8, n); j++ {
			b[j] = byte(v)
			v >>= 8
		}
	}
	return b
}

// cpuHashes computes the reference digests on all cores.
func cpuHashes(b *batch) []types.Hash {
	out := make([]types.Hash, b.n())
	var wg sync.WaitGroup
	w := runtime.GOMAXPROCS(0)
	for k := 0; k < w; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			for i := k; i < b.n(); i += w {
				out[i] = refKeccak(b.data[b.offsets[i]:b.offsets[i+1]])
			}
		}(k)
	}
	wg.Wait()
	return out
}

func compareHashes(what string, b *batch, got []types.Hash) {
	want := cpuHashes(b)
	for i := range want {
		if got[i] != want[i] {
			failf("keccak %s: message %d (%d bytes): gpu %x cpu %x", what, i, b.offsets[i+1]-b.offsets[i], got[i], want[i])
			return
		}
	}
	fmt.Printf("PASS keccak %s: %d messages\n", what, b.n())
}

func checkKeccak(eng cuda.Engine) {
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	// Every length 0..600 (every padding case over five rate blocks) at
	// every start alignment.
	for align := 0; align < 8; align++ {
		b := &batch{data: make([]byte, align)}
		b.offsets = []uint32{uint32(align)}
		for n := 0; n <= 600; n++ {
			b.add(randBytes(rng, n))
		}
		out := make([]types.Hash, b.n())
		if err := eng.HashBatch(b.data, b.offsets, out); err != nil {
			failf("keccak: %v", err)
			return
		}
		compareHashes(fmt.Sprintf("lengths 0..600 align %d", align), b, out)
	}
	// Random mixed batches, large enough to span several pieces.
	for iter, n := range []int{1, 7, 1000, 100000, 1500000} {
		b := &batch{}
		for i := 0; i < n; i++ {
			switch rng.IntN(4) {
			case 0:
				b.add(randBytes(rng, 32))
			case 1:
				b.add(randBytes(rng, 64+rng.IntN(3)*8))
			case 2:
				b.add(randBytes(rng, rng.IntN(600)))
			default:
				b.add(randBytes(rng, rng.IntN(40)))
			}
		}
		out := make([]types.Hash, b.n())
		if err := eng.HashBatch(b.data, b.offsets, out); err != nil {
			failf("keccak: %v", err)
			return
		}
		compareHashes(fmt.Sprintf("random batch %d", iter), b, out)
	}
	// Through the BatchHasher that programs get, above its threshold.
	h := gpu.Accelerated(gpu.Portable{})
	if h.Name() != "cuda" {
		failf("gpu.Accelerated returned %q, want cuda", h.Name())
	}
	b := &batch{}
	for i := 0; i < cuda.DefaultMinBatch*4; i++ {
		b.add(randBytes(rng, 64))
	}
	out := make([]types.Hash, b.n())
	h.HashBatch(b.data, b.offsets, out)
	compareHashes("gpu.Accelerated hasher", b, out)
}

func repetitive(rng *rand.Rand, n int) []byte {
	words := [][]byte{[]byte("transaction"), []byte("0x0000000000000000"), []byte(`"gasUsed":`), {0}}
	var b []byte
	for len(b) < n {
		switch rng.IntN(4) {
		case 0:
			b = append(b, bytes.Repeat([]byte{byte(rng.Uint32())}, rng.IntN(300))...)
		case 1:
			b = append(b, words[rng.IntN(len(words))]...)
		case 2:
			if len(b) > 0 {
				from, l := rng.IntN(len(b)), rng.IntN(200)
				for i := 0; i < l; i++ {
					b = append(b, b[from+i])
				}
			}
		default:
			b = append(b, randBytes(rng, rng.IntN(40))...)
		}
	}
	return b[:n]
}

// mainnet returns up to max bytes of real block JSON, or nil.
func mainnet(max int) []byte {
	files, _ := filepath.Glob(filepath.Join(*fixtures, "mainnet", "ethereum", "blocks", "*", "*.json"))
	sort.Strings(files)
	var b []byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err == nil {
			b = append(b, data...)
		}
		if len(b) >= max {
			return b[:max]
		}
	}
	return b
}

func checkSnappy(eng cuda.Engine) {
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	var chunks [][]byte
	for _, n := range []int{0, 1, 4, 15, 16, 17, 100, 4095, 4096, 4097, 65535, 65536, 65537, 300000} {
		chunks = append(chunks, randBytes(rng, n), repetitive(rng, n), make([]byte, n))
	}
	chunks = append(chunks, gpu.SplitChunks(repetitive(rng, 64<<20), gpu.DefaultChunkSize)...)
	if m := mainnet(16 << 20); len(m) > 0 {
		chunks = append(chunks, gpu.SplitChunks(m, gpu.DefaultChunkSize)...)
	} else {
		fmt.Println("note: no fixtures at", *fixtures, "- compression checked on synthetic data only")
	}
	params := []struct{ seg, lookback int }{{kernels.SnappySegment, kernels.SnappyLookback}, {2048, 0}, {1000, 3000}, {16, 16}}
	for _, p := range params {
		out, err := eng.CompressChunks(chunks, p.seg, p.lookback)
		if err != nil {
			failf("snappy: %v", err)
			return
		}
		bad := 0
		for i, c := range chunks {
			dec, err := s2.Decode(nil, out[i])
			if err != nil || !bytes.Equal(dec, c) {
				failf("snappy segment %d lookback %d: chunk %d (%d bytes) does not decode back: %v", p.seg, p.lookback, i, len(c), err)
				bad++
			}
			if kernels.HostAvailable {
				host, err := kernels.HostSnappyChunk(c, p.seg, p.lookback)
				if err != nil || !bytes.Equal(host, out[i]) {
					failf("snappy segment %d lookback %d: chunk %d (%d bytes) differs from the host build of the kernel", p.seg, p.lookback, i, len(c))
					bad++
				}
			}
			if bad > 3 {
				return
			}
		}
		fmt.Printf("PASS snappy segment %d lookback %d: %d chunks decode with s2 and match the host build: %v\n",
			p.seg, p.lookback, len(chunks), kernels.HostAvailable)
	}
	// Through gpu.CompressBatch, as programs use it.
	big := gpu.SplitChunks(repetitive(rng, 8<<20), gpu.DefaultChunkSize)
	b, err := gpu.CompressBatch(big, gpu.CodecGPUSnappy)
	if err != nil {
		failf("CompressBatch: %v", err)
		return
	}
	info, err := gpu.InspectBatch(b, 8<<20)
	if err != nil || info.Codec != gpu.CodecGPUSnappy {
		failf("CompressBatch(CodecGPUSnappy) wrote codec %v: %v", info.Codec, err)
	}
	back, err := gpu.DecompressBatch(b, 8<<20)
	if err != nil {
		failf("DecompressBatch: %v", err)
		return
	}
	for i := range big {
		if !bytes.Equal(back[i], big[i]) {
			failf("CompressBatch round trip: chunk %d differs", i)
			return
		}
	}
	fmt.Printf("PASS gpu.CompressBatch(CodecGPUSnappy) round trip: %d chunks\n", len(big))
}

// measure runs f until minTime has passed and returns the mean time per call.
func measure(f func() error) (time.Duration, error) {
	if err := f(); err != nil { // warm up: buffers, JIT
		return 0, err
	}
	start, n := time.Now(), 0
	for n == 0 || time.Since(start) < *minTime {
		if err := f(); err != nil {
			return 0, err
		}
		n++
	}
	return time.Since(start) / time.Duration(n), nil
}

func benchKeccak(eng cuda.Engine) {
	fmt.Println()
	fmt.Println("Keccak-256, end to end (host buffers in, digests out, transfers included)")
	fmt.Printf("%8s %10s %14s %14s %14s %8s\n", "size", "messages", "gpu hash/s", "cpu1 hash/s", "cpuN hash/s", "gpu/cpuN")
	cpu := gpu.Default()
	if cpu.Name() == "cuda" {
		cpu = gpu.Portable{} // compare with a CPU backend
	}
	rng := rand.New(rand.NewPCG(3, 3))
	for _, f := range strings.Split(*sizesFlag, ",") {
		size, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || size < 0 {
			fmt.Println("bad size", f)
			continue
		}
		n := max(1, min(4<<20, (*batchBytes<<20)/max(size, 1)))
		b := &batch{data: randBytes(rng, n*size), offsets: make([]uint32, n+1)}
		for i := range b.offsets {
			b.offsets[i] = uint32(i * size)
		}
		out := make([]types.Hash, n)
		gpuT, err := measure(func() error { return eng.HashBatch(b.data, b.offsets, out) })
		if err != nil {
			failf("keccak bench: %v", err)
			return
		}
		// CPU: a slice of the batch, to keep the run short.
		m := max(1, min(n, 200000, (64<<20)/max(size, 1)))
		cpu1, _ := measure(func() error { cpu.HashBatch(b.data, b.offsets[:m+1], out[:m]); return nil })
		cpuN, _ := measure(func() error { parallelHash(cpu, b.data, b.offsets[:m+1], out[:m]); return nil })
		g := float64(n) / gpuT.Seconds()
		c1 := float64(m) / cpu1.Seconds()
		cn := float64(m) / cpuN.Seconds()
		fmt.Printf("%8d %10d %14.4g %14.4g %14.4g %8.2f\n", size, n, g, c1, cn, g/cn)
	}
	fmt.Printf("cpu1: %s on one core; cpuN: the same on %d cores\n", cpu.Name(), runtime.GOMAXPROCS(0))
}

func parallelHash(h gpu.BatchHasher, data []byte, offsets []uint32, out []types.Hash) {
	n := len(offsets) - 1
	w := runtime.GOMAXPROCS(0)
	per := (n + w - 1) / w
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += per {
		hi := min(lo+per, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.HashBatch(data, offsets[lo:hi+1], out[lo:hi])
		}()
	}
	wg.Wait()
}

func benchSnappy(eng cuda.Engine) {
	fmt.Println()
	fmt.Println("Compression, 64 KiB chunks, end to end (MB/s of input)")
	fmt.Printf("%-12s %-22s %10s %10s %8s\n", "data", "backend", "MB", "MB/s", "ratio")
	rng := rand.New(rand.NewPCG(4, 4))
	inputs := []struct {
		name string
		data []byte
	}{{"repetitive", repetitive(rng, *compMiB<<20)}, {"random", randBytes(rng, *compMiB<<20)}}
	if m := mainnet(64 << 20); len(m) > 0 {
		// Repeat the real blocks up to the measurement size.
		var d []byte
		for len(d) < *compMiB<<20 {
			d = append(d, m...)
		}
		inputs = append(inputs, struct {
			name string
			data []byte
		}{"mainnet", d[:*compMiB<<20]})
	}
	for _, in := range inputs {
		chunks := gpu.SplitChunks(in.data, gpu.DefaultChunkSize)
		mb := float64(len(in.data)) / 1e6
		var out [][]byte
		t, err := measure(func() (err error) {
			out, err = eng.CompressChunks(chunks, kernels.SnappySegment, kernels.SnappyLookback)
			return err
		})
		if err != nil {
			failf("snappy bench: %v", err)
			return
		}
		size := 0
		for _, o := range out {
			size += len(o)
		}
		fmt.Printf("%-12s %-22s %10.0f %10.0f %8.3f\n", in.name, "gpu snappy kernel", mb, mb/t.Seconds(), float64(len(in.data))/float64(size))
		for _, codec := range []gpu.Codec{gpu.CodecSnappy, gpu.CodecS2, gpu.CodecZstd} {
			var b []byte
			t, _ := measure(func() (err error) { b, err = gpu.CompressBatch(chunks, codec); return err })
			fmt.Printf("%-12s %-22s %10.0f %10.0f %8.3f\n", in.name, fmt.Sprintf("cpu %v (%d cores)", codec, runtime.GOMAXPROCS(0)), mb, mb/t.Seconds(), float64(len(in.data))/float64(len(b)))
		}
	}
}
