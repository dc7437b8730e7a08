// Package jobs will hold the gocron scheduler (triggers only), the
// dispatcher that claims deliveries and sends them within rate limits, and
// receipt processing. Sending arrives with the broadcast work.
package jobs
