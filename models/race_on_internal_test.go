//go:build race

package models

// raceOn: the race detector slows regular expressions some twentyfold, so
// the randomised phone test draws fewer numbers under it.
const raceOn = true
