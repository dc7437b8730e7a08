package messenger

import (
	"errors"
	"strings"
	"testing"
)

func TestBuildersAcceptLimits(t *testing.T) {
	// "é" is two bytes: limits count characters, not bytes.
	okCases := map[string]func() (Message, error){
		"text at limit": func() (Message, error) { return Text(strings.Repeat("é", MaxTextChars)) },
		"image":         func() (Message, error) { return Image("http://example.com/i.jpg") },
		"button text at limit": func() (Message, error) {
			return ButtonTemplate(strings.Repeat("b", MaxButtonTemplateText), PostbackButton("ok", "P"))
		},
		"three buttons": func() (Message, error) { return ButtonTemplate("t", buttons(3)...) },
		"button title at limit": func() (Message, error) {
			return ButtonTemplate("t", PostbackButton(strings.Repeat("x", MaxButtonTitle), "P"))
		},
		"payload at limit": func() (Message, error) {
			return ButtonTemplate("t", PostbackButton("x", strings.Repeat("p", MaxPayload)))
		},
		"ten elements":           func() (Message, error) { return GenericTemplate(elements(10)...) },
		"element at limits":      func() (Message, error) { return GenericTemplate(bigElement()) },
		"element without extras": func() (Message, error) { return GenericTemplate(Element{Title: "only"}) },
		"thirteen quick replies": func() (Message, error) { return mustText("x").WithQuickReplies(quickReplies(13)...) },
		"quick reply at limits": func() (Message, error) {
			return mustText("x").WithQuickReplies(TextQuickReply(strings.Repeat("q", MaxQuickReplyTitle), strings.Repeat("p", MaxPayload)))
		},
		"quick replies on template": func() (Message, error) {
			m, _ := GenericTemplate(Element{Title: "a"})
			return m.WithQuickReplies(TextQuickReply("a", "b"))
		},
	}
	for name, build := range okCases {
		if _, err := build(); err != nil {
			t.Errorf("%s: unexpected error %v", name, err)
		}
	}
}

func TestBuildersRefuseOverLimits(t *testing.T) {
	badCases := map[string]func() (Message, error){
		"empty text":         func() (Message, error) { return Text("") },
		"text over limit":    func() (Message, error) { return Text(strings.Repeat("é", MaxTextChars+1)) },
		"text invalid UTF-8": func() (Message, error) { return Text("a\xffb") },
		"image empty url":    func() (Message, error) { return Image("") },
		"image relative url": func() (Message, error) { return Image("/img.png") },
		"image ftp url":      func() (Message, error) { return Image("ftp://example.com/a.png") },
		"button text empty":  func() (Message, error) { return ButtonTemplate("", PostbackButton("a", "b")) },
		"button text over limit": func() (Message, error) {
			return ButtonTemplate(strings.Repeat("b", MaxButtonTemplateText+1), PostbackButton("a", "b"))
		},
		"no buttons":   func() (Message, error) { return ButtonTemplate("t") },
		"four buttons": func() (Message, error) { return ButtonTemplate("t", buttons(4)...) },
		"button title over": func() (Message, error) {
			return ButtonTemplate("t", PostbackButton(strings.Repeat("x", MaxButtonTitle+1), "P"))
		},
		"button title empty":  func() (Message, error) { return ButtonTemplate("t", PostbackButton("", "P")) },
		"postback no payload": func() (Message, error) { return ButtonTemplate("t", PostbackButton("a", "")) },
		"payload over limit": func() (Message, error) {
			return ButtonTemplate("t", PostbackButton("x", strings.Repeat("p", MaxPayload+1)))
		},
		"web_url bad url": func() (Message, error) { return ButtonTemplate("t", URLButton("a", "not a url")) },
		"unknown button type": func() (Message, error) {
			return ButtonTemplate("t", Button{Type: "phone_number", Title: "a", Payload: "+1"})
		},
		"no elements":      func() (Message, error) { return GenericTemplate() },
		"eleven elements":  func() (Message, error) { return GenericTemplate(elements(11)...) },
		"element no title": func() (Message, error) { return GenericTemplate(Element{Subtitle: "s"}) },
		"element title over": func() (Message, error) {
			return GenericTemplate(Element{Title: strings.Repeat("t", MaxElementTitle+1)})
		},
		"element subtitle over": func() (Message, error) {
			return GenericTemplate(Element{Title: "t", Subtitle: strings.Repeat("s", MaxElementSubtitle+1)})
		},
		"element bad image": func() (Message, error) { return GenericTemplate(Element{Title: "t", ImageURL: "x"}) },
		"element four buttons": func() (Message, error) {
			return GenericTemplate(Element{Title: "t", Buttons: buttons(4)})
		},
		"element bad button": func() (Message, error) {
			return GenericTemplate(Element{Title: "t", Buttons: []Button{URLButton("", "https://x.example")}})
		},
		"no quick replies":       func() (Message, error) { return mustText("x").WithQuickReplies() },
		"fourteen quick replies": func() (Message, error) { return mustText("x").WithQuickReplies(quickReplies(14)...) },
		"quick reply title over": func() (Message, error) {
			return mustText("x").WithQuickReplies(TextQuickReply(strings.Repeat("q", 21), "p"))
		},
		"quick reply no title":   func() (Message, error) { return mustText("x").WithQuickReplies(TextQuickReply("", "p")) },
		"quick reply no payload": func() (Message, error) { return mustText("x").WithQuickReplies(TextQuickReply("q", "")) },
		"quick reply payload over": func() (Message, error) {
			return mustText("x").WithQuickReplies(TextQuickReply("q", strings.Repeat("p", 1001)))
		},
		"quick reply email type": func() (Message, error) {
			return mustText("x").WithQuickReplies(QuickReply{ContentType: "user_email", Title: "a", Payload: "b"})
		},
		"text and attachment": func() (Message, error) {
			m, _ := Image("https://example.com/a.png")
			m.Text = "both"
			return m, m.Validate()
		},
		"empty message": func() (Message, error) { return Message{}, Message{}.Validate() },
		"unknown attachment": func() (Message, error) {
			m := Message{Attachment: &Attachment{Type: "sticker"}}
			return m, m.Validate()
		},
		"unknown template": func() (Message, error) {
			m := Message{Attachment: &Attachment{Type: AttachmentTemplate, Payload: AttachmentPayload{TemplateType: "receipt"}}}
			return m, m.Validate()
		},
	}
	for name, build := range badCases {
		_, err := build()
		if !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("%s: err = %v, want ErrInvalidMessage", name, err)
		}
	}
}

func TestWithQuickRepliesDoesNotAlias(t *testing.T) {
	base := mustText("x")
	replies := quickReplies(2)
	m, err := base.WithQuickReplies(replies...)
	if err != nil {
		t.Fatal(err)
	}
	replies[0].Title = "changed"
	if m.QuickReplies[0].Title == "changed" || base.QuickReplies != nil {
		t.Error("WithQuickReplies shares or mutates slices")
	}
}

func TestImageIsReusable(t *testing.T) {
	m, err := Image("https://example.com/a.png")
	if err != nil || m.Attachment == nil || !m.Attachment.Payload.IsReusable || m.Attachment.Type != AttachmentImage {
		t.Fatalf("Image = %+v, %v", m, err)
	}
}

func mustText(s string) Message {
	m, err := Text(s)
	if err != nil {
		panic(err)
	}
	return m
}

func buttons(n int) []Button {
	var bs []Button
	for i := range n {
		bs = append(bs, PostbackButton("b", strings.Repeat("p", i+1)))
	}
	return bs
}

func elements(n int) []Element {
	var es []Element
	for range n {
		es = append(es, Element{Title: "e"})
	}
	return es
}

func bigElement() Element {
	return Element{Title: strings.Repeat("t", MaxElementTitle), Subtitle: strings.Repeat("s", MaxElementSubtitle),
		ImageURL: "https://example.com/i.png", Buttons: append(buttons(2), URLButton("u", "https://example.com"))}
}

func quickReplies(n int) []QuickReply {
	var qs []QuickReply
	for range n {
		qs = append(qs, TextQuickReply("q", "p"))
	}
	return qs
}
