package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/gpu"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

// Benchmarks of the hashing and compression hot paths: every backend side
// by side in one run, so the ratios compare like with like.
func init() {
	registerBench("hash", "batch Keccak-256 throughput of every backend", runBenchHash)
	registerBench("trie", "state-root commit of N random account and storage updates, every backend", runBenchTrie)
	registerBench("compress", "ratio and MB/s of every batch codec on real block data", runBenchCompress)
}

// JSON lines, one per measurement, fields in the documented order.
type hashLine struct {
	Backend      string  `json:"backend"`
	MsgSize      int     `json:"msgSize"`
	HashesPerSec float64 `json:"hashesPerSec"`
	MBPerSec     float64 `json:"mbPerSec"`
	Ratio        float64 `json:"ratio"`
}

type trieLine struct {
	Backend string  `json:"backend"`
	Updates int     `json:"updates"`
	Seconds float64 `json:"seconds"`
	Ratio   float64 `json:"ratio"`
}

type compressLine struct {
	Codec              string  `json:"codec"`
	Ratio              float64 `json:"ratio"`
	CompressMBPerSec   float64 `json:"compressMBPerSec"`
	DecompressMBPerSec float64 `json:"decompressMBPerSec"`
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		mult := 1
		switch {
		case strings.HasSuffix(f, "k"):
			mult, f = 1000, strings.TrimSuffix(f, "k")
		case strings.HasSuffix(f, "M"):
			mult, f = 1000000, strings.TrimSuffix(f, "M")
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("bad size %q", f)
		}
		out = append(out, n*mult)
	}
	return out, nil
}

func runBenchHash(args []string) int {
	fs := flag.NewFlagSet("bench hash", flag.ContinueOnError)
	sizesFlag := fs.String("sizes", "32,64,136,600", "message sizes in bytes")
	count := fs.Int("count", 4096, "messages per batch")
	minTime := fs.Duration("time", 300*time.Millisecond, "minimum time per backend and size")
	asJSON := fs.Bool("json", false, "one JSON object per backend and size")
	if _, err := parseInterleaved(fs, args); err != nil {
		return usageExit(err)
	}
	sizes, err := parseSizes(*sizesFlag)
	if err != nil {
		fmt.Fprintf(os.Stderr, "plasma bench hash: %v\n", err)
		return 2
	}
	backends := append(gpu.Backends(), gpuOnlyBackends()...)
	res, err := gpu.HashBench(backends, sizes, *count, *minTime)
	if err != nil {
		fmt.Fprintf(os.Stderr, "plasma bench hash: %v\n", err)
		return 1
	}
	base := map[int]float64{}
	for _, r := range res {
		if r.Backend == "portable" {
			base[r.Size] = r.HashesPerSec
		}
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	if !*asJSON {
		fmt.Fprintln(tw, "backend\tmsgSize\thashes/s\tMB/s\tratio\t")
	}
	for _, r := range res {
		ratio := 0.0
		if b := base[r.Size]; b > 0 {
			ratio = r.HashesPerSec / b
		}
		if *asJSON {
			emitJSON(hashLine{r.Backend, r.Size, round2(r.HashesPerSec), round2(r.MBps), round2(ratio)})
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.1f\t%.2f\t\n", r.Backend, r.Size, r.HashesPerSec, r.MBps, ratio)
	}
	tw.Flush()
	return 0
}

// gpuOnlyBackends returns the accelerated backend when a cuda build found
// a device (gpu.Default is then not one of the CPU backends).
func gpuOnlyBackends() []gpu.BatchHasher {
	d := gpu.Default()
	for _, b := range gpu.Backends() {
		if b.Name() == d.Name() {
			return nil
		}
	}
	return []gpu.BatchHasher{d}
}

func runBenchTrie(args []string) int {
	fs := flag.NewFlagSet("bench trie", flag.ContinueOnError)
	sizesFlag := fs.String("updates", "10k,100k,1M", "numbers of random updates to commit")
	rounds := fs.Int("rounds", 3, "rounds per backend and size (median reported)")
	asJSON := fs.Bool("json", false, "one JSON object per backend and size")
	if _, err := parseInterleaved(fs, args); err != nil {
		return usageExit(err)
	}
	sizes, err := parseSizes(*sizesFlag)
	if err != nil || *rounds < 1 {
		fmt.Fprintf(os.Stderr, "plasma bench trie: bad --updates or --rounds\n")
		return 2
	}
	backends := append(gpu.Backends(), gpuOnlyBackends()...)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	if !*asJSON {
		fmt.Fprintln(tw, "backend\tupdates\tseconds\tratio\t")
	}
	for _, n := range sizes {
		times := make(map[string][]float64)
		var roots []types.Hash
		// Alternate backends within each round so load changes hit all alike.
		for r := 0; r < *rounds; r++ {
			for _, b := range backends {
				secs, root := commitRandomUpdates(b, n, uint64(n))
				times[b.Name()] = append(times[b.Name()], secs)
				roots = append(roots, root)
			}
		}
		for _, root := range roots {
			if root != roots[0] {
				fmt.Fprintf(os.Stderr, "plasma bench trie: backends disagree on the root of %d updates\n", n)
				return 1
			}
		}
		base := median(times["portable"])
		for _, b := range backends {
			m := median(times[b.Name()])
			if *asJSON {
				emitJSON(trieLine{b.Name(), n, round4(m), round2(base / m)})
				continue
			}
			fmt.Fprintf(tw, "%s\t%d\t%.4f\t%.2f\t\n", b.Name(), n, m, base/m)
		}
	}
	tw.Flush()
	return 0
}

// commitRandomUpdates applies n updates drawn from seed to a fresh state:
// half set balances of new accounts, half write storage slots of 1,000
// contracts. It times the state-root commit alone.
func commitRandomUpdates(h gpu.BatchHasher, n int, seed uint64) (float64, types.Hash) {
	rng := rand.New(rand.NewPCG(seed, 0x706c61736d61))
	s := statedb.NewWithHasher(h)
	var contracts []types.Address
	for i := 0; i < 1000 && i < n; i++ {
		var a types.Address
		putRandom(rng, a[:])
		s.SetNonce(a, 1)
		contracts = append(contracts, a)
	}
	var bal uint256.Int
	for i := 0; i < n; i++ {
		if i%2 == 0 || len(contracts) == 0 {
			var a types.Address
			putRandom(rng, a[:])
			bal.SetUint64(rng.Uint64())
			s.SetBalance(a, &bal)
			continue
		}
		var k, v types.Hash
		putRandom(rng, k[:])
		putRandom(rng, v[:])
		s.SetState(contracts[rng.IntN(len(contracts))], k, v)
	}
	// Collect the garbage of earlier rounds first, so one backend's timing
	// does not pay for another's heap.
	runtime.GC()
	start := time.Now()
	root := s.IntermediateRoot(false)
	return time.Since(start).Seconds(), root
}

func putRandom(rng *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
}

func runBenchCompress(args []string) int {
	fs := flag.NewFlagSet("bench compress", flag.ContinueOnError)
	fixtures := fs.String("fixtures", "../shared/fixtures", "fixtures directory (mainnet blocks are the data)")
	chunk := fs.Int("chunk", gpu.DefaultChunkSize, "chunk size in bytes")
	minTime := fs.Duration("time", 500*time.Millisecond, "minimum time per codec and direction")
	asJSON := fs.Bool("json", false, "one JSON object per codec")
	if _, err := parseInterleaved(fs, args); err != nil {
		return usageExit(err)
	}
	data, nblocks, err := mainnetTxRLP(*fixtures)
	if err != nil {
		fmt.Fprintf(os.Stderr, "plasma bench compress: %v\n", err)
		return 2
	}
	if *chunk <= 0 || *chunk > gpu.MaxChunkSize {
		fmt.Fprintf(os.Stderr, "plasma bench compress: --chunk must be in 1..%d\n", gpu.MaxChunkSize)
		return 2
	}
	res, err := gpu.CompressionBench(gpu.SplitChunks(data, *chunk), gpu.Codecs, *minTime)
	if err != nil {
		fmt.Fprintf(os.Stderr, "plasma bench compress: %v\n", err)
		return 1
	}
	if !*asJSON {
		fmt.Printf("data: transactions of %d mainnet fixture blocks, RLP, %d bytes, %d-byte chunks\n", nblocks, len(data), *chunk)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	if !*asJSON {
		fmt.Fprintln(tw, "codec\tratio\tcompress MB/s\tdecompress MB/s\t")
	}
	for _, r := range res {
		name := r.Codec.String()
		if r.Used != r.Codec {
			name += " (as " + r.Used.String() + ")"
		}
		if *asJSON {
			emitJSON(compressLine{name, round4(r.Ratio), round2(r.CompressMBps), round2(r.DecompressMBps)})
			continue
		}
		fmt.Fprintf(tw, "%s\t%.3f\t%.1f\t%.1f\t\n", name, r.Ratio, r.CompressMBps, r.DecompressMBps)
	}
	tw.Flush()
	return 0
}

// mainnetTxRLP concatenates the RLP transaction lists of the mainnet
// fixture blocks, in block-number order.
func mainnetTxRLP(fixtures string) ([]byte, int, error) {
	dirs, err := filepath.Glob(filepath.Join(fixtures, "mainnet", "ethereum", "blocks", "*", "block.json"))
	if err != nil || len(dirs) == 0 {
		return nil, 0, fmt.Errorf("no mainnet blocks under %s (set --fixtures)", fixtures)
	}
	sort.Slice(dirs, func(i, j int) bool { return blockDirNumber(dirs[i]) < blockDirNumber(dirs[j]) })
	var out []byte
	for _, p := range dirs {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, 0, err
		}
		var b types.Block
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, 0, fmt.Errorf("%s: %v", p, err)
		}
		if out, err = types.AppendTransactionsRLP(out, b.Transactions); err != nil {
			return nil, 0, fmt.Errorf("%s: %v", p, err)
		}
	}
	return out, len(dirs), nil
}

func blockDirNumber(p string) uint64 {
	n, _ := strconv.ParseUint(filepath.Base(filepath.Dir(p)), 10, 64)
	return n
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func emitJSON(v any) {
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}

func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }
func round4(x float64) float64 { return float64(int64(x*10000+0.5)) / 10000 }

func usageExit(err error) int {
	if err == flag.ErrHelp {
		return 0
	}
	return 2
}
