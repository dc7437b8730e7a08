package jobs

import (
	"os"
	"testing"
)

// TestMain lets the benchmarks run the platform simulator in a child
// process (this test binary, re-executed), so that the resident memory
// they measure is the sender's alone.
func TestMain(m *testing.M) {
	if spec := os.Getenv(benchSimSpecEnv); spec != "" {
		os.Exit(runBenchSimChild(spec))
	}
	os.Exit(m.Run())
}
