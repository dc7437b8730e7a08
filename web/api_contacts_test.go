package web

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

func TestAPIContactsFilterAndCursor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		ch := app.channel("messenger", "")
		app.seedContacts(ch, 120)
		client := app.apiClientFor("mei@example.com", models.RoleMarketer)
		chID := strconv.FormatUint(uint64(ch.ID), 10)

		// Every subscribed contact (the filter's default), 50 a page, by cursor.
		seen := map[float64]bool{}
		next := ""
		pages := 0
		for {
			q := url.Values{"channel_id": {chID}, "limit": {"50"}}
			if next != "" {
				q.Set("after", next)
			}
			r := client.get("/api/v1/contacts?" + q.Encode())
			wantAPIStatus(t, r, http.StatusOK, "")
			list, _ := r.body["contacts"].([]any)
			for _, it := range list {
				ct := it.(map[string]any)
				if seen[ct["id"].(float64)] || ct["subscribed"] != true {
					t.Fatalf("contact %v twice or unsubscribed", ct)
				}
				seen[ct["id"].(float64)] = true
			}
			pages++
			if r.body["next"] == nil {
				break
			}
			next = r.body["next"].(string)
			if pages > 5 {
				t.Fatal("cursor does not end")
			}
		}
		if len(seen) != 108 || pages != 3 {
			t.Fatalf("%d contacts in %d pages, want 108 in 3", len(seen), pages)
		}

		// The contacts page's query string, as is ("channel" too).
		r := client.get("/api/v1/contacts?channel=" + chID + "&tags_all=VIP,台北&status=all&sort=interaction")
		wantAPIStatus(t, r, http.StatusOK, "")
		list := r.body["contacts"].([]any)
		if len(list) != 10 { // every 12th of 120
			t.Fatalf("VIP+台北: %d contacts: %.300s", len(list), r.raw)
		}
		first := list[0].(map[string]any)
		if first["external_id"] != "user-012" || first["name"] != "客戶 012" || len(first["tags"].([]any)) != 2 || first["last_interaction_at"] == nil {
			t.Fatalf("first = %v", first)
		}
		if r := client.get("/api/v1/contacts?channel_id=" + chID + "&q=" + url.QueryEscape("客戶 007")); len(r.body["contacts"].([]any)) != 1 {
			t.Fatalf("search: %s", r.raw)
		}

		// Errors: field by field, stable codes.
		wantAPIStatus(t, client.get("/api/v1/contacts"), http.StatusUnprocessableEntity, "channel_required")
		wantAPIStatus(t, client.get("/api/v1/contacts?channel_id=999"), http.StatusUnprocessableEntity, "channel_not_found")
		wantAPIStatus(t, client.get("/api/v1/contacts?channel_id=x"), http.StatusUnprocessableEntity, "channel_not_found")
		wantAPIStatus(t, client.get("/api/v1/contacts?channel_id="+chID+"&limit=501"), http.StatusUnprocessableEntity, "limit_invalid")
		wantAPIStatus(t, client.get("/api/v1/contacts?channel_id="+chID+"&after=garbage"), http.StatusBadRequest, "cursor_invalid")
		r = client.get("/api/v1/contacts?channel_id=" + chID + "&subscribed_from=2026-13-01&status=maybe")
		wantAPIStatus(t, r, http.StatusUnprocessableEntity, "filter_status")
		if errs, _ := r.body["errors"].([]any); len(errs) != 2 || r.errorField() != "status" {
			t.Fatalf("field errors %s", r.raw)
		}
	})
}
