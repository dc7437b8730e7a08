package connect_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"omnicast/channels"
	"omnicast/channels/connect"
	"omnicast/channels/line"
	"omnicast/channels/sim"
	"omnicast/channels/whatsapp"
)

// The accounts of the simulator, one per kind, and a person on each.
const (
	pageID    = "104523456789012"
	pageToken = "EAAG-page-token"
	lineID    = "2001234567"
	lineToken = "line-channel-token"
	quotaID   = "2001234568" // a LINE account with a monthly quota of one message
	waPNID    = "106540352242922"
	wabaID    = "419561257915477"
	waToken   = "EAAG-wa-token"

	psid     = "6100000000000001"
	lateSID  = "6100000000000002" // last wrote 25 h ago
	lineUser = "U0123456789abcdef0123456789abcdef"
	waID     = "886912345678"
)

var (
	text     = channels.Content{Parts: []channels.Part{{Kind: channels.PartText, Text: "Hi {{name}}"}}}
	identity = channels.Content{Parts: []channels.Part{{Kind: channels.PartText, Text: "Sale today"}}}
	template = channels.Content{Template: &channels.TemplateFill{Name: "order_update", Language: "zh_TW",
		Body: []channels.TemplateParam{{ContactName: true}}}}
)

// world is a simulator with one account of each kind.
type world struct {
	sim *sim.Sim
	url string
}

func newWorld(t *testing.T, cfg sim.Config) *world {
	t.Helper()
	s := sim.New(cfg)
	url, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.AddAccount(sim.Account{Kind: channels.KindMessenger, ExternalID: pageID, AccessToken: pageToken, DisplayName: "Bakery"})
	s.AddAccount(sim.Account{Kind: channels.KindLINE, ExternalID: lineID, AccessToken: lineToken, DisplayName: "Bakery"})
	s.AddAccount(sim.Account{Kind: channels.KindLINE, ExternalID: quotaID, AccessToken: "quota-token", MonthlyQuota: 1})
	s.AddAccount(sim.Account{Kind: channels.KindWhatsApp, ExternalID: waPNID, WABAID: wabaID, AccessToken: waToken})
	s.AddPerson(pageID, sim.Person{ID: psid, Name: "陳怡君"})
	s.AddPerson(pageID, sim.Person{ID: lateSID, Name: "林小明", LastInteraction: time.Now().Add(-25 * time.Hour)})
	s.AddPerson(lineID, sim.Person{ID: lineUser, Name: "陳怡君"})
	s.AddPerson(quotaID, sim.Person{ID: lineUser, Name: "陳怡君"})
	s.AddPerson(waPNID, sim.Person{ID: waID, Name: "陳怡君", Phone: "+" + waID})
	s.AddTemplate(wabaID, sim.Template{Name: "order_update", Language: "zh_TW", Category: "UTILITY",
		Components: []sim.TemplateComponent{{Type: "BODY", Text: "{{1}}，您的訂單已出貨"}}})
	return &world{sim: s, url: url}
}

// clients builds the clients of one of the world's accounts as omnicast
// does: through connect.Client.
func (w *world) clients(t *testing.T, kind, externalID, token string, timeout time.Duration) connect.Clients {
	t.Helper()
	templates := func(ctx context.Context, name, lang string) (whatsapp.Template, error) {
		return whatsapp.Template{Name: "order_update", Language: "zh_TW", Status: "APPROVED", Category: "UTILITY",
			Components: []whatsapp.TemplateComponent{{Type: "BODY", Text: "{{1}}，您的訂單已出貨"}}}, nil
	}
	cl, err := connect.Client(connect.Channel{Kind: kind, ExternalID: externalID, WABAID: wabaID, BaseURL: w.url,
		AccessToken: token, Templates: templates}, &http.Client{Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// want is the classification a case expects.
type want struct {
	outcome           channels.Outcome
	reason            string
	retrySafe, break_ bool
	pause, stop       bool
}

func check(t *testing.T, name string, got channels.SendResult, w want) {
	t.Helper()
	if got.Outcome != w.outcome || got.Reason != w.reason || got.RetrySafe != w.retrySafe || got.Breaks != w.break_ ||
		got.PauseChannel != w.pause || got.StopBroadcast != w.stop {
		t.Errorf("%s: got %v/%s retrySafe=%v breaks=%v pause=%v stop=%v (%s)\n  want %v/%s retrySafe=%v breaks=%v pause=%v stop=%v",
			name, got.Outcome, got.Reason, got.RetrySafe, got.Breaks, got.PauseChannel, got.StopBroadcast, got.Detail,
			w.outcome, w.reason, w.retrySafe, w.break_, w.pause, w.stop)
	}
}

var (
	sent      = want{outcome: channels.Sent}
	retry     = func(reason string) want { return want{outcome: channels.Retryable, reason: reason, retrySafe: true} }
	permanent = func(reason string) want { return want{outcome: channels.Permanent, reason: reason} }
	uncertain = want{outcome: channels.Uncertain, reason: channels.ReasonNoAnswer}
)

// TestReasonOutcomes maps every platform-limit reason of CHANNELS.md, per
// platform, to one outcome, each produced by the simulator: its own rules
// (24-hour window, unknown people, tokens, retry keys, monthly quota), its
// injected Graph / LINE errors, and its faults (5xx, timeouts).
func TestReasonOutcomes(t *testing.T) {
	w := newWorld(t, sim.Config{ReceiptDelay: -1})
	ctx := context.Background()
	fb := w.clients(t, channels.KindMessenger, pageID, pageToken, 5*time.Second)
	ln := w.clients(t, channels.KindLINE, lineID, lineToken, 5*time.Second)
	wa := w.clients(t, channels.KindWhatsApp, waPNID, waToken, 5*time.Second)
	toFB := channels.Outgoing{To: psid, Name: "陳怡君", Content: text}
	n := 0
	toLINE := func() channels.Outgoing {
		// A different name each time, so only a real duplicate (the same
		// message twice) shows in the simulator's record.
		n++
		return channels.Outgoing{To: lineUser, Name: fmt.Sprintf("陳怡君 %d", n), Content: text, Key: line.NewRetryKey()}
	}
	toWA := channels.Outgoing{To: waID, Name: "陳怡君", Content: template}

	type injected struct {
		name   string
		status int
		code   int
		sub    int
		msg    string
		want   want
	}
	cases := map[string][]injected{
		// Messenger (Graph codes of the Send API).
		channels.KindMessenger: {
			{"551 person unavailable", 400, 551, 1545041, "This person isn't available right now.", permanent(channels.ReasonUnavailable)},
			{"4 too many calls", 400, 4, 0, "Application request limit reached", retry(channels.ReasonRateLimited)},
			{"613 rate limited", 429, 613, 0, "Calls to this api have exceeded the rate limit.", retry(channels.ReasonRateLimited)},
			{"2 unexpected", 500, 2, 0, "An unexpected error has occurred.", retry(channels.ReasonTemporary)},
			{"200 permission", 403, 200, 0, "Permissions error", permanent(channels.ReasonPermission)},
			{"230 permission", 403, 230, 0, "Requires pages_messaging permission", permanent(channels.ReasonPermission)},
			{"368 abusive", 400, 368, 0, "The action attempted has been deemed abusive", want{outcome: channels.Permanent,
				reason: channels.ReasonAbusive, break_: true, stop: true}},
			{"10/1893063 Page restricted", 400, 10, 1893063, "This Page is restricted from sending", want{outcome: channels.Permanent,
				reason: channels.ReasonPageRestricted, break_: true, pause: true}},
			{"10/2018278 outside window (injected)", 400, 10, 2018278, "sent outside of allowed window", permanent(channels.ReasonOutsideWindow)},
			{"190 invalid token (injected)", 400, 190, 0, "Invalid OAuth access token.", want{outcome: channels.Permanent,
				reason: channels.ReasonInvalidToken, break_: true, pause: true}},
		},
		// LINE (status and message).
		channels.KindLINE: {
			{"429 rate limit", 429, 0, 0, "The API rate limit has been exceeded. Try again later.", retry(channels.ReasonRateLimited)},
			{"429 monthly limit", 429, 0, 0, "You have reached your monthly limit.", permanent(channels.ReasonQuotaExhausted)},
			{"400 bad request", 400, 0, 0, "The request body has 1 error(s)", permanent(channels.ReasonBadRequest)},
			{"401 invalid token", 401, 0, 0, "Authentication failed", want{outcome: channels.Permanent,
				reason: channels.ReasonInvalidToken, break_: true, pause: true}},
			{"500", 500, 0, 0, "An error occurred in the server.", retry(channels.ReasonTemporary)},
		},
		// WhatsApp (Cloud API codes).
		channels.KindWhatsApp: {
			{"131047 outside window", 400, 131047, 0, "Re-engagement message", permanent(channels.ReasonOutsideWindow)},
			{"131026 undeliverable", 400, 131026, 0, "Message undeliverable", permanent(channels.ReasonUnavailable)},
			{"130429 throughput", 400, 130429, 0, "Rate limit hit", retry(channels.ReasonRateLimited)},
			{"131048 spam limit", 400, 131048, 0, "Spam rate limit hit", want{outcome: channels.Permanent,
				reason: channels.ReasonSpamLimit, break_: true, pause: true}},
			{"131049 ecosystem", 400, 131049, 0, "This message was not delivered to maintain healthy ecosystem engagement.",
				permanent(channels.ReasonEcosystem)},
			{"131056 pair rate", 400, 131056, 0, "(Business Account, Consumer Account) pair rate limit hit", retry(channels.ReasonRateLimited)},
			{"190 invalid token (injected)", 401, 190, 0, "Invalid OAuth access token.", want{outcome: channels.Permanent,
				reason: channels.ReasonInvalidToken, break_: true, pause: true}},
		},
	}
	account := map[string]string{channels.KindMessenger: pageID, channels.KindLINE: lineID, channels.KindWhatsApp: waPNID}
	send := map[string]func() channels.SendResult{
		channels.KindMessenger: func() channels.SendResult { return fb.Sender.Send(ctx, toFB) },
		channels.KindLINE:      func() channels.SendResult { return ln.Sender.Send(ctx, toLINE()) },
		channels.KindWhatsApp:  func() channels.SendResult { return wa.Sender.Send(ctx, toWA) },
	}
	for kind, list := range cases {
		for _, c := range list {
			w.sim.Inject(account[kind], sim.Injected{Status: c.status, Code: c.code, Subcode: c.sub, Message: c.msg}, 1)
			got := send[kind]()
			check(t, kind+" "+c.name, got, c.want)
			if got.Outcome != channels.Sent && c.code != 0 && got.PlatformCode != c.code {
				t.Errorf("%s %s: platform code %d, want %d", kind, c.name, got.PlatformCode, c.code)
			}
		}
		// After the injections, the same send goes out.
		check(t, kind+" after the injected errors", send[kind](), sent)
	}

	// The simulator's own rules.
	late := toFB
	late.To = lateSID
	check(t, "messenger standard message outside the 24-hour window (10/2018278)", fb.Sender.Send(ctx, late),
		permanent(channels.ReasonOutsideWindow))
	late.MessageTag = "account_update"
	check(t, "messenger tagged message outside the window", fb.Sender.Send(ctx, late), sent)
	nobody := toFB
	nobody.To = "6199999999999999"
	check(t, "messenger no such user (100/2018001)", fb.Sender.Send(ctx, nobody), permanent(channels.ReasonNoSuchUser))
	badFB := w.clients(t, channels.KindMessenger, pageID, "wrong-token", 5*time.Second)
	check(t, "messenger invalid token (190)", badFB.Sender.Send(ctx, toFB),
		want{outcome: channels.Permanent, reason: channels.ReasonInvalidToken, break_: true, pause: true})

	o := toLINE()
	check(t, "line push", ln.Sender.Send(ctx, o), sent)
	again := ln.Sender.Send(ctx, o)
	check(t, "line retry of an accepted key (409)", again, want{outcome: channels.Sent, reason: channels.ReasonAlreadySent})
	check(t, "line multicast", ln.Multicaster.Multicast(ctx, []string{lineUser}, identity, line.NewRetryKey(), 7), sent)
	check(t, "line multicast of personalised content (refused locally)",
		ln.Multicaster.Multicast(ctx, []string{lineUser}, text, line.NewRetryKey(), 7), permanent(channels.ReasonBadRequest))
	stranger := toLINE()
	stranger.To = "Uffffffffffffffffffffffffffffffff"
	check(t, "line not a friend (400)", ln.Sender.Send(ctx, stranger), permanent(channels.ReasonBadRequest))
	quota := w.clients(t, channels.KindLINE, quotaID, "quota-token", 5*time.Second)
	check(t, "line within the monthly quota", quota.Sender.Send(ctx, toLINE()), sent)
	check(t, "line monthly quota spent (429)", quota.Sender.Send(ctx, toLINE()), permanent(channels.ReasonQuotaExhausted))
	badLINE := w.clients(t, channels.KindLINE, lineID, "wrong-token", 5*time.Second)
	check(t, "line invalid token (401)", badLINE.Sender.Send(ctx, toLINE()),
		want{outcome: channels.Permanent, reason: channels.ReasonInvalidToken, break_: true, pause: true})

	badWA := w.clients(t, channels.KindWhatsApp, waPNID, "wrong-token", 5*time.Second)
	check(t, "whatsapp invalid token (190)", badWA.Sender.Send(ctx, toWA),
		want{outcome: channels.Permanent, reason: channels.ReasonInvalidToken, break_: true, pause: true})
	noTemplate := toWA
	noTemplate.Content = channels.Content{}
	check(t, "whatsapp without a template (refused locally)", wa.Sender.Send(ctx, noTemplate), permanent(channels.ReasonBadRequest))

	if d := w.sim.Duplicates(); len(d) > 0 {
		t.Errorf("duplicates in the simulator's record: %v", d)
	}
}

// TestFaultOutcomes: the simulator's faults. A 5xx is Retryable on every
// platform; a request that got no answer is Uncertain on Messenger and
// WhatsApp (no idempotency key) and Retryable + RetrySafe on LINE with a
// retry key, whose resend is then answered 409 with nothing sent twice.
func TestFaultOutcomes(t *testing.T) {
	ctx := context.Background()
	t.Run("5xx", func(t *testing.T) {
		w := newWorld(t, sim.Config{ServerErrorRate: 1, ReceiptDelay: -1})
		fb := w.clients(t, channels.KindMessenger, pageID, pageToken, 5*time.Second)
		ln := w.clients(t, channels.KindLINE, lineID, lineToken, 5*time.Second)
		wa := w.clients(t, channels.KindWhatsApp, waPNID, waToken, 5*time.Second)
		check(t, "messenger", fb.Sender.Send(ctx, channels.Outgoing{To: psid, Content: text, Name: "x"}), retry(channels.ReasonTemporary))
		check(t, "line", ln.Sender.Send(ctx, channels.Outgoing{To: lineUser, Content: text, Key: line.NewRetryKey()}), retry(channels.ReasonTemporary))
		check(t, "whatsapp", wa.Sender.Send(ctx, channels.Outgoing{To: waID, Content: template, Name: "x"}), retry(channels.ReasonTemporary))
		if n := len(w.sim.Sent()); n != 0 {
			t.Errorf("%d messages recorded for 5xx answers", n)
		}
	})
	t.Run("timeouts", func(t *testing.T) {
		w := newWorld(t, sim.Config{TimeoutRate: 1, TimeoutDelay: 3 * time.Second, ReceiptDelay: -1})
		short := 200 * time.Millisecond
		fb := w.clients(t, channels.KindMessenger, pageID, pageToken, short)
		ln := w.clients(t, channels.KindLINE, lineID, lineToken, short)
		wa := w.clients(t, channels.KindWhatsApp, waPNID, waToken, short)
		check(t, "messenger", fb.Sender.Send(ctx, channels.Outgoing{To: psid, Content: text, Name: "x"}), uncertain)
		check(t, "whatsapp", wa.Sender.Send(ctx, channels.Outgoing{To: waID, Content: template, Name: "x"}), uncertain)
		o := channels.Outgoing{To: lineUser, Content: text, Name: "x", Key: line.NewRetryKey()}
		check(t, "line with a retry key", ln.Sender.Send(ctx, o), retry(channels.ReasonNoAnswer))
		patient := w.clients(t, channels.KindLINE, lineID, lineToken, 5*time.Second)
		check(t, "line resend with the same key", patient.Sender.Send(ctx, o), want{outcome: channels.Sent, reason: channels.ReasonAlreadySent})
		if d := w.sim.Duplicates(); len(d) > 0 {
			t.Errorf("duplicates after the resend: %v", d)
		}
		noKey := o
		noKey.Key = ""
		check(t, "line without a retry key", ln.Sender.Send(ctx, noKey), uncertain)
	})
}

// TestUnreadableSuccessIsUncertainEverywhere: a 2xx whose body cannot be
// read is Uncertain on every platform; on LINE with a retry key it is
// retry-safe (the resend's 409 says what went out).
func TestUnreadableSuccessIsUncertainEverywhere(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"messa`))
	}))
	defer srv.Close()
	ctx := context.Background()
	for _, c := range []struct {
		kind string
		o    channels.Outgoing
		want want
	}{
		{channels.KindMessenger, channels.Outgoing{To: psid, Content: text, Name: "x"}, uncertain},
		{channels.KindWhatsApp, channels.Outgoing{To: waID, Content: template, Name: "x"}, uncertain},
		{channels.KindLINE, channels.Outgoing{To: lineUser, Content: text, Name: "x", Key: line.NewRetryKey()},
			want{outcome: channels.Uncertain, reason: channels.ReasonNoAnswer, retrySafe: true}},
		{channels.KindLINE, channels.Outgoing{To: lineUser, Content: text, Name: "x"}, uncertain},
	} {
		w := &world{url: srv.URL}
		cl := w.clients(t, c.kind, "1", "token-123456789", 5*time.Second)
		check(t, c.kind, cl.Sender.Send(ctx, c.o), c.want)
	}
}
