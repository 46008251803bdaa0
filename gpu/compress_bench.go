package gpu

import (
	"bytes"
	"fmt"
	"time"
)

// CompressionResult is one codec's measurement from CompressionBench.
type CompressionResult struct {
	Codec Codec // codec asked for
	// Used is the codec recorded in the batch: CodecSnappy when
	// CodecGPUSnappy was asked for and no GPU is present.
	Used             Codec
	Chunks           int
	InputBytes       int64   // uncompressed bytes per round
	OutputBytes      int64   // batch size, header included
	Ratio            float64 // InputBytes / OutputBytes
	CompressMBps     float64 // uncompressed MB (1e6 bytes) per second
	DecompressMBps   float64 // uncompressed MB per second
	CompressRounds   int
	DecompressRounds int
}

func (r CompressionResult) String() string {
	return fmt.Sprintf("%-10s %8d chunks %12d -> %12d bytes  ratio %6.3f  compress %9.1f MB/s  decompress %9.1f MB/s",
		r.Used, r.Chunks, r.InputBytes, r.OutputBytes, r.Ratio, r.CompressMBps, r.DecompressMBps)
}

// CompressionBench compresses and decompresses chunks with each codec for
// at least minTime each (at least one round), checks that every round trip
// gives the input back, and reports ratio and throughput. The caller picks
// the data (for example real blocks cut with SplitChunks).
func CompressionBench(chunks [][]byte, codecs []Codec, minTime time.Duration) ([]CompressionResult, error) {
	var in int64
	for _, c := range chunks {
		in += int64(len(c))
	}
	if in > 1<<40 {
		return nil, fmt.Errorf("gpu: %d bytes is too much for one benchmark batch", in)
	}
	var results []CompressionResult
	for _, codec := range codecs {
		r := CompressionResult{Codec: codec, Chunks: len(chunks), InputBytes: in}
		var batch []byte
		start := time.Now()
		for r.CompressRounds == 0 || time.Since(start) < minTime {
			var err error
			if batch, err = CompressBatch(chunks, codec); err != nil {
				return nil, fmt.Errorf("gpu: %v: %w", codec, err)
			}
			r.CompressRounds++
		}
		r.CompressMBps = mbps(in*int64(r.CompressRounds), time.Since(start))
		info, err := InspectBatch(batch, int(in))
		if err != nil {
			return nil, err
		}
		r.Used = info.Codec
		r.OutputBytes = int64(len(batch))
		r.Ratio = float64(in) / float64(max(r.OutputBytes, 1))
		start = time.Now()
		var out [][]byte
		for r.DecompressRounds == 0 || time.Since(start) < minTime {
			if out, err = DecompressBatch(batch, int(in)); err != nil {
				return nil, fmt.Errorf("gpu: %v: %w", codec, err)
			}
			r.DecompressRounds++
		}
		r.DecompressMBps = mbps(in*int64(r.DecompressRounds), time.Since(start))
		if len(out) != len(chunks) {
			return nil, fmt.Errorf("gpu: %v: %d chunks back, want %d", codec, len(out), len(chunks))
		}
		for i := range out {
			if !bytes.Equal(out[i], chunks[i]) {
				return nil, fmt.Errorf("gpu: %v: chunk %d differs after a round trip", codec, i)
			}
		}
		results = append(results, r)
	}
	return results, nil
}

func mbps(bytes int64, d time.Duration) float64 {
	if d <= 0 {
		d = 1
	}
	return float64(bytes) / 1e6 / d.Seconds()
}
