package sim

import (
	"context"
	"strings"
	"testing"

	"omnicast/channels"
	"omnicast/channels/line"
)

// TestLINEImagesOverLoopbackHTTP: the simulator fetches from this machine,
// so it takes http image URLs on a loopback host (a local omnicast without
// TLS shows its pictures); anywhere else LINE's https rule holds, for
// images and template thumbnails alike.
func TestLINEImagesOverLoopbackHTTP(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	e.addPeople()
	img := func(original, preview string) map[string]any {
		return map[string]any{"to": lineU, "messages": []map[string]string{{"type": "image", "originalContentUrl": original, "previewImageUrl": preview}}}
	}
	thumb := func(u string) map[string]any {
		return map[string]any{"to": lineU, "messages": []map[string]any{{"type": "template", "altText": "新品",
			"template": map[string]any{"type": "carousel", "columns": []map[string]any{{"thumbnailImageUrl": u, "text": "冬季",
				"actions": []map[string]string{{"type": "uri", "label": "看看", "uri": "https://shop.example.com"}}}}}}}}
	}
	for _, body := range []map[string]any{
		img("http://127.0.0.1:8080/media/a.png", "http://127.0.0.1:8080/media/a-preview.jpg"),
		img("http://localhost:8080/media/a.png", "https://cdn.example.com/p.jpg"),
		thumb("http://127.0.0.1:8080/media/b.png"),
	} {
		if r := e.call("POST", "/v2/bot/message/push", lineToken, body); r.status != 200 {
			t.Fatalf("loopback http refused: %d %s", r.status, r.raw)
		}
	}
	for prop, body := range map[string]map[string]any{
		"messages[0].previewImageUrl":                       img("http://127.0.0.1:8080/media/a.png", "http://cdn.example.com/p.jpg"),
		"messages[0].template.columns[0].thumbnailImageUrl": thumb("http://cdn.example.com/b.png"),
	} {
		r := e.call("POST", "/v2/bot/message/push", lineToken, body)
		if r.status != 400 || !strings.Contains(r.raw, `"property":"`+prop+`"`) {
			t.Fatalf("%s: %d %s", prop, r.status, r.raw)
		}
	}
}

// TestLINERenderedImageReachesTheSimulator: content with an upload served
// by a local omnicast over http passes ImageFetchProblem for a channel on
// the simulator, renders, and is accepted — the demo path.
func TestLINERenderedImageReachesTheSimulator(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	e.addPeople()
	public := "http://127.0.0.1:8080"
	if p := channels.ImageFetchProblem(public, e.base); p != nil {
		t.Fatalf("ImageFetchProblem(%q, %q) = %+v", public, e.base, p)
	}
	content := channels.Content{Parts: []channels.Part{
		{Kind: channels.PartText, Text: "Hi " + channels.NameParam},
		{Kind: channels.PartImage, Image: &channels.Image{URL: public + "/media/a.png", PreviewURL: public + "/media/a-preview.jpg",
			ContentType: "image/png", Width: 40, Height: 30, Bytes: 1000}},
	}}
	if ps := line.Fit(content); len(ps) > 0 {
		t.Fatalf("fit: %+v", ps)
	}
	msgs, err := line.Render(content, "林", nil)
	if err != nil {
		t.Fatal(err)
	}
	res := line.New(line.Config{BaseURL: e.base, ChannelAccessToken: lineToken}).Push(context.Background(), lineU, msgs, line.NewRetryKey())
	if res.Outcome != channels.Sent {
		t.Fatalf("push: %+v", res)
	}
	sent := e.sim.SentTo(lineU)
	if len(sent) != 1 || !strings.Contains(string(sent[0].Body), `"originalContentUrl":"http://127.0.0.1:8080/media/a.png"`) {
		t.Fatalf("recorded %+v", sent)
	}
}
