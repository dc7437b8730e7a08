package models_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

func TestSaveDraftVersionsAndAudit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newComposeWorld(t, db)
		staffUser(t, db, 7, models.RoleMarketer)
		staffUser(t, db, 8, models.RoleAdmin)
		staffUser(t, db, 9, models.RoleMarketer)
		who := models.Actor{UserID: 7}
		d := w.validDraft(w.line)
		b, err := models.SaveDraft(db, d, 0, 0, who, models.MethodAPI, composeNow)
		if err != nil {
			t.Fatal(err)
		}
		if b.Status != models.BroadcastDraft || b.Version != 1 || b.Method != models.MethodAPI || b.CreatedBy != 7 || b.Subject != d.Subject {
			t.Fatalf("created %+v", b)
		}
		back, err := models.DraftOf(b)
		if err != nil || back.Subject != d.Subject || len(back.Content.Messages) != 1 || back.Audience.AudienceID == nil || back.ApplyTags[0] != "december" {
			t.Fatalf("read back %+v %v", back, err)
		}

		d.Subject = "新主題"
		d.Content.Messages = append(d.Content.Messages, models.MessageSpec{Type: models.MessageText, Text: "second"})
		// A colleague marketer may not edit it; an admin may.
		if _, err := models.SaveDraft(db, d, b.ID, 1, models.Actor{UserID: 9}, models.MethodManual, composeNow); !errors.Is(err, models.ErrBroadcastForbidden) {
			t.Fatalf("a colleague's edit: %v", err)
		}
		b2, err := models.SaveDraft(db, d, b.ID, 1, models.Actor{UserID: 8}, models.MethodManual, composeNow.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if b2.Version != 2 || b2.Subject != "新主題" || b2.UpdatedBy != 8 || b2.Method != models.MethodAPI {
			t.Fatalf("updated %+v", b2)
		}
		// An edit made on version 1 after version 2 was saved is refused.
		d.Subject = "lost update"
		if _, err := models.SaveDraft(db, d, b.ID, 1, who, models.MethodManual, composeNow); !errors.Is(err, models.ErrBroadcastStale) {
			t.Fatalf("stale edit: %v", err)
		}
		// Saving the same again changes nothing and writes no entry.
		d.Subject = "新主題"
		if b3, err := models.SaveDraft(db, d, b.ID, 2, who, models.MethodManual, composeNow); err != nil || b3.Version != 2 {
			t.Fatalf("no-op save: %+v %v", b3, err)
		}
		entries, err := models.ListAudit(db, b.ID)
		if err != nil || len(entries) != 2 {
			t.Fatalf("audit %+v %v", entries, err)
		}
		if entries[0].Action != "create" || *entries[0].UserID != 7 || entries[1].Action != "update" || *entries[1].UserID != 8 {
			t.Fatalf("audit %+v", entries)
		}
		var diff map[string]struct{ Old, New json.RawMessage }
		if err := json.Unmarshal([]byte(entries[1].Diff), &diff); err != nil {
			t.Fatal(err)
		}
		if len(diff) != 2 || string(diff["subject"].Old) != `"十二月通知"` || string(diff["subject"].New) != `"新主題"` {
			t.Fatalf("diff %s", entries[1].Diff)
		}
		var content models.BroadcastContent
		if err := json.Unmarshal(diff["content"].New, &content); err != nil || len(content.Messages) != 2 {
			t.Fatalf("content diff %s: %v", diff["content"].New, err)
		}
	})
}

func TestSaveDraftRefusals(t *testing.T) {
	db := dbtest.SQLite(t)
	w := newComposeWorld(t, db)
	staffUser(t, db, 1, models.RoleMarketer)
	who := models.Actor{UserID: 1}
	var derrs models.DraftErrors
	d := w.validDraft(w.insta)
	if _, err := models.SaveDraft(db, d, 0, 0, who, models.MethodManual, composeNow); !errors.As(err, &derrs) || derrs[0].Code != "instagram_not_supported" {
		t.Fatalf("instagram: %v", err)
	}
	d = w.validDraft(w.line)
	d.Subject = strings.Repeat("字", 101)
	if _, err := models.SaveDraft(db, d, 0, 0, who, models.MethodManual, composeNow); !errors.As(err, &derrs) || derrs[0].Field != "subject" {
		t.Fatalf("long subject: %v", err)
	}
	// An invalid but storable draft is kept: nothing typed is lost.
	d = w.validDraft(w.line)
	d.Subject, d.Content.Messages = "", nil
	b, err := models.SaveDraft(db, d, 0, 0, who, models.MethodManual, composeNow)
	if err != nil {
		t.Fatalf("incomplete draft: %v", err)
	}
	// External ids become a saved selection of those contacts.
	d = w.validDraft(w.line)
	d.Audience = models.AudienceSpec{ExternalIDs: []string{w.lineContacts[1].ExternalID, "nobody"}}
	ext, err := models.SaveDraft(db, d, 0, 0, who, models.MethodAPI, composeNow)
	if err != nil || ext.AudienceID == nil {
		t.Fatalf("external ids: %+v %v", ext, err)
	}
	a, err := models.FindAudience(db, *ext.AudienceID)
	if err != nil || a.Count != 1 || a.IDs()[0] != w.lineContacts[1].ID {
		t.Fatalf("audience %+v %v", a, err)
	}
	// Once scheduled the audience is frozen; once sending, nothing changes.
	if err := db.Model(&models.Broadcast{}).Where("id = ?", b.ID).Update("status", models.BroadcastScheduled).Error; err != nil {
		t.Fatal(err)
	}
	d = w.validDraft(w.line)
	d.Audience = models.AudienceSpec{Filter: "status=all"}
	if _, err := models.SaveDraft(db, d, b.ID, 1, who, models.MethodManual, composeNow); !errors.As(err, &derrs) || derrs[0].Code != "audience_frozen" {
		t.Fatalf("audience change when scheduled: %v", err)
	}
	d.Audience = models.AudienceSpec{}
	if b2, err := models.SaveDraft(db, d, b.ID, 1, who, models.MethodManual, composeNow); err != nil || b2.Subject != d.Subject || b2.AudienceID == nil {
		t.Fatalf("content edit when scheduled: %+v %v", b2, err)
	}
	if err := db.Model(&models.Broadcast{}).Where("id = ?", b.ID).Update("status", models.BroadcastSending).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := models.SaveDraft(db, d, b.ID, 2, who, models.MethodManual, composeNow); !errors.Is(err, models.ErrBroadcastStarted) {
		t.Fatalf("edit while sending: %v", err)
	}
}

// staffUser stores a user with a given id and role (the actors of these
// tests are named by id).
func staffUser(t *testing.T, db *gorm.DB, id uint, role string) {
	t.Helper()
	u := models.User{ID: id, Email: "u" + strings.Repeat("x", int(id)) + "@example.com", Name: "u", Role: role, PasswordHash: "x", Active: true}
	if err := db.Create(&u).Error; err != nil {
		t.Fatal(err)
	}
}
