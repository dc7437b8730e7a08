package web

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics is the server's own Prometheus registry (no global state).
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// webhookEvents counts parsed webhook events by channel kind.
	webhookEvents *prometheus.CounterVec
	// webhookDropped counts events not applied, by kind and reason.
	webhookDropped *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "omnicast_http_requests_total",
			Help: "HTTP requests served, by route pattern, method and status code.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "omnicast_http_request_duration_seconds",
			Help:    "Time to serve HTTP requests, by route pattern and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"}),
		webhookEvents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "omnicast_webhook_events_total",
			Help: "Webhook events received with a valid signature, by channel kind.",
		}, []string{"kind"}),
		webhookDropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "omnicast_webhook_events_dropped_total",
			Help: "Webhook events dropped, by channel kind and reason: invalid (cannot be stored), unrouted (no connected channel can take it), failed.",
		}, []string{"kind", "reason"}),
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.webhookEvents, m.webhookDropped,
	)
	return m
}

func (m *metrics) observe(route, method string, status int, took time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route, method).Observe(took.Seconds())
}

func (m *metrics) handler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry}))
}
