package jobs

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"omnicast/channels"
	"omnicast/channels/line"
	"omnicast/channels/messenger"
	"omnicast/channels/sim"
	"omnicast/channels/whatsapp"
	"omnicast/models"
)

// hooks points the simulator's webhooks of ch at a receiver that stores
// them as omnicast's webhook handler does (models.ApplyWebhookEvent), so
// receipts and taps reach the database as they would in production.
func (e *sendEnv) hooks(ch *models.Channel) {
	e.t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var events []channels.Event
		switch ch.Kind {
		case channels.KindWhatsApp:
			events, err = whatsapp.ParseWebhookFor(body, ch.ExternalID)
		case channels.KindLINE:
			_, events, err = line.ParseWebhook(body)
		default:
			events, err = messenger.ParseWebhook(body)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for _, ev := range events {
			if _, err := models.ApplyWebhookEvent(e.db, ch, ev, nil, time.Now()); err != nil {
				e.t.Errorf("webhook event %+v: %v", ev, err)
			}
		}
		w.WriteHeader(http.StatusOK)
	}))
	e.t.Cleanup(srv.Close)
	e.sim.AddAccount(sim.Account{Kind: ch.Kind, ExternalID: ch.ExternalID, WABAID: ch.WABAID, DisplayName: ch.ExternalID,
		AccessToken: "tok-" + ch.ExternalID, Secret: "secret-" + ch.ExternalID, WebhookURL: srv.URL})
}

// waTemplate registers an approved template with a body parameter (the
// contact's name) and three quick-reply buttons, and syncs it into ch.
func (e *sendEnv) waTemplate(ch *models.Channel, name string) {
	e.t.Helper()
	e.sim.AddTemplate(ch.WABAID, sim.Template{Name: name, Language: "zh_TW", Category: "MARKETING", Components: []sim.TemplateComponent{
		{Type: "BODY", Text: "{{1}}，春季特賣開始了"},
		{Type: "BUTTONS", Buttons: []sim.TemplateButton{{Type: "QUICK_REPLY", Text: "訂閱"}, {Type: "QUICK_REPLY", Text: "不再接收"}, {Type: "QUICK_REPLY", Text: "看看"}}},
	}})
	if _, err := SyncWATemplates(context.Background(), e.db, e.sealer, ch, time.Now()); err != nil {
		e.t.Fatal(err)
	}
}

// waitFor polls cond until it holds or within passes.
func waitFor(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(25 * time.Millisecond)
	}
}
