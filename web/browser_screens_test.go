package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// screensWorkspace fills a workspace the way a busy shop's looks: one
// account of each kind with long names and ids, contacts with long names
// and many tags, a user with a long name. It returns the Messenger channel.
func (a *testApp) screensWorkspace() *models.Channel {
	a.t.Helper()
	line := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/consumption") {
			fmt.Fprint(w, `{"totalUsage":1234}`)
			return
		}
		fmt.Fprint(w, `{"type":"limited","value":6000}`)
	}))
	a.t.Cleanup(line.Close)
	names := map[string]string{
		channels.KindInstagram: "goodday.coffee.taipei.official.instagram.account",
		channels.KindWhatsApp:  "好日子咖啡客服專線 Good Day Coffee Customer Service Hotline",
		channels.KindLINE:      "好日子咖啡 台北信義旗艦店 LINE 官方帳號（週年慶活動專用）",
		channels.KindMessenger: "好日子咖啡 Good Day Coffee Roasters — Taipei Xinyi Flagship Store",
	}
	var messenger *models.Channel
	byKind := map[string]*models.Channel{}
	// Created in an order unlike the page order, so the page must sort.
	for i, kind := range []string{channels.KindInstagram, channels.KindWhatsApp, channels.KindLINE, channels.KindMessenger} {
		base := ""
		if kind == channels.KindLINE {
			base = line.URL
		}
		ch, err := models.CreateChannel(a.db, a.srv.sealer, models.ChannelInput{
			Kind: kind, Name: names[kind], ExternalID: fmt.Sprintf("1048576%017d", 123456789+i), WABAID: "109876543210987654321",
			Token: "token-" + kind + "-1234", Secret: "secret-" + kind, APIBaseURL: base,
		})
		if err != nil {
			a.t.Fatal(err)
		}
		byKind[kind] = ch
	}
	messenger = byKind[channels.KindMessenger]
	a.seedContacts(messenger, 60)
	now := a.clock.Now()
	many, err := models.EnsureTags(a.db, []string{"春季活動", "會員日", "高消費", "台中", "新竹", "回購客", "咖啡豆訂閱",
		"A tag name that somebody typed as a whole sentence to describe a very particular group of customers"})
	if err != nil {
		a.t.Fatal(err)
	}
	long := []string{
		"陳大文 Chan Tai Man (Hong Kong Island Kennedy Town branch regular since 2019)",
		"Maximilian Alexander Christopher Montgomery-Fitzgerald the Third",
		"林美玲林美玲林美玲林美玲林美玲林美玲林美玲林美玲林美玲林美玲林美玲林美玲林美玲林美玲",
	}
	for i, name := range long {
		id := fmt.Sprintf("long-%d", i)
		ev := channels.Event{Kind: channels.EventMessage, UserID: id, Name: name, Time: now.Add(-time.Duration(i) * time.Minute), DedupeKey: id}
		out, err := models.ApplyWebhookEvent(a.db, messenger, ev, nil, now)
		if err != nil {
			a.t.Fatal(err)
		}
		if err := models.TagContacts(a.db, []uint64{out.ContactID}, many); err != nil {
			a.t.Fatal(err)
		}
	}
	// A few people on the other accounts too (WhatsApp with phones).
	for kind, people := range map[string][]string{
		channels.KindWhatsApp:  {"王小明", "Lam Ka Yan 林嘉欣 (Mong Kok shop, prefers WhatsApp)", "Peter"},
		channels.KindLINE:      {"陳怡君", "張家豪"},
		channels.KindInstagram: {"coffee.lover.tw"},
	} {
		for i, name := range people {
			id := fmt.Sprintf("%s-%d", kind, i)
			ev := channels.Event{Kind: channels.EventMessage, UserID: fmt.Sprintf("88691234567%d", i), Name: name, Time: now.Add(-time.Duration(i+1) * time.Hour), DedupeKey: id}
			if kind == channels.KindWhatsApp {
				ev.Phone = ev.UserID
			}
			if _, err := models.ApplyWebhookEvent(a.db, byKind[kind], ev, nil, now); err != nil {
				a.t.Fatal(err)
			}
		}
	}
	if _, err := models.CreateUser(a.db, models.NewUserInput{
		Email: "maximilian.alexander.montgomery-fitzgerald@marketing.goodday-coffee-roasters.example.com",
		Name:  "Maximilian Alexander Christopher Montgomery-Fitzgerald", Role: models.RoleMarketer, Password: testPassword,
	}); err != nil {
		a.t.Fatal(err)
	}
	return messenger
}

// screenPages are the pages looked at in both languages and widths.
func screenPages(ch *models.Channel) []struct{ name, path, ready string } {
	return []struct{ name, path, ready string }{
		{"contacts", "/contacts?channel=" + itoa(ch.ID) + "&panel=open", `[data-testid="contact-row"]`},
		{"contacts-whatsapp", "/contacts?kind=whatsapp", `[data-testid="match-count"]`},
		{"contacts-line", "/contacts?kind=line", `[data-testid="line-quota"]`},
		{"channels", "/channels", `[data-testid="channel-card"]`},
		{"tags", "/tags", `[data-testid="tags-table"]`},
		{"users", "/users", `[data-testid="users-table"]`},
		{"settings", "/settings", `[data-testid="settings-form"]`},
		{"tokens", "/settings/tokens", `[data-testid="tokens-table"]`},
	}
}

// TestBrowserScreensFit opens every page the screens work touches, in
// zh-TW and English, at 1440 and 390 px, and checks that nothing makes the
// page wider than the window (wide tables scroll inside their own box),
// that the channel cards keep their buttons inside and break no word or id
// in the middle, and that no placeholder is cut off. With
// OMNICAST_SCREENSHOTS set it keeps a screenshot of each.
func TestBrowserScreensFit(t *testing.T) {
	ctx := newBrowserContext(t)
	app := newTestApp(t, dbtest.SQLite(t))
	admin := app.addUser("admin@example.com", models.RoleAdmin)
	ch := app.screensWorkspace()
	if _, _, err := models.CreateAPIToken(app.db, "CRM 同步（每晚匯入訂單與會員標籤）", admin.ID, app.clock.Now()); err != nil {
		t.Fatal(err)
	}
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	run("sign in",
		chromedp.Navigate(app.http.URL+"/login"),
		chromedp.SendKeys("#email", "admin@example.com"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="login-form"]`),
		chromedp.WaitVisible(`[data-testid="user-menu"]`),
	)
	for _, lang := range []string{"zh-TW", "en"} {
		if err := models.SetUserLocale(app.db, admin.ID, lang); err != nil {
			t.Fatal(err)
		}
		for _, width := range []int64{1440, 390} {
			for _, pg := range screenPages(ch) {
				name := fmt.Sprintf("%s-%s-%d", pg.name, lang, width)
				var overflow, outside, broken, cut string
				run(name,
					chromedp.EmulateViewport(width, 900),
					chromedp.Navigate(app.http.URL+pg.path),
					chromedp.WaitVisible(pg.ready),
					chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth ? "page is "+document.documentElement.scrollWidth+" px wide" : ""`, &overflow),
					chromedp.Evaluate(buttonsOutsideCardsJS, &outside),
					chromedp.Evaluate(brokenWordsJS, &broken),
					chromedp.Evaluate(cutPlaceholdersJS, &cut),
				)
				if pg.name == "contacts" { // with some rows selected
					run(name+" select", chromedp.Click(`[data-testid="contact-row"]:nth-of-type(2) input.sel`), chromedp.Click(`[data-testid="contact-row"]:nth-of-type(4) input.sel`))
				}
				screenshot(ctx, t, "screens-"+name)
				if overflow != "" {
					t.Errorf("%s: %s, wider than the %d px window", name, overflow, width)
				}
				if outside != "" {
					t.Errorf("%s: buttons outside their card: %s", name, outside)
				}
				if broken != "" {
					t.Errorf("%s: words broken across lines: %s", name, broken)
				}
				if cut != "" {
					t.Errorf("%s: placeholders cut off: %s", name, cut)
				}
			}
		}
	}
}

// buttonsOutsideCardsJS names every button of a channel card that sticks
// out of its card.
const buttonsOutsideCardsJS = `(function () {
  var out = [];
  document.querySelectorAll(".channel-card .btn").forEach(function (b) {
    var card = b.closest(".card"), r = b.getBoundingClientRect(), c = card.getBoundingClientRect();
    if (r.width === 0) return;
    if (r.left < c.left - 0.5 || r.right > c.right + 0.5 || r.bottom > c.bottom + 0.5) out.push((b.textContent || "").trim());
  });
  return out.join(", ");
})()`

// brokenWordsJS names the words of the channel cards that a line break
// cuts in two: every Latin word or id that could fit on one line must.
// Ids (code) must always be whole.
const brokenWordsJS = `(function () {
  var out = [];
  document.querySelectorAll(".channel-card dd, .channel-card dt, .channel-card .btn").forEach(function (el) {
    var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var re = /[A-Za-z0-9][A-Za-z0-9_.:-]*/g, m;
      while ((m = re.exec(node.data))) {
        if (m[0].length > 30) continue; // only a word longer than a card may break
        var range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        var tops = {};
        Array.prototype.forEach.call(range.getClientRects(), function (r) { if (r.width > 0) tops[Math.round(r.top)] = true; });
        if (Object.keys(tops).length > 1) out.push(m[0]);
      }
    }
  });
  document.querySelectorAll(".channel-card code.id-value").forEach(function (el) {
    if (el.getClientRects().length > 1) out.push(el.textContent);
  });
  return out.join(", ");
})()`

// cutPlaceholdersJS names the inputs whose placeholder does not fit.
const cutPlaceholdersJS = `(function () {
  var out = [], ctx = document.createElement("canvas").getContext("2d");
  document.querySelectorAll("input[placeholder]").forEach(function (i) {
    if (!i.offsetParent || i.value !== "") return;
    var cs = getComputedStyle(i);
    ctx.font = cs.fontWeight + " " + cs.fontSize + " " + cs.fontFamily;
    var room = i.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    if (ctx.measureText(i.placeholder).width > room + 0.5) out.push(i.placeholder);
  });
  return out.join(", ");
})()`

// TestBrowserRefusedTagFormKeepsSelection: a bulk-tag form the server
// refuses comes back with the tags as typed, the reason, and the rows
// still selected.
func TestBrowserRefusedTagFormKeepsSelection(t *testing.T) {
	ctx := newBrowserContext(t)
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("mei@example.com", models.RoleMarketer)
	ch := app.channel("messenger", "")
	app.seedContacts(ch, 10)
	typed := "春季活動, " + strings.Repeat("長", 101)
	var value, reason, selected string
	var checked int
	err := chromedp.Run(ctx,
		chromedp.Navigate(app.http.URL+"/login"),
		chromedp.SendKeys("#email", "mei@example.com"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="login-form"]`),
		chromedp.WaitVisible(`[data-testid="contact-row"]`),
		chromedp.Click(`[data-testid="contact-row"]:nth-of-type(1) input.sel`),
		chromedp.Click(`[data-testid="contact-row"]:nth-of-type(3) input.sel`),
		chromedp.SetValue(`[data-testid="tag-input"]`, typed),
		chromedp.Click(`[data-testid="add-tags"]`),
		chromedp.WaitVisible(`[data-testid="tag-error"]`),
		chromedp.Value(`[data-testid="tag-input"]`, &value),
		chromedp.Text(`[data-testid="tag-error"]`, &reason),
		chromedp.Text(`[data-testid="selected-count"]`, &selected),
		chromedp.Evaluate(`document.querySelectorAll("input.sel:checked").length`, &checked),
	)
	if err != nil {
		t.Fatalf("refused tag form: %v", err)
	}
	screenshot(ctx, t, "contacts-tag-refused")
	if value != typed || !strings.Contains(reason, "100") {
		t.Errorf("after the refusal the box holds %q (want %q) and says %q", value, typed, reason)
	}
	if checked != 2 || !strings.Contains(selected, "2") {
		t.Errorf("after the refusal %d rows are checked and the bar says %q, want the 2 selected", checked, selected)
	}
}
