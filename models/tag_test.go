package models_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestTagNamesAreUniqueRegardlessOfCase: "VIP", "vip" and full-width
// "ＶＩＰ" are one tag everywhere a tag name is written or looked up.
func TestTagNamesAreUniqueRegardlessOfCase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		vip, err := models.CreateTag(db, "VIP")
		if err != nil {
			t.Fatal(err)
		}
		for _, again := range []string{"VIP", "vip", " Vip ", "ＶＩＰ"} {
			if _, err := models.CreateTag(db, again); !errors.Is(err, models.ErrTagExists) {
				t.Errorf("CreateTag(%q) = %v, want ErrTagExists", again, err)
			}
		}
		// The writers (bulk tagging, a contact's tags, import) reuse it.
		tags, err := models.EnsureTags(db, []string{"vip", "新竹", "ＶＩＰ"})
		if err != nil {
			t.Fatal(err)
		}
		if len(tags) != 2 {
			t.Fatalf("EnsureTags made %d tags, want VIP and 新竹: %+v", len(tags), tags)
		}
		idx := models.IndexTagsByName([]string{"vip", "新竹", "ＶＩＰ"}, tags)
		if idx["vip"] != vip.ID || idx["ＶＩＰ"] != vip.ID || idx["新竹"] == 0 {
			t.Fatalf("index = %v, VIP is %d", idx, vip.ID)
		}
		var n int64
		db.Model(&models.Tag{}).Count(&n)
		if n != 2 {
			t.Fatalf("%d tags stored, want 2", n)
		}
		// The readers (the filter, untagging) find it in any case.
		found, err := models.FindTags(db, []string{"Vip"})
		if err != nil || len(found) != 1 || found[0].ID != vip.ID || found[0].Name != "VIP" {
			t.Fatalf("FindTags(Vip) = %+v, %v", found, err)
		}
		// Renaming onto another tag's name in another case is refused;
		// changing a tag's own case is not.
		hsinchu := idx["新竹"]
		if err := models.RenameTag(db, hsinchu, "vip"); !errors.Is(err, models.ErrTagExists) {
			t.Fatalf("rename 新竹 to vip = %v, want ErrTagExists", err)
		}
		if err := models.RenameTag(db, vip.ID, "Vip"); err != nil {
			t.Fatalf("rename VIP to Vip: %v", err)
		}
		if _, err := models.CreateTag(db, "VIP"); !errors.Is(err, models.ErrTagExists) {
			t.Fatalf("after the rename, CreateTag(VIP) = %v", err)
		}
		// Search ignores case too.
		list, err := models.ListTagsWithCounts(db, "vI", "")
		if err != nil || len(list) != 1 || list[0].Name != "Vip" {
			t.Fatalf("search vI = %+v, %v", list, err)
		}
	})
}

// TestContactFilterMatchesTagsInAnyCase: a filter naming "vip" selects the
// contacts tagged "VIP".
func TestContactFilterMatchesTagsInAnyCase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, "messenger")
		seedContacts(t, db, ch.ID, []seedContact{
			{"Alice", true, nil, nil, []string{"VIP"}},
			{"Bob", true, nil, nil, []string{"vip"}}, // the same tag
			{"Carol", true, nil, nil, []string{"新客"}},
		})
		for _, q := range []string{"tags_any=vip", "tags_all=Vip", "tags_any=ＶＩＰ，新客"} {
			f := parseFilter(t, ch.ID, q)
			n, err := models.CountContacts(db, f, filterNow)
			if err != nil {
				t.Fatal(err)
			}
			want := int64(2)
			if strings.Contains(q, "新客") {
				want = 3
			}
			if n != want {
				t.Errorf("%s matches %d, want %d", q, n, want)
			}
		}
		// The filter box splits on the same separators as every tag box.
		if f := parseFilter(t, ch.ID, "tags_any=VIP；新客、x"); !reflect.DeepEqual(f.TagsAny, []string{"VIP", "新客", "x"}) {
			t.Errorf("tags_any=VIP；新客、x reads %q", f.TagsAny)
		}
		f := parseFilter(t, ch.ID, "tags_none=vIP")
		if got := names(walkAll(t, db, f, 10)); !reflect.DeepEqual(got, []string{"Carol"}) {
			t.Errorf("tags_none=vIP lists %v", got)
		}
	})
}

func TestTagNameRules(t *testing.T) {
	ok := []string{"VIP", "台北", strings.Repeat("標", models.TagNameMaxRunes), "a b", "週年慶·2026"}
	for _, name := range ok {
		if _, err := models.NormalizeTagName(name); err != nil {
			t.Errorf("NormalizeTagName(%q) = %v, want ok", name, err)
		}
	}
	bad := []string{"", "  ", strings.Repeat("標", models.TagNameMaxRunes+1), "a,b", "a，b", "a、b", "a;b", "a；b"}
	for _, name := range bad {
		if _, err := models.NormalizeTagName(name); !errors.Is(err, models.ErrTagNameInvalid) {
			t.Errorf("NormalizeTagName(%q) = %v, want ErrTagNameInvalid", name, err)
		}
	}
	if got, _ := models.NormalizeTagName(" V\x00IP "); got != "VIP" {
		t.Errorf("NUL not stripped: %q", got)
	}
	got := models.SplitTagNames(" VIP, 台北、新竹；vip ;; ，春季活動 ")
	if want := []string{"VIP", "台北", "新竹", "春季活動"}; !reflect.DeepEqual(got, want) {
		t.Errorf("SplitTagNames = %q, want %q", got, want)
	}
}

// TestMigrationMergesTagsThatDifferOnlyInCase: an upgraded workspace with
// "VIP", "vip" and "Ｖｉｐ" ends with one tag, the oldest spelling, on all
// their contacts; names holding a separator are rewritten with "·".
func TestMigrationMergesTagsThatDifferOnlyInCase(t *testing.T) {
	each(t, func(t *testing.T, db *gorm.DB) {
		if err := models.MigrateBefore(db, "0009_tag_name_key"); err != nil {
			t.Fatal(err)
		}
		type oldTag struct {
			ID   uint
			Name string
		}
		for _, tg := range []oldTag{{1, "VIP"}, {2, "vip"}, {3, "Ｖｉｐ"}, {4, "A,B"}, {5, "A·B"}, {6, "台北"}} {
			if err := db.Exec("INSERT INTO tags (id, name, created_at) VALUES (?, ?, CURRENT_TIMESTAMP)", tg.ID, tg.Name).Error; err != nil {
				t.Fatal(err)
			}
		}
		links := [][2]int{{10, 1}, {10, 2}, {11, 2}, {12, 3}, {13, 4}, {14, 5}, {13, 5}, {15, 6}}
		for _, l := range links {
			if err := db.Exec("INSERT INTO contact_tags (contact_id, tag_id) VALUES (?, ?)", l[0], l[1]).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := models.Migrate(db); err != nil {
			t.Fatalf("upgrade: %v", err)
		}
		var tags []models.Tag
		db.Order("id").Find(&tags)
		var got []string
		for _, tg := range tags {
			got = append(got, tg.Name)
		}
		if want := []string{"VIP", "A·B", "台北"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("tags after upgrade = %q, want %q", got, want)
		}
		contactsOf := func(tagID uint) []uint64 {
			var ids []uint64
			db.Model(&models.ContactTag{}).Where("tag_id = ?", tagID).Order("contact_id").Pluck("contact_id", &ids)
			return ids
		}
		if got := contactsOf(1); !reflect.DeepEqual(got, []uint64{10, 11, 12}) {
			t.Errorf("VIP contacts = %v, want 10 11 12", got)
		}
		if got := contactsOf(4); !reflect.DeepEqual(got, []uint64{13, 14}) {
			t.Errorf("A·B contacts = %v, want 13 14", got)
		}
		if _, err := models.CreateTag(db, "vIp"); !errors.Is(err, models.ErrTagExists) {
			t.Errorf("after the upgrade CreateTag(vIp) = %v", err)
		}
		tg, err := models.EnsureTags(db, []string{"台北", "新竹"})
		if err != nil || len(tg) != 2 {
			t.Fatalf("EnsureTags after upgrade = %+v, %v", tg, err)
		}
	})
}
