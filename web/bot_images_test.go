package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestBotEditorCarouselImageByUpload: carousel cards take their image
// from a file input that uploads through POST /uploads (no upload number
// to type); the saved card shows its thumbnail in the editor and in the
// preview, from this server's /media/.
func TestBotEditorCarouselImageByUpload(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("mkt@example.com", models.RoleMarketer)
	b := app.browser()
	b.lang = "en"
	b.signIn("mkt@example.com")

	form := b.get("/bots/new?kind=carousel")
	wantStatus(t, form, http.StatusOK)
	card := form.doc.Find(`[data-testid="card-form"]`).First()
	if card.Find(`input[type="file"][data-upload-file][accept="image/jpeg,image/png"]`).Length() != 1 {
		t.Fatal("no file input on a carousel card")
	}
	if typ, _ := card.Find(`input[name="cards[0].image_upload_id"]`).Attr("type"); typ != "hidden" {
		t.Fatalf("the upload id is an input of type %q: staff should never type it", typ)
	}

	up := b.uploadAsPage("shoe.png", webTestPNG(t))
	if up.status != http.StatusOK && up.status != http.StatusCreated {
		t.Fatalf("upload: %d %s", up.status, up.raw)
	}
	id := itoa(uint(up.body["id"].(float64)))
	post := url.Values{"kind": {"carousel"}, "name": {"Shoes"}, "cards[0].image_upload_id": {id}, "cards[0].title": {"Runner"},
		"cards[0].subtitle": {"Light and fast"}, "cards[0].buttons[0].title": {"Buy"}, "cards[0].buttons[0].type": {"url"},
		"cards[0].buttons[0].url": {"https://shop.example.com/runner"}}
	if p := b.post("/bots", post); p.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", p.status, p.text(".error"))
	}
	mods, _ := models.ListBotModules(app.db)
	if len(mods) != 1 {
		t.Fatalf("%d modules", len(mods))
	}
	edit := b.get("/bots/" + itoa(mods[0].ID) + "/edit")
	wantStatus(t, edit, http.StatusOK)
	u, err := models.FindUpload(app.db, uint(up.body["id"].(float64)))
	if err != nil {
		t.Fatal(err)
	}
	want := "/media/" + u.PreviewFileName()
	if src, _ := edit.doc.Find(`[data-testid="card-image-thumb"]`).First().Attr("src"); src != want {
		t.Errorf("editor thumbnail %q, want %q", src, want)
	}
	if src, _ := edit.doc.Find(`[data-testid="preview-line"] .carousel-card img`).Attr("src"); src != want {
		t.Errorf("preview image %q, want %q", src, want)
	}
	if v, _ := edit.doc.Find(`input[name="cards[0].image_upload_id"]`).Attr("value"); v != id {
		t.Errorf("the upload id is kept as %q", v)
	}
	if media := b.get(want); media.status != http.StatusOK || !strings.HasPrefix(media.header.Get("Content-Type"), "image/") {
		t.Errorf("thumbnail answers %d %s", media.status, media.header.Get("Content-Type"))
	}
}
