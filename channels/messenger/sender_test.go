package messenger

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"

	"omnicast/channels"
)

// TestSendPartsResume: one request per part, in order; a failure on part 1
// reports PartsSent 1, and the retry from FromPart 1 sends only the rest.
func TestSendPartsResume(t *testing.T) {
	var n atomic.Int32
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 2 {
			reply(500, graphError(2, 0, "An unexpected error has occurred."))(w, r)
			return
		}
		reply(200, `{"recipient_id":"P","message_id":"m`+string(rune('0'+n.Load()))+`"}`)(w, r)
	})
	content := channels.Content{Parts: []channels.Part{
		{Kind: channels.PartText, Text: "Hi {{name}}"},
		{Kind: channels.PartImage, Image: &channels.Image{URL: "https://example.com/a.jpg", ContentType: "image/jpeg"}},
		{Kind: channels.PartText, Text: "Bye"},
	}}
	o := channels.Outgoing{To: "P", Name: "陳怡君", Content: content, MessageTag: "post_purchase_update"}
	r := f.client().Send(context.Background(), o)
	if r.Outcome != channels.Retryable || r.PartsSent != 1 || r.ProviderMessageID != "m1" {
		t.Fatalf("first attempt %+v, want Retryable after one part", r)
	}
	o.FromPart = r.PartsSent
	r = f.client().Send(context.Background(), o)
	if r.Outcome != channels.Sent || r.PartsSent != 3 {
		t.Fatalf("resume %+v, want Sent with 3 parts", r)
	}
	reqs := f.requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 4 (part 0, part 1 failed, part 1, part 2)", len(reqs))
	}
	var first, last sendRequest
	_ = json.Unmarshal(reqs[0].Body, &first)
	_ = json.Unmarshal(reqs[3].Body, &last)
	if first.Message.Text != "Hi 陳怡君" || last.Message.Text != "Bye" {
		t.Errorf("texts %q, %q", first.Message.Text, last.Message.Text)
	}
	if first.MessagingType != MessagingTypeMessageTag || first.Tag != TagPostPurchaseUpdate {
		t.Errorf("messaging type %q tag %q, want the product tag mapped to POST_PURCHASE_UPDATE", first.MessagingType, first.Tag)
	}
}

func TestAPITag(t *testing.T) {
	for in, want := range map[string]string{"": "", "standard": "", "event_update": TagConfirmedEventUpdate,
		"account_update": TagAccountUpdate, TagPostPurchaseUpdate: TagPostPurchaseUpdate} {
		if got, err := apiTag(in); err != nil || got != want {
			t.Errorf("apiTag(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := apiTag("HUMAN_AGENT"); err == nil {
		t.Error("HUMAN_AGENT accepted for a broadcast")
	}
}
