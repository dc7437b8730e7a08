package web

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

func TestAPIBearerAuthentication(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		client := app.apiClientFor("ann@example.com", models.RoleAdmin)

		r := client.get("/api/v1/me")
		wantAPIStatus(t, r, http.StatusOK, "")
		if user, _ := r.body["user"].(map[string]any); user["email"] != "ann@example.com" {
			t.Fatalf("me = %s", r.raw)
		}
		var tok models.APIToken
		if err := db.Where("user_id = (SELECT id FROM users WHERE email = ?)", "ann@example.com").First(&tok).Error; err != nil || tok.LastUsedAt == nil {
			t.Fatalf("last used not recorded: %+v %v", tok, err)
		}

		// No token, a wrong one, another scheme: 401 in JSON, with the
		// challenge, never the sign-in page.
		for name, header := range map[string]string{"none": "", "wrong": "Bearer oc_nope", "basic": "Basic YW5uOnB3"} {
			anon := &apiClient{t: t, app: app, lang: "en"}
			req, _ := http.NewRequest(http.MethodGet, app.http.URL+"/api/v1/me", nil)
			if header != "" {
				req.Header.Set("Authorization", header)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s: status %d, challenge %q", name, res.StatusCode, res.Header.Get("WWW-Authenticate"))
			}
			_ = anon
		}
		anon := &apiClient{t: t, app: app, lang: "en"}
		wantAPIStatus(t, anon.get("/api/v1/me"), http.StatusUnauthorized, "unauthorized")
		anon.secret = "oc_" + strings.Repeat("A", 43)
		wantAPIStatus(t, anon.get("/api/v1/me"), http.StatusUnauthorized, "invalid_token")

		// A signed-in browser's session does not open the API.
		b := app.browser()
		b.signIn("ann@example.com")
		req, _ := http.NewRequest(http.MethodGet, app.http.URL+"/api/v1/me", nil)
		res, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("session cookie opened the API: %d", res.StatusCode)
		}

		// A revoked token stops at once.
		if _, err := models.RevokeAPIToken(db, tok.ID, app.clock.Now()); err != nil {
			t.Fatal(err)
		}
		wantAPIStatus(t, client.get("/api/v1/me"), http.StatusUnauthorized, "invalid_token")
	})
}

func TestAPIErrorsAreJSONInTheRequestLanguage(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	client := app.apiClientFor("ann@example.com", models.RoleAdmin)

	r := client.get("/api/v1/no-such-thing")
	wantAPIStatus(t, r, http.StatusNotFound, "not_found")
	if !strings.Contains(r.errorMessage(), "Nothing exists") {
		t.Fatalf("English message = %q", r.errorMessage())
	}
	client.lang = "zh-TW,zh;q=0.9"
	r = client.get("/api/v1/no-such-thing")
	if r.errorMessage() != "這個網址不存在，或要求的項目不存在。" || r.header.Get("Content-Language") != "zh-TW" {
		t.Fatalf("zh-TW message = %q (%s)", r.errorMessage(), r.header.Get("Content-Language"))
	}
	client.lang = ""
	if r = client.get("/api/v1/no-such-thing"); !strings.Contains(r.errorMessage(), "網址") {
		t.Fatalf("default language is not zh-TW: %q", r.errorMessage())
	}
	client.lang = "en"

	// Other API versions and paths, and wrong methods, answer JSON too.
	wantAPIStatus(t, client.get("/api/v2/contacts"), http.StatusNotFound, "not_found")
	wantAPIStatus(t, client.get("/api/"), http.StatusNotFound, "not_found")
	wantAPIStatus(t, client.do(http.MethodPost, "/api/v2/contacts", "application/x-www-form-urlencoded", strings.NewReader("a=b")), http.StatusNotFound, "not_found")
	wantAPIStatus(t, client.do(http.MethodDelete, "/api/v1/me", "", nil), http.StatusMethodNotAllowed, "method_not_allowed")
	anon := &apiClient{t: t, app: app, lang: "en"}
	if r := anon.get("/api/v1/no-such-thing"); r.status != http.StatusUnauthorized && r.status != http.StatusNotFound {
		t.Fatalf("unknown path without a token: %d", r.status)
	}
}

func TestAPIUnexpectedErrorsAreLoggedNotShown(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	req := httptest.NewRequest(http.MethodGet, "/api/v1/contacts", nil)
	req.Header.Set("Accept-Language", "en")
	rec := httptest.NewRecorder()
	c := app.srv.echo.NewContext(req, rec)
	app.srv.handleError(errors.New("pq: password for secret-db failed"), c)
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "secret-db") ||
		!strings.Contains(rec.Body.String(), `"code":"internal"`) || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("500: %d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
}

func TestAPIBindCleansAndRefuses(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	type in struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
		Sub  *struct {
			Text string `json:"text"`
		} `json:"sub"`
	}
	bind := func(body, ct string) (in, error) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/x", strings.NewReader(body))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		c := app.srv.echo.NewContext(req, httptest.NewRecorder())
		var v in
		return v, apiBind(c, &v)
	}
	v, err := bind(`{"name":"a\u0000b","tags":["x\u0000"],"sub":{"text":"\u0000t"}}`, "application/json; charset=utf-8")
	if err != nil || v.Name != "ab" || v.Tags[0] != "x" || v.Sub.Text != "t" {
		t.Fatalf("cleaned = %+v, %v", v, err)
	}
	for _, c := range []struct{ body, ct, code, field string }{
		{`{"nmae":"x"}`, "application/json", "unknown_field", "nmae"},
		{`{"name":3}`, "application/json", "invalid_json", "name"},
		{`{"name":`, "application/json", "invalid_json", ""},
		{`{} {}`, "application/json", "invalid_json", ""},
		{`name=x`, "application/x-www-form-urlencoded", "unsupported_media_type", ""},
	} {
		_, err := bind(c.body, c.ct)
		var af *apiFailure
		if !errors.As(err, &af) || af.Code != c.code || af.Field != c.field {
			t.Errorf("%s: err = %v, want %s on %q", c.body, err, c.code, c.field)
		}
	}
}

// TestReadmeDocumentsTheAPI: every endpoint of the JSON API has a curl
// example in the README.
func TestReadmeDocumentsTheAPI(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	for _, want := range []string{"## JSON API", "$OMNICAST/api/v1/me", "$OMNICAST/api/v1/uploads", "$OMNICAST/api/v1/contacts",
		"$OMNICAST/api/v1/bot-modules", "$OMNICAST/api/v1/broadcasts", `"dry_run": true`, "$OMNICAST/api/v1/broadcasts/31",
		"omnicast token create", "/settings/tokens"} {
		if !strings.Contains(readme, want) {
			t.Errorf("README lacks %q", want)
		}
	}
}
