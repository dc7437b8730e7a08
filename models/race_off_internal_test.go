//go:build !race

package models

const raceOn = false
