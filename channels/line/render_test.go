package line

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"omnicast/channels"
	"omnicast/channels/cardtest"
	"omnicast/channels/spectest"
)

// TestRenderEveryKindMatchesSpec renders every payload kind, validates each
// message against the spec's Message schema with its type discriminator
// (and nested Action / Template discriminators), and pushes it to a fake
// LINE server that validates the whole request.
func TestRenderEveryKindMatchesSpec(t *testing.T) {
	spec, err := spectest.Load(spectest.LINEMessaging)
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range cardtest.Contents() {
		t.Run(name, func(t *testing.T) {
			if ps := Fit(content); len(ps) > 0 {
				t.Fatalf("Fit found problems in a sample: %+v", ps)
			}
			msgs, err := Render(content, "小美", channels.NewTapCoder(42))
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != len(content.Parts) {
				t.Fatalf("%d messages for %d parts", len(msgs), len(content.Parts))
			}
			for i, m := range msgs {
				var v any
				if err := json.Unmarshal(must(json.Marshal(m)), &v); err != nil {
					t.Fatal(err)
				}
				if err := spec.ValidateSchema("Message", v); err != nil {
					t.Errorf("message %d: %v\n%s", i, err, must(json.Marshal(m)))
				}
			}
			f := newFakeLINE(t, nil)
			if res := f.client().Push(context.Background(), "U4af4980629", msgs, NewRetryKey()); res.Outcome != channels.Sent {
				t.Fatalf("push: %+v", res)
			}
			f.only()
		})
	}
}

// The spec harness must catch a broken nested template and action, or it
// proves nothing.
func TestRenderSpecCatchesBrokenAction(t *testing.T) {
	spec, _ := spectest.Load(spectest.LINEMessaging)
	for _, bad := range []string{
		`{"type":"template","altText":"a","template":{"type":"buttons","actions":[{"type":"postback","label":"x","data":"d"}]}}`,
		`{"type":"template","altText":"a","template":{"type":"buttons","text":"t","actions":[{"type":"postback","label":"x","data":"` + strings.Repeat("d", 301) + `"}]}}`,
		`{"type":"template","altText":"a","template":{"type":"carousel"}}`,
		`{"type":"text"}`,
	} {
		var v any
		_ = json.Unmarshal([]byte(bad), &v)
		if spec.ValidateSchema("Message", v) == nil {
			t.Errorf("accepted: %s", bad)
		}
	}
}

func TestRenderShapes(t *testing.T) {
	c := channels.Content{Parts: []channels.Part{
		cardtest.Text("嗨 " + channels.NameParam),
		cardtest.Picture(1),
	}}
	msgs, err := Render(c, "阿明", nil)
	if err != nil {
		t.Fatal(err)
	}
	if tm := msgs[0].(TextMessage); tm.Text != "嗨 阿明" {
		t.Errorf("text = %q", tm.Text)
	}
	if im := msgs[1].(ImageMessage); im.PreviewImageURL != "https://cdn.example.com/media/1-preview.jpg" {
		t.Errorf("preview = %q", im.PreviewImageURL)
	}

	car, err := Render(channels.Content{Parts: []channels.Part{cardtest.Card(9, cardtest.Carousel(2))}}, "", channels.NewTapCoder(5))
	if err != nil {
		t.Fatal(err)
	}
	tpl := car[0].(TemplateMessage).Template.(CarouselTemplate)
	if _, ok := tpl.Columns[0].Actions[0].(URIAction); !ok {
		t.Errorf("URL button is %T", tpl.Columns[0].Actions[0])
	}
	pb := tpl.Columns[1].Actions[1].(PostbackAction)
	tap, ok := channels.DecodeTap(pb.Data)
	// Card 1's reply button is the module's fourth button (index 3).
	if !ok || tap != (channels.TapPayload{BroadcastID: 5, ModuleID: 9, Button: 3}) || pb.DisplayText != "想要" {
		t.Errorf("postback %+v decodes to %+v %v", pb, tap, ok)
	}
	if tpl.Columns[0].ThumbnailImageURL == "" || tpl.Columns[0].Title != "商品 1" || tpl.Columns[0].Text != "限量供應" {
		t.Errorf("column %+v", tpl.Columns[0])
	}

	qr, err := Render(channels.Content{Parts: []channels.Part{cardtest.Card(11, cardtest.QuickReply(2))}}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	items := qr[0].(TextMessage).QuickReply.Items
	if tap, ok := channels.DecodeTap(items[1].Action.(PostbackAction).Data); !ok || tap.Button != 1 || tap.ModuleID != 11 || tap.BroadcastID != 0 {
		t.Errorf("quick reply tap %+v %v", tap, ok)
	}
}

func TestRenderRefusesWhatFitRefuses(t *testing.T) {
	long := cardtest.ButtonCard()
	long.Text = strings.Repeat("字", 161)
	if _, err := Render(channels.Content{Parts: []channels.Part{cardtest.Card(1, long)}}, "", nil); err == nil {
		t.Error("161-unit button card rendered")
	}
	if _, err := Render(channels.Content{}, "", nil); err == nil {
		t.Error("empty content rendered")
	}
}

func TestAltTextCut(t *testing.T) {
	s := strings.Repeat("😀", 300) // 600 units
	got := altText(s)
	if n := utf16Len(got); n > maxAltText || !strings.HasSuffix(got, "…") {
		t.Errorf("alt text of %d units: %q", n, got)
	}
	if altText("短") != "短" {
		t.Error("short alt text changed")
	}
}
