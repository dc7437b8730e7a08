//go:build race

package jobs

const raceOn = true
