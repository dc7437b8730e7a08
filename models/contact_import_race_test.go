//go:build race

package models_test

// raceEnabled: the race detector slows the pure-Go SQLite engine about
// twentyfold, so the largest SQLite import test shrinks under it.
const raceEnabled = true
