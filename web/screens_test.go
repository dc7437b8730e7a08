package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestCreatingAnExistingTagSaysSo: a tag that exists in any case is
// refused with 已有同名的標籤, the typed name kept; a long name gets its
// own clear message.
func TestCreatingAnExistingTagSaysSo(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		if _, err := models.CreateTag(db, "VIP"); err != nil {
			t.Fatal(err)
		}
		b := app.browser()
		b.lang = "zh-TW"
		b.signIn("mei@example.com")
		b.get("/tags")
		p := b.post("/tags", url.Values{"name": {"vip"}})
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if got := p.text(`[data-testid="tag-error"]`); got != "已有同名的標籤。" {
			t.Errorf("duplicate tag message = %q", got)
		}
		if v, _ := p.doc.Find(`[data-testid="new-tag-name"]`).Attr("value"); v != "vip" {
			t.Errorf("typed name not kept: %q", v)
		}
		var n int64
		db.Model(&models.Tag{}).Count(&n)
		if n != 1 {
			t.Fatalf("%d tags after the refused create", n)
		}
		b.lang = "en"
		long := strings.Repeat("長", 101)
		p = b.post("/tags", url.Values{"name": {long}})
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if got := p.text(`[data-testid="tag-error"]`); !strings.Contains(got, "1–100 characters") {
			t.Errorf("long tag message = %q", got)
		}
		wantStatus(t, b.post("/tags", url.Values{"name": {"新竹"}}), http.StatusSeeOther)
	})
}

// TestRefusedBulkTagFormKeepsWhatWasTyped: when the bulk tag box is
// refused, the page comes back (422) with the tags as typed, the reason
// beside the box, and the selection the form carried.
func TestRefusedBulkTagFormKeepsWhatWasTyped(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		ch := app.channel("messenger", "")
		app.seedContacts(ch, 5)
		b := app.browser()
		b.signIn("mei@example.com")
		list := b.get("/contacts?channel=" + itoa(ch.ID) + "&tags_any=VIP")
		filter, _ := list.doc.Find(`[data-testid="tag-form"] input[name="filter"]`).Attr("value")
		var ids []string
		list.doc.Find(`input.sel`).Each(func(_ int, s *goquery.Selection) { v, _ := s.Attr("value"); ids = append(ids, v) })

		typed := "春季活動, " + strings.Repeat("x", 101)
		p := b.post("/contacts/tags", url.Values{"channel": {itoa(ch.ID)}, "filter": {filter}, "ids": {strings.Join(ids, ",")}, "tags": {typed}, "mode": {"add"}})
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if v, _ := p.doc.Find(`[data-testid="tag-input"]`).Attr("value"); v != typed {
			t.Errorf("tag box = %q, want what was typed %q", v, typed)
		}
		if got := p.text(`[data-testid="tag-error"]`); !strings.Contains(got, "1–100 characters") {
			t.Errorf("reason beside the box = %q", got)
		}
		keep, _ := p.doc.Find(`[data-keep-selection]`).Attr("data-keep-selection")
		var sel struct {
			All bool     `json:"all"`
			IDs []string `json:"ids"`
		}
		if err := json.Unmarshal([]byte(keep), &sel); err != nil || !slices.Equal(sel.IDs, ids) {
			t.Errorf("selection carried back = %q (%v), want ids %v", keep, err, ids)
		}
		if got := p.text(`[data-testid="conditions"]`); !strings.Contains(got, "VIP") {
			t.Errorf("the list came back without its filter: %q", got)
		}
		var tags int64
		db.Model(&models.Tag{}).Where("name = ?", "春季活動").Count(&tags)
		if tags != 0 {
			t.Error("a refused form created a tag")
		}

		// Nothing selected: the typed tags stay too.
		p = b.post("/contacts/tags", url.Values{"channel": {itoa(ch.ID)}, "filter": {filter}, "tags": {"春季活動"}, "mode": {"add"}})
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if v, _ := p.doc.Find(`[data-testid="tag-input"]`).Attr("value"); v != "春季活動" {
			t.Errorf("tag box after an empty selection = %q", v)
		}
		if got := p.text(`[data-testid="tag-error"]`); got != "Select at least one contact first." {
			t.Errorf("empty selection reason = %q", got)
		}

		// The box splits on the separators its message names.
		p = b.post("/contacts/tags", url.Values{"channel": {itoa(ch.ID)}, "filter": {filter}, "all": {"1"}, "tags": {"春季；新客、Vip"}, "mode": {"add"}})
		wantStatus(t, p, http.StatusSeeOther)
		names, _ := models.ListTagNames(db)
		if !slices.Contains(names, "春季") || !slices.Contains(names, "新客") {
			t.Errorf("tags after 春季；新客、Vip = %v, want 春季 and 新客 among them", names)
		}
		if slices.Contains(names, "Vip") {
			t.Errorf("Vip made a second VIP tag: %v", names)
		}
	})
}

// TestLongNamesAreRefusedClearly: user, channel and tag names over their
// column's length get a message, not a 500, and the form keeps its values.
func TestLongNamesAreRefusedClearly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("admin@example.com", models.RoleAdmin)
		b := app.browser()
		b.signIn("admin@example.com")
		b.get("/users")
		long := strings.Repeat("陳", 101)
		p := b.post("/users", url.Values{"name": {long}, "email": {"chen@example.com"}, "role": {"marketer"}, "password": {testPassword}})
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if got := p.text(`[data-testid="error-name"]`); got != "Keep the name to 100 characters or fewer." {
			t.Errorf("long user name message = %q", got)
		}
		if v, _ := p.doc.Find("#add-user #email").Attr("value"); v != "chen@example.com" {
			t.Errorf("email not kept: %q", v)
		}
		wantStatus(t, b.post("/users", url.Values{"name": {strings.Repeat("陳", 100)}, "email": {"chen@example.com"}, "role": {"marketer"}, "password": {testPassword}}), http.StatusSeeOther)

		b.get("/channels/new?kind=line")
		p = b.post("/channels", url.Values{"kind": {"line"}, "name": {long}, "external_id": {strings.Repeat("1", 65)}, "token": {"tok-123456"}, "secret": {"sec-123456"}})
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if got := p.text(`[data-testid="error-name"]`); got != "Keep the display name to 100 characters or fewer." {
			t.Errorf("long channel name message = %q", got)
		}
		if got := p.text(`[data-testid="error-external_id"]`); !strings.Contains(got, "at most 64 characters") {
			t.Errorf("long channel id message = %q", got)
		}
		b.get("/channels/new?kind=messenger")
		p = b.post("/channels", url.Values{"kind": {"messenger"}, "name": {"好日子"}, "external_id": {"104857600"}, "token": {"tok-123456"}, "secret": {"sec-123456"}, "verify_token": {strings.Repeat("v", 65)}})
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if got := p.text(`[data-testid="error-verify_token"]`); got == "" {
			t.Error("long verify token: no message")
		}
	})
}

// TestChannelsPageOrderURLsAndNotice: channels show in one order
// (Messenger, LINE, WhatsApp, Instagram) whatever order they were added
// in; webhook URLs are shown whole with a copy button; the public-URL
// notice appears only when there are webhook URLs to warn about.
func TestChannelsPageOrderURLsAndNotice(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("admin@example.com", models.RoleAdmin)
		b := app.browser()
		b.signIn("admin@example.com")
		empty := b.get("/channels")
		if empty.doc.Find(`[data-testid="public-url-missing"]`).Length() != 0 {
			t.Error("the public-URL notice shows although no channel exists")
		}
		for _, kind := range []string{"instagram", "whatsapp", "line", "messenger"} {
			app.channel(kind, "")
		}
		page := b.get("/channels")
		if page.doc.Find(`[data-testid="public-url-missing"]`).Length() != 1 {
			t.Error("no public-URL notice with channels and no public URL")
		}
		var kinds []string
		page.doc.Find(`[data-testid="channel-card"]`).Each(func(_ int, s *goquery.Selection) {
			k, _ := s.Attr("data-kind")
			kinds = append(kinds, k)
			id, _ := s.Attr("data-channel-id")
			if got, want := s.Find(`[data-testid="webhook-url"]`).Text(), app.http.URL+"/webhooks/"+k+"/"+id; got != want {
				t.Errorf("%s webhook URL shown as %q, want %q whole", k, got, want)
			}
			if s.Find(`[data-testid="webhook-url-copy"]`).Length() != 1 {
				t.Errorf("%s: no copy button for the webhook URL", k)
			}
		})
		if want := []string{"messenger", "line", "whatsapp", "instagram"}; !slices.Equal(kinds, want) {
			t.Errorf("channels page order %v, want %v", kinds, want)
		}
		list, _ := models.ListChannels(db)
		var listed []string
		for _, ch := range list {
			listed = append(listed, ch.Kind)
		}
		if want := []string{"messenger", "line", "whatsapp", "instagram"}; !slices.Equal(listed, want) {
			t.Errorf("ListChannels order %v, want %v (every page and the CLI use it)", listed, want)
		}
	})
}

// TestFilterInWords: the chips above the results say the filter as the
// user entered it, in their language.
func TestFilterInWords(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		ch := app.channel("messenger", "")
		app.seedContacts(ch, 30)
		b := app.browser()
		b.signIn("mei@example.com")
		q := "/contacts?channel=" + itoa(ch.ID) + "&subscribed_preset=custom&subscribed_from=2026-11-01&subscribed_to=2026-11-30" +
			"&interacted_within=2w&tags_any=" + url.QueryEscape("VIP,台北") + "&status=all"
		chips := func(p page) []string {
			var out []string
			p.doc.Find(`[data-testid="conditions"] .chip`).Each(func(_ int, s *goquery.Selection) { out = append(out, s.Text()) })
			return out
		}
		want := map[string][]string{
			"en":    {"Subscription time: 2026-11-01 to 2026-11-30", "Interaction time: Last 2 weeks", "Has any of: VIP, 台北", "Status: All"},
			"zh-TW": {"訂閱時間：2026-11-01 至 2026-11-30", "互動時間：過去 2 週", "包含任一標籤：VIP、台北", "訂閱狀態：全部"},
		}
		for lang, w := range want {
			b.lang = lang
			if got := chips(b.get(q)); !slices.Equal(got, w) {
				t.Errorf("%s chips = %q, want %q", lang, got, w)
			}
		}
		b.lang = "en"
		if got := chips(b.get("/contacts?channel=" + itoa(ch.ID) + "&subscribed_to=2026-11-30")); !slices.Contains(got, "Subscription time: until 2026-11-30") {
			t.Errorf("an upper day alone = %q", got)
		}
		// The count follows the rows from its own request.
		one := b.get("/contacts/count?channel=" + itoa(ch.ID) + "&q=" + url.QueryEscape("客戶 001"))
		if got := one.text(`[data-testid="match-count"]`); got != "1 contact matches" {
			t.Errorf("one match reads %q", got)
		}
	})
}
