package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

func TestChannelPageShowsTagLockAndOnlyAdminsUnlock(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		admin := app.addUser("admin@example.com", models.RoleAdmin)
		mei := app.addUser("mei@example.com", models.RoleMarketer)
		ch := app.channel("messenger", "")
		line := app.channel("line", "")
		text := "您的帳戶已升級，現在下單享 9 折"
		if err := models.LockTaggedBroadcasts(db, ch.ID, models.LockPromotional, text, models.Actor{UserID: mei.ID}, app.clock.Now()); err != nil {
			t.Fatal(err)
		}
		path := "/channels/" + itoa(ch.ID)

		// The marketer reads the lock, its reason and the text, read-only.
		m := app.browser()
		m.signIn("mei@example.com")
		pg := m.get(path)
		wantStatus(t, pg, http.StatusOK)
		lock := pg.doc.Find(`[data-testid="tag-lock"]`)
		if v, _ := lock.Attr("data-locked"); v != "true" {
			t.Fatalf("lock section: data-locked=%q", v)
		}
		if got := pg.text(`[data-testid="tag-lock-reason"]`); got != "Promotional content under a message tag" {
			t.Errorf("reason = %q", got)
		}
		if got := pg.text(`[data-testid="tag-lock-text"]`); got != text {
			t.Errorf("text = %q", got)
		}
		var hits []string
		pg.doc.Find(`[data-testid="promo-hit"]`).Each(func(_ int, s *goquery.Selection) { hits = append(hits, s.Text()) })
		if strings.Join(hits, "|") != "現在下單享 9 折" {
			t.Errorf("highlighted = %q", hits)
		}
		if !strings.Contains(pg.body, "by mei") {
			t.Error("who locked it is not shown")
		}
		if pg.doc.Find(`[data-testid="tag-unlock"]`).Length() != 0 || pg.doc.Find(`[data-testid="tag-unlock-admin-only"]`).Length() != 1 {
			t.Error("a marketer got the unlock button")
		}
		// … and cannot unlock by posting either.
		wantStatus(t, m.post(path+"/tag-unlock", url.Values{}), http.StatusForbidden)
		if got, _ := models.FindChannel(db, ch.ID); !got.TagBroadcastLocked {
			t.Fatal("a marketer's post unlocked the channel")
		}
		// The contacts page links to the account page.
		if href, _ := m.get("/contacts?channel=" + itoa(ch.ID)).doc.Find(`[data-testid="channel-page-link"]`).Attr("href"); href != path {
			t.Errorf("contacts link = %q", href)
		}
		// Other kinds have no message tags, so no lock section.
		if n := m.get("/channels/" + itoa(line.ID)).doc.Find(`[data-testid="tag-lock"]`).Length(); n != 0 {
			t.Error("LINE page shows a tag lock")
		}
		wantStatus(t, m.get("/channels/999"), http.StatusNotFound)

		// In Traditional Chinese.
		m.lang = "zh-TW"
		if got := m.get(path).text(`[data-testid="tag-lock-reason"]`); got != "在訊息標籤下發送促銷內容" {
			t.Errorf("zh-TW reason = %q", got)
		}

		// The admin sees the lock on the list and unlocks it after review.
		a := app.browser()
		a.signIn("admin@example.com")
		if a.get("/channels").doc.Find(`[data-testid="tag-locked-badge"]`).Length() != 1 {
			t.Error("channel list does not flag the lock")
		}
		if a.get(path).doc.Find(`[data-testid="tag-unlock"]`).Length() != 1 {
			t.Fatal("no unlock button for the admin")
		}
		res := a.post(path+"/tag-unlock", url.Values{})
		wantStatus(t, res, http.StatusSeeOther)
		if res.location() != path {
			t.Errorf("unlock redirects to %q", res.location())
		}
		if got, _ := models.FindChannel(db, ch.ID); got.TagBroadcastLocked || got.TagLockText != "" {
			t.Fatalf("still locked: %+v", got)
		}
		after := a.get(path)
		if v, _ := after.doc.Find(`[data-testid="tag-lock"]`).Attr("data-locked"); v != "false" {
			t.Errorf("after unlock data-locked=%q", v)
		}
		if after.doc.Find(`[data-testid="tag-lock-history"] li`).Length() != 2 || after.text(`[data-testid="flash"]`) == "" {
			t.Errorf("history or flash missing: %q", after.text(`[data-testid="tag-lock-history"]`))
		}
		entries, err := models.ListChannelAudit(db, ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 2 || entries[1].Action != models.AuditTagUnlock || entries[1].UserID == nil || *entries[1].UserID != admin.ID {
			t.Errorf("audit = %+v", entries)
		}
		if a.get("/channels").doc.Find(`[data-testid="tag-locked-badge"]`).Length() != 0 {
			t.Error("list still flags the lock")
		}
	})
}

func TestTesterMarkedFromRowMenu(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		ch := app.channel("line", "")
		other := app.channel("messenger", "")
		app.seedContacts(ch, 3)
		b := app.browser()
		b.signIn("mei@example.com")

		list := b.get("/contacts?channel=" + itoa(ch.ID))
		wantStatus(t, list, http.StatusOK)
		row := list.doc.Find(`[data-testid="contact-row"]`).First()
		id, _ := row.Attr("data-contact-id")
		if row.Find(`[data-testid="tester-mark"]`).Length() != 1 || list.doc.Find(`[data-testid="tester-badge"]`).Length() != 0 {
			t.Fatal("row menu lacks 'mark as tester', or a badge shows already")
		}
		form := row.Find(`[data-testid="tester-mark"]`).Closest("form")
		action, _ := form.Attr("action")
		back, _ := form.Find(`input[name="back"]`).Attr("value")
		res := b.post(action, url.Values{"channel": {itoa(ch.ID)}, "tester": {"true"}, "back": {back}})
		wantStatus(t, res, http.StatusSeeOther)
		if !strings.HasPrefix(res.location(), "/contacts?") || !strings.Contains(res.location(), "channel="+itoa(ch.ID)) {
			t.Errorf("back to %q", res.location())
		}
		list = b.get(res.location())
		if got := list.text(`[data-testid="flash"] span`); got != "Added to the test list." {
			t.Errorf("flash = %q", got)
		}
		marked := list.doc.Find(`[data-testid="contact-row"][data-contact-id="` + id + `"]`)
		if marked.Find(`[data-testid="tester-badge"]`).Length() != 1 || marked.Find(`[data-testid="tester-unmark"]`).Length() != 1 {
			t.Fatal("marked row lacks its badge or 'remove from testers'")
		}
		if list.doc.Find(`[data-testid="tester-badge"]`).Length() != 1 {
			t.Error("other rows got a badge")
		}

		// The channel page lists the tester, and removes it.
		path := "/channels/" + itoa(ch.ID)
		pg := b.get(path)
		if v, _ := pg.doc.Find(`[data-testid="testers"]`).Attr("data-count"); v != "1" {
			t.Errorf("testers data-count = %q", v)
		}
		if got, _ := pg.doc.Find(`[data-testid="tester"]`).Attr("data-contact-id"); got != id {
			t.Errorf("tester listed = %q, want %q", got, id)
		}
		res = b.post("/contacts/"+id+"/tester", url.Values{"channel": {itoa(ch.ID)}, "tester": {"false"}, "from": {"channel"}})
		wantStatus(t, res, http.StatusSeeOther)
		if res.location() != path {
			t.Errorf("remove redirects to %q", res.location())
		}
		if pg := b.get(path); pg.doc.Find(`[data-testid="testers-empty"]`).Length() != 1 {
			t.Error("tester still listed")
		}

		// Another channel's id does not reach this contact; a bad id is 404.
		res = b.post("/contacts/"+id+"/tester", url.Values{"channel": {itoa(other.ID)}, "tester": {"true"}})
		wantStatus(t, res, http.StatusSeeOther)
		if got := b.get(res.location()).text(`[data-testid="flash"] span`); got != "It no longer exists." {
			t.Errorf("cross-channel flash = %q", got)
		}
		if n, _ := models.CountTesters(db, ch.ID); n != 0 {
			t.Error("cross-channel post marked the contact")
		}
		wantStatus(t, b.post("/contacts/abc/tester", url.Values{"channel": {itoa(ch.ID)}, "tester": {"true"}}), http.StatusNotFound)
	})
}
