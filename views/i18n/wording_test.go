package i18n

import (
	"strings"
	"testing"
)

// TestEnglishCountsHavePluralForms: every English message that shows a
// count ({{.N}} or {{.Count}}, which T uses to pick the form) has a "one"
// and an "other" form, so nothing says "1 contacts".
func TestEnglishCountsHavePluralForms(t *testing.T) {
	for id, forms := range loadForms(t, En) {
		text := forms["other"]
		if !strings.Contains(text, "{{.N}}") && !strings.Contains(text, "{{.Count}}") {
			continue
		}
		if forms["one"] == "" || forms["other"] == "" {
			t.Errorf("%q shows a count but has no one/other plural forms: %q", id, text)
		}
	}
}

func TestPluralFormsRender(t *testing.T) {
	b, err := NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	en, zh := b.Localizer(En), b.Localizer(ZhTW)
	cases := []struct {
		lz   *Localizer
		id   string
		n    any
		want string
	}{
		{en, "counts.match", int64(1), "1 contact matches"},
		{en, "counts.match", int64(0), "0 contacts match"},
		{en, "counts.match", int64(1234), "1234 contacts match"},
		{en, "audience.count_value", int64(1), "1 contact"},
		{en, "filter.within_w", 2, "Last 2 weeks"},
		{en, "filter.within_d", 1, "Last 1 day"},
		{en, "filter.within_h", 36, "Last 36 hours"},
		{zh, "counts.match", int64(1), "符合條件的聯絡人：1 位"},
		{zh, "filter.within_w", 2, "過去 2 週"},
	}
	for _, c := range cases {
		if got := c.lz.T(c.id, "N", c.n); got != c.want {
			t.Errorf("%s %s N=%v = %q, want %q", c.lz.Lang, c.id, c.n, got, c.want)
		}
	}
	// A grouped number shown as N picks its form from the number in Count.
	if got := en.T("counts.match", "N", "1,234", "Count", int64(1234)); got != "1,234 contacts match" {
		t.Errorf("grouped = %q", got)
	}
	if got := en.T("counts.match", "N", "1", "Count", int64(1)); got != "1 contact matches" {
		t.Errorf("grouped one = %q", got)
	}
	// A message without plural forms still renders with a count.
	if got := en.T("contacts.subscribed_n", "N", 1); got != "1 subscribed" {
		t.Errorf("subscribed_n = %q", got)
	}
	if got := en.T("filter.list_separator"); got != ", " {
		t.Errorf("English list separator = %q, want \", \"", got)
	}
	if got := zh.T("filter.list_separator"); got != "、" {
		t.Errorf("zh-TW list separator = %q, want 、", got)
	}
}

// TestZhTWUsesTaiwanTerms fails on mainland terms where Taiwan says
// otherwise: 匯入/匯出 (not 導入/導出), 連結 an account (not 連接), and
// the usual software words.
func TestZhTWUsesTaiwanTerms(t *testing.T) {
	mainland := map[string]string{
		"導入": "匯入", "導出": "匯出", "連接": "連結", "默認": "預設", "信息": "訊息", "用戶": "使用者",
		"賬號": "帳號", "帳戶名": "帳號名稱", "登錄": "登入", "設置": "設定", "鏈接": "連結", "數據": "資料",
		"創建": "建立", "保存": "儲存", "網絡": "網路", "菜單": "選單", "屏幕": "螢幕", "點擊": "點選",
		"視頻": "影片", "支持": "支援", "文件": "檔案", "質量": "品質", "運行": "執行",
	}
	files, err := catalogueFiles(ZhTW)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		raw, _ := catalogues.ReadFile(f)
		for i, line := range strings.Split(string(raw), "\n") {
			for bad, good := range mainland {
				if strings.Contains(line, bad) {
					t.Errorf("%s:%d uses %s; Taiwan says %s: %s", f, i+1, bad, good, line)
				}
			}
		}
	}
}

// TestSpanWordsExist covers the ids built from a span's unit ("filter.within_" + unit).
func TestSpanWordsExist(t *testing.T) {
	en, zh := loadKeys(t, En), loadKeys(t, ZhTW)
	for _, unit := range []string{"m", "h", "d", "w"} {
		id := "filter.within_" + unit
		if en[id] == "" || zh[id] == "" {
			t.Errorf("%q missing from a catalogue", id)
		}
	}
}
