package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

func TestTestConnectionShowsPlatformAnswer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Path != "/v2/bot/info" {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			if r.Header.Get("Authorization") != "Bearer token-line-1234" {
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, `{"message":"Authentication failed. Confirm that the access token in the authorization header is valid."}`)
				return
			}
			fmt.Fprint(w, `{"userId":"Ub1","basicId":"@gooddaycoffee","displayName":"好日子咖啡","chatMode":"bot","markAsReadMode":"manual"}`)
		}))
		defer api.Close()
		app := newTestApp(t, db)
		app.addUser("admin@example.com", models.RoleAdmin)
		ch := app.channel("line", api.URL)
		b := app.browser()
		b.signIn("admin@example.com")
		b.get("/channels")

		p := b.post(fmt.Sprintf("/channels/%d/test", ch.ID), url.Values{})
		wantStatus(t, p, http.StatusOK)
		if got := p.text(`[data-testid="test-ok"]`); !strings.Contains(got, "好日子咖啡") || !strings.Contains(got, "@gooddaycoffee") {
			t.Fatalf("success fragment = %q (%s)", got, p.body)
		}

		if _, err := models.UpdateChannel(db, app.srv.sealer, ch.ID, models.ChannelInput{Name: ch.Name, ExternalID: ch.ExternalID, APIBaseURL: api.URL, Token: "revoked-token-0000"}); err != nil {
			t.Fatal(err)
		}
		p = b.post(fmt.Sprintf("/channels/%d/test", ch.ID), url.Values{})
		if got := p.text(`[data-testid="test-failed"]`); !strings.Contains(got, "Authentication failed") {
			t.Fatalf("failure fragment = %q", got)
		}
		if strings.Contains(p.body, "revoked-token-0000") {
			t.Fatal("the token leaked into the page")
		}
	})
}
