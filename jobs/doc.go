// Package jobs owns omnicast's background work through one lifecycle
// object, the Runner (runner.go): named workers sharing a context and a
// WaitGroup, started and stopped by serve. Its first worker runs CSV
// imports from the database queue (imports.go); the gocron scheduler
// (triggers only), the dispatcher that claims deliveries and sends them
// within rate limits, and receipt processing join it as further workers.
// Handlers never start goroutines: they queue work and wake a worker.
package jobs
