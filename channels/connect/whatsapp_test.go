package connect_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"omnicast/channels"
	"omnicast/channels/connect"
	"omnicast/channels/sim"
	"omnicast/channels/whatsapp"
)

// TestWhatsAppSendTemplateWithTaps: the Sender fills the template for the
// person, and each quick-reply button with an action carries a payload
// naming the broadcast, the button and the action; the template source is
// asked once for many sends.
func TestWhatsAppSendTemplateWithTaps(t *testing.T) {
	w := newWorld(t, sim.Config{ReceiptDelay: -1})
	comps := []whatsapp.TemplateComponent{
		{Type: "BODY", Text: "{{1}}，春季特賣開始了"},
		{Type: "BUTTONS", Buttons: []whatsapp.TemplateButton{{Type: "QUICK_REPLY", Text: "訂閱"}, {Type: "QUICK_REPLY", Text: "不再接收"}, {Type: "QUICK_REPLY", Text: "看看"}}},
	}
	w.sim.AddTemplate(wabaID, sim.Template{Name: "spring_sale", Language: "zh_TW", Category: "MARKETING", Components: []sim.TemplateComponent{
		{Type: "BODY", Text: "{{1}}，春季特賣開始了"},
		{Type: "BUTTONS", Buttons: []sim.TemplateButton{{Type: "QUICK_REPLY", Text: "訂閱"}, {Type: "QUICK_REPLY", Text: "不再接收"}, {Type: "QUICK_REPLY", Text: "看看"}}},
	}})
	asked := 0
	cl, err := connect.Client(connect.Channel{Kind: channels.KindWhatsApp, ExternalID: waPNID, WABAID: wabaID, BaseURL: w.url, AccessToken: waToken,
		Templates: func(_ context.Context, name, lang string) (whatsapp.Template, error) {
			asked++
			return whatsapp.Template{Name: name, Language: lang, Status: "APPROVED", Category: "MARKETING", Components: comps}, nil
		}}, &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	fill := &channels.TemplateFill{Name: "spring_sale", Language: "zh_TW", Body: []channels.TemplateParam{{ContactName: true}},
		Buttons: []channels.ButtonAction{{Action: channels.ActionSubscribe}, {Action: channels.ActionUnsubscribe}, {Action: channels.ActionNone}}}
	for range 3 {
		r := cl.Sender.Send(context.Background(), channels.Outgoing{To: waID, Name: "陳怡君", Content: channels.Content{Template: fill}, BroadcastID: 42})
		if r.Outcome != channels.Sent {
			t.Fatalf("send = %+v", r)
		}
	}
	if asked != 1 {
		t.Errorf("template source asked %d times, want once", asked)
	}
	var body struct {
		Template struct {
			Components []struct {
				Type       string `json:"type"`
				Index      string `json:"index"`
				Parameters []struct {
					Text    string `json:"text"`
					Payload string `json:"payload"`
				} `json:"parameters"`
			} `json:"components"`
		} `json:"template"`
	}
	if err := json.Unmarshal(w.sim.SentTo(waID)[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	taps := map[string]channels.TapPayload{}
	for _, c := range body.Template.Components {
		switch c.Type {
		case "body":
			if c.Parameters[0].Text != "陳怡君" {
				t.Errorf("body parameter %q", c.Parameters[0].Text)
			}
		case "button":
			tap, ok := channels.DecodeTap(c.Parameters[0].Payload)
			if !ok {
				t.Errorf("button %s payload %q is not a tap", c.Index, c.Parameters[0].Payload)
			}
			taps[c.Index] = tap
		}
	}
	if len(taps) != 2 || taps["0"] != (channels.TapPayload{BroadcastID: 42, Button: 0, Action: channels.ActionSubscribe}) ||
		taps["1"] != (channels.TapPayload{BroadcastID: 42, Button: 1, Action: channels.ActionUnsubscribe}) {
		t.Errorf("taps %+v, want subscribe on 0, unsubscribe on 1, none on 2", taps)
	}
}
