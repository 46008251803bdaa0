package gpu

// Hooks through which a `-tags cuda` build (package gpu/cuda, imported for
// its side effects by the program) plugs the GPU into this package. Both are
// nil in a default build. They do their device probing on first call, never
// at program start.

// Accelerated returns a BatchHasher that runs large batches on the GPU and
// hands small batches (and every batch after a device error) to cpu. When no
// usable GPU is found it prints one line containing "falling back to CPU"
// to stderr and returns cpu itself.
var Accelerated func(cpu BatchHasher) BatchHasher

// ChunkCompressor compresses independent chunks, each into one block in the
// Snappy block format.
type ChunkCompressor interface {
	// Name identifies the backend ("cuda").
	Name() string
	// CompressChunks returns one Snappy block per chunk.
	CompressChunks(chunks [][]byte) ([][]byte, error)
}

// AcceleratedCompressor returns the GPU chunk compressor, or nil when no
// usable GPU is found. CompressBatch calls it for CodecGPUSnappy.
var AcceleratedCompressor func() ChunkCompressor
