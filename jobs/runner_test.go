package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestRunnerStartsWakesAndStopsWorkers(t *testing.T) {
	r, err := New(Config{DB: dbtest.SQLite(t), Logger: quietLog(), Poll: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var wakes atomic.Int32
	if err := r.Add("echo", func(ctx context.Context, wake <-chan struct{}) {
		for {
			select {
			case <-ctx.Done():
				return
			case <-wake:
				wakes.Add(1)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := r.Add("echo", func(context.Context, <-chan struct{}) {}); err == nil {
		t.Fatal("a worker name was accepted twice")
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err == nil {
		t.Fatal("started twice")
	}
	if err := r.Add("late", func(context.Context, <-chan struct{}) {}); err == nil {
		t.Fatal("a worker was added after start")
	}
	r.Wake("echo")
	r.Wake("no such worker") // harmless
	deadline := time.Now().Add(5 * time.Second)
	for wakes.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if wakes.Load() == 0 {
		t.Fatal("the worker was not woken")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Stop(ctx); err != nil {
		t.Fatalf("stop: %v", err)
	}
}

// TestRunnerStopIsBounded: a worker that ignores its context does not hold
// the shutdown for ever; Stop says which workers it left running.
func TestRunnerStopIsBounded(t *testing.T) {
	r, err := New(Config{DB: dbtest.SQLite(t), Logger: quietLog(), Poll: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	defer close(release)
	_ = r.Add("stubborn", func(context.Context, <-chan struct{}) { <-release })
	_ = r.Start(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = r.Stop(ctx)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "stubborn") {
		t.Fatalf("stop: %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("stop took %v", took)
	}
}

func mustChannel(t *testing.T, db *gorm.DB) *models.Channel {
	t.Helper()
	sealer, err := models.NewSealer([]byte(strings.Repeat("s", 32)))
	if err != nil {
		t.Fatal(err)
	}
	ch, err := models.CreateChannel(db, sealer, models.ChannelInput{Kind: "line", Name: "台北門市", ExternalID: "1650000001", Token: "tok-1234", Secret: "sec-5678"})
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func bigCSV(n int) string {
	var b strings.Builder
	b.WriteString("external_id,name,tags\n")
	for i := range n {
		fmt.Fprintf(&b, "U%07d,聯絡人 %d,VIP\n", i, i)
	}
	return b.String()
}

func queueImport(t *testing.T, db *gorm.DB, ch *models.Channel, text string, now time.Time) *models.ContactImport {
	t.Helper()
	f, err := models.OpenContactCSV(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	imp, err := models.CreateContactImport(db, models.NewContactImport{ChannelID: ch.ID, FileName: "a.csv", File: f, Timezone: "Asia/Taipei", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := models.QueueContactImport(db, imp.ID, now); err != nil {
		t.Fatal(err)
	}
	return imp
}

func waitImport(t *testing.T, db *gorm.DB, id uint64, until func(*models.ContactImport) bool) *models.ContactImport {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		imp, err := models.FindContactImport(db, id)
		if err != nil {
			t.Fatal(err)
		}
		if until(imp) {
			return imp
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("import %d: condition not reached", id)
	return nil
}

func TestImportWorkerRunsQueuedImports(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db)
		r, err := New(Config{DB: db, Logger: quietLog(), Poll: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = r.Stop(context.Background()) })
		imp := queueImport(t, db, ch, "external_id,name,subscribed_at\nU1,陳,2026-11-01\nU2,王,9999-12-31T23:59:59-01:00\n", time.Now())
		r.Wake(WorkerImports) // the poll is an hour: only the wake-up can start it
		done := waitImport(t, db, imp.ID, func(i *models.ContactImport) bool { return i.Finished() })
		if done.State != models.ImportDone || done.Created != 1 || done.Bad != 1 || done.DoneRows != 2 {
			t.Fatalf("import %+v", done)
		}
		var marked int64
		db.Model(&models.Contact{}).Where("import_id = ?", imp.ID).Count(&marked)
		if marked != 1 {
			t.Fatalf("%d contacts carry the import's id", marked)
		}
	})
}

// TestImportStoppedAtShutdownIsInterrupted: Stop ends a running import
// cleanly; it is recorded as interrupted, keeps what it wrote (undoable),
// and a restarted runner does not pick it up again.
func TestImportStoppedAtShutdownIsInterrupted(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db)
		imp := queueImport(t, db, ch, bigCSV(20_000), time.Now())
		// Each batch creates its tags through GORM: slow that down, so the
		// import is surely still running when the shutdown comes.
		if err := db.Callback().Create().Before("gorm:create").Register("test:slow_tags", func(tx *gorm.DB) {
			if tx.Statement.Table == "tags" {
				time.Sleep(20 * time.Millisecond)
			}
		}); err != nil {
			t.Fatal(err)
		}
		r, err := New(Config{DB: db, Logger: quietLog(), Poll: time.Hour, ImportBatch: 200})
		if err != nil {
			t.Fatal(err)
		}
		_ = r.Start(context.Background())
		r.Wake(WorkerImports)
		waitImport(t, db, imp.ID, func(i *models.ContactImport) bool { return i.State == models.ImportRunning && i.DoneRows > 0 })
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := r.Stop(ctx); err != nil {
			t.Fatalf("stop: %v", err)
		}
		got, _ := models.FindContactImport(db, imp.ID)
		if got.State != models.ImportInterrupted || got.FinishedAt == nil || got.Created == 0 || got.Created >= 20_000 || !got.Undoable() {
			t.Fatalf("after shutdown %+v", got)
		}
		if _, err := models.ContactImportFile(db, imp.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("file kept after the import ended: %v", err)
		}
		var stored int64
		db.Model(&models.Contact{}).Where("import_id = ?", imp.ID).Count(&stored)
		if int(stored) != got.Created {
			t.Fatalf("%d contacts stored, %d recorded as created", stored, got.Created)
		}

		again, _ := New(Config{DB: db, Logger: quietLog(), Poll: 10 * time.Millisecond})
		_ = again.Start(context.Background())
		time.Sleep(100 * time.Millisecond)
		_ = again.Stop(context.Background())
		if got, _ := models.FindContactImport(db, imp.ID); got.State != models.ImportInterrupted {
			t.Fatalf("restart changed it: %+v", got)
		}
	})
}

// TestImportOfACrashedProcessIsInterrupted: a process killed mid-import
// cannot record anything; the next runner (here or on another instance)
// marks the import interrupted once its heartbeat is stale.
func TestImportOfACrashedProcessIsInterrupted(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db)
		crashed := time.Now().Add(-time.Minute)
		imp := queueImport(t, db, ch, "external_id\nU1\n", crashed)
		if _, err := models.ClaimContactImport(db, "killed-process", crashed); err != nil {
			t.Fatal(err)
		}
		r, _ := New(Config{DB: db, Logger: quietLog(), Poll: time.Hour})
		_ = r.Start(context.Background())
		got := waitImport(t, db, imp.ID, func(i *models.ContactImport) bool { return i.State != models.ImportRunning })
		_ = r.Stop(context.Background())
		if got.State != models.ImportInterrupted {
			t.Fatalf("crashed import %+v", got)
		}
	})
}
