package models_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

func newImport(t *testing.T, db *gorm.DB, ch *models.Channel, text string, now time.Time) *models.ContactImport {
	t.Helper()
	f, err := models.OpenContactCSV(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	imp, err := models.CreateContactImport(db, models.NewContactImport{ChannelID: ch.ID, FileName: "名單.csv", File: f, Timezone: "Asia/Taipei", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return imp
}

func reload(t *testing.T, db *gorm.DB, id uint64) *models.ContactImport {
	t.Helper()
	imp, err := models.FindContactImport(db, id)
	if err != nil {
		t.Fatal(err)
	}
	return imp
}

// runClaimed imports a claimed import's stored file, as the jobs worker does.
func runClaimed(t *testing.T, db *gorm.DB, imp *models.ContactImport, now time.Time) models.ImportResult {
	t.Helper()
	raw, err := models.ContactImportFile(db, imp.ID)
	if err != nil {
		t.Fatal(err)
	}
	f, err := models.ParseContactCSV(raw)
	if err != nil {
		t.Fatal(err)
	}
	res, err := models.ImportContacts(context.Background(), db, imp.ChannelID, f, models.ImportOptions{
		Now: now, Location: imp.Location(), Region: imp.Region, ImportID: imp.ID,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := models.FinishContactImport(db, imp.ID, models.ImportDone, res, nil, now); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestContactImportLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, "line")
		other := mustChannel(t, db, "messenger")
		imp := newImport(t, db, ch, "external_id,name,subscribed_at\nU1,陳,2026-11-01\nU2,王,yesterday\n", importNow)
		if imp.State != models.ImportPreviewState || imp.TotalRows != 2 || imp.Bad != 1 || imp.Region != "TW" {
			t.Fatalf("new import %+v", imp)
		}
		p, err := reload(t, db, imp.ID).PreviewData()
		if err != nil || p.Total != 2 || p.Bad != 1 || len(p.Rows) != 2 || !errors.Is(p.Rows[1].Error.Reason, models.ErrImportTime) {
			t.Fatalf("stored preview %+v %v", p, err)
		}
		// Nothing is written before the user confirms.
		if _, err := models.FindContact(db, ch.ID, "U1"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("a preview wrote a contact: %v", err)
		}
		if got, err := models.ClaimContactImport(db, "w1", importNow); got != nil || err != nil {
			t.Fatalf("a preview was claimed: %+v %v", got, err)
		}

		if err := models.QueueContactImport(db, imp.ID, importNow); err != nil {
			t.Fatal(err)
		}
		if err := models.QueueContactImport(db, imp.ID, importNow); !errors.Is(err, models.ErrImportState) {
			t.Fatalf("confirmed twice: %v", err)
		}
		// A second import into the same account waits for the first; another account does not.
		second := newImport(t, db, ch, "external_id\nU9\n", importNow)
		if err := models.QueueContactImport(db, second.ID, importNow); !errors.Is(err, models.ErrImportBusy) {
			t.Fatalf("second import into a busy account: %v", err)
		}
		elsewhere := newImport(t, db, other, "external_id\nM1\n", importNow)
		if err := models.QueueContactImport(db, elsewhere.ID, importNow); err != nil {
			t.Fatalf("import into another account: %v", err)
		}

		claimed, err := models.ClaimContactImport(db, "w1", importNow)
		if err != nil || claimed == nil || claimed.ID != imp.ID || claimed.State != models.ImportRunning || claimed.ClaimedBy != "w1" {
			t.Fatalf("claim %+v %v", claimed, err)
		}
		if err := models.ReportContactImport(db, imp.ID, "w1", 1, importNow.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := models.ReportContactImport(db, imp.ID, "w2", 1, importNow); !errors.Is(err, models.ErrImportState) {
			t.Fatalf("another worker reported: %v", err)
		}
		if got := reload(t, db, imp.ID); got.DoneRows != 1 || got.StateAt(importNow.Add(10*time.Second)) != models.ImportRunning {
			t.Fatalf("progress %+v", got)
		}
		res := runClaimed(t, db, claimed, importNow)
		done := reload(t, db, imp.ID)
		if res.Created != 1 || done.State != models.ImportDone || done.Created != 1 || done.Bad != 1 || done.DoneRows != 2 || done.FinishedAt == nil {
			t.Fatalf("finished %+v", done)
		}
		bad, err := done.BadRowList()
		if err != nil || len(bad) != 1 || bad[0].Line != 3 || !errors.Is(bad[0].Reason, models.ErrImportTime) {
			t.Fatalf("bad rows %+v %v", bad, err)
		}
		if _, err := models.ContactImportFile(db, imp.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("the file outlived its import: %v", err)
		}
		// Now the second one may go.
		if err := models.QueueContactImport(db, second.ID, importNow); err != nil {
			t.Fatalf("after the first finished: %v", err)
		}

		// Cancelling a preview drops it and its file.
		third := newImport(t, db, other, "external_id\nM2\n", importNow)
		if err := models.CancelContactImport(db, third.ID); err != nil {
			t.Fatal(err)
		}
		if got := reload(t, db, third.ID); got.State != models.ImportCancelled {
			t.Fatalf("cancelled %+v", got)
		}
		if _, err := models.ContactImportFile(db, third.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("cancelled file kept: %v", err)
		}
		list, err := models.ListContactImports(db, ch.ID, 10)
		if err != nil || len(list) != 2 || list[0].ID != second.ID || list[1].FileName != "名單.csv" {
			t.Fatalf("list %+v %v", list, err)
		}
	})
}

// TestContactImportInterruptedByRestart: an import whose process died is
// marked interrupted once its heartbeat is stale, never left running.
func TestContactImportInterruptedByRestart(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, "line")
		imp := newImport(t, db, ch, "external_id\nU1\nU2\n", importNow)
		if err := models.QueueContactImport(db, imp.ID, importNow); err != nil {
			t.Fatal(err)
		}
		if _, err := models.ClaimContactImport(db, "gone", importNow); err != nil {
			t.Fatal(err)
		}
		old := newImport(t, db, ch, "external_id\nU3\n", importNow.Add(-25*time.Hour)) // a preview nobody confirmed
		later := importNow.Add(models.ImportStaleAfter + time.Second)
		if got := reload(t, db, imp.ID); got.StateAt(importNow) != models.ImportRunning || got.StateAt(later) != models.ImportInterrupted {
			t.Fatalf("state at %+v", got)
		}
		if n, err := models.InterruptStaleImports(db, importNow); err != nil || n != 0 {
			t.Fatalf("a live import was interrupted: %d %v", n, err)
		}
		n, err := models.InterruptStaleImports(db, later)
		if err != nil || n != 1 {
			t.Fatalf("stale imports: %d %v", n, err)
		}
		if got := reload(t, db, imp.ID); got.State != models.ImportInterrupted || got.FinishedAt == nil {
			t.Fatalf("after restart %+v", got)
		}
		if got := reload(t, db, old.ID); got.State != models.ImportExpired {
			t.Fatalf("old preview %+v", got)
		}
		for _, id := range []uint64{imp.ID, old.ID} {
			if _, err := models.ContactImportFile(db, id); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("file of import %d kept: %v", id, err)
			}
		}
		// The worker that lost it cannot write it back to running.
		if err := models.FinishContactImport(db, imp.ID, models.ImportDone, models.ImportResult{}, nil, later); !errors.Is(err, models.ErrImportState) {
			t.Fatalf("finish after interruption: %v", err)
		}
	})
}

// TestUndoContactImport removes what an import created, not what it only
// updated, nor another import's contacts.
func TestUndoContactImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, "line")
		sub := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		if err := db.Create(&models.Contact{ChannelID: ch.ID, ExternalID: "OLD", Name: "舊的", Subscribed: true, SubscribedAt: &sub}).Error; err != nil {
			t.Fatal(err)
		}
		first := newImport(t, db, ch, "external_id,name,tags\nA1,a,VIP\nA2,b,\n", importNow)
		_ = models.QueueContactImport(db, first.ID, importNow)
		c1, _ := models.ClaimContactImport(db, "w", importNow)
		runClaimed(t, db, c1, importNow)

		var text strings.Builder
		text.WriteString("external_id,name,tags\nOLD,改名,新客\nA1,updated,\n")
		for i := range 6000 { // more than one undo chunk
			text.WriteString("B" + strings.Repeat("0", 5-len(strconv.Itoa(i))) + strconv.Itoa(i) + ",new,新客\n")
		}
		second := newImport(t, db, ch, text.String(), importNow)
		_ = models.QueueContactImport(db, second.ID, importNow)
		c2, _ := models.ClaimContactImport(db, "w", importNow)
		if res := runClaimed(t, db, c2, importNow); res.Created != 6000 || res.Updated != 2 {
			t.Fatalf("second import %+v", res)
		}
		if !reload(t, db, second.ID).Undoable() {
			t.Fatal("a finished import with new contacts is not undoable")
		}

		removed, err := models.UndoContactImport(context.Background(), db, second.ID, importNow)
		if err != nil || removed != 6000 {
			t.Fatalf("undo: %d %v", removed, err)
		}
		if got := reload(t, db, second.ID); got.State != models.ImportUndone || got.Undone != 6000 || got.UndoneAt == nil || got.Undoable() {
			t.Fatalf("undone %+v", got)
		}
		var left int64
		db.Model(&models.Contact{}).Where("channel_id = ?", ch.ID).Count(&left)
		if left != 3 {
			t.Fatalf("%d contacts left, want OLD, A1, A2", left)
		}
		// Updated contacts keep the update (undo removes, it does not rewind).
		if c := contact(t, db, ch, "OLD"); c.Name != "改名" {
			t.Errorf("OLD = %+v", c)
		}
		var orphan int64
		db.Model(&models.ContactTag{}).Where("contact_id NOT IN (SELECT id FROM contacts)").Count(&orphan)
		if orphan != 0 {
			t.Errorf("%d tag links of removed contacts remain", orphan)
		}
		if _, err := models.UndoContactImport(context.Background(), db, second.ID, importNow); !errors.Is(err, models.ErrImportNoUndo) {
			t.Fatalf("undo twice: %v", err)
		}
		// The first import's contacts are still its own.
		if removed, err := models.UndoContactImport(context.Background(), db, first.ID, importNow); err != nil || removed != 2 {
			t.Fatalf("undo first: %d %v", removed, err)
		}
		if c := contact(t, db, ch, "OLD"); c == nil {
			t.Fatal("a contact no import created was removed")
		}
		// Previews, running imports and undone ones cannot be undone.
		p := newImport(t, db, ch, "external_id\nZ\n", importNow)
		if _, err := models.UndoContactImport(context.Background(), db, p.ID, importNow); !errors.Is(err, models.ErrImportNoUndo) {
			t.Fatalf("undo preview: %v", err)
		}
	})
}
