package web

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

const (
	lineToken  = "LINE-TOKEN-plaintext-Zq81"
	lineSecret = "LINE-SECRET-plaintext-Pp42"
)

func TestAdminConnectsEditsAndRemovesChannel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("admin@example.com", models.RoleAdmin)
		b := app.browser()
		b.signIn("admin@example.com")

		form := b.get("/channels/new?kind=line")
		wantStatus(t, form, http.StatusOK)
		if form.text(`label[for="external_id"]`) != "Channel ID" || form.text(`label[for="token"]`) != "Channel access token" {
			t.Fatalf("LINE form labels: %q %q", form.text(`label[for="external_id"]`), form.text(`label[for="token"]`))
		}
		wantStatus(t, b.get("/channels/new?kind=fax"), http.StatusNotFound)

		bad := b.post("/channels", url.Values{"kind": {"line"}, "name": {"台北門市"}, "external_id": {""}, "token": {lineToken}, "secret": {""}, "rate": {"abc"}})
		wantStatus(t, bad, http.StatusUnprocessableEntity)
		bad = b.post("/channels", url.Values{"kind": {"line"}, "name": {"台北門市"}, "external_id": {""}, "token": {lineToken}, "secret": {""}})
		wantStatus(t, bad, http.StatusUnprocessableEntity)
		if v, _ := bad.doc.Find("#name").Attr("value"); v != "台北門市" {
			t.Errorf("name not kept: %q", v)
		}
		if bad.text(`[data-testid="error-external_id"]`) == "" || bad.text(`[data-testid="error-secret"]`) == "" {
			t.Errorf("missing field errors")
		}
		if strings.Contains(bad.body, lineToken) {
			t.Fatal("the token was rendered back into the form")
		}

		ok := b.post("/channels", url.Values{"kind": {"line"}, "name": {"台北門市"}, "external_id": {"1650000001"}, "token": {lineToken}, "secret": {lineSecret}})
		wantStatus(t, ok, http.StatusSeeOther)
		list := b.get("/channels")
		cards := list.doc.Find(`[data-testid="channel-card"]`)
		if cards.Length() != 1 {
			t.Fatalf("channel cards = %d", cards.Length())
		}
		id, _ := cards.Attr("data-channel-id")
		hook := cards.Find(`[data-testid="webhook-url"]`).Text()
		if hook != app.http.URL+"/webhooks/line/"+id {
			t.Fatalf("webhook URL = %q", hook)
		}
		if strings.Contains(list.body, lineToken) || strings.Contains(list.body, lineSecret) || !strings.Contains(list.body, "Zq81") {
			t.Fatal("secrets rendered, or their hint missing")
		}

		edit := b.get("/channels/" + id + "/edit")
		if strings.Contains(edit.body, lineToken) || strings.Contains(edit.body, lineSecret) {
			t.Fatal("edit form renders a secret")
		}
		wantStatus(t, b.post("/channels/"+id, url.Values{"name": {"台北旗艦店"}, "external_id": {"1650000001"}, "token": {""}, "secret": {""}}), http.StatusSeeOther)
		chID := mustID(t, id)
		ch, _ := models.FindChannel(db, chID)
		secrets, err := ch.Secrets(app.srv.sealer)
		if err != nil || ch.Name != "台北旗艦店" || secrets.AccessToken != lineToken || secrets.Secret != lineSecret {
			t.Fatalf("after edit: %q %+v %v", ch.Name, secrets, err)
		}

		assertNoPlaintext(t, db, lineToken, lineSecret)

		wantStatus(t, b.post("/channels/"+id+"/delete", url.Values{}), http.StatusSeeOther)
		if _, err := models.FindChannel(db, chID); err != models.ErrNotFound {
			t.Fatalf("channel not removed: %v", err)
		}
		wantStatus(t, b.post("/channels/"+id+"/delete", url.Values{}), http.StatusNotFound)
	})
}

func TestMetaChannelGetsVerifyTokenAndWhatsAppNeedsWABA(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("admin@example.com", models.RoleAdmin)
		b := app.browser()
		b.signIn("admin@example.com")
		b.get("/channels/new?kind=whatsapp")
		p := b.post("/channels", url.Values{"kind": {"whatsapp"}, "name": {"WA"}, "external_id": {"1234567890"}, "token": {"t0ken-123456"}, "secret": {"s3cret-123456"}})
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if p.text(`[data-testid="error-waba_id"]`) == "" {
			t.Fatal("no WABA error")
		}
		p = b.post("/channels", url.Values{"kind": {"whatsapp"}, "name": {"WA"}, "external_id": {"1234567890"}, "waba_id": {"987"}, "token": {"t0ken-123456"}, "secret": {"s3cret-123456"}})
		wantStatus(t, p, http.StatusSeeOther)
		list, _ := models.ListChannels(db)
		if len(list) != 1 || len(list[0].VerifyToken) < 16 || list[0].RateLimit != 80 {
			t.Fatalf("whatsapp channel = %+v", list)
		}
	})
}

func mustID(t *testing.T, s string) uint {
	id, ok := parseID(s)
	if !ok {
		t.Fatalf("%q is not an id", s)
	}
	return id
}

// assertNoPlaintext dumps every row of every table, and for SQLite the raw
// database files too, and fails if a secret appears.
func assertNoPlaintext(t *testing.T, db *gorm.DB, secrets ...string) {
	t.Helper()
	tables, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	var dump strings.Builder
	for _, table := range tables {
		rows, err := db.Table(table).Rows()
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				fmt.Fprintf(&dump, "%s|", v)
			}
		}
		rows.Close()
	}
	if !models.IsPostgres(db) {
		var file string
		db.Raw("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file)
		for _, f := range []string{file, file + "-wal"} {
			raw, _ := os.ReadFile(filepath.Clean(f))
			dump.Write(raw)
		}
	}
	for _, s := range secrets {
		if strings.Contains(dump.String(), s) {
			t.Fatalf("plaintext secret %q found in the database", s)
		}
	}
	if dump.Len() == 0 {
		t.Fatal("empty dump: the check would prove nothing")
	}
}
