package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"omnicast/jobs"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestSetupOffersDemoWorkspace: ticking the demo box on first run fills
// the workspace in the background through the real simulator, with
// progress shown meanwhile.
func TestSetupOffersDemoWorkspace(t *testing.T) {
	db := dbtest.SQLite(t)
	secret := []byte(strings.Repeat("k", 32))
	sealer, _ := models.NewSealer(secret)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The runner's demo job does the work; the handler only asks for it.
	runner, err := jobs.New(jobs.Config{DB: db, Logger: log, Sealer: sealer})
	if err != nil {
		t.Fatal(err)
	}
	demo, err := jobs.AddDemoJob(runner, jobs.DemoOptions{PeoplePerChannel: 25, Seed: 3, Logger: log}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := runner.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := runner.Stop(ctx); err != nil {
			t.Error(err)
		}
	}()
	srv, err := New(Config{DB: db, SecretKey: secret, Logger: log, Jobs: runner, Demo: demo})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	app := &testApp{t: t, db: db, srv: srv, http: hs, clock: &testClock{now: time.Now()}}
	b := app.browser()
	setup := b.get("/setup")
	if setup.doc.Find(`input[name="demo"]`).Length() != 1 {
		t.Fatal("set-up page does not offer the demo workspace")
	}
	p := b.post("/setup", url.Values{"name": {"Mei"}, "email": {"mei@example.com"}, "password": {testPassword}, "demo": {"true"}})
	wantStatus(t, p, http.StatusSeeOther)
	deadline := time.Now().Add(30 * time.Second)
	for {
		running, done, total, failed := srv.demo.snapshot()
		if failed {
			t.Fatal("demo failed")
		}
		if !running && done == total && total == 100 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo still at %d/%d", done, total)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if st := demo.Status(); !st.Ready {
		t.Fatalf("demo status after the fill: %+v", st)
	}
	var n int64
	db.Model(&models.Contact{}).Count(&n)
	if n != 100 {
		t.Fatalf("contacts after demo = %d, want 100", n)
	}
	b.signIn("mei@example.com")
	if got := b.get("/demo/progress").text(`[data-testid="demo-ready"]`); !strings.Contains(got, "ready") {
		t.Fatalf("progress fragment after the demo = %q", got)
	}
}
