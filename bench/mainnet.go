package bench

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/plasmaxpl/engine/ethtest"
	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/types"
)

// Mainnet loads the real Ethereum blocks of the fixtures
// (mainnet/ethereum/blocks) whose contract code is complete, in block
// order. Uncles are not applied (the fixtures have no uncle headers), so
// pre-merge blocks pay only the miner's reward.
func Mainnet(fixtures string) (*Workload, error) {
	root := filepath.Join(fixtures, "mainnet", "ethereum")
	dirs, err := filepath.Glob(filepath.Join(root, "blocks", "*"))
	if err != nil || len(dirs) == 0 {
		return nil, fmt.Errorf("no mainnet blocks under %s (is the fixtures directory there?)", root)
	}
	complete := completeBlocks(filepath.Join(fixtures, "mainnet", "MANIFEST.csv"))
	code, err := ethtest.LoadCodeFile(filepath.Join(root, "bytecodes_recovered.json.gz"))
	if err != nil {
		return nil, err
	}
	sort.Slice(dirs, func(i, j int) bool {
		a, _ := strconv.Atoi(filepath.Base(dirs[i]))
		b, _ := strconv.Atoi(filepath.Base(dirs[j]))
		return a < b
	})
	w := &Workload{Name: "mainnet"}
	for _, dir := range dirs {
		if complete != nil && !complete[filepath.Base(dir)] {
			continue
		}
		mb, err := ethtest.LoadMainnetBlock(dir, code)
		if err != nil {
			return nil, err
		}
		if len(mb.Transactions) == 0 {
			continue
		}
		hashes := mb.BlockHashes
		w.Blocks = append(w.Blocks, &Block{
			Name:        "mainnet/" + filepath.Base(dir),
			Header:      mb.Header,
			Txs:         mb.Transactions,
			Withdrawals: mb.Withdrawals,
			Config:      blockConfig(mb),
			NewState:    mb.NewState,
			GetHash:     func(n uint64) types.Hash { return hashes[n] },
		})
	}
	return w, nil
}

// completeBlocks reads the manifest's "complete" column (nil: no manifest).
func completeBlocks(path string) map[string]bool {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		return nil
	}
	col, blockCol := -1, -1
	for i, h := range rows[0] {
		switch h {
		case "complete":
			col = i
		case "block":
			blockCol = i
		}
	}
	if col < 0 || blockCol < 0 {
		return nil
	}
	out := map[string]bool{}
	for _, r := range rows[1:] {
		if len(r) > col && r[0] == "ethereum" {
			out[r[blockCol]] = r[col] == "yes"
		}
	}
	return out
}

func blockConfig(mb *ethtest.MainnetBlock) evm.BlockConfig {
	return evm.BlockConfig{ChainID: mb.ChainID, Fork: mb.Fork}
}
