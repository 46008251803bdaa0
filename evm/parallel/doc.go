// Package parallel executes a block's transactions concurrently with
// Block-STM (optimistic execution over multi-version memory, validation,
// re-execution, results in block order) and gives exactly the results of
// executing them one after the other: receipts, logs, gas and state root
// do not depend on the number of workers.
//
// # Design
//
// MVMemory holds, per location, the value each transaction wrote.
// Locations are account fields, not whole accounts: existence, balance,
// nonce, code, a storage-wipe marker (account destroyed or re-created),
// and each storage slot. A slot read sees zero when a wipe is newer than
// the newest write to the slot.
//
// Each incarnation runs ApplyMessage against a view (view.go) that
// implements evm.StateDB directly rather than through statedb with a
// pluggable reader: statedb loads whole accounts, so a transaction paying
// a fee to the beneficiary would read (and conflict on) the beneficiary's
// balance. The view loads each field on first use and keeps a journal
// with statedb's semantics (EIP-161 touches, EIP-6780, the RIPEMD-160
// exception); the random-block test holds the two equal.
//
// Hot spots:
//   - Balances that a transaction credits or debits without reading are
//     written as deltas: fee payments to the beneficiary and value sent
//     to popular addresses do not conflict. A transaction that does read
//     such a balance sums the deltas below it (and so depends on them).
//   - A sender with several transactions in the block: its nonce and
//     balance are marked as estimates at each of its transactions before
//     execution starts, so the next one waits instead of failing its
//     nonce check on a stale read and being re-executed.
//   - What a transaction relies on without reading (that a credited
//     balance is not exactly cancelled to zero, whether an account had
//     storage for EIP-7610), and block-level limits (block gas, blob gas),
//     are checked when transactions commit in order against the exact
//     state. If one fails, the rest of the block runs sequentially, which
//     reproduces the sequential result, including the error of an invalid
//     block, exactly.
//
// Reads are validated by value: a validation repeats the read and
// compares, so a re-executed writer that writes the same value does not
// invalidate its readers. A read that meets an estimate unwinds the
// incarnation (a panic recovered by the executor) and suspends it until
// the writer finishes. Any other panic of a speculative run is kept with
// its read set and only surfaces if those reads prove final.
//
// The scheduler is the collaborative one of the Block-STM paper; workers
// that find no task yield and then back off, so that they do not take a
// shared core from a busy worker.
//
// After all transactions are executed and validated, the commit checks
// them in block order and builds the receipts as the sequential loop
// does. From Byzantium on, with a state that takes final values in bulk
// (statedb.StateDB.ApplyWrites), the checks read the exact state before
// each transaction from MVMemory, and the state is written once: the final
// value of every location MVMemory holds, resolved on all workers. Before
// Byzantium (an intermediate root per receipt) or with another state, the
// write sets are applied one transaction at a time through evm.BlockState.
// ExecuteBlock computes the transaction root while the transactions run,
// the receipts root beside the state root, and the state root with the
// account trie split over the workers (statedb.IntermediateRootWorkers).
//
// Adaptive fallback: a block whose validations fail too often (more than
// one in maxWasteRatio, judged after probeExecutions validations) stops
// executing in parallel; its final prefix is committed and the rest runs
// sequentially, so a block where each transaction depends on the one
// before costs about what the sequential loop does.
//
// Blocks below MinParallelTxs transactions, blocks executed with a tracer
// or with SkipInvalidTxs run sequentially.
//
// # Entry points
//
// ExecuteTxs is the transaction loop of evm.ExecuteBlock. ExecuteBlock
// has evm.ExecuteBlock's signature and results and calls ExecuteTxs for
// Workers > 1 (Prague blocks go to evm.ExecuteBlock until the block code
// calls ExecuteTxs itself).
package parallel
