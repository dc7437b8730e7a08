package jobs

import (
	"context"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"omnicast/models"
)

// A request outside a broadcast (a bot reply) on a channel sending here
// waits for the channel's rate share like the broadcast's own requests;
// on a channel not sending here it goes at once.
func TestBotRepliesTakeTheChannelsRateShare(t *testing.T) {
	d := &dispatcher{m: newMetrics()}
	busy := &channelRates{ch: &models.Channel{Kind: "whatsapp"}, push: rate.NewLimiter(4, 1), pushWin: newWindow(4)}
	d.share(7, busy)
	ctx := context.Background()
	start := time.Now()
	for range 3 {
		if err := d.takeToken(ctx, 7); err != nil {
			t.Fatal(err)
		}
	}
	// 4 a second, burst 1: the second and third wait 250 ms each.
	if el := time.Since(start); el < 450*time.Millisecond {
		t.Fatalf("three replies on a channel at 4/s went in %s", el)
	}
	start = time.Now()
	if err := d.takeToken(ctx, 8); err != nil || time.Since(start) > 50*time.Millisecond {
		t.Fatalf("a channel not sending here waited %s (%v)", time.Since(start), err)
	}
	d.share(7, nil)
	start = time.Now()
	if err := d.takeToken(ctx, 7); err != nil || time.Since(start) > 50*time.Millisecond {
		t.Fatalf("after the channel stopped sending: waited %s (%v)", time.Since(start), err)
	}
}
