package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

func TestTokensPageCreateShowsTheSecretOnceAndRevokes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		admin := app.addUser("ann@example.com", models.RoleAdmin)
		mei := app.addUser("mei@example.com", models.RoleMarketer)
		b := app.browser()
		b.signIn("ann@example.com")

		p := b.get("/settings")
		if href, _ := p.doc.Find(`[data-testid="tokens-link"]`).Attr("href"); href != "/settings/tokens" {
			t.Fatalf("settings does not link the tokens page: %q", href)
		}
		p = b.get("/settings/tokens")
		wantStatus(t, p, http.StatusOK)
		if p.doc.Find(`[data-testid="tokens-empty"]`).Length() != 1 {
			t.Fatalf("empty list: %.300s", p.body)
		}

		// Invalid: the form comes back with the error beside the field.
		p = b.post("/settings/tokens", url.Values{"name": {"  "}})
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if !strings.Contains(p.text(".field.invalid .error"), "Give the token a name") {
			t.Fatalf("name error: %q", p.text(".field.invalid"))
		}

		p = b.post("/settings/tokens", url.Values{"name": {"CRM sync"}, "user_id": {strconv.FormatUint(uint64(mei.ID), 10)}})
		wantStatus(t, p, http.StatusCreated)
		secret := p.text(`[data-testid="token-secret"]`)
		if !strings.HasPrefix(secret, "oc_") || p.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("secret %q, cache %q", secret, p.header.Get("Cache-Control"))
		}
		tok, u, err := models.AuthenticateToken(db, secret, app.clock.Now())
		if err != nil || u.ID != mei.ID || tok.CreatedBy == nil || *tok.CreatedBy != admin.ID {
			t.Fatalf("created token: %+v %v %v", tok, u, err)
		}

		// Afterwards the list shows the prefix and last use, never the secret.
		p = b.get("/settings/tokens")
		row := p.doc.Find(`[data-testid="token-row"][data-name="CRM sync"]`)
		if row.Length() != 1 || strings.Contains(p.body, secret) || !strings.Contains(row.Text(), secret[:11]) ||
			!strings.Contains(row.Text(), "mei@example.com") || strings.TrimSpace(row.Find(`[data-testid="token-last-used"]`).Text()) == "Never" {
			t.Fatalf("list: %q", row.Text())
		}

		p = b.post("/settings/tokens/"+strconv.FormatUint(uint64(tok.ID), 10)+"/revoke", url.Values{})
		wantStatus(t, p, http.StatusSeeOther)
		if _, _, err := models.AuthenticateToken(db, secret, app.clock.Now()); err == nil {
			t.Fatal("revoked token still works")
		}
		p = b.get("/settings/tokens")
		if !strings.Contains(p.doc.Find(`[data-testid="token-row"]`).Text(), "Revoked") || p.doc.Find(`[data-testid="revoke-token"]`).Length() != 0 {
			t.Fatalf("after revoke: %q", p.doc.Find(`[data-testid="token-row"]`).Text())
		}
		wantStatus(t, b.post("/settings/tokens/999/revoke", url.Values{}), http.StatusNotFound)

		// Marketers have no access; the revoke needs CSRF.
		m := app.browser()
		m.signIn("mei@example.com")
		wantStatus(t, m.get("/settings/tokens"), http.StatusForbidden)
		wantStatus(t, m.post("/settings/tokens", url.Values{"name": {"x"}}), http.StatusForbidden)
		wantStatus(t, b.postRaw("/settings/tokens", url.Values{"name": {"x"}}), http.StatusForbidden)
	})
}
