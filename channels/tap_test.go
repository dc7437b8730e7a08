package channels

import (
	"strings"
	"testing"
)

func TestTapRoundTrip(t *testing.T) {
	for _, p := range []TapPayload{
		{},
		{BroadcastID: 12, ModuleID: 3, Button: 0},
		{BroadcastID: 4294967295, ModuleID: 4294967295, Button: 29},
		{BroadcastID: 7, Button: 2, Action: ActionSubscribe},
		{BroadcastID: 7, ModuleID: 9, Button: 1, Action: ActionBot},
	} {
		s := EncodeTap(p)
		got, ok := DecodeTap(s)
		if !ok || got != p {
			t.Errorf("DecodeTap(EncodeTap(%+v)) = %+v, %v (wire %q)", p, got, ok, s)
		}
		if len(s) > 60 {
			t.Errorf("%q is %d bytes, want ≤ 60 (LINE postback data ≤ 300)", s, len(s))
		}
	}
	if got := EncodeTap(TapPayload{BroadcastID: 12, ModuleID: 3, Button: 1}); got != "oc1:b12:m3:k1" {
		t.Errorf("wire form = %q", got)
	}
}

func TestDecodeTapRefusesOthers(t *testing.T) {
	for _, s := range []string{
		"", "hello", "BUY_NOW", "oc1", "oc1:b1:m2", "oc2:b1:m2:k0", "oc1:b1:m2:k0:", "oc1:b1:m2:k0:aexplode",
		"oc1:b-1:m2:k0", "oc1:b01:m2:k0", "oc1:b1:m2:k100", "oc1:b1:m2:kx", "oc1:m2:b1:k0",
		"oc1:b99999999999:m2:k0", "oc1:b1:m2:k0:asubscribe:extra", "oc1:b+1:m2:k0", " oc1:b1:m2:k0",
		"oc1:b1:m2:k0" + strings.Repeat("0", 3),
	} {
		if p, ok := DecodeTap(s); ok {
			t.Errorf("DecodeTap(%q) = %+v, want refused", s, p)
		}
	}
}

func TestTapCoderNilIsTestSend(t *testing.T) {
	var c TapCoder
	if got := c.Code(5, 2); got != "oc1:b0:m5:k2" {
		t.Errorf("nil coder = %q", got)
	}
	if got := NewTapCoder(8).Code(5, 2); got != "oc1:b8:m5:k2" {
		t.Errorf("coder = %q", got)
	}
}

func TestTapTargetsCarouselOrder(t *testing.T) {
	c := Card{Kind: CardCarousel, Cards: []CarouselCard{
		{Title: "A", Buttons: []Button{{Title: "a1", Type: ButtonURL}, {Title: "a2", Type: ButtonReply}}},
		{Title: "B", Buttons: []Button{{Title: "b1", Type: ButtonReply}}},
	}}
	got := c.TapTargets()
	if len(got) != 3 || got[2] != (TapTarget{Index: 2, Title: "b1", Type: ButtonReply, Card: 1}) {
		t.Errorf("targets = %+v", got)
	}
}
