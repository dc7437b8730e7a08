package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"omnicast/channels"
	"omnicast/channels/sim"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestComposerTestSendGoesThroughTheSender: 發送測試訊息 sends the draft to
// the channel's testers through the channel's Sender (channels/connect),
// with each tester's name filled in, and nobody else gets it.
func TestComposerTestSendGoesThroughTheSender(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("mei@example.com", models.RoleMarketer)
	b := app.browser()
	b.signIn("mei@example.com")

	s := sim.New(sim.Config{ReceiptDelay: -1})
	base, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	ch := app.channel(channels.KindLINE, base)
	s.AddAccount(sim.Account{Kind: channels.KindLINE, ExternalID: ch.ExternalID, AccessToken: "token-line-1234", Secret: "secret-line"})
	people := []string{"U0000000000000000000000000000000a", "U0000000000000000000000000000000b"}
	for i, ext := range people {
		s.AddPerson(ch.ExternalID, sim.Person{ID: ext, Name: "P" + ext[len(ext)-1:]})
		c := models.Contact{ChannelID: ch.ID, ExternalID: ext, Name: "P" + ext[len(ext)-1:], Subscribed: true, Tester: i == 1}
		if err := app.db.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
	}
	p := b.post("/audiences", url.Values{"channel": {itoa(ch.ID)}, "filter": {"channel=" + itoa(ch.ID)}, "all": {"1"}})
	wantStatus(t, p, http.StatusSeeOther)
	aud := strings.TrimPrefix(p.location(), "/broadcasts/new?audience=")
	b.get("/broadcasts/new?audience=" + aud)

	f := composerForm(aud, "週年慶", "您好 {{name}}")
	f.Set("op", "test")
	p = b.post("/broadcasts", f)
	wantStatus(t, p, http.StatusOK)
	if ok, _ := p.doc.Find(`[data-testid="test-results"] li`).Attr("data-ok"); ok != "true" {
		t.Fatalf("test send result: %q", p.text(`[data-testid="test-results"]`))
	}
	if got := s.SentTo(people[0]); len(got) != 0 {
		t.Errorf("a person who is not a tester got %d messages", len(got))
	}
	got := s.SentTo(people[1])
	if len(got) != 1 || !strings.Contains(string(got[0].Body), "您好 Pb") || got[0].RetryKey == "" {
		t.Fatalf("tester got %+v, want one push with the name filled and a retry key", got)
	}
}
