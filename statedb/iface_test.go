package statedb_test

import (
	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/statedb"
)

var _ evm.StateDB = (*statedb.StateDB)(nil)
