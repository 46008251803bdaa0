package main

// Importing the parallel executor registers it with evm.ExecuteBlock, so
// every command that takes --workers runs blocks with Block-STM when
// --workers > 1.
import _ "github.com/plasmaxpl/engine/evm/parallel"
