//go:build !linux

package gpu

import "time"

func threadCPU() (time.Duration, bool) { return 0, false }
