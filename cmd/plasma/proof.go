package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/statedb/persist"
	"github.com/plasmaxpl/engine/statedb/proof"
	"github.com/plasmaxpl/engine/types"
)

func init() {
	register("proof", "print an eth_getProof-style Merkle proof of an account and slots from a state database", runProof)
}

func runProof(args []string) int {
	fs := flag.NewFlagSet("proof", flag.ContinueOnError)
	dir := fs.String("db", "", "state database directory (required)")
	rootFlag := fs.String("root", "", "state root to prove against (default: the head's); must be a retained root")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, `usage: plasma proof --db DIR [--root HASH] ADDRESS [SLOT ...]

Prints the proof of ADDRESS and of each storage SLOT (a 0x-hex word) in the
shape of eth_getProof: {address, accountProof, balance, codeHash, nonce,
storageHash, storageProof: [{key, value, proof}]}, followed by nothing else.
The proof verifies against the root named on stderr.
Exit status: 0 printed, 1 database error, 2 bad usage.

flags:`)
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *dir == "" || len(pos) == 0 {
		fs.Usage()
		return 2
	}
	addr, err := types.ParseAddressExact(pos[0])
	if err != nil {
		fmt.Fprintf(os.Stderr, "plasma proof: bad address %q: %v\n", pos[0], err)
		return 2
	}
	var slots []types.Hash
	for _, a := range pos[1:] {
		var v uint256.Int
		if err := types.ParseUint256Hex(a, &v); err != nil {
			fmt.Fprintf(os.Stderr, "plasma proof: bad slot %q: %v\n", a, err)
			return 2
		}
		slots = append(slots, v.Bytes32())
	}
	db, err := persist.Open(*dir, &persist.Options{MustExist: true})
	if err != nil {
		fmt.Fprintf(os.Stderr, "plasma proof: %v\n", err)
		return 1
	}
	defer db.Close()
	head, ok := db.Head()
	if !ok {
		fmt.Fprintf(os.Stderr, "plasma proof: %s has no committed block yet\n", *dir)
		return 1
	}
	root := head.Root
	if *rootFlag != "" {
		if root, err = types.ParseHashExact(*rootFlag); err != nil {
			fmt.Fprintf(os.Stderr, "plasma proof: bad --root: %v\n", err)
			return 2
		}
	}
	s, err := db.StateAt(root)
	if err != nil {
		fmt.Fprintf(os.Stderr, "plasma proof: %v\n", err)
		return 1
	}
	res, err := proof.Prove(s, addr, slots...)
	if err == nil {
		err = res.Verify(root)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "plasma proof: %v\n", err)
		return 1
	}
	out, _ := json.MarshalIndent(res, "", "  ")
	fmt.Println(string(out))
	fmt.Fprintf(os.Stderr, "{\"stateRoot\": %q}\n", root.Hex())
	return 0
}
