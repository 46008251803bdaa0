//go:build cuda

package cuda

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"plugin"
	"sync"

	"github.com/plasmaxpl/engine/types"
)

// Engine is what the plugin implements on top of gorgonia.org/cu: one CUDA
// context on one device with the kernels loaded. Methods are safe for
// concurrent use (calls are serialised) and return an error for any CUDA
// failure; they never fall back by themselves.
type Engine interface {
	// Device describes the GPU.
	Device() string
	// HashBatch hashes message i = data[offsets[i]:offsets[i+1]] into
	// out[i] with the Keccak kernel.
	HashBatch(data []byte, offsets []uint32, out []types.Hash) error
	// CompressChunks compresses each chunk into one Snappy block with the
	// Snappy kernel, cutting chunks into segments of segLen bytes that
	// look back lookback bytes (see gpu/kernels/snappy_core.h).
	CompressChunks(chunks [][]byte, segLen, lookback int) ([][]byte, error)
	// Close releases the device memory and the context.
	Close() error
}

// PluginSymbol is the plugin's constructor, of type
// func(ordinal int) (Engine, error).
const PluginSymbol = "NewEngine"

// PluginFile is the plugin's file name, looked for beside the executable
// unless PLASMA_CUDA_PLUGIN names it.
const PluginFile = "plasma-cuda.so"

var (
	openOnce sync.Once
	openEng  Engine
	openErr  error
)

// Open probes for a device and, when there is one, loads the plugin and
// creates the engine on device 0. It does this once per process and
// returns the same engine or error every time after.
func Open() (Engine, error) {
	openOnce.Do(func() { openEng, openErr = open() })
	return openEng, openErr
}

func open() (Engine, error) {
	if ok, reason := Probe(); !ok {
		return nil, errors.New(reason)
	}
	return LoadPlugin()
}

// PluginPath returns where Open looks for the plugin.
func PluginPath() string {
	if p := os.Getenv("PLASMA_CUDA_PLUGIN"); p != "" {
		return p
	}
	exe, err := os.Executable()
	if err != nil {
		return PluginFile
	}
	return filepath.Join(filepath.Dir(exe), PluginFile)
}

// LoadPlugin opens the plugin and creates an engine on device 0 without
// probing first. Opening the plugin initialises gorgonia.org/cu, which
// exits the process when cuInit fails: call it only after Probe succeeded,
// or to check that a plugin matches this program. Programs use Open.
func LoadPlugin() (Engine, error) {
	path := PluginPath()
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("CUDA plugin %s not found (build it with: go build -tags cuda -buildmode=plugin -o %s ./gpu/cuda/plugin, or set PLASMA_CUDA_PLUGIN)", path, PluginFile)
	}
	p, err := plugin.Open(path)
	if err != nil {
		return nil, fmt.Errorf("CUDA plugin %s: %v (rebuild it with the same Go toolchain, flags and module versions as this program)", path, err)
	}
	sym, err := p.Lookup(PluginSymbol)
	if err != nil {
		return nil, fmt.Errorf("CUDA plugin %s: %v", path, err)
	}
	newEngine, ok := sym.(func(int) (Engine, error))
	if !ok {
		return nil, fmt.Errorf("CUDA plugin %s: %s has type %T", path, PluginSymbol, sym)
	}
	eng, err := newEngine(0)
	if err != nil {
		return nil, fmt.Errorf("CUDA plugin %s: %v", path, err)
	}
	return eng, nil
}
