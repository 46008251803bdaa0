package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/plasmaxpl/engine/gpu"
	"github.com/plasmaxpl/engine/types"
)

// keccakBatchCount is the number of messages in one batch: about the size
// of one level of a large trie commit.
const keccakBatchCount = 4096

// benchKeccak hashes batches of equal-sized messages with each of our
// backends (one HashBatch call per batch) and with go-ethereum's
// crypto.Keccak256 called once per message.
func benchKeccak(o *options) []Benchmark {
	var out []Benchmark
	for _, size := range []int{32, 64, 136, 600} {
		rng := rand.New(rand.NewPCG(uint64(size), 1))
		data := make([]byte, keccakBatchCount*size)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		offsets := make([]uint32, keccakBatchCount+1)
		for i := range offsets {
			offsets[i] = uint32(i * size)
		}
		want := make([][]byte, keccakBatchCount)
		for i := range want {
			want[i] = crypto.Keccak256(data[i*size : (i+1)*size])
		}
		var impls []impl
		for _, be := range gpu.Backends() {
			be := be
			outHashes := make([]types.Hash, keccakBatchCount)
			be.HashBatch(data, offsets, outHashes)
			for i := range outHashes {
				if !bytes.Equal(outHashes[i][:], want[i]) {
					return append(out, Benchmark{Name: fmt.Sprintf("keccak %dB", size), Error: fmt.Sprintf("backend %s disagrees with go-ethereum on message %d", be.Name(), i)})
				}
			}
			impls = append(impls, impl{name: "ours " + be.Name(), run: func() (float64, time.Duration, error) {
				return repeatFor(o.minTime, func() (float64, time.Duration, error) {
					start := time.Now()
					be.HashBatch(data, offsets, outHashes)
					return float64(len(data)), time.Since(start), nil
				})
			}})
		}
		var sink byte
		impls = append(impls, impl{name: "go-ethereum crypto.Keccak256", geth: true, run: func() (float64, time.Duration, error) {
			return repeatFor(o.minTime, func() (float64, time.Duration, error) {
				start := time.Now()
				for i := 0; i < keccakBatchCount; i++ {
					h := crypto.Keccak256(data[i*size : (i+1)*size])
					sink ^= h[0]
				}
				return float64(len(data)), time.Since(start), nil
			})
		}})
		b := runAlternating(fmt.Sprintf("keccak %dB x %d", size, keccakBatchCount), "MB/s", 1e6, o.rounds, impls)
		b.Note = fmt.Sprintf("%d messages of %d bytes per batch; throughput counts message bytes (divide by %d for Mhash/s)", keccakBatchCount, size, size)
		_ = sink
		out = append(out, b)
		o.logBench(b)
	}
	return out
}
