package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/syncboard/syncboard/realtime"
)

// DelayBuckets are the commit-to-socket delay histogram's upper bounds, in
// seconds: a live event normally reaches its socket within milliseconds
// (NOTIFY, one read per room, a hand-off per socket); seconds mean a
// backlog.
var DelayBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Hub measures the hub: it implements realtime.Metrics for what happens,
// and WatchHub reads what the hub holds at each scrape.
type Hub struct {
	opened    *prometheus.CounterVec
	delivered prometheus.Counter
	delay     prometheus.Histogram
	slow      *prometheus.CounterVec

	// Children resolved once, so the hub's calls cost an atomic add.
	openedRoom, openedUser prometheus.Counter
	slowRoom, slowUser     prometheus.Counter
}

var _ realtime.Metrics = (*Hub)(nil)

func newHub() *Hub {
	h := &Hub{
		opened: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncboard_hub_sockets_opened_total",
			Help: "WebSockets opened (upgraded and subscribed), by stream: room or user.",
		}, []string{"stream"}),
		delivered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "syncboard_hub_events_delivered_total",
			Help: "Room events handed to room sockets, replays included.",
		}),
		delay: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "syncboard_hub_event_delay_seconds",
			Help:    "Time from a room event's commit (its at, set in its transaction) to its hand-off to each socket, for live events only (not replays after ?since=).",
			Buckets: DelayBuckets,
		}),
		slow: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncboard_hub_slow_closes_total",
			Help: "WebSockets closed with 4008 because the client stopped reading, by stream: room or user.",
		}, []string{"stream"}),
	}
	h.openedRoom, h.openedUser = h.opened.WithLabelValues(realtime.StreamRoom), h.opened.WithLabelValues(realtime.StreamUser)
	h.slowRoom, h.slowUser = h.slow.WithLabelValues(realtime.StreamRoom), h.slow.WithLabelValues(realtime.StreamUser)
	return h
}

// SocketOpened implements realtime.Metrics.
func (h *Hub) SocketOpened(stream string) {
	if stream == realtime.StreamUser {
		h.openedUser.Inc()
		return
	}
	h.openedRoom.Inc()
}

// EventDelivered implements realtime.Metrics. A negative delay (the
// writing instance's clock ahead of this one's) counts as zero.
func (h *Hub) EventDelivered(delay time.Duration, live bool) {
	h.delivered.Inc()
	if live {
		h.delay.Observe(max(delay, 0).Seconds())
	}
}

// SlowClosed implements realtime.Metrics.
func (h *Hub) SlowClosed(stream string) {
	if stream == realtime.StreamUser {
		h.slowUser.Inc()
		return
	}
	h.slowRoom.Inc()
}

// WatchHub reports what stats returns (the hub's Stats), read at each
// scrape: syncboard_hub_sockets by stream and syncboard_hub_rooms.
func (m *Metrics) WatchHub(stats func() realtime.Stats) error {
	return register(m.reg, hubStats{stats: stats,
		sockets: prometheus.NewDesc("syncboard_hub_sockets", "WebSockets open on this instance, by stream: room or user.", []string{"stream"}, nil),
		rooms:   prometheus.NewDesc("syncboard_hub_rooms", "Rooms with at least one socket open on this instance.", nil, nil),
	})
}

// hubStats is a collector: one Stats call per scrape for all three series.
type hubStats struct {
	stats          func() realtime.Stats
	sockets, rooms *prometheus.Desc
}

func (c hubStats) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.sockets
	ch <- c.rooms
}

func (c hubStats) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	ch <- prometheus.MustNewConstMetric(c.sockets, prometheus.GaugeValue, float64(st.RoomSockets), realtime.StreamRoom)
	ch <- prometheus.MustNewConstMetric(c.sockets, prometheus.GaugeValue, float64(st.UserSockets), realtime.StreamUser)
	ch <- prometheus.MustNewConstMetric(c.rooms, prometheus.GaugeValue, float64(st.Rooms))
}
