package jobs

import (
	"github.com/prometheus/client_golang/prometheus"

	"omnicast/models"
)

// Metrics are the dispatcher's Prometheus series; web registers them
// (Runner.Collectors) on its own registry.
type Metrics struct {
	messages     *prometheus.CounterVec
	rateWait     *prometheus.CounterVec
	breakerTrips *prometheus.CounterVec
	receipts     prometheus.Counter
	dbWaits      prometheus.Counter
}

func newMetrics() *Metrics {
	return &Metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "omnicast_messages_total",
			Help: "Broadcast send requests answered, by channel kind and outcome (sent, retryable, permanent, uncertain).",
		}, []string{"kind", "outcome"}),
		rateWait: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "omnicast_rate_limit_wait_seconds_total",
			Help: "Time send requests waited for a rate-limit token, by channel kind.",
		}, []string{"kind"}),
		breakerTrips: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "omnicast_breaker_trips_total",
			Help: "Circuit breaker trips that paused a channel's broadcasts, by channel kind.",
		}, []string{"kind"}),
		receipts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "omnicast_receipts_applied_total",
			Help: "Delivery and read receipts applied to deliveries.",
		}),
		dbWaits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "omnicast_dispatch_db_waits_total",
			Help: "Times sending waited for the database after an error.",
		}),
	}
}

// Collectors returns the background work's metrics, with a gauge of the
// queue depth (deliveries still to send of sending broadcasts, from the
// maintained counters).
func (r *Runner) Collectors() []prometheus.Collector {
	m := r.dispatch.m
	depth := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "omnicast_queue_depth",
		Help: "Deliveries still to send of sending and paused broadcasts.",
	}, func() float64 {
		var n int64
		if err := r.cfg.DB.Model(&models.Broadcast{}).Where("status IN ?", []string{models.BroadcastSending, models.BroadcastPaused}).
			Select("COALESCE(SUM(pending_count), 0)").Scan(&n).Error; err != nil {
			return -1
		}
		return float64(n)
	})
	return []prometheus.Collector{m.messages, m.rateWait, m.breakerTrips, m.receipts, m.dbWaits, depth}
}
