package sim

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestMessengerSendHappyPath(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	e.addPeople()
	r := e.call("POST", "/v23.0/me/messages?access_token="+pageToken, "", fbText(psid, "UPDATE", "", "週末特價！"))
	if r.status != 200 || r.body["recipient_id"] != psid || !strings.HasPrefix(r.body["message_id"].(string), "m_") {
		t.Fatalf("send: %d %s", r.status, r.raw)
	}
	// Page id in the path, token as Bearer.
	r2 := e.call("POST", "/v19.0/"+pageID+"/messages", pageToken, fbText(psid, "RESPONSE", "", "second"))
	if r2.status != 200 {
		t.Fatalf("send by page id: %d %s", r2.status, r2.raw)
	}
	sent := e.sim.SentTo(psid)
	if len(sent) != 2 || sent[0].MessageID != r.body["message_id"] || sent[0].Kind != "messenger" ||
		sent[0].AccountID != pageID || !strings.Contains(string(sent[0].Body), "週末特價") || sent[0].At.IsZero() {
		t.Fatalf("recorded %+v", sent)
	}
	// Typing indicators are answered but not recorded.
	r3 := e.call("POST", "/v23.0/me/messages", pageToken, map[string]any{"recipient": map[string]string{"id": psid}, "sender_action": "typing_on"})
	if r3.status != 200 || len(e.sim.Sent()) != 2 {
		t.Fatalf("sender_action: %d %s", r3.status, r3.raw)
	}
	// A Page id the token does not open.
	r4 := e.call("POST", "/v23.0/999/messages", pageToken, fbText(psid, "UPDATE", "", "x"))
	expectGraphErr(t, r4, 400, 100, 33)
}

func TestGraphAuth(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	e.addPeople()
	for _, path := range []string{
		"/v23.0/me/messages?access_token=wrong",
		"/v23.0/" + waPNID + "/messages?access_token=wrong",
	} {
		r := e.call("POST", path, "", fbText(psid, "UPDATE", "", "x"))
		expectGraphErr(t, r, http.StatusUnauthorized, 190, 0)
		if msg := r.body["error"].(map[string]any)["message"]; msg != "Invalid OAuth access token." {
			t.Errorf("message %v", msg)
		}
	}
	r := e.call("GET", "/v23.0/me", "", nil)
	if r.status != http.StatusUnauthorized {
		t.Errorf("no token: %d %s", r.status, r.raw)
	}
	// A LINE token is no Graph token, and a Graph token no LINE token.
	expectGraphErr(t, e.call("GET", "/v23.0/me", lineToken, nil), 401, 190, 0)
	l := e.call("GET", "/v2/bot/info", pageToken, nil)
	if l.status != 401 || !strings.HasPrefix(l.body["message"].(string), "Authentication failed") {
		t.Errorf("LINE wrong token: %d %s", l.status, l.raw)
	}
	l = e.call("GET", "/v2/bot/info", "", nil)
	if l.status != 401 {
		t.Errorf("LINE no token: %d %s", l.status, l.raw)
	}
	if len(e.sim.Sent()) != 0 {
		t.Error("refused requests were recorded")
	}
	// Bad version segment.
	if r := e.call("GET", "/latest/me", pageToken, nil); r.status == 200 {
		t.Errorf("bad version accepted: %s", r.raw)
	}
}

func TestMessengerWindowAndTags(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	e.addPeople()
	send := func(typ, tag string) reply {
		return e.call("POST", "/v23.0/me/messages", pageToken, fbText(psid, typ, tag, "hello"))
	}
	if r := send("UPDATE", ""); r.status != 200 {
		t.Fatalf("inside window: %s", r.raw)
	}
	e.clock.Advance(25 * time.Hour)
	r := send("UPDATE", "")
	expectGraphErr(t, r, 400, 10, 2018278)
	if !strings.Contains(r.body["error"].(map[string]any)["message"].(string), "outside of allowed window") {
		t.Errorf("message: %s", r.raw)
	}
	expectGraphErr(t, send("RESPONSE", ""), 400, 10, 2018278)
	for _, tag := range []string{"CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE", "ACCOUNT_UPDATE"} {
		if r := send("MESSAGE_TAG", tag); r.status != 200 {
			t.Errorf("tag %s outside window: %s", tag, r.raw)
		}
	}
	for _, tag := range []string{"HUMAN_AGENT", "PROMOTION", ""} {
		expectGraphErr(t, send("MESSAGE_TAG", tag), 400, 100, 0)
	}
	expectGraphErr(t, send("UPDATE", "ACCOUNT_UPDATE"), 400, 100, 0)
	if n := len(e.sim.Sent()); n != 4 {
		t.Fatalf("recorded %d, want 4", n)
	}
	// The person writes: the window reopens.
	if err := e.sim.Message(t.Context(), pageID, psid, "在嗎？"); err != nil {
		t.Fatal(err)
	}
	if r := send("UPDATE", ""); r.status != 200 {
		t.Fatalf("after inbound message: %s", r.raw)
	}
	// SetLastInteraction moves it explicitly.
	if !e.sim.SetLastInteraction(pageID, psid, e.clock.Now().Add(-48*time.Hour)) {
		t.Fatal("SetLastInteraction: person not found")
	}
	expectGraphErr(t, send("UPDATE", ""), 400, 10, 2018278)
}

func TestMessengerValidation(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	e.addPeople()
	qr := make([]map[string]string, 14)
	for i := range qr {
		qr[i] = map[string]string{"content_type": "text", "title": "選項", "payload": "P"}
	}
	img := map[string]any{"type": "image", "payload": map[string]any{"url": "https://example.com/a.png", "is_reusable": true}}
	cases := []struct {
		name string
		body any
		code int
		sub  int
	}{
		{"unknown recipient", fbText("1111111111111111", "UPDATE", "", "x"), 100, 2018001},
		{"no messaging_type", fbText(psid, "", "", "x"), 100, 0},
		{"bad messaging_type", fbText(psid, "PROMO", "", "x"), 100, 0},
		{"text too long", fbText(psid, "UPDATE", "", strings.Repeat("字", 2001)), 100, 0},
		{"empty text", fbText(psid, "UPDATE", "", ""), 100, 0},
		{"text and attachment", map[string]any{"recipient": map[string]string{"id": psid}, "messaging_type": "UPDATE",
			"message": map[string]any{"text": "x", "attachment": img}}, 100, 0},
		{"neither", map[string]any{"recipient": map[string]string{"id": psid}, "messaging_type": "UPDATE",
			"message": map[string]any{}}, 100, 0},
		{"14 quick replies", map[string]any{"recipient": map[string]string{"id": psid}, "messaging_type": "UPDATE",
			"message": map[string]any{"text": "x", "quick_replies": qr}}, 100, 0},
		{"4 buttons", map[string]any{"recipient": map[string]string{"id": psid}, "messaging_type": "UPDATE",
			"message": map[string]any{"attachment": map[string]any{"type": "template", "payload": map[string]any{
				"template_type": "button", "text": "選一個", "buttons": []map[string]string{
					{"type": "postback", "title": "A", "payload": "A"}, {"type": "postback", "title": "B", "payload": "B"},
					{"type": "postback", "title": "C", "payload": "C"}, {"type": "postback", "title": "D", "payload": "D"}}}}}}, 100, 0},
		{"bad JSON", `{"recipient":`, 100, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectGraphErr(t, e.call("POST", "/v23.0/me/messages", pageToken, c.body), 400, c.code, c.sub)
		})
	}
	ok := map[string]any{"recipient": map[string]string{"id": psid}, "messaging_type": "UPDATE",
		"message": map[string]any{"attachment": img, "quick_replies": qr[:13]}}
	if r := e.call("POST", "/v23.0/me/messages", pageToken, ok); r.status != 200 {
		t.Fatalf("image with 13 quick replies: %s", r.raw)
	}
	if n := len(e.sim.Sent()); n != 1 {
		t.Fatalf("recorded %d, want 1", n)
	}
	// A person who blocked the Page.
	if err := e.sim.Unfollow(t.Context(), pageID, psid); err != nil {
		t.Fatal(err)
	}
	expectGraphErr(t, e.call("POST", "/v23.0/me/messages", pageToken, fbText(psid, "UPDATE", "", "x")), 400, 551, 1545041)
}

func TestGraphProfilesAndMe(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	e.addPeople()
	r := e.call("GET", "/v23.0/"+psid+"?fields=first_name,last_name,profile_pic&access_token="+pageToken, "", nil)
	if r.status != 200 || r.body["first_name"] != "怡君" || r.body["last_name"] != "陳" ||
		r.body["profile_pic"] != e.base+"/sim-avatar/"+psid+".svg" {
		t.Fatalf("messenger profile: %s", r.raw)
	}
	pic := r.body["profile_pic"].(string)
	r = e.call("GET", "/v23.0/"+igsid+"?fields=name,username,profile_pic", igToken, nil)
	if r.status != 200 || r.body["name"] != "Wong Ka Ming" || r.body["username"] != "kaming.wong" {
		t.Fatalf("instagram profile: %s", r.raw)
	}
	expectGraphErr(t, e.call("GET", "/v23.0/3333333333333333?fields=first_name", pageToken, nil), 400, 100, 2018218)
	// A PSID of another Page is unknown to this Page.
	expectGraphErr(t, e.call("GET", "/v23.0/"+igsid, pageToken, nil), 400, 100, 2018218)
	expectGraphErr(t, e.call("GET", "/v23.0/"+psid+"?fields=ssn", pageToken, nil), 400, 100, 0)
	me := e.call("GET", "/v23.0/me?access_token="+pageToken, "", nil)
	if me.status != 200 || me.body["id"] != pageID || me.body["name"] != "小林咖啡" {
		t.Fatalf("me: %s", me.raw)
	}
	me = e.call("GET", "/v23.0/me", igToken, nil)
	if me.body["id"] != igID {
		t.Fatalf("ig me: %s", me.raw)
	}
	// The avatar the profile points at is served.
	resp, err := http.Get(pic)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("avatar: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestInstagramRules(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	e.addPeople()
	send := func(typ, tag string) reply {
		return e.call("POST", "/v23.0/me/messages", igToken, fbText(igsid, typ, tag, "hi"))
	}
	if r := send("RESPONSE", ""); r.status != 200 {
		t.Fatalf("reply inside window: %s", r.raw)
	}
	// The update tags do not exist on Instagram.
	expectGraphErr(t, send("MESSAGE_TAG", "ACCOUNT_UPDATE"), 400, 100, 0)
	e.clock.Advance(30 * time.Hour)
	expectGraphErr(t, send("UPDATE", ""), 400, 10, 2534022)
	if r := send("MESSAGE_TAG", "HUMAN_AGENT"); r.status != 200 {
		t.Fatalf("HUMAN_AGENT within 7 days: %s", r.raw)
	}
	e.clock.Advance(7 * 24 * time.Hour)
	expectGraphErr(t, send("MESSAGE_TAG", "HUMAN_AGENT"), 400, 10, 2534022)
}
