package sim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func linePushBody(to string, texts ...string) map[string]any {
	var msgs []map[string]any
	for _, t := range texts {
		msgs = append(msgs, map[string]any{"type": "text", "text": t})
	}
	return map[string]any{"to": to, "messages": msgs}
}

func TestLINEPushAndMulticast(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	e.addPeople()
	friends := RandomPeople(3, 7, "line")
	for _, p := range friends {
		e.sim.AddPerson(lineID, p)
	}
	r := e.call("POST", "/v2/bot/message/push", lineToken, linePushBody(lineU, "林先生您好", "本週優惠"))
	sm, _ := r.body["sentMessages"].([]any)
	if r.status != 200 || len(sm) != 2 || r.header.Get("X-Line-Request-Id") == "" {
		t.Fatalf("push: %d %s", r.status, r.raw)
	}
	first := sm[0].(map[string]any)
	if id, _ := first["id"].(string); len(id) != 18 || first["quoteToken"] == "" {
		t.Fatalf("sentMessages shape: %s", r.raw)
	}
	if s := e.sim.SentTo(lineU); len(s) != 1 || s[0].MessageID != first["id"] || s[0].Kind != "line" {
		t.Fatalf("push recorded %+v", s)
	}
	// Multicast: non-friends are skipped silently; each friend is recorded.
	to := []string{friends[0].ID, friends[1].ID, friends[2].ID, "U00000000000000000000000000000000"}
	m := e.call("POST", "/v2/bot/message/multicast", lineToken, map[string]any{"to": to,
		"messages": []map[string]any{{"type": "sticker", "packageId": "446", "stickerId": "1988"}}})
	if m.status != 200 || strings.TrimSpace(m.raw) != "{}" {
		t.Fatalf("multicast: %d %s", m.status, m.raw)
	}
	if n := len(e.sim.Sent()); n != 4 {
		t.Fatalf("recorded %d, want 4", n)
	}
	for _, f := range friends {
		if len(e.sim.SentTo(f.ID)) != 1 {
			t.Errorf("%s not recorded", f.ID)
		}
	}
	c := e.call("GET", "/v2/bot/message/quota/consumption", lineToken, nil)
	if c.body["totalUsage"] != float64(4) {
		t.Fatalf("consumption: %s", c.raw)
	}
	q := e.call("GET", "/v2/bot/message/quota", lineToken, nil)
	if q.body["type"] != "none" {
		t.Fatalf("quota: %s", q.raw)
	}
}

func TestLINEValidationAndRecipients(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	e.addPeople()
	six := linePushBody(lineU, "1", "2", "3", "4", "5", "6")
	cases := []struct {
		name string
		path string
		body any
		prop string
	}{
		{"no messages", "push", linePushBody(lineU), "messages"},
		{"six messages", "push", six, "messages"},
		{"no to", "push", map[string]any{"messages": []map[string]string{{"type": "text", "text": "x"}}}, "to"},
		{"unknown type", "push", map[string]any{"to": lineU, "messages": []map[string]string{{"type": "video_call"}}}, "messages[0].type"},
		{"text without text", "push", map[string]any{"to": lineU, "messages": []map[string]string{{"type": "text"}}}, "messages[0].text"},
		// 2,501 emoji are 5,002 UTF-16 units though only 2,501 characters.
		{"text too long in UTF-16", "push", linePushBody(lineU, strings.Repeat("😀", 2501)), "messages[0].text"},
		{"http image", "push", map[string]any{"to": lineU, "messages": []map[string]string{{"type": "image",
			"originalContentUrl": "http://x/a.png", "previewImageUrl": "https://x/p.png"}}}, "messages[0].originalContentUrl"},
		{"5 buttons", "push", map[string]any{"to": lineU, "messages": []map[string]any{{"type": "template", "altText": "選單",
			"template": map[string]any{"type": "buttons", "text": "請選擇", "actions": []map[string]string{
				{"type": "message", "label": "1", "text": "1"}, {"type": "message", "label": "2", "text": "2"},
				{"type": "message", "label": "3", "text": "3"}, {"type": "message", "label": "4", "text": "4"},
				{"type": "message", "label": "5", "text": "5"}}}}}}, "messages[0].template.actions"},
		{"501 recipients", "multicast", map[string]any{"to": make([]string, 501),
			"messages": []map[string]string{{"type": "text", "text": "x"}}}, "to"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call("POST", "/v2/bot/message/"+c.path, lineToken, c.body)
			if r.status != 400 {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			if !strings.Contains(r.raw, `"property":"`+c.prop+`"`) {
				t.Fatalf("want a detail on %s: %s", c.prop, r.raw)
			}
		})
	}
	// Not a friend, or a malformed id.
	for _, to := range []string{"U11111111111111111111111111111111", "not-a-user"} {
		r := e.call("POST", "/v2/bot/message/push", lineToken, linePushBody(to, "x"))
		if r.status != 400 || r.body["message"] == "" {
			t.Fatalf("push to %s: %d %s", to, r.status, r.raw)
		}
	}
	r := e.call("POST", "/v2/bot/message/push", lineToken, linePushBody("U11111111111111111111111111111111", "x"))
	if r.body["message"] != "Failed to send messages" {
		t.Errorf("non-friend message: %s", r.raw)
	}
	// After an unfollow the person is no longer reachable.
	if err := e.sim.Unfollow(t.Context(), lineID, lineU); err != nil {
		t.Fatal(err)
	}
	if r := e.call("POST", "/v2/bot/message/push", lineToken, linePushBody(lineU, "x")); r.status != 400 {
		t.Fatalf("push after unfollow: %d %s", r.status, r.raw)
	}
	if n := len(e.sim.Sent()); n != 0 {
		t.Fatalf("recorded %d refused messages", n)
	}
}

func TestLINERetryKey(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	e.addPeople()
	key := uuid.NewString()
	body := linePushBody(lineU, "只送一次")
	r1 := e.call("POST", "/v2/bot/message/push", lineToken, body, "X-Line-Retry-Key", key)
	if r1.status != 200 {
		t.Fatal(r1.raw)
	}
	r2 := e.call("POST", "/v2/bot/message/push", lineToken, body, "X-Line-Retry-Key", key)
	if r2.status != 409 || r2.body["message"] != "The retry key is already accepted" {
		t.Fatalf("retry: %d %s", r2.status, r2.raw)
	}
	id1 := r1.body["sentMessages"].([]any)[0].(map[string]any)["id"]
	id2 := r2.body["sentMessages"].([]any)[0].(map[string]any)["id"]
	if id1 != id2 || r2.header.Get("X-Line-Accepted-Request-Id") == "" {
		t.Fatalf("409 sentMessages %v vs %v", id2, id1)
	}
	s := e.sim.Sent()
	if len(s) != 1 || s[0].RetryKey != key {
		t.Fatalf("recorded %+v", s)
	}
	// Multicast: the same.
	mk := uuid.NewString()
	mb := map[string]any{"to": []string{lineU}, "messages": []map[string]string{{"type": "text", "text": "群發"}}}
	if r := e.call("POST", "/v2/bot/message/multicast", lineToken, mb, "X-Line-Retry-Key", mk); r.status != 200 {
		t.Fatal(r.raw)
	}
	if r := e.call("POST", "/v2/bot/message/multicast", lineToken, mb, "X-Line-Retry-Key", mk); r.status != 409 {
		t.Fatalf("multicast retry: %d %s", r.status, r.raw)
	}
	if n := len(e.sim.Sent()); n != 2 {
		t.Fatalf("recorded %d, want 2", n)
	}
	if len(e.sim.Duplicates()) != 0 {
		t.Fatalf("duplicates %v", e.sim.Duplicates())
	}
	// A malformed key is refused; keys expire after 24 hours.
	if r := e.call("POST", "/v2/bot/message/push", lineToken, body, "X-Line-Retry-Key", "abc"); r.status != 400 {
		t.Fatalf("bad key: %d %s", r.status, r.raw)
	}
	e.clock.Advance(25 * time.Hour)
	if r := e.call("POST", "/v2/bot/message/push", lineToken, body, "X-Line-Retry-Key", key); r.status != 200 {
		t.Fatalf("expired key: %d %s", r.status, r.raw)
	}
}

func TestLINEQuota(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	e.sim.AddAccount(Account{Kind: "line", ExternalID: "2009999999", AccessToken: "quota-token", Secret: lineSec, MonthlyQuota: 3})
	people := RandomPeople(4, 11, "line")
	for _, p := range people {
		e.sim.AddPerson("2009999999", p)
	}
	mb := map[string]any{"to": []string{people[0].ID, people[1].ID}, "messages": []map[string]string{{"type": "text", "text": "x"}}}
	if r := e.call("POST", "/v2/bot/message/multicast", "quota-token", mb); r.status != 200 {
		t.Fatal(r.raw)
	}
	// Two more would exceed the quota: refused whole.
	mb["to"] = []string{people[2].ID, people[3].ID}
	r := e.call("POST", "/v2/bot/message/multicast", "quota-token", mb)
	if r.status != 429 || r.body["message"] != "You have reached your monthly limit." {
		t.Fatalf("over quota: %d %s", r.status, r.raw)
	}
	if r := e.call("POST", "/v2/bot/message/push", "quota-token", linePushBody(people[2].ID, "a", "b", "c")); r.status != 200 {
		t.Fatalf("last unit (one per recipient, whatever the bubbles): %s", r.raw)
	}
	if r := e.call("POST", "/v2/bot/message/push", "quota-token", linePushBody(people[3].ID, "a")); r.status != 429 {
		t.Fatalf("push over quota: %d %s", r.status, r.raw)
	}
	q := e.call("GET", "/v2/bot/message/quota", "quota-token", nil)
	c := e.call("GET", "/v2/bot/message/quota/consumption", "quota-token", nil)
	if q.body["type"] != "limited" || q.body["value"] != float64(3) || c.body["totalUsage"] != float64(3) {
		t.Fatalf("quota %s consumption %s", q.raw, c.raw)
	}
	// A new month starts afresh.
	e.clock.Advance(31 * 24 * time.Hour)
	if r := e.call("POST", "/v2/bot/message/push", "quota-token", linePushBody(people[3].ID, "a")); r.status != 200 {
		t.Fatalf("next month: %d %s", r.status, r.raw)
	}
}

func TestLINEProfileAndBotInfo(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	e.addPeople()
	r := e.call("GET", "/v2/bot/profile/"+lineU, lineToken, nil)
	if r.status != 200 || r.body["displayName"] != "林志明" || r.body["userId"] != lineU ||
		!strings.HasPrefix(r.body["pictureUrl"].(string), e.base) {
		t.Fatalf("profile: %s", r.raw)
	}
	if r := e.call("GET", "/v2/bot/profile/U22222222222222222222222222222222", lineToken, nil); r.status != 404 {
		t.Fatalf("non-friend profile: %d", r.status)
	}
	_ = e.sim.Unfollow(t.Context(), lineID, lineU)
	if r := e.call("GET", "/v2/bot/profile/"+lineU, lineToken, nil); r.status != 404 {
		t.Fatalf("profile after unfollow: %d", r.status)
	}
	b := e.call("GET", "/v2/bot/info", lineToken, nil)
	if b.status != 200 || !lineUserID.MatchString(fmt.Sprint(b.body["userId"])) || b.body["displayName"] != "小林咖啡 LINE" ||
		b.body["chatMode"] != "bot" || b.body["markAsReadMode"] != "manual" || !strings.HasPrefix(fmt.Sprint(b.body["basicId"]), "@") {
		t.Fatalf("bot info: %s", b.raw)
	}
}
