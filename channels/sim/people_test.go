package sim

import (
	"context"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
)

func TestRandomPeople(t *testing.T) {
	shapes := map[string]*regexp.Regexp{
		"line":      regexp.MustCompile(`^U[0-9a-f]{32}$`),
		"messenger": regexp.MustCompile(`^[1-9][0-9]{15}$`),
		"instagram": regexp.MustCompile(`^17[0-9]{15}$`),
		"whatsapp":  regexp.MustCompile(`^(8869[0-9]{8}|852[569][0-9]{7})$`),
	}
	for kind, re := range shapes {
		people := RandomPeople(300, 42, kind)
		if len(people) != 300 {
			t.Fatalf("%s: %d people", kind, len(people))
		}
		ids := map[string]bool{}
		cjk, latin, hkStyle, tw, hk := 0, 0, 0, 0, 0
		for _, p := range people {
			if !re.MatchString(p.ID) {
				t.Errorf("%s id %q", kind, p.ID)
			}
			if ids[p.ID] {
				t.Errorf("%s duplicate id %s", kind, p.ID)
			}
			ids[p.ID] = true
			if p.Name == "" || p.Language == "" || !strings.HasPrefix(p.PictureURL, "/sim-avatar/") {
				t.Errorf("person %+v", p)
			}
			rs := []rune(p.Name)
			switch {
			case unicode.Is(unicode.Han, rs[0]):
				cjk++
				if len(rs) < 3 || len(rs) > 4 {
					t.Errorf("Chinese name %q", p.Name)
				}
			default:
				latin++
			}
			if f := strings.Fields(p.Name); len(f) == 3 && hkSurnames[f[0]] {
				hkStyle++
			}
			if kind == "whatsapp" {
				if p.Phone != "+"+p.ID {
					t.Errorf("phone %q for wa_id %q", p.Phone, p.ID)
				}
				if strings.HasPrefix(p.ID, "886") {
					tw++
				} else {
					hk++
				}
			} else if p.Phone != "" {
				t.Errorf("%s person with a phone", kind)
			}
			if kind == "instagram" && p.Username == "" {
				t.Errorf("instagram person without username")
			}
		}
		if cjk < 90 || latin < 90 || hkStyle < 10 {
			t.Errorf("%s mix: %d Chinese, %d Latin, %d HK-style", kind, cjk, latin, hkStyle)
		}
		if kind == "whatsapp" && (tw < 100 || hk < 50) {
			t.Errorf("numbers: %d TW, %d HK", tw, hk)
		}
	}
	a, b := RandomPeople(20, 9, "line"), RandomPeople(20, 9, "line")
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different people")
	}
	if c := RandomPeople(20, 10, "line"); reflect.DeepEqual(a, c) {
		t.Fatal("different seeds, same people")
	}
	if len(RandomPeople(0, 1, "line")) != 0 {
		t.Fatal("RandomPeople(0) not empty")
	}
}

func TestNameHelpers(t *testing.T) {
	for name, want := range map[string][2]string{
		"陳怡君":          {"怡君", "陳"},
		"歐陽志明":         {"志明", "歐陽"},
		"Emily Chen":   {"Emily", "Chen"},
		"Wong Ka Ming": {"Ka Ming", "Wong"},
		"Kevin 林":      {"Kevin", "林"},
		"Madonna":      {"Madonna", ""},
	} {
		if f, l := splitName(name); f != want[0] || l != want[1] {
			t.Errorf("splitName(%q) = %q, %q", name, f, l)
		}
	}
	if h := handle("Wong Ka Ming", "17841234567890123"); h != "wong.ka.ming_123" {
		t.Errorf("handle %q", h)
	}
	if h := handle("陳怡君", "17841234567890999"); h != "user_999" {
		t.Errorf("handle %q", h)
	}
	if i := initials("Emily Chen"); i != "EC" {
		t.Errorf("initials %q", i)
	}
	if i := initials("陳怡君"); i != "陳" {
		t.Errorf("initials %q", i)
	}
	s := New(Config{Seed: 1})
	ts := time.UnixMilli(1_700_000_000_000)
	u := s.ulid(ts)
	if !regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{26}$`).MatchString(u) || u[:10] != "01HF7YAT00" {
		t.Errorf("ulid %q", u)
	}
	if countParams("Hi {{1}}, {{2}} and {{1}} again, {{ name }}") != 3 {
		t.Error("countParams")
	}
}

func TestDuplicatesAndReset(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	e.addPeople()
	others := RandomPeople(2, 5, "line")
	for _, p := range others {
		e.sim.AddPerson(lineID, p)
	}
	// Personalised pushes to different people, then a multicast repeating
	// the first push's content to the same person.
	e.call("POST", "/v2/bot/message/push", lineToken, linePushBody(lineU, "週年慶"))
	e.call("POST", "/v2/bot/message/push", lineToken, linePushBody(others[0].ID, "週年慶"))
	if d := e.sim.Duplicates(); len(d) != 0 {
		t.Fatalf("duplicates before any repeat: %v", d)
	}
	e.call("POST", "/v2/bot/message/multicast", lineToken, map[string]any{"to": []string{lineU, others[1].ID},
		"messages": []map[string]any{{"type": "text", "text": "週年慶"}}})
	// Same text on Messenger twice, and a different text.
	e.call("POST", "/v23.0/me/messages", pageToken, fbText(psid, "UPDATE", "", "a"))
	e.call("POST", "/v23.0/me/messages", pageToken, fbText(psid, "UPDATE", "", "b"))
	if d := e.sim.Duplicates(); !reflect.DeepEqual(d, []string{lineU}) {
		t.Fatalf("duplicates %v", d)
	}
	e.call("POST", "/v23.0/me/messages", pageToken, fbText(psid, "MESSAGE_TAG", "ACCOUNT_UPDATE", "a"))
	if d := e.sim.Duplicates(); !reflect.DeepEqual(d, []string{psid, lineU}) {
		t.Fatalf("duplicates %v", d)
	}
	if n := len(e.sim.Sent()); n != 7 {
		t.Fatalf("recorded %d", n)
	}
	e.sim.Reset()
	if len(e.sim.Sent()) != 0 || len(e.sim.Duplicates()) != 0 {
		t.Fatal("Reset kept records")
	}
	if c := e.call("GET", "/v2/bot/message/quota/consumption", lineToken, nil); c.body["totalUsage"] != float64(0) {
		t.Fatalf("consumption after Reset: %s", c.raw)
	}
	if len(e.sim.People(lineID)) != 3 {
		t.Fatal("Reset dropped people")
	}
}

func TestSimulate(t *testing.T) {
	e := newEnv(t, Config{Seed: 3}, 0)
	for _, p := range RandomPeople(5, 1, "line") {
		e.sim.AddPerson(lineID, p)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 600*time.Millisecond)
	defer cancel()
	if err := e.sim.Simulate(ctx, Activity{Accounts: []string{lineID, pageID, waPNID}, Rate: 100}); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, p := range []string{pathLINE, pathMessenger, pathWhatsApp} {
		n := len(e.sink.got(p))
		if n == 0 {
			t.Errorf("no activity on %s", p)
		}
		total += n
	}
	if total < 20 {
		t.Fatalf("only %d events", total)
	}
	if len(e.sim.People(pageID)) == 0 {
		t.Fatal("no new people arrived on Messenger")
	}
	if err := e.sim.Simulate(t.Context(), Activity{Accounts: []string{"nope"}}); err == nil {
		t.Fatal("unknown account accepted")
	}
}
