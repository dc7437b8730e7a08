package web

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/sim"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// lineOnSim connects a LINE channel to a running simulator with a monthly
// quota, and gives it three contacts: one who will get it, one tester,
// one unsubscribed.
func lineOnSim(t *testing.T, app *testApp, quota int) (*models.Channel, []string) {
	t.Helper()
	s := sim.New(sim.Config{})
	base, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	ch := app.channel(channels.KindLINE, base)
	s.AddAccount(sim.Account{Kind: channels.KindLINE, ExternalID: ch.ExternalID, AccessToken: "token-line-1234", Secret: "secret-line", MonthlyQuota: quota})
	ids := []string{"U0000000000000000000000000000000a", "U0000000000000000000000000000000b", "U0000000000000000000000000000000c"}
	for i, ext := range ids {
		c := models.Contact{ChannelID: ch.ID, ExternalID: ext, Name: "P" + ext[len(ext)-1:], Subscribed: true, Tester: i == 1}
		if err := app.db.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			if err := app.db.Model(&c).Update("subscribed", false).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	return ch, ids
}

func TestAPIBroadcastCreateDryRunAndShow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		client := app.apiClientFor("mia@example.com", models.RoleMarketer)
		ch, ids := lineOnSim(t, app, 1000)
		body := map[string]any{
			"channel_id": ch.ID, "subject": "週年慶", "audience": map[string]any{"external_ids": ids},
			"apply_tags": []string{"anniversary"},
			"messages":   []map[string]any{{"type": "text", "text": "Hi {{name}}"}},
			"dry_run":    true,
		}
		r := client.postJSON("/api/v1/broadcasts", body)
		wantAPIStatus(t, r, http.StatusOK, "")
		fig, _ := r.body["figures"].(map[string]any)
		skipped, _ := fig["skipped"].(map[string]any)
		quota, _ := fig["line_quota"].(map[string]any)
		if fig["audience"] != 3.0 || fig["sendable"] != 1.0 || skipped["tester"] != 1.0 || skipped["unsubscribed"] != 1.0 ||
			quota["needed"] != 1.0 || quota["remaining"] != 1000.0 || fig["multicast"] != false {
			t.Fatalf("dry run figures: %s", r.raw)
		}
		var n int64
		db.Model(&models.Broadcast{}).Count(&n)
		if n != 0 {
			t.Fatalf("a dry run created %d broadcasts", n)
		}

		delete(body, "dry_run")
		r = client.postJSON("/api/v1/broadcasts", body)
		wantAPIStatus(t, r, http.StatusCreated, "")
		if r.body["status"] != models.BroadcastPreparing || r.body["method"] != "api" || r.body["subject"] != "週年慶" {
			t.Fatalf("created: %s", r.raw)
		}
		id := uint(r.body["id"].(float64))
		// The freeze worker schedules it in the background.
		deadline := time.Now().Add(10 * time.Second)
		var shown apiResponse
		for time.Now().Before(deadline) {
			shown = client.get("/api/v1/broadcasts/" + strconv.FormatUint(uint64(id), 10))
			if shown.body["status"] != models.BroadcastPreparing {
				break // scheduled, or already started by the scheduler
			}
			time.Sleep(20 * time.Millisecond)
		}
		fig, _ = shown.body["figures"].(map[string]any)
		if shown.body["status"] == models.BroadcastPreparing || fig["audience"] != 3.0 || fig["sendable"] != 1.0 || shown.body["frozen"] != 3.0 {
			t.Fatalf("shown: %s", shown.raw)
		}
		content, _ := shown.body["content"].(map[string]any)
		if msgs, _ := content["messages"].([]any); len(msgs) != 1 {
			t.Fatalf("content: %s", shown.raw)
		}
		b, err := models.FindBroadcast(db, id)
		if err != nil || b.ConfirmedBy == nil || b.ScheduledAt == nil || !b.ScheduledAt.Equal(app.clock.Now()) {
			t.Fatalf("stored %+v %v", b, err)
		}
		entries, _ := models.ListAudit(db, id)
		if len(entries) < 2 || entries[0].TokenID == nil || entries[1].Action != "confirm" {
			t.Fatalf("audit %+v", entries)
		}
		wantAPIStatus(t, client.get("/api/v1/broadcasts/999999"), http.StatusNotFound, "not_found")
	})
}

func TestAPIBroadcastCreateRefusals(t *testing.T) {
	db := dbtest.SQLite(t)
	app := newTestApp(t, db)
	client := app.apiClientFor("mia@example.com", models.RoleMarketer)
	ch, ids := lineOnSim(t, app, 1000)
	base := func() map[string]any {
		return map[string]any{"channel_id": ch.ID, "subject": "s", "audience": map[string]any{"external_ids": ids[:1]},
			"messages": []map[string]any{{"type": "text", "text": "hello"}}}
	}
	six := make([]map[string]any, 6)
	for i := range six {
		six[i] = map[string]any{"type": "text", "text": "x"}
	}
	cases := []struct {
		name   string
		edit   func(b map[string]any)
		status int
		code   string
		field  string
	}{
		{"six messages", func(b map[string]any) { b["messages"] = six }, 422, "messages_too_many", "messages"},
		{"scheduled in the past", func(b map[string]any) { b["scheduled_at"] = "2026-11-25T17:59:59+08:00" }, 422, "scheduled_at_past", "scheduled_at"},
		{"scheduled not RFC 3339", func(b map[string]any) { b["scheduled_at"] = "tomorrow" }, 422, "scheduled_at_invalid", "scheduled_at"},
		{"unknown contact", func(b map[string]any) { b["audience"] = map[string]any{"external_ids": []string{"Unope"}} }, 422, "audience_unknown_contacts", "audience"},
		{"message tag on LINE", func(b map[string]any) { b["message_tag"] = "event_update" }, 422, "message_tag_not_allowed", "message_tag"},
		{"no such channel", func(b map[string]any) { b["channel_id"] = 777 }, 422, "channel_not_found", "channel_id"},
		{"misspelt field", func(b map[string]any) { b["subjet"] = "x" }, 400, "unknown_field", "subjet"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := base()
			c.edit(b)
			r := client.postJSON("/api/v1/broadcasts", b)
			wantAPIStatus(t, r, c.status, c.code)
			if r.errorField() != c.field || r.errorMessage() == "" || strings.Contains(r.errorMessage(), "compose.error") {
				t.Fatalf("field %q message %q", r.errorField(), r.errorMessage())
			}
		})
	}
	// Messages in the request's language.
	client.lang = "zh-TW"
	b := base()
	b["messages"] = six
	if r := client.postJSON("/api/v1/broadcasts", b); r.errorMessage() != "推播訊息最多 5 則。" {
		t.Fatalf("zh-TW message %q", r.errorMessage())
	}
	var n int64
	db.Model(&models.Broadcast{}).Count(&n)
	if n != 0 {
		t.Fatalf("refused requests created %d broadcasts", n)
	}
}
