package connect_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"omnicast/channels"
	"omnicast/channels/connect"
	"omnicast/channels/line"
	"omnicast/channels/sim"
)

// BenchmarkSenders measures one Sender.Send per op against the simulator
// (no rate limit, no latency), in parallel, with connections reused: the
// cost of rendering, the transport routine and classification, without
// the database. go test ./channels/connect -run x -bench Senders
func BenchmarkSenders(b *testing.B) {
	s := sim.New(sim.Config{ReceiptDelay: -1})
	url, err := s.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.AddAccount(sim.Account{Kind: channels.KindMessenger, ExternalID: pageID, AccessToken: pageToken})
	s.AddAccount(sim.Account{Kind: channels.KindLINE, ExternalID: lineID, AccessToken: lineToken})
	const people = 1000
	for i := range people {
		s.AddPerson(pageID, sim.Person{ID: fmt.Sprintf("61%014d", i), Name: "陳怡君"})
		s.AddPerson(lineID, sim.Person{ID: fmt.Sprintf("U%032x", i), Name: "陳怡君"})
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	for _, kind := range []string{channels.KindLINE, channels.KindMessenger} {
		b.Run(kind, func(b *testing.B) {
			id, token := lineID, lineToken
			if kind == channels.KindMessenger {
				id, token = pageID, pageToken
			}
			cl, err := connect.Client(connect.Channel{Kind: kind, ExternalID: id, BaseURL: url, AccessToken: token}, hc)
			if err != nil {
				b.Fatal(err)
			}
			var n, failed atomic.Int64
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1) % people
					o := channels.Outgoing{Name: "陳怡君", Content: text, Key: line.NewRetryKey()}
					if kind == channels.KindLINE {
						o.To = fmt.Sprintf("U%032x", i)
					} else {
						o.To = fmt.Sprintf("61%014d", i)
					}
					if r := cl.Sender.Send(context.Background(), o); r.Outcome != channels.Sent {
						failed.Add(1)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
			if failed.Load() > 0 {
				b.Errorf("%d sends not sent", failed.Load())
			}
			s.Reset()
		})
	}
}
