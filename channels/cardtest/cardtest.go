// Package cardtest holds sample bot modules and contents for the tests
// of the platform renderers and fit checks, so every package checks the
// same shapes. It is used by tests only.
package cardtest

import (
	"fmt"

	"omnicast/channels"
)

// Image returns a JPEG as the uploads serve it.
func Image(n int) *channels.Image {
	return &channels.Image{
		URL:         fmt.Sprintf("https://cdn.example.com/media/%d.jpg", n),
		PreviewURL:  fmt.Sprintf("https://cdn.example.com/media/%d-preview.jpg", n),
		ContentType: "image/jpeg", Width: 1024, Height: 678, Bytes: 200_000,
	}
}

// ButtonCard is a button card with a URL and a reply button.
func ButtonCard() channels.Card {
	return channels.Card{Kind: channels.CardButton, Text: "本週新品上架，想看看嗎？", Buttons: []channels.Button{
		{Title: "看新品", Type: channels.ButtonURL, URL: "https://shop.example.com/new"},
		{Title: "稍後提醒我", Type: channels.ButtonReply, Payload: "REMIND_LATER"},
	}}
}

// ReplyCard is a button card with reply buttons only (fits WhatsApp).
func ReplyCard() channels.Card {
	return channels.Card{Kind: channels.CardButton, Text: "您對這次服務滿意嗎？", Buttons: []channels.Button{
		{Title: "滿意", Type: channels.ButtonReply, Payload: "YES"},
		{Title: "不滿意", Type: channels.ButtonReply, Payload: "NO"},
	}}
}

// Carousel has n cards, each with an image and two buttons.
func Carousel(n int) channels.Card {
	c := channels.Card{Kind: channels.CardCarousel}
	for i := range n {
		c.Cards = append(c.Cards, channels.CarouselCard{
			Image: Image(i + 1), Title: fmt.Sprintf("商品 %d", i+1), Subtitle: "限量供應",
			Buttons: []channels.Button{
				{Title: "購買", Type: channels.ButtonURL, URL: fmt.Sprintf("https://shop.example.com/p/%d", i+1)},
				{Title: "想要", Type: channels.ButtonReply, Payload: fmt.Sprintf("WANT_%d", i+1)},
			},
		})
	}
	return c
}

// QuickReply has n options.
func QuickReply(n int) channels.Card {
	c := channels.Card{Kind: channels.CardQuickReply, Text: "您想收到哪類消息？"}
	for i := range n {
		c.Options = append(c.Options, channels.Option{Title: fmt.Sprintf("選項 %d", i+1), Payload: fmt.Sprintf("OPT_%d", i+1)})
	}
	return c
}

// Card returns the part of a bot card from module id.
func Card(id uint, c channels.Card) channels.Part {
	return channels.Part{Kind: channels.PartBotCard, Card: &c, ModuleID: id}
}

// Text returns a text part.
func Text(s string) channels.Part { return channels.Part{Kind: channels.PartText, Text: s} }

// Picture returns an image part.
func Picture(n int) channels.Part { return channels.Part{Kind: channels.PartImage, Image: Image(n)} }

// Contents lists one content of every payload kind a renderer makes.
func Contents() map[string]channels.Content {
	return map[string]channels.Content{
		"text with name and image": {Parts: []channels.Part{Text("嗨 " + channels.NameParam + "，週末見！"), Picture(1)}},
		"five parts":               {Parts: []channels.Part{Text("1"), Text("2"), Picture(1), Text("4"), Picture(2)}},
		"button card":              {Parts: []channels.Part{Card(7, ButtonCard())}},
		"reply card":               {Parts: []channels.Part{Card(8, ReplyCard())}},
		"carousel":                 {Parts: []channels.Part{Card(9, Carousel(3))}},
		"carousel of ten":          {Parts: []channels.Part{Card(10, Carousel(10))}},
		"quick reply":              {Parts: []channels.Part{Card(11, QuickReply(13))}},
	}
}
