package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"omnicast/models"
)

// apiResponse is one answer of the JSON API, decoded.
type apiResponse struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

// errorCode is the answer's error.code ("" when it is no error).
func (r apiResponse) errorCode() string {
	e, _ := r.body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

// errorField and errorMessage are error.field and error.message.
func (r apiResponse) errorField() string {
	e, _ := r.body["error"].(map[string]any)
	s, _ := e["field"].(string)
	return s
}

func (r apiResponse) errorMessage() string {
	e, _ := r.body["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

// apiClient calls the JSON API with a bearer token and a language.
type apiClient struct {
	t      *testing.T
	app    *testApp
	secret string
	lang   string
}

// apiClientFor creates a user with role (unless the email exists) and a
// token acting for them.
func (a *testApp) apiClientFor(email, role string) *apiClient {
	a.t.Helper()
	u, err := models.FindUserByEmail(a.db, email)
	if err != nil {
		u = a.addUser(email, role)
	}
	_, secret, err := models.CreateAPIToken(a.db, "test "+email, u.ID, a.clock.Now())
	if err != nil {
		a.t.Fatalf("create token: %v", err)
	}
	return &apiClient{t: a.t, app: a, secret: secret, lang: "en"}
}

// do sends a request with the body as is (contentType may be empty).
func (c *apiClient) do(method, path, contentType string, body io.Reader) apiResponse {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.app.http.URL+path, body)
	if c.secret != "" {
		req.Header.Set("Authorization", "Bearer "+c.secret)
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := apiResponse{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if method != http.MethodHead {
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			c.t.Fatalf("%s %s: Content-Type %q, want JSON; body %.300s", method, path, ct, raw)
		}
		if err := json.Unmarshal(raw, &r.body); err != nil {
			c.t.Fatalf("%s %s: not a JSON object: %v: %.300s", method, path, err, raw)
		}
	}
	return r
}

// get and postJSON are the common calls; v is encoded as JSON.
func (c *apiClient) get(path string) apiResponse {
	c.t.Helper()
	return c.do(http.MethodGet, path, "", nil)
}

func (c *apiClient) postJSON(path string, v any) apiResponse {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(http.MethodPost, path, "application/json", bytes.NewReader(b))
}

func wantAPIStatus(t *testing.T, r apiResponse, status int, code string) {
	t.Helper()
	if r.status != status || r.errorCode() != code {
		t.Fatalf("status %d code %q, want %d %q; body %.500s", r.status, r.errorCode(), status, code, r.raw)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
