package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

func (c *apiClient) patchJSON(path string, v any) apiResponse {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(http.MethodPatch, path, "application/json", bytes.NewReader(b))
}

// PATCH /api/v1/broadcasts/:id edits a scheduled broadcast on the version
// read by GET: a stale version is 409 broadcast_stale, the composer's
// rules answer 422, a colleague marketer 403, an admin may; once sending
// started it is 409; each edit is audited with the fields it changed.
func TestAPIPatchBroadcast(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		owner := app.apiClientFor("mia@example.com", models.RoleMarketer)
		colleague := app.apiClientFor("lin@example.com", models.RoleMarketer)
		admin := app.apiClientFor("boss@example.com", models.RoleAdmin)
		ch, ids := lineOnSim(t, app, 1000)
		at := app.clock.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
		r := owner.postJSON("/api/v1/broadcasts", map[string]any{
			"channel_id": ch.ID, "subject": "週年慶", "audience": map[string]any{"external_ids": ids},
			"apply_tags": []string{"anniversary"}, "scheduled_at": at.Format(time.RFC3339),
			"messages": []map[string]any{{"type": "text", "text": "Hi {{name}}"}},
		})
		wantAPIStatus(t, r, http.StatusCreated, "")
		id := uint(r.body["id"].(float64))
		path := "/api/v1/broadcasts/" + itoa(id)
		var shown apiResponse
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			if shown = owner.get(path); shown.body["status"] == models.BroadcastScheduled {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if shown.body["status"] != models.BroadcastScheduled || shown.body["subject"] != "週年慶" {
			t.Fatalf("GET: %s", shown.raw)
		}
		content, _ := shown.body["content"].(map[string]any)
		if msgs, _ := content["messages"].([]any); len(msgs) != 1 {
			t.Fatalf("GET lacks the content: %s", shown.raw)
		}
		version := int(shown.body["version"].(float64))

		wantAPIStatus(t, owner.patchJSON(path, map[string]any{"subject": "x"}), http.StatusUnprocessableEntity, "version_required")
		wantAPIStatus(t, colleague.patchJSON(path, map[string]any{"version": version, "subject": "lin"}), http.StatusForbidden, "broadcast_forbidden")
		wantAPIStatus(t, owner.patchJSON(path, map[string]any{"version": version, "subject": ""}), http.StatusUnprocessableEntity, "subject_required")
		wantAPIStatus(t, owner.patchJSON(path, map[string]any{"version": version, "scheduled_at": "tomorrow"}), http.StatusUnprocessableEntity, "scheduled_at_invalid")

		later := at.Add(3 * time.Hour)
		r = owner.patchJSON(path, map[string]any{"version": version, "subject": "週年慶（延長）", "scheduled_at": later.Format(time.RFC3339),
			"apply_tags": []string{"anniversary", "vip"}, "messages": []map[string]any{{"type": "text", "text": "延長 {{name}}"}}})
		wantAPIStatus(t, r, http.StatusOK, "")
		if r.body["subject"] != "週年慶（延長）" || int(r.body["version"].(float64)) != version+1 || r.body["scheduled_at"] != later.Format(time.RFC3339) {
			t.Fatalf("patched: %s", r.raw)
		}
		// A second client still on the old version is refused.
		stale := admin.patchJSON(path, map[string]any{"version": version, "subject": "老闆的版本"})
		wantAPIStatus(t, stale, http.StatusConflict, "broadcast_stale")
		if stale.errorField() != "version" || !strings.Contains(stale.errorMessage(), "GET") {
			t.Fatalf("stale answer: %s", stale.raw)
		}
		wantAPIStatus(t, admin.patchJSON(path, map[string]any{"version": version + 1, "subject": "老闆的版本"}), http.StatusOK, "")

		b, _ := models.FindBroadcast(db, id)
		spec, _ := b.Spec()
		if b.Subject != "老闆的版本" || spec.Messages[0].Text != "延長 {{name}}" || !b.ScheduledAt.Equal(later) || strings.Join(b.Tags(), ",") != "anniversary,vip" {
			t.Fatalf("stored: %+v", b)
		}
		entries, _ := models.ListAudit(db, id)
		var edits []models.AuditEntry
		for _, e := range entries {
			if e.Action == "update" {
				edits = append(edits, e)
			}
		}
		if len(edits) != 2 {
			t.Fatalf("edits audited: %d", len(edits))
		}
		keys := auditDiffKeys(t, edits[0])
		for _, k := range []string{"subject", "scheduled_at", "apply_tags", "content"} {
			if !keys[k] {
				t.Errorf("the edit's diff does not name %s: %s", k, edits[0].Diff)
			}
		}
		if edits[0].TokenID == nil {
			t.Errorf("an API edit does not name its token")
		}

		// Once sending started it can no longer change.
		if err := db.Model(&models.Broadcast{}).Where("id = ?", id).Update("status", models.BroadcastSending).Error; err != nil {
			t.Fatal(err)
		}
		wantAPIStatus(t, owner.patchJSON(path, map[string]any{"version": b.Version, "subject": "too late"}), http.StatusConflict, "broadcast_started")
	})
}
