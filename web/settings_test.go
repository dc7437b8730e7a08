package web

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

func dbNow() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) }

func TestSettings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("admin@example.com", models.RoleAdmin)
		b := app.browser()
		b.signIn("admin@example.com")

		p := b.get("/settings")
		if v, _ := p.doc.Find("#timezone option[selected]").Attr("value"); v != "Asia/Taipei" {
			t.Fatalf("default time zone = %q", v)
		}
		bad := b.post("/settings", url.Values{"timezone": {"Mars/Olympus"}, "public_url": {"ftp://x"}})
		wantStatus(t, bad, http.StatusUnprocessableEntity)
		if v, _ := bad.doc.Find("#public_url").Attr("value"); v != "ftp://x" {
			t.Errorf("public URL not kept: %q", v)
		}
		if bad.doc.Find(".field.invalid").Length() != 2 {
			t.Errorf("want 2 invalid fields, got %d", bad.doc.Find(".field.invalid").Length())
		}

		ok := b.post("/settings", url.Values{"timezone": {"Asia/Hong_Kong"}, "public_url": {"https://omnicast.example.com/"}})
		wantStatus(t, ok, http.StatusSeeOther)
		w, err := models.LoadWorkspace(db, models.Workspace{})
		if err != nil || w.Timezone != "Asia/Hong_Kong" || w.PublicURL != "https://omnicast.example.com" {
			t.Fatalf("saved workspace = %+v, %v", w, err)
		}
		if app.srv.Workspace().Timezone != "Asia/Hong_Kong" {
			t.Fatalf("server did not reload settings")
		}
	})
}
