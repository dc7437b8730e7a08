package line

import (
	"time"

	"omnicast/channels"
)

// webhook.yml (LINE's webhook spec) carries no request examples, so these
// fixtures are written after the examples of LINE's Messaging API reference
// and, when specValid, are checked against webhook.yml's CallbackRequest.

const testDestination = "U0123456789abcdef0123456789abcdef"

const userA = "U4af4980629aaaaaaaaaaaaaaaaaaaaaa"

// ts is the fixtures' timestamp, 2016-05-07T13:57:59.859Z.
const tsMillis = 1462629479859

func fixtureTime() time.Time { return time.UnixMilli(tsMillis).UTC() }

type webhookFixture struct {
	name      string
	body      string
	specValid bool
	want      []channels.Event
}

func webhookFixtures() []webhookFixture {
	t0 := fixtureTime()
	return []webhookFixture{
		{
			name:      "empty events (connectivity check)",
			body:      `{"destination":"` + testDestination + `","events":[]}`,
			specValid: true,
			want:      []channels.Event{},
		},
		{
			name: "follow",
			body: `{"destination":"` + testDestination + `","events":[{"replyToken":"85cbe770fa8b4f45bbe077b1d4be4a36","type":"follow","mode":"active","timestamp":1462629479859,` +
				`"source":{"type":"user","userId":"` + userA + `"},"webhookEventId":"01FZ74A0TDDPYRVKNK77XKC3ZR","deliveryContext":{"isRedelivery":false},"follow":{"isUnblocked":false}}]}`,
			specValid: true,
			want:      []channels.Event{{Kind: channels.EventFollow, DedupeKey: "01FZ74A0TDDPYRVKNK77XKC3ZR", UserID: userA, Time: t0}},
		},
		{
			name: "follow after unblocking",
			body: `{"destination":"` + testDestination + `","events":[{"replyToken":"r","type":"follow","mode":"active","timestamp":1462629479859,` +
				`"source":{"type":"user","userId":"` + userA + `"},"webhookEventId":"01FZ74A0TDDPYRVKNK77XKC3ZS","deliveryContext":{"isRedelivery":false},"follow":{"isUnblocked":true}}]}`,
			specValid: true,
			want:      []channels.Event{{Kind: channels.EventFollow, DedupeKey: "01FZ74A0TDDPYRVKNK77XKC3ZS", UserID: userA, Time: t0, Unblocked: true}},
		},
		{
			name: "unfollow",
			body: `{"destination":"` + testDestination + `","events":[{"type":"unfollow","mode":"active","timestamp":1462629479859,` +
				`"source":{"type":"user","userId":"` + userA + `"},"webhookEventId":"01FZ74A0TDDPYRVKNK77XKC3ZT","deliveryContext":{"isRedelivery":false}}]}`,
			specValid: true,
			want:      []channels.Event{{Kind: channels.EventUnfollow, DedupeKey: "01FZ74A0TDDPYRVKNK77XKC3ZT", UserID: userA, Time: t0}},
		},
		{
			name: "text message",
			body: `{"destination":"` + testDestination + `","events":[{"replyToken":"nHuyWiB7yP5Zw52FIkcQobQuGDXCTA","type":"message","mode":"active","timestamp":1462629479859,` +
				`"source":{"type":"user","userId":"` + userA + `"},"webhookEventId":"01FZ74A0TDDPYRVKNK77XKC3ZU","deliveryContext":{"isRedelivery":false},` +
				`"message":{"id":"444573844083572737","type":"text","quoteToken":"q3Plxr4AgKd...","text":"Hello, world! (love)"}}]}`,
			specValid: true,
			want: []channels.Event{{Kind: channels.EventMessage, DedupeKey: "01FZ74A0TDDPYRVKNK77XKC3ZU", UserID: userA, Time: t0,
				MessageID: "444573844083572737", Text: "Hello, world! (love)"}},
		},
		{
			name: "sticker message (no text)",
			body: `{"destination":"` + testDestination + `","events":[{"replyToken":"r","type":"message","mode":"active","timestamp":1462629479859,` +
				`"source":{"type":"user","userId":"` + userA + `"},"webhookEventId":"01FZ74A0TDDPYRVKNK77XKC3ZV","deliveryContext":{"isRedelivery":false},` +
				`"message":{"type":"sticker","id":"1501597916","quoteToken":"q","stickerId":"52002738","packageId":"11537","stickerResourceType":"ANIMATION","keywords":["cony"]}}]}`,
			specValid: true,
			want: []channels.Event{{Kind: channels.EventMessage, DedupeKey: "01FZ74A0TDDPYRVKNK77XKC3ZV", UserID: userA, Time: t0,
				MessageID: "1501597916"}},
		},
		{
			name: "postback",
			body: `{"destination":"` + testDestination + `","events":[{"replyToken":"b60d432864f44d079f6d8efe86cf404b","type":"postback","mode":"active","timestamp":1462629479859,` +
				`"source":{"type":"user","userId":"` + userA + `"},"webhookEventId":"01FZ74A0TDDPYRVKNK77XKC3ZW","deliveryContext":{"isRedelivery":false},` +
				`"postback":{"data":"storeId=12345","params":{"datetime":"2017-12-25T01:00"}}}]}`,
			specValid: true,
			want:      []channels.Event{{Kind: channels.EventPostback, DedupeKey: "01FZ74A0TDDPYRVKNK77XKC3ZW", UserID: userA, Time: t0, Payload: "storeId=12345"}},
		},
		{
			name: "redelivered message",
			body: `{"destination":"` + testDestination + `","events":[{"replyToken":"r","type":"message","mode":"active","timestamp":1462629479859,` +
				`"source":{"type":"user","userId":"` + userA + `"},"webhookEventId":"01FZ74A0TDDPYRVKNK77XKC3ZX","deliveryContext":{"isRedelivery":true},` +
				`"message":{"id":"1","type":"text","quoteToken":"q","text":"again"}}]}`,
			specValid: true,
			want: []channels.Event{{Kind: channels.EventMessage, DedupeKey: "01FZ74A0TDDPYRVKNK77XKC3ZX", UserID: userA, Time: t0,
				MessageID: "1", Text: "again", Redelivery: true}},
		},
		{
			name: "memberJoined is ignored",
			body: `{"destination":"` + testDestination + `","events":[{"replyToken":"r","type":"memberJoined","mode":"active","timestamp":1462629479859,` +
				`"source":{"type":"group","groupId":"C4af4980629"},"webhookEventId":"01FZ74A0TDDPYRVKNK77XKC3ZY","deliveryContext":{"isRedelivery":false},` +
				`"joined":{"members":[{"type":"user","userId":"` + userA + `"}]}}]}`,
			specValid: true,
			want:      []channels.Event{},
		},
		{
			name: "join, unsend and beacon are ignored",
			body: `{"destination":"` + testDestination + `","events":[` +
				`{"replyToken":"r","type":"join","mode":"active","timestamp":1462629479859,"source":{"type":"group","groupId":"C1"},"webhookEventId":"01A","deliveryContext":{"isRedelivery":false}},` +
				`{"type":"unsend","mode":"active","timestamp":1462629479859,"source":{"type":"user","userId":"` + userA + `"},"webhookEventId":"01B","deliveryContext":{"isRedelivery":false},"unsend":{"messageId":"325708"}},` +
				`{"replyToken":"r","type":"beacon","mode":"active","timestamp":1462629479859,"source":{"type":"user","userId":"` + userA + `"},"webhookEventId":"01C","deliveryContext":{"isRedelivery":false},"beacon":{"hwid":"d41d8cd98f","type":"enter"}}]}`,
			specValid: true,
			want:      []channels.Event{},
		},
		{
			name: "group message without userId is skipped",
			body: `{"destination":"` + testDestination + `","events":[{"replyToken":"r","type":"message","mode":"active","timestamp":1462629479859,` +
				`"source":{"type":"group","groupId":"Ca56f94637c"},"webhookEventId":"01D","deliveryContext":{"isRedelivery":false},` +
				`"message":{"id":"2","type":"text","quoteToken":"q","text":"hi all"}}]}`,
			specValid: true,
			want:      []channels.Event{},
		},
		{
			name: "group message with userId is kept",
			body: `{"destination":"` + testDestination + `","events":[{"replyToken":"r","type":"message","mode":"standby","timestamp":1462629479859,` +
				`"source":{"type":"group","groupId":"Ca56f94637c","userId":"` + userA + `"},"webhookEventId":"01E","deliveryContext":{"isRedelivery":false},` +
				`"message":{"id":"3","type":"text","quoteToken":"q","text":"hi"}}]}`,
			specValid: true,
			want:      []channels.Event{{Kind: channels.EventMessage, DedupeKey: "01E", UserID: userA, Time: t0, MessageID: "3", Text: "hi"}},
		},
		{
			name: "mixed batch keeps order",
			body: `{"destination":"` + testDestination + `","events":[` +
				`{"type":"unfollow","mode":"active","timestamp":1462629479859,"source":{"type":"user","userId":"U2"},"webhookEventId":"01F","deliveryContext":{"isRedelivery":false}},` +
				`{"replyToken":"r","type":"memberJoined","mode":"active","timestamp":1462629479859,"source":{"type":"group","groupId":"C1"},"webhookEventId":"01G","deliveryContext":{"isRedelivery":false},"joined":{"members":[]}},` +
				`{"replyToken":"r","type":"postback","mode":"active","timestamp":1462629479860,"source":{"type":"user","userId":"U3"},"webhookEventId":"01H","deliveryContext":{"isRedelivery":true},"postback":{"data":"x"}}]}`,
			specValid: true,
			want: []channels.Event{
				{Kind: channels.EventUnfollow, DedupeKey: "01F", UserID: "U2", Time: t0},
				{Kind: channels.EventPostback, DedupeKey: "01H", UserID: "U3", Time: t0.Add(time.Millisecond), Payload: "x", Redelivery: true},
			},
		},
		{
			name: "event type unknown to the spec is ignored",
			body: `{"destination":"` + testDestination + `","events":[{"type":"somethingNew","mode":"active","timestamp":"not a number","source":{"type":"user","userId":"` + userA + `"},"webhookEventId":"01J","deliveryContext":{"isRedelivery":false}}]}`,
			want: []channels.Event{},
		},
	}
}

// malformedWebhooks must be refused with an error (the caller answers 400).
func malformedWebhooks() []string {
	return []string{
		``,
		`not json`,
		`{"destination":"U1","events":[`,
		`[]`,
		`null`,
		`{}`,
		`{"destination":"U1"}`,
		`{"destination":"U1","events":null}`,
		`{"destination":"U1","events":{}}`,
		`{"destination":"U1","events":[1]}`,
		`{"destination":"U1","events":[{"type":7}]}`,
		`{"destination":"U1","events":[{"type":"follow","timestamp":"soon","source":{"userId":"U2"}}]}`,
		`{"destination":"U1","events":[{"type":"message","message":"hi","source":{"userId":"U2"}}]}`,
		`{"destination":"U1","events":[{"type":"postback","postback":{"data":5},"source":{"userId":"U2"}}]}`,
		`{"destination":"U1","events":[]} trailing`,
	}
}
