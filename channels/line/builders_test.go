package line

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"omnicast/channels/spectest"
)

func actions(n int) []Action {
	out := make([]Action, n)
	for i := range out {
		out[i] = PostbackAction{Label: "Pick", Data: "d"}
	}
	return out
}

func columns(n, acts int) []CarouselColumn {
	out := make([]CarouselColumn, n)
	for i := range out {
		out[i] = CarouselColumn{Text: "t", Actions: actions(acts)}
	}
	return out
}

func TestBuilderLimits(t *testing.T) {
	emoji := "😀" // two UTF-16 units
	cases := []struct {
		name      string
		build     func() error
		wantField string // "" means the build must succeed
	}{
		{"text ok", func() error { _, err := NewText("hi"); return err }, ""},
		{"text empty", func() error { _, err := NewText(""); return err }, "text"},
		{"text 5000 units", func() error { _, err := NewText(strings.Repeat("a", 5000)); return err }, ""},
		{"text 5001 units", func() error { _, err := NewText(strings.Repeat("a", 5001)); return err }, "text"},
		{"text 2500 emoji = 5000 units", func() error { _, err := NewText(strings.Repeat(emoji, 2500)); return err }, ""},
		{"text 2501 emoji = 5002 units", func() error { _, err := NewText(strings.Repeat(emoji, 2501)); return err }, "text"},
		{"text 5000 CJK runes", func() error { _, err := NewText(strings.Repeat("中", 5000)); return err }, ""},
		{"image ok", func() error { _, err := NewImage("https://x.example/a.jpg", "https://x.example/p.jpg"); return err }, ""},
		{"image http", func() error { _, err := NewImage("http://x.example/a.jpg", "https://x.example/p.jpg"); return err }, "originalContentUrl"},
		{"image http on loopback (the simulator)", func() error {
			_, err := NewImage("http://127.0.0.1:8080/media/a.png", "http://localhost:8080/media/a-preview.jpg")
			return err
		}, ""},
		{"image http on a private address", func() error { _, err := NewImage("https://x.example/a.jpg", "http://10.0.0.5/p.jpg"); return err }, "previewImageUrl"},
		{"image no preview", func() error { _, err := NewImage("https://x.example/a.jpg", ""); return err }, "previewImageUrl"},
		{"image relative", func() error { _, err := NewImage("https://x.example/a.jpg", "/p.jpg"); return err }, "previewImageUrl"},
		{"image URL too long", func() error {
			_, err := NewImage("https://x.example/"+strings.Repeat("a", 2000), "https://x.example/p.jpg")
			return err
		}, "originalContentUrl"},

		{"buttons alt 400", func() error {
			_, err := NewButtons(strings.Repeat("a", 400), ButtonsTemplate{Text: "t", Actions: actions(1)})
			return err
		}, ""},
		{"buttons alt 401", func() error {
			_, err := NewButtons(strings.Repeat("a", 401), ButtonsTemplate{Text: "t", Actions: actions(1)})
			return err
		}, "altText"},
		{"buttons alt empty", func() error { _, err := NewButtons("", ButtonsTemplate{Text: "t", Actions: actions(1)}); return err }, "altText"},
		{"buttons title 40", func() error {
			_, err := NewButtons("a", ButtonsTemplate{Title: strings.Repeat("a", 40), Text: "t", Actions: actions(1)})
			return err
		}, ""},
		{"buttons title 41", func() error {
			_, err := NewButtons("a", ButtonsTemplate{Title: strings.Repeat("a", 41), Text: "t", Actions: actions(1)})
			return err
		}, "template.title"},
		{"buttons text 160", func() error {
			_, err := NewButtons("a", ButtonsTemplate{Text: strings.Repeat("a", 160), Actions: actions(1)})
			return err
		}, ""},
		{"buttons text 161", func() error {
			_, err := NewButtons("a", ButtonsTemplate{Text: strings.Repeat("a", 161), Actions: actions(1)})
			return err
		}, "template.text"},
		{"buttons text 60 with title", func() error {
			_, err := NewButtons("a", ButtonsTemplate{Title: "T", Text: strings.Repeat("a", 60), Actions: actions(1)})
			return err
		}, ""},
		{"buttons text 61 with title", func() error {
			_, err := NewButtons("a", ButtonsTemplate{Title: "T", Text: strings.Repeat("a", 61), Actions: actions(1)})
			return err
		}, "template.text"},
		{"buttons text 61 with image", func() error {
			_, err := NewButtons("a", ButtonsTemplate{ThumbnailImageURL: "https://x.example/i.png", Text: strings.Repeat("a", 61), Actions: actions(1)})
			return err
		}, "template.text"},
		{"buttons no text", func() error { _, err := NewButtons("a", ButtonsTemplate{Actions: actions(1)}); return err }, "template.text"},
		{"buttons 0 actions", func() error { _, err := NewButtons("a", ButtonsTemplate{Text: "t"}); return err }, "template.actions"},
		{"buttons 4 actions", func() error { _, err := NewButtons("a", ButtonsTemplate{Text: "t", Actions: actions(4)}); return err }, ""},
		{"buttons 5 actions", func() error { _, err := NewButtons("a", ButtonsTemplate{Text: "t", Actions: actions(5)}); return err }, "template.actions"},
		{"buttons nil action", func() error {
			_, err := NewButtons("a", ButtonsTemplate{Text: "t", Actions: []Action{nil}})
			return err
		}, "template.actions[0]"},
		{"buttons bad aspect", func() error {
			_, err := NewButtons("a", ButtonsTemplate{ImageAspectRatio: "wide", Text: "t", Actions: actions(1)})
			return err
		}, "template.imageAspectRatio"},
		{"buttons bad colour", func() error {
			_, err := NewButtons("a", ButtonsTemplate{ImageBackgroundColor: "red", Text: "t", Actions: actions(1)})
			return err
		}, "template.imageBackgroundColor"},
		{"label 21", func() error {
			_, err := NewButtons("a", ButtonsTemplate{Text: "t", Actions: []Action{MessageAction{Label: strings.Repeat("a", 21), Text: "x"}}})
			return err
		}, "template.actions[0].label"},
		{"label missing", func() error {
			_, err := NewButtons("a", ButtonsTemplate{Text: "t", Actions: []Action{MessageAction{Text: "x"}}})
			return err
		}, "template.actions[0].label"},
		{"defaultAction without label", func() error {
			_, err := NewButtons("a", ButtonsTemplate{Text: "t", DefaultAction: URIAction{URI: "https://x.example"}, Actions: actions(1)})
			return err
		}, ""},
		{"postback data 301", func() error {
			_, err := NewButtons("a", ButtonsTemplate{Text: "t", Actions: []Action{PostbackAction{Label: "l", Data: strings.Repeat("d", 301)}}})
			return err
		}, "template.actions[0].data"},
		{"postback no data", func() error {
			_, err := NewButtons("a", ButtonsTemplate{Text: "t", Actions: []Action{PostbackAction{Label: "l"}}})
			return err
		}, "template.actions[0].data"},
		{"uri bad scheme", func() error {
			_, err := NewButtons("a", ButtonsTemplate{Text: "t", Actions: []Action{URIAction{Label: "l", URI: "javascript:alert(1)"}}})
			return err
		}, "template.actions[0].uri"},
		{"uri line scheme", func() error {
			_, err := NewButtons("a", ButtonsTemplate{Text: "t", Actions: []Action{URIAction{Label: "l", URI: "line://nv/location"}}})
			return err
		}, ""},
		{"message text 301", func() error {
			_, err := NewButtons("a", ButtonsTemplate{Text: "t", Actions: []Action{MessageAction{Label: "l", Text: strings.Repeat("m", 301)}}})
			return err
		}, "template.actions[0].text"},

		{"carousel 10 columns", func() error { _, err := NewCarousel("a", CarouselTemplate{Columns: columns(10, 3)}); return err }, ""},
		{"carousel 11 columns", func() error { _, err := NewCarousel("a", CarouselTemplate{Columns: columns(11, 1)}); return err }, "template.columns"},
		{"carousel 0 columns", func() error { _, err := NewCarousel("a", CarouselTemplate{}); return err }, "template.columns"},
		{"carousel 4 actions", func() error { _, err := NewCarousel("a", CarouselTemplate{Columns: columns(2, 4)}); return err }, "template.columns[0].actions"},
		{"carousel unequal actions", func() error {
			cols := columns(3, 2)
			cols[2].Actions = actions(1)
			_, err := NewCarousel("a", CarouselTemplate{Columns: cols})
			return err
		}, "template.columns[2].actions"},
		{"carousel image in one column only", func() error {
			cols := columns(2, 1)
			cols[0].ThumbnailImageURL = "https://x.example/i.png"
			_, err := NewCarousel("a", CarouselTemplate{Columns: cols})
			return err
		}, "template.columns[1].thumbnailImageUrl"},
		{"carousel title in one column only", func() error {
			cols := columns(2, 1)
			cols[1].Title = "T"
			_, err := NewCarousel("a", CarouselTemplate{Columns: cols})
			return err
		}, "template.columns[1].title"},
		{"carousel text 120", func() error {
			cols := columns(1, 1)
			cols[0].Text = strings.Repeat("a", 120)
			_, err := NewCarousel("a", CarouselTemplate{Columns: cols})
			return err
		}, ""},
		{"carousel text 121", func() error {
			cols := columns(1, 1)
			cols[0].Text = strings.Repeat("a", 121)
			_, err := NewCarousel("a", CarouselTemplate{Columns: cols})
			return err
		}, "template.columns[0].text"},
		{"carousel text 61 with title", func() error {
			cols := columns(1, 1)
			cols[0].Title, cols[0].Text = "T", strings.Repeat("a", 61)
			_, err := NewCarousel("a", CarouselTemplate{Columns: cols})
			return err
		}, "template.columns[0].text"},

		{"quick reply 13", func() error { _, err := WithQuickReply(must(NewText("x")), qrItems(13)...); return err }, ""},
		{"quick reply 14", func() error { _, err := WithQuickReply(must(NewText("x")), qrItems(14)...); return err }, "quickReply.items"},
		{"quick reply 0", func() error { _, err := WithQuickReply(must(NewText("x"))); return err }, "quickReply.items"},
		{"quick reply item without action", func() error {
			_, err := WithQuickReply(must(NewText("x")), QuickReplyItem{ImageURL: "https://x.example/i.png"})
			return err
		}, "quickReply.items[0].action"},
		{"quick reply item http icon", func() error {
			_, err := WithQuickReply(must(NewText("x")), QuickReplyItem{ImageURL: "http://x.example/i.png", Action: MessageAction{Label: "a", Text: "b"}})
			return err
		}, "quickReply.items[0].imageUrl"},
		{"quick reply item without label", func() error {
			_, err := WithQuickReply(must(NewText("x")), QuickReplyItem{Action: MessageAction{Text: "b"}})
			return err
		}, "quickReply.items[0].action.label"},
		{"quick reply on nil", func() error { _, err := WithQuickReply(nil, qrItems(1)...); return err }, "?"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.build()
			if tc.wantField == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v, want a *ValidationError", err)
			}
			if tc.wantField != "?" && ve.Field != tc.wantField {
				t.Errorf("field = %q, want %q (%v)", ve.Field, tc.wantField, err)
			}
			if !strings.HasPrefix(err.Error(), "line: ") || ve.Problem == "" {
				t.Errorf("error %q lacks context", err)
			}
		})
	}
}

func qrItems(n int) []QuickReplyItem {
	out := make([]QuickReplyItem, n)
	for i := range out {
		out[i] = QuickReplyItem{Action: MessageAction{Label: "a", Text: "b"}}
	}
	return out
}

// TestWireFormat pins the exact JSON of a text message with a quick reply,
// and checks WithQuickReply leaves the original message untouched.
func TestWireFormat(t *testing.T) {
	text := must(NewText("Hi <b> & \"you\""))
	withQR := must(WithQuickReply(text,
		QuickReplyItem{ImageURL: "https://x.example/i.png", Action: PostbackAction{Label: "Yes", Data: "a=1", DisplayText: "Yes"}},
		QuickReplyItem{Action: URIAction{Label: "Web", URI: "https://x.example"}},
	))
	got, err := json.Marshal(withQR)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"text","text":"Hi \u003cb\u003e \u0026 \"you\"","quickReply":{"items":[` +
		`{"type":"action","imageUrl":"https://x.example/i.png","action":{"type":"postback","label":"Yes","data":"a=1","displayText":"Yes"}},` +
		`{"type":"action","action":{"type":"uri","label":"Web","uri":"https://x.example"}}]}}`
	if string(got) != want {
		t.Errorf("JSON =\n%s\nwant\n%s", got, want)
	}
	if text.QuickReply != nil {
		t.Error("WithQuickReply changed the original message")
	}
	img, _ := json.Marshal(must(NewImage("https://x.example/a.jpg", "https://x.example/p.jpg")))
	if string(img) != `{"type":"image","originalContentUrl":"https://x.example/a.jpg","previewImageUrl":"https://x.example/p.jpg"}` {
		t.Errorf("image JSON = %s", img)
	}
}

// TestSpecHarnessCatchesBadRequests proves the fake server's spec check can
// fail: hand-made requests that break messaging-api.yml are flagged.
func TestSpecHarnessCatchesBadRequests(t *testing.T) {
	f := newFakeLINE(t, nil)
	for _, body := range []string{
		`{"to":"U1","messages":[{"type":"text"}]}`,
		`{"to":"U1","messages":[{"type":"template","altText":"a","template":{"type":"buttons","actions":[]}}]}`,
		`{"to":"U1","messages":[{"type":"text","text":"x","quickReply":{"items":[{"type":"action","action":{"type":"bogus"}}]}}]}`,
		`{"to":"U1","messages":[]}`,
	} {
		resp, err := http.Post(f.srv.URL+"/v2/bot/message/push", "application/json", bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	for _, r := range f.requests() {
		if r.SpecErr == nil {
			t.Errorf("spec check accepted %s", r.Body)
		}
	}
	spec, err := spectest.Load(spectest.LINEMessaging)
	if err != nil {
		t.Fatal(err)
	}
	// Our own shapes also pass the component schema directly.
	for name, m := range sampleMessages(t) {
		raw, _ := json.Marshal(m)
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		if err := spec.ValidateSchema("Message", v); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
