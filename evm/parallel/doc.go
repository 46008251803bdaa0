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
// MVMemory is organised by account (mvmemory.go): one lookup by address
// finds an account's fixed cells (the fields and the wipe marker) and its
// slot cells, each holding its versions sorted by transaction. A mutex per
// account guards the fields; the slots are split over 16 stripes by key,
// each with its own mutex, so that the transactions of one popular
// contract do not queue on one lock. The account before the block is read
// from the state once and kept. The accounts the block is known to touch
// (senders, recipients, the beneficiary) are created before the workers
// start, in four parts by address hash built and read from the state at
// the same time, each part in one allocation kept between blocks, and are
// found without a lock in open-addressing tables. A part is read from the
// state in two passes, every lookup and then every account's fields, so
// that the cache misses of different accounts overlap; the reference each
// lookup returns (statedb.AccountRef) goes back with the account's final
// values, and the bulk write looks nothing up again. Read and write sets hold
// the cells themselves, so validation and the final write look nothing up
// again; a read of a cell without versions takes no lock at all. Each
// worker carves read sets, write sets, results and first versions from its
// own arena (arena.go) instead of allocating them one by one; the arenas'
// chunks are kept between blocks too.
//
// Each incarnation runs ApplyMessage against a view (view.go) that
// implements evm.StateDB directly rather than through statedb with a
// pluggable reader: statedb loads whole accounts, so a transaction paying
// a fee to the beneficiary would read (and conflict on) the beneficiary's
// balance. The view loads each field on first use and keeps a journal
// with statedb's semantics (EIP-161 touches, EIP-6780, the RIPEMD-160
// exception); the random-block test holds the two equal. Its maps are
// small slices searched linearly (smallmap.go), kept from one incarnation
// to the next.
//
// Hot spots:
//   - Balances that a transaction credits or debits without reading are
//     written as deltas: fee payments to the beneficiary and value sent
//     to popular addresses do not conflict. A transaction that does read
//     such a balance sums the deltas below it (and so depends on them).
//     Once the probe is done, the beneficiary's deltas (its fees) are kept
//     in a slot per transaction beside its balance cell, written without
//     the account's lock, so that the workers do not all take that lock
//     to pay it; a read of its balance adds the fees above the newest
//     absolute value.
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
// invalidate its readers. A read that got the value before the block
// because nothing below it wrote the location is still valid while that
// stays so, which a validation tells from the cell's lowest writer alone,
// without the value. A read that meets an estimate unwinds the
// incarnation (a panic recovered by the executor) and suspends it until
// the writer finishes. Any other panic of a speculative run is kept with
// its read set and only surfaces if those reads prove final.
//
// The scheduler is the collaborative one of the Block-STM paper. The
// workers are the caller and the helpers of internal/split, which stay
// between blocks and steps and spin briefly before they park: waking an
// idle core costs about 100 µs in the virtual machines measured, longer
// than many whole steps. A worker that finds no task helps a step that a
// running transaction opened (a large bloom) or yields, and never blocks.
// What workers write per transaction (its scheduler state, its result, its
// written cells and fee) and per worker (task counts) sits on cache lines
// of its own: neighbouring transactions usually run on different cores,
// and a line that moves between them at every task costs a large part of
// a simple transaction.
//
// After all transactions are executed and validated, the commit checks
// them in block order and builds the receipts as the sequential loop does.
// From Byzantium on, with a state that takes final values in bulk
// (statedb.StateDB.ApplyWrites), the checks read the exact state before
// each transaction from MVMemory, and the state is written once: the final
// value of every location MVMemory holds, resolved on all workers while
// the checks run (receipt blooms are computed by the workers). Otherwise
// (a state without bulk writes, or a block before Byzantium run in
// parallel with Options.PreByzantium: an intermediate root per receipt)
// the write sets are applied one transaction at a time through
// evm.BlockState. With Workers > 1 and at least 32 transactions,
// evm.ExecuteBlock computes the transaction root while the transactions
// run, the receipts root beside the state root, and the state root with
// the account trie and large storage tries split over the workers
// (statedb.IntermediateRootWorkers).
//
// Deterministic fallback: a block where one sender sends more than half of
// the transactions runs sequentially from the start (its nonce chain is
// most of the critical path). Otherwise the first eighth of the block
// (probeTxs: 4 to 32 transactions) runs in order on one goroutine, the
// probe, while the other workers start at the transaction after it; the
// probe's results are final, and once it is done every transaction is
// validated again. If the longest chain of dependencies among the probed
// transactions (a transaction depending on one whose writes it read; a
// sender's nonce and balance passed from one of its transactions to the
// next do not count, as those wait for each other rather than re-execute)
// grows longer than half of the probe, the block most likely depends on
// itself throughout: the probe stops there, the workers stop, the probed
// prefix is committed and the rest runs sequentially, so such a block
// costs about what the sequential loop does, and decides so identically on
// every run (the workers' transactions lie above the probe's and change
// nothing it reads). A block that passes the probe but whose validations
// fail too often later (more than workers-1 in maxWasteRatio, judged after
// probeExecutions validations) also stops executing in parallel; its final
// prefix is committed and the rest runs sequentially. That second guard
// depends on timing; it changes only the work done, never the results.
//
// Blocks below MinParallelTxs transactions, blocks before Byzantium (a
// state root per receipt makes the commit as long as the execution),
// blocks executed with a tracer or with SkipInvalidTxs run sequentially.
//
// # Entry points
//
// ExecuteTxs is the transaction loop of evm.ExecuteBlock for Workers > 1:
// importing this package registers it there. ExecuteBlock and
// ExecuteBlockOpts call evm.ExecuteBlockTxs with it (and, for the latter,
// options such as statistics), so that the block around the transactions
// (system calls, rewards, withdrawals, requests, roots) is evm's own.
package parallel
