package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/plasmaxpl/engine/ethtest"
	"github.com/plasmaxpl/engine/evm"
)

func init() {
	register("t8n", "one-shot state transition (go-ethereum's evm t8n interface)", runT8n)
}

func runT8n(args []string) int {
	fs := flag.NewFlagSet("t8n", flag.ContinueOnError)
	inAlloc := fs.String("input.alloc", "alloc.json", "pre-state alloc: a file, or stdin")
	inEnv := fs.String("input.env", "env.json", "block environment: a file, or stdin")
	inTxs := fs.String("input.txs", "txs.json", "transactions: a JSON file, a .rlp file (hex RLP list), or stdin")
	fork := fs.String("state.fork", "GrayGlacier", "fork name (e.g. London, Cancun, Prague)")
	chainID := fs.Uint64("state.chainid", 1, "chain id")
	reward := fs.Int64("state.reward", 0, "block reward in wei before the merge (-1: none)")
	basedir := fs.String("output.basedir", "", "directory for output files")
	outAlloc := fs.String("output.alloc", "alloc.json", "post-state alloc: a file (in basedir), stdout or stderr")
	outResult := fs.String("output.result", "result.json", "execution result: a file (in basedir), stdout or stderr")
	outBody := fs.String("output.body", "", "RLP of the transactions (hex): a file (in basedir), stdout or stderr")
	trace := fs.Bool("trace", false, "write EIP-3155 JSON trace lines of every transaction to stderr")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, `usage: plasma t8n [flags]

Applies the transactions to the alloc in the env's block. Invalid
transactions are left out and listed in the result's "rejected"; the others
run. With "stdin" for an input, stdin is one object {"alloc", "env", "txs"
| "txsRlp"}; outputs sent to stdout are grouped into one object.
Exit status: 0 ok, 2 EVM error, 3 config/fork error, 4 missing blockhash,
10 bad JSON, 11 IO error, 12 bad RLP.

flags:`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return ethtest.T8nErrConfig
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "plasma t8n: unexpected argument %q\n", fs.Arg(0))
		return ethtest.T8nErrConfig
	}
	in, err := ethtest.ReadT8nInputs(*inAlloc, *inEnv, *inTxs, os.Stdin, *chainID)
	if err != nil {
		return t8nFail(err)
	}
	cfg := ethtest.T8nConfig{Fork: *fork, ChainID: *chainID, Reward: *reward}
	if *trace {
		cfg.Tracer = evm.NewJSONTracer(os.Stderr)
	}
	out, err := ethtest.RunT8n(in, cfg)
	if err != nil {
		return t8nFail(err)
	}
	if err := ethtest.T8nWriteOutputs(out, *basedir, *outAlloc, *outResult, *outBody, os.Stdout, os.Stderr); err != nil {
		return t8nFail(err)
	}
	return 0
}

func t8nFail(err error) int {
	fmt.Fprintf(os.Stderr, "plasma t8n: %v\n", err)
	return ethtest.T8nExitCode(err)
}
