package parallel

import "github.com/plasmaxpl/engine/evm"

// Importing this package makes evm.ExecuteBlock run blocks with
// BlockConfig.Workers > 1 through Block-STM.
func init() { evm.RegisterParallelExecutor(ExecuteTxs) }
