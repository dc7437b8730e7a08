//go:build !race

package jobs

// raceOn: the race detector slows every goroutine several times.
const raceOn = false
