package web

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// The broadcast page draws sends and reads per minute from the
// deliveries' sent_at and read_at, one bar pair per minute of the window,
// worded in both languages.
func TestBroadcastPageTimeline(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		owner := app.addUser("owner@example.com", models.RoleMarketer)
		ch := reportChannel(t, db, channels.KindMessenger, "粉絲專頁")
		start := time.Date(2026, 11, 25, 9, 10, 20, 0, time.UTC)
		b := reportBroadcast(t, db, ch, owner.ID, "時間軸", models.BroadcastDone, start, func(b *models.Broadcast) {
			fin := start.Add(3 * time.Minute)
			b.FinishedAt = &fin
			b.AudienceCount, b.FrozenCount, b.SentCount, b.DeliveredCount, b.ReadCount = 6, 6, 6, 6, 3
		})
		// Sent: 2 in 09:10, 3 in 09:11, 1 in 09:13; read: 1 in 09:11, 2 in 09:13.
		sent := []time.Duration{0, 30 * time.Second, 45 * time.Second, 60 * time.Second, 90 * time.Second, 170 * time.Second}
		read := map[int]time.Duration{0: 50 * time.Second, 3: 160 * time.Second, 4: 165 * time.Second}
		for i, d := range sent {
			c := models.Contact{ChannelID: ch.ID, ExternalID: "t" + strconv.Itoa(i), Subscribed: true}
			if err := db.Create(&c).Error; err != nil {
				t.Fatal(err)
			}
			at := start.Add(d)
			del := models.Delivery{BroadcastID: b.ID, ContactID: c.ID, State: models.DeliverySent, SentAt: &at, UpdatedAt: at}
			if r, ok := read[i]; ok {
				ra := start.Add(r)
				del.ReadAt = &ra
			}
			if err := db.Create(&del).Error; err != nil {
				t.Fatal(err)
			}
		}
		br := app.browser()
		br.signIn("owner@example.com")
		p := br.get("/broadcasts/" + uidStr(b.ID))
		wantStatus(t, p, http.StatusOK)
		tl := p.doc.Find(`svg[data-testid="timeline"]`)
		if tl.Length() != 1 {
			t.Fatalf("no timeline: %.300s", p.text(`[data-testid="report-figures"]`))
		}
		if n, _ := tl.Attr("data-minutes"); n != "4" {
			t.Fatalf("minutes %q, want 4 (09:10–09:13)", n)
		}
		loc := app.srv.Workspace().Location()
		want := map[string][2]string{}
		for i, w := range [][2]string{{"2", "0"}, {"3", "1"}, {"0", "0"}, {"1", "2"}} {
			want[start.Add(time.Duration(i)*time.Minute).In(loc).Format("15:04")] = w
		}
		tl.Find("g[data-minute]").Each(func(_ int, g *goquery.Selection) {
			m, _ := g.Attr("data-minute")
			s, _ := g.Attr("data-sent")
			r, _ := g.Attr("data-read")
			if w, ok := want[m]; !ok || w != [2]string{s, r} {
				t.Errorf("minute %s: sent %s read %s, want %v", m, s, r, w)
			}
			delete(want, m)
		})
		if len(want) > 0 {
			t.Errorf("minutes missing: %v", want)
		}
		if label, _ := tl.Attr("aria-label"); !strings.Contains(label, "6 sent and 3 read") {
			t.Errorf("en description %q", label)
		}
		br.lang = "zh-TW"
		p = br.get("/broadcasts/" + uidStr(b.ID))
		if label, _ := p.doc.Find(`svg[data-testid="timeline"]`).Attr("aria-label"); !strings.Contains(label, "共發送 6 則、已讀 3 則") {
			t.Errorf("zh-TW description %q", label)
		}
		if !strings.Contains(p.doc.Find(`svg[data-testid="timeline"]`).Text(), "已讀") {
			t.Errorf("zh-TW legend missing")
		}
	})
}
