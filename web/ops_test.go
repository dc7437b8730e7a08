package web

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"omnicast/models"
	"omnicast/models/dbtest"
)

func TestOperationsEndpoints(t *testing.T) {
	db := dbtest.SQLite(t)
	app := newTestApp(t, db)
	app.addUser("admin@example.com", models.RoleAdmin)
	b := app.browser()
	wantStatus(t, b.get("/healthz"), http.StatusOK)
	wantStatus(t, b.get("/readyz"), http.StatusOK)
	b.get("/login")
	b.get("/nowhere")

	m := b.get("/metrics")
	wantStatus(t, m, http.StatusOK)
	for _, want := range []string{
		`omnicast_http_requests_total{method="GET",route="/login",status="200"} 1`,
		`omnicast_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`status="404"`,
		"go_goroutines",
	} {
		if !strings.Contains(m.body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	if err := models.Close(db); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, b.get("/readyz"), http.StatusServiceUnavailable)
	wantStatus(t, b.get("/healthz"), http.StatusOK)
}

func TestStaticAssetsAreHashedAndCached(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	b := app.browser()
	p := b.get("/setup")
	css, _ := p.doc.Find(`link[rel="stylesheet"]`).Attr("href")
	js, _ := p.doc.Find(`script[src*="htmx"]`).Attr("src")
	for _, u := range []string{css, js} {
		if !strings.HasPrefix(u, "/static/") || strings.Count(u, ".") < 2 {
			t.Fatalf("asset URL %q is not content-hashed", u)
		}
		res, err := http.Get(app.http.URL + u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || len(body) == 0 {
			t.Fatalf("%s: %d", u, res.StatusCode)
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
			t.Fatalf("%s Cache-Control = %q", u, cc)
		}
	}
	res, _ := http.Get(app.http.URL + "/static/css/app.css")
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("unhashed asset URL = %d, want 404", res.StatusCode)
	}
}
