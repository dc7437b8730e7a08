package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestConfirmedBroadcastLinksToItsReport: once confirmed, the
// confirmation page and its polled progress lead to this broadcast's own
// report (查看報告, View report), where the delivered and read figures fill in, not only
// to the list of all broadcasts.
func TestConfirmedBroadcastLinksToItsReport(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("mei@example.com", models.RoleMarketer)
	b := app.browser()
	b.signIn("mei@example.com")
	_, aud := openComposer(t, app, b, channels.KindMessenger)
	f := composerForm(aud, "週末特賣", "您好 {{name}}")
	f.Set("op", "next")
	p := b.post("/broadcasts", f)
	wantStatus(t, p, http.StatusSeeOther)
	confirm := p.location()
	href := strings.TrimSuffix(confirm, "/confirm")
	p = b.get(confirm)
	wantStatus(t, p, http.StatusOK)
	if p.doc.Find(`[data-testid="view-report"]`).Length() != 0 {
		t.Fatal("a draft's confirmation already offers its report")
	}
	v, _ := p.doc.Find(`[data-testid="confirm-form"] input[name="version"]`).Attr("value")
	wantStatus(t, b.post(confirm, url.Values{"version": {v}}), http.StatusSeeOther)

	for _, path := range []string{confirm, href + "/progress"} {
		p = b.get(path)
		wantStatus(t, p, http.StatusOK)
		link := p.doc.Find(`[data-testid="freeze-progress"] a[data-testid="view-report"]`)
		if got, _ := link.Attr("href"); got != href {
			t.Fatalf("%s: 查看報告 goes to %q, want the report %s", path, got, href)
		}
		if text := strings.TrimSpace(link.Text()); text != "View report" { // the test browser asks for English
			t.Fatalf("%s: the report link says %q", path, text)
		}
	}
	wantStatus(t, b.get(href), http.StatusOK)
}
