package sim

import (
	"bytes"
	"crypto/hmac"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"omnicast/channels"
	"omnicast/channels/meta"
)

// Test fixtures: one account of each kind.
const (
	pageID    = "104523456789012"
	pageToken = "EAAG-page-token"
	igID      = "17841400000000001"
	igToken   = "IGAA-ig-token"
	lineID    = "2001234567"
	lineToken = "line-channel-token"
	waPNID    = "106540352242922"
	wabaID    = "419561257915477"
	waToken   = "EAAG-wa-token"
	appSecret = "meta-app-secret"
	lineSec   = "line-channel-secret"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// hookSink stands in for omnicast's webhook endpoints: it verifies every
// signature and keeps the bodies, per path.
type hookSink struct {
	t      *testing.T
	srv    *httptest.Server
	status int // answer; 200 unless set
	mu     sync.Mutex
	bodies map[string][][]byte
	notify chan struct{}
}

func newSink(t *testing.T) *hookSink {
	h := &hookSink{t: t, status: http.StatusOK, bodies: map[string][][]byte{}, notify: make(chan struct{}, 1000)}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookSink) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		h.t.Errorf("webhook content type %q", ct)
	}
	if strings.HasPrefix(r.URL.Path, "/webhooks/line/") {
		want := SignLINE(lineSec, body)
		if !hmac.Equal([]byte(r.Header.Get("X-Line-Signature")), []byte(want)) {
			h.t.Errorf("bad LINE signature on %s", body)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
	} else if err := meta.VerifySignature(appSecret, body, r.Header.Get(meta.SignatureHeader)); err != nil {
		h.t.Errorf("bad Meta signature on %s: %v", body, err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	h.mu.Lock()
	h.bodies[r.URL.Path] = append(h.bodies[r.URL.Path], body)
	status := h.status
	h.mu.Unlock()
	h.notify <- struct{}{}
	w.WriteHeader(status)
}

// got returns the bodies received on path.
func (h *hookSink) got(path string) [][]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([][]byte(nil), h.bodies[path]...)
}

// waitFor waits until path has received n bodies.
func (h *hookSink) waitFor(path string, n int) [][]byte {
	h.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		if b := h.got(path); len(b) >= n {
			return b
		}
		select {
		case <-h.notify:
		case <-deadline:
			h.t.Fatalf("webhook %s: got %d bodies, want %d", path, len(h.got(path)), n)
		}
	}
}

// env is a started Sim with one account of each kind and a webhook sink.
type env struct {
	t     *testing.T
	sim   *Sim
	base  string
	sink  *hookSink
	clock *fakeClock
}

const (
	pathMessenger = "/webhooks/messenger/1"
	pathInstagram = "/webhooks/instagram/2"
	pathLINE      = "/webhooks/line/3"
	pathWhatsApp  = "/webhooks/whatsapp/4"
)

func newEnv(t *testing.T, cfg Config, rate float64) *env {
	t.Helper()
	e := &env{t: t, sink: newSink(t), clock: newClock()}
	if cfg.Now == nil {
		cfg.Now = e.clock.Now
	}
	if cfg.ReceiptDelay == 0 {
		cfg.ReceiptDelay = -1
	}
	e.sim = New(cfg)
	base, err := e.sim.Start()
	if err != nil {
		t.Fatal(err)
	}
	e.base = base
	t.Cleanup(e.sim.Close)
	u := e.sink.srv.URL
	e.sim.AddAccount(Account{Kind: channels.KindMessenger, ExternalID: pageID, DisplayName: "小林咖啡", AccessToken: pageToken,
		Secret: appSecret, WebhookURL: u + pathMessenger, RatePerSecond: rate})
	e.sim.AddAccount(Account{Kind: channels.KindInstagram, ExternalID: igID, DisplayName: "Lin Coffee", AccessToken: igToken,
		Secret: appSecret, WebhookURL: u + pathInstagram, RatePerSecond: rate})
	e.sim.AddAccount(Account{Kind: channels.KindLINE, ExternalID: lineID, DisplayName: "小林咖啡 LINE", AccessToken: lineToken,
		Secret: lineSec, WebhookURL: u + pathLINE, RatePerSecond: rate})
	e.sim.AddAccount(Account{Kind: channels.KindWhatsApp, ExternalID: waPNID, WABAID: wabaID, DisplayName: "Lin Coffee",
		AccessToken: waToken, Secret: appSecret, WebhookURL: u + pathWhatsApp, RatePerSecond: rate})
	for _, tpl := range SampleTemplates() {
		e.sim.AddTemplate(wabaID, tpl)
	}
	return e
}

// Fixed people.
const (
	psid  = "2456789012345678"
	igsid = "17845678901234567"
	lineU = "U4af4980629e7a1c7e5b2b1b1b1b1b1b1"
	waID  = "886912345678"
)

func (e *env) addPeople() {
	e.sim.AddPerson(pageID, Person{ID: psid, Name: "陳怡君", Language: "zh-TW", PictureURL: "/sim-avatar/" + psid + ".svg"})
	e.sim.AddPerson(igID, Person{ID: igsid, Name: "Wong Ka Ming", Username: "kaming.wong", Language: "zh-HK"})
	e.sim.AddPerson(lineID, Person{ID: lineU, Name: "林志明", Language: "zh-TW", PictureURL: "/sim-avatar/x.svg"})
	e.sim.AddPerson(waPNID, Person{ID: waID, Name: "Emily Chen", Phone: "+886912345678", Language: "en"})
}

// reply is a decoded answer.
type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// call makes a request; token goes in Authorization: Bearer when bearerTok
// is set.
func (e *env) call(method, path, bearerTok string, body any, hdr ...string) reply {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, ok := body.(string)
		if !ok {
			bb, err := json.Marshal(body)
			if err != nil {
				e.t.Fatal(err)
			}
			b = string(bb)
		}
		rd = strings.NewReader(b)
	}
	req, err := http.NewRequest(method, e.base+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if bearerTok != "" {
		req.Header.Set("Authorization", "Bearer "+bearerTok)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// graphErr extracts code and subcode of a Graph error answer.
func graphErr(t *testing.T, r reply) (code, sub int) {
	t.Helper()
	e, ok := r.body["error"].(map[string]any)
	if !ok {
		t.Fatalf("not a Graph error (%d): %s", r.status, r.raw)
	}
	if s, _ := e["fbtrace_id"].(string); s == "" {
		t.Errorf("Graph error without fbtrace_id: %s", r.raw)
	}
	if e["type"] != "OAuthException" {
		t.Errorf("Graph error type %v", e["type"])
	}
	c, _ := e["code"].(float64)
	sc, _ := e["error_subcode"].(float64)
	return int(c), int(sc)
}

func expectGraphErr(t *testing.T, r reply, status, code, sub int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	c, sc := graphErr(t, r)
	if c != code || sc != sub {
		t.Fatalf("code %d/%d, want %d/%d: %s", c, sc, code, sub, r.raw)
	}
}

// fbText is a Messenger text send body.
func fbText(to, typ, tag, text string) map[string]any {
	m := map[string]any{"recipient": map[string]string{"id": to}, "messaging_type": typ,
		"message": map[string]any{"text": text}}
	if tag != "" {
		m["tag"] = tag
	}
	return m
}

// waTemplateBody is a WhatsApp template send body.
func waTemplateBody(to, name, lang string, bodyParams []string, buttonIdx ...string) map[string]any {
	var params []map[string]string
	for _, p := range bodyParams {
		params = append(params, map[string]string{"type": "text", "text": p})
	}
	comps := []map[string]any{{"type": "body", "parameters": params}}
	for _, i := range buttonIdx {
		comps = append(comps, map[string]any{"type": "button", "sub_type": "quick_reply", "index": i,
			"parameters": []map[string]string{{"type": "payload", "payload": "P" + i}}})
	}
	return map[string]any{"messaging_product": "whatsapp", "to": to, "type": "template",
		"template": map[string]any{"name": name, "language": map[string]string{"code": lang}, "components": comps}}
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatalf("bad JSON %s: %v", b, err)
	}
	return m
}
