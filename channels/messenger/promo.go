package messenger

import (
	"net/url"
	"regexp"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Message tags allow no promotional content (CHANNELS.md): a Page that
// sends promotion under a tag risks its messaging. CheckPromotion finds the
// phrases that make a text promotional, in Traditional Chinese and English,
// so the composer can highlight them and confirmation can refuse them.

// Severities of a promotion rule.
const (
	PromoHint    = 1 // promotional only together with other hints
	PromoLikely  = 2 // promotional in nearly every broadcast
	PromoCertain = 3 // promotional, whatever surrounds it
)

// PromoHit is one phrase a rule matched. Start and End are byte offsets
// into the original text (texts[Text]); Match is that original substring,
// so the page can highlight exactly what the staff typed.
type PromoHit struct {
	Rule     string
	Severity int
	Text     int
	Start    int
	End      int
	Match    string
}

// CheckPromotion runs every rule over every text (message texts, bot-card
// texts and button titles, URLs) and returns the hits ordered by text,
// then position, then rule.
func CheckPromotion(texts []string) []PromoHit {
	var hits []PromoHit
	for i, text := range texts {
		n := normalise(text)
		for _, r := range promoRules {
			for _, span := range r.find(n.s) {
				start, end := n.original(span[0], span[1])
				hits = append(hits, PromoHit{Rule: r.name, Severity: r.severity, Text: i,
					Start: start, End: end, Match: text[start:end]})
			}
		}
	}
	sort.SliceStable(hits, func(a, b int) bool {
		x, y := hits[a], hits[b]
		if x.Text != y.Text {
			return x.Text < y.Text
		}
		if x.Start != y.Start {
			return x.Start < y.Start
		}
		return x.Rule < y.Rule
	})
	return hits
}

// IsPromotional judges the hits: one likely or certain phrase is enough;
// hints count only together, by distinct rule (a hint word repeated is
// still one hint), promotional from a sum of 3.
func IsPromotional(hits []PromoHit) bool {
	sum, seen := 0, map[string]bool{}
	for _, h := range hits {
		if h.Severity >= PromoLikely {
			return true
		}
		if !seen[h.Rule] {
			seen[h.Rule] = true
			sum += h.Severity
		}
	}
	return sum >= 3
}

// PromoSpans merges the hits on text number textIndex into sorted,
// non-overlapping byte ranges [start, end): what a page highlights.
func PromoSpans(hits []PromoHit, textIndex int) [][2]int {
	var spans [][2]int
	for _, h := range hits {
		if h.Text == textIndex {
			spans = append(spans, [2]int{h.Start, h.End})
		}
	}
	sort.Slice(spans, func(a, b int) bool { return spans[a][0] < spans[b][0] })
	var out [][2]int
	for _, s := range spans {
		if len(out) > 0 && s[0] <= out[len(out)-1][1] {
			out[len(out)-1][1] = max(out[len(out)-1][1], s[1])
			continue
		}
		out = append(out, s)
	}
	return out
}

// PromoRuleNames lists the rules' names (stable snake_case; the i18n area
// "promo" explains each as promo.rule.<name>).
func PromoRuleNames() []string {
	names := make([]string, len(promoRules))
	for i, r := range promoRules {
		names[i] = r.name
	}
	return names
}

// PromoRuleSeverity is the severity of the named rule, 0 if unknown.
func PromoRuleSeverity(name string) int {
	for _, r := range promoRules {
		if r.name == name {
			return r.severity
		}
	}
	return 0
}

// promoRule finds spans of the normalised text.
type promoRule struct {
	name     string
	severity int
	find     func(s string) [][2]int
}

// rx builds a rule from a pattern over normalised text (lower case, half
// width, Chinese numerals as digits: the pattern's own Chinese numerals are
// converted too, so "買一送一" is written as read). When the pattern has a
// group, the span starts at group 1 (RE2 has no look-behind: a leading
// boundary is matched outside the group). notBefore / notAfter, when set,
// veto a match by the text just before or after it.
func rx(name string, severity int, pattern string, notBefore, notAfter string) promoRule {
	re := regexp.MustCompile(convertNumerals(pattern))
	var before, after *regexp.Regexp
	if notBefore != "" {
		before = regexp.MustCompile("(?:" + convertNumerals(notBefore) + ")$")
	}
	if notAfter != "" {
		after = regexp.MustCompile("^(?:" + convertNumerals(notAfter) + ")")
	}
	first, prefilter := firstRunes(re.String())
	return promoRule{name: name, severity: severity, find: func(s string) [][2]int {
		if prefilter && !strings.ContainsAny(s, first) {
			return nil // cheap: most texts hold none of a rule's first characters
		}
		var out [][2]int
		for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
			start, end := m[0], m[1]
			if len(m) >= 4 && m[2] >= 0 {
				start = m[2]
			}
			if before != nil && before.MatchString(s[:start]) {
				continue
			}
			if after != nil && after.MatchString(s[end:]) {
				continue
			}
			out = append(out, [2]int{start, end})
		}
		return out
	}}
}

// Word classes of the Chinese rules.
const (
	zhMoney   = `(?:nt\$|\$|新台幣|台幣|nt)`
	zhNum     = `\d[\d,]*(?:\.\d+)?`
	zhNotSend = `達|貨|出|件|修|回|錯|至|到|往|洗|審|檢|驗` // 送達, 送貨…: delivery, not a gift
)

// promoRules is the rule set, tested in promo_test.go on examples of both
// kinds in both languages. Severity 3 marks phrases that are promotion
// whatever surrounds them, 2 words that are promotion in nearly every
// broadcast, 1 words that only add up.
var promoRules = []promoRule{
	// Discounts and percentages.
	rx("zh_discount_rate", PromoCertain, `(?:^|[^\d.])(\d{1,2}(?:\.\d+)?\s*折)`, `波`,
		`疊|合|舊|返|射|騰|線|斷|紙|損|磨|服|衷|頁`),
	rx("zh_discount", PromoCertain, `折扣|打折|打\s*\d+(?:\.\d+)?\s*折|現折|再折|半價|對折`, ``, ``),
	rx("zh_offset", PromoLikely, `折抵|抵用`, ``, ``),
	rx("percent_off", PromoCertain, `\d+(?:\.\d+)?\s*(?:%|percent)\s*(?:off\b|折扣|優惠|回饋|現折|discount|cash\s*back)`, ``, ``),
	rx("zh_percent_back", PromoCertain, `(?:回饋|現折|折抵|省|降|減)\s*\d+(?:\.\d+)?\s*%`, ``, ``),
	rx("money_off", PromoCertain, `(?:nt\$|\$)\s*\d[\d,]*(?:\.\d+)?\s*off\b`, ``, ``),
	rx("en_save", PromoCertain, `\bsave\s+(?:up\s+to\s+)?(?:an\s+extra\s+)?(?:\d+(?:\.\d+)?\s*%|(?:nt)?\$\s*\d)|\bsave\s+big\b|\b(?:big|huge)\s+savings\b`, ``, ``),
	rx("half_price", PromoCertain, `\bhalf[\s-]?price\b|\bhalf\s+off\b`, ``, ``),
	rx("en_discount", PromoLikely, `\bdiscount(?:s|ed)?\b`, ``, ``),

	// Coupons and codes.
	rx("zh_coupon", PromoCertain, `優惠\s*(?:券|卷|碼|代碼|序號)|折價\s*(?:券|卷|碼)|折扣\s*(?:碼|券)|抵用\s*(?:券|金)|禮券|現金券|兌換券`, ``, ``),
	rx("zh_offer", PromoLikely, `優惠|好康|特惠`, ``, ``),
	rx("en_coupon", PromoCertain, `\b(?:coupons?|vouchers?|promo(?:tional)?\s*codes?|discount\s*codes?|coupon\s*codes?)\b`, ``, ``),
	rx("en_redeem", PromoLikely, `\bredeem\b`, ``, ``),
	rx("en_promo", PromoLikely, `\bpromo(?:tion|tions|s)?\b`, `non-?\s*`, ``),

	// Sales.
	rx("zh_sale", PromoCertain, `特價|特賣|促銷|拍賣|清倉|出清|下殺|破盤|跳樓價|甩賣|殺很大|秒殺|搶購|開搶|優惠價|加購價|原價|會員價|均一價`, ``, ``),
	rx("zh_limited_time", PromoLikely, `限時`, ``, `\s*(?:掛號|專送|信|郵件)`),
	rx("zh_free_shipping", PromoLikely, `免運|運費全免|包郵|免費(?:配送|寄送|宅配)`, ``, ``),
	rx("zh_bogo", PromoCertain, `買\s*\d+\s*送\s*\d+|買\s*\d+\s*(?:件|個|盒|組|瓶|杯)?\s*送|第\s*\d+\s*件\s*(?:半價|\d+\s*折|免費|\d+\s*元|送)|\d+\s*件\s*\d+(?:\.\d+)?\s*折|買就送`, ``, ``),
	rx("zh_threshold", PromoCertain, `滿\s*`+zhMoney+`?\s*\d[\d,]*\s*元?\s*(?:即|就)?\s*(?:送|折|減|贈|享|免運|現折|再折|抽)|滿額`, ``, ``),
	rx("en_sale", PromoCertain, `\b(?:flash\s+sale|on\s+sale|clearance(?:\s+sale)?|sale\s+ends|sitewide|storewide)\b`, ``, ``),
	rx("en_sale_word", PromoLikely, `\bsale\b`, `point\s+of\s+`, ``),
	rx("en_deal", PromoLikely, `\bdeals?\b|\bbargains?\b`, ``, `\s+with\b`),
	rx("en_free_shipping", PromoCertain, `\bfree\s+(?:shipping|delivery|postage)\b`, ``, ``),
	rx("en_bogo", PromoCertain, `\bbogo\b|\bbuy\s+(?:one|1|two|2)\s*,?\s*get\s+(?:one|1|a|another)\b|\b\d\s+for\s+1\b|\b\d-for-1\b`, ``, ``),
	rx("en_limited_time", PromoLikely, `\blimited[\s-]time\b|\blimited[\s-]edition\b|\btoday\s+only\b`, ``, ``),

	// Price offers.
	rx("zh_price_offer", PromoCertain, `(?:只要|只需|僅需|僅要|只賣|特價|優惠價|下殺|加購價|均一價|超值價|會員價)\s*`+zhMoney+`?\s*`+zhNum, ``, ``),
	rx("zh_price_from", PromoCertain, zhMoney+`\s*`+zhNum+`\s*元?\s*起|`+zhNum+`\s*元\s*起`, ``, `飛`),
	rx("en_price_offer", PromoCertain, `\b(?:only|just|starting\s+at|starts\s+at|prices?\s+start\s+at|as\s+low\s+as)\s+(?:nt\$|\$|nt\s*)\s*\d`, ``, ``),
	rx("en_price_from", PromoLikely, `\bfrom\s+(?:nt\$|\$)\s*\d`, ``, ``),
	rx("en_price_word", PromoLikely, `\b(?:special|exclusive|best|great|amazing|unbeatable|introductory|member|low|lowest|reduced|sale)\s+(?:prices?|offers?)\b`, ``, ``),

	// Calls to buy, launches, gifts, points, sales events.
	rx("zh_buy_call", PromoLikely, `(?:現在|立即|馬上|快來?|趕快|趕緊|手刀|歡迎|即刻)\s*(?:下單|購買|搶購|選購|入手|訂購|搶|買|逛逛)`, ``, ``),
	rx("zh_buy_gift", PromoCertain, `(?:下單|購買|購物|消費|結帳|選購|訂購|入會|加入會員|報名|註冊|推薦|分享|打卡)\s*(?:即|就|再|還|並)?\s*(?:送|贈|抽|享|折)`, ``, zhNotSend),
	rx("zh_benefit", PromoCertain, `享\s*(?:有\s*)?(?:優惠|折扣|\d+(?:\.\d+)?\s*折|免運|回饋|贈品|好禮|特價|折價|會員價|\d+\s*%)`, ``, ``),
	rx("en_buy_call", PromoLikely, `\b(?:shop|buy|order)\s+(?:now|today|online)\b|\badd\s+to\s+(?:your\s+)?(?:cart|bag|basket)\b|\bshop\s+the\s+(?:collection|sale|look|range)\b|\bgrab\s+(?:yours|it\s+now|one|the\s+deal)\b`,
		`\b(?:your|the|an?|this|my)\s+`, ``),
	rx("zh_launch", PromoLikely, `新品上市|新上市|新品發表|開賣|首賣|首發|上架|搶先(?:購|買|預購)`, ``, ``),
	rx("en_launch", PromoLikely, `\b(?:new\s+arrivals?|new\s+collection|just\s+(?:dropped|landed|launched)|new\s+season|latest\s+collection|launch\s+sale)\b`, ``, ``),
	rx("zh_gift", PromoLikely, `贈品|好禮|抽獎|抽\s*(?:大獎|好禮)|(?:送|贈)\s*(?:好禮|贈品|禮物|小禮|\d+\s*(?:元|點|份)|購物金|點數|紅利|折價券|優惠券)|免費(?:送|贈|領|試用|體驗|索取|兌換|升級|試吃|品嚐)|加碼送`, ``, ``),
	rx("en_free_offer", PromoLikely, `\bfree\s+(?:gifts?|samples?|trial|items?|months?|drinks?|coffee|dessert|upgrade|bonus)\b|\bfor\s+free\b|\b(?:get|receive|enjoy)\s+(?:\S+\s+){0,3}free\b|\b\d+\s*(?:months?|days?|weeks?)\s+free\b`, ``, ``),
	rx("en_giveaway", PromoLikely, `\b(?:giveaways?|sweepstakes?)\b|\bwin\s+(?:an?|free|\d)\b`, ``, ``),
	rx("zh_points", PromoLikely, `(?:\d+\s*倍|加倍)\s*(?:點數|紅利|回饋|積分)|(?:點數|紅利|回饋|積分)\s*(?:\d+\s*倍|加倍)|回饋金|現金回饋`, ``, ``),
	rx("en_points", PromoLikely, `\b(?:double|triple|\d+x)\s+(?:points|rewards|miles)\b|\bcash\s*back\b|\bbonus\s+points\b`, ``, ``),
	rx("zh_sales_event", PromoLikely, `雙\s*(?:11|12)|週年慶|周年慶|年終慶|年中慶|購物節|黑色星期五|黑五|(?:母親節|父親節|情人節|聖誕節?|春節|新年|中秋)\s*(?:特惠|優惠|檔期|限定|禮盒)|618\s*(?:購物節|年中慶|狂歡)`, ``, ``),
	rx("en_sales_event", PromoLikely, `\b(?:black\s+friday|cyber\s+monday|boxing\s+day|prime\s+day|singles'?\s+day|double\s+11)\b|\b11\.11\b`, ``, ``),

	// Hints: promotional only together.
	rx("zh_order_word", PromoHint, `下單|選購|訂購`, ``, ``),
	rx("zh_urgency", PromoHint, `限量|倒數|數量有限|售完為止|送完為止|錯過|最後\s*\d+\s*天|只剩|即將截止|把握`, ``, ``),
	rx("zh_new_word", PromoHint, `新品|新款|預購`, ``, ``),
	rx("zh_credit", PromoHint, `購物金|紅利|積分`, ``, ``),
	rx("zh_value_word", PromoHint, `免費|超值|划算|便宜|省錢|省很大`, ``, ``),
	rx("en_urgency", PromoHint, `\b(?:last\s+chance|hurry|while\s+(?:supplies|stocks?)\s+lasts?|don't\s+miss|ends\s+(?:tonight|soon|today|sunday|midnight)|only\s+\d+\s+left|selling\s+fast|act\s+now)\b`, ``, ``),
	rx("en_offer_word", PromoHint, `\boffers?\b|\bpre-?orders?\b`, ``, ``),
	rx("en_value_word", PromoHint, `\bcheap(?:er|est)?\b|\bunbeatable\b|\bbest\s+value\b`, ``, ``),

	// Links to shop, product and promotion pages.
	{name: "link_promo", severity: PromoCertain, find: findLinks(linkPromo)},
	{name: "link_shop", severity: PromoLikely, find: findLinks(linkShop)},
}

// linkRE finds URLs in normalised text (with or without a scheme for the
// known shop hosts).
var linkRE = regexp.MustCompile(`(?:https?://|www\.)[^\s,，。、)）\]」』>"'<]+|\b(?:shopee\.tw|[a-z0-9-]+\.myshopify\.com|(?:www\.)?momoshop\.com\.tw|24h\.pchome\.com\.tw|tw\.buy\.yahoo\.com|(?:www\.)?pinkoi\.com|(?:www\.)?ruten\.com\.tw)[^\s,，。、)）\]」』>"'<]*`)

// findLinks returns the spans of the URLs judge accepts.
func findLinks(judge func(u *url.URL) bool) func(string) [][2]int {
	return func(s string) [][2]int {
		var out [][2]int
		for _, m := range linkRE.FindAllStringIndex(s, -1) {
			link := strings.TrimRight(s[m[0]:m[1]], ".!?:;")
			raw := link
			if !strings.Contains(raw, "://") {
				raw = "https://" + raw
			}
			u, err := url.Parse(raw)
			if err != nil || u.Host == "" {
				continue
			}
			if judge(u) {
				out = append(out, [2]int{m[0], m[0] + len(link)})
			}
		}
		return out
	}
}

var (
	linkPromoRE    = regexp.MustCompile(`(?:^|[/_\-.=?&#])(?:sales?|promos?|promotions?|coupons?|deals?|discounts?|campaigns?|offers?|vouchers?|clearance|outlet|bogo|flash-?sale|優惠|特價|折扣)(?:$|[/_\-.=?&#])`)
	linkShopPathRE = regexp.MustCompile(`(?:^|/)(?:products?|items?|collections?|shop|store|cart|buy|goods|catalog|category|sku|p)(?:$|/)`)
	linkServiceRE  = regexp.MustCompile(`(?:^|/)(?:orders?|track(?:ing)?|account|invoices?|receipts?|returns?|bookings?|reservations?|tickets?|login|help|support|shipments?)(?:$|/)`)
	shopHosts      = []string{"shopee.", "myshopify.com", "momoshop.com.tw", "pchome.com.tw", "buy.yahoo.com", "rakuten.", "amazon.", "etsy.com", "pinkoi.com", "ruten.com.tw", "shopline", "cyberbiz"}
)

// linkPromo: the path or query names a sale, coupon, deal or campaign.
func linkPromo(u *url.URL) bool {
	return linkPromoRE.MatchString(u.EscapedPath()) || linkPromoRE.MatchString(u.Path) || linkPromoRE.MatchString(u.RawQuery)
}

// linkShop: a shop platform's host, a shop subdomain, or a product path;
// order tracking and account pages on those hosts are service, not sales.
func linkShop(u *url.URL) bool {
	if linkPromo(u) || linkServiceRE.MatchString(u.Path) {
		return false
	}
	host := u.Hostname()
	for _, h := range shopHosts {
		if strings.Contains(host, h) {
			return true
		}
	}
	for _, label := range strings.Split(host, ".") {
		if label == "shop" || label == "store" || label == "mall" || label == "buy" {
			return true
		}
	}
	return linkShopPathRE.MatchString(u.Path)
}

// normText is a normalised text with, for every byte of it, the original
// rune's byte range.
type normText struct {
	s          string
	start, end []int
}

// original maps a normalised span back to the original text.
func (n normText) original(start, end int) (int, int) {
	if start >= len(n.start) || end <= start {
		return 0, 0
	}
	return n.start[start], n.end[end-1]
}

// normalise folds what writers vary without changing the meaning:
// full-width to half-width (NFKC, also ＮＴ＄ and ％), case, curly
// apostrophes, invisible characters, and Chinese numerals to digits (八折
// and 8折 are one rule; 十一 reads 11).
func normalise(text string) normText {
	var b strings.Builder
	n := normText{}
	emit := func(s string, from, to int) {
		b.WriteString(s)
		for range len(s) {
			n.start = append(n.start, from)
			n.end = append(n.end, to)
		}
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if isNumeral(r) {
			j := i
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if !isNumeral(r2) {
					break
				}
				j += s2
			}
			emit(numeralValue(text[i:j]), i, j)
			i = j
			continue
		}
		emit(foldRune(r), i, i+size)
		i += size
	}
	n.s = b.String()
	return n
}

// foldRune is the normalised form of one rune.
func foldRune(r rune) string {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		return ""
	case '\u2018', '\u2019', '\u02bc':
		return "'"
	}
	return strings.ToLower(norm.NFKC.String(string(r)))
}

const numerals = "〇零一二兩三四五六七八九十百千萬"

func isNumeral(r rune) bool { return strings.ContainsRune(numerals, r) }

// numeralValue writes a run of Chinese numerals in digits: digit by digit
// when it has no unit (八五 → 85, 一〇一 → 101), else by value (十一 → 11,
// 二十 → 20, 一千五百 → 1500, 千 → 1000).
func numeralValue(run string) string {
	digit := func(r rune) int {
		switch r {
		case '〇', '零':
			return 0
		case '兩':
			return 2
		}
		return strings.IndexRune("零一二三四五六七八九", r) / 3 // each rune is 3 bytes
	}
	if !strings.ContainsAny(run, "十百千萬") {
		var b strings.Builder
		for _, r := range run {
			b.WriteByte(byte('0' + digit(r)))
		}
		return b.String()
	}
	total, section, num := 0, 0, 0
	for _, r := range run {
		switch r {
		case '十', '百', '千':
			unit := map[rune]int{'十': 10, '百': 100, '千': 1000}[r]
			if num == 0 {
				num = 1
			}
			section += num * unit
			num = 0
		case '萬':
			section += num
			if section == 0 {
				section = 1
			}
			total += section * 10000
			section, num = 0, 0
		default:
			num = digit(r)
		}
	}
	return strconv.Itoa(total + section + num)
}

// convertNumerals turns a pattern's Chinese numerals into digits, as
// normalise does to texts; nothing else in a pattern changes.
func convertNumerals(pattern string) string {
	var b strings.Builder
	runes := []rune(pattern)
	for i := 0; i < len(runes); {
		if !isNumeral(runes[i]) {
			b.WriteRune(runes[i])
			i++
			continue
		}
		j := i
		for j < len(runes) && isNumeral(runes[j]) {
			j++
		}
		b.WriteString(numeralValue(string(runes[i:j])))
		i = j
	}
	return b.String()
}

// firstRunes is the set of characters every match of pattern starts with,
// when it is small and known (ok false: a match may start anywhere, or be
// empty). A text holding none of them cannot match.
func firstRunes(pattern string) (set string, ok bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", false
	}
	runes := map[rune]bool{}
	nullable, known := firstOf(re.Simplify(), runes)
	if !known || nullable || len(runes) == 0 {
		return "", false
	}
	var b strings.Builder
	for r := range runes {
		b.WriteRune(r)
	}
	return b.String(), true
}

// maxFirstRunes bounds a first-character set worth checking.
const maxFirstRunes = 128

// firstOf adds the runes a match of re can start with; nullable tells
// whether re can match the empty string, known false when the set is too
// large to be worth it.
func firstOf(re *syntax.Regexp, runes map[rune]bool) (nullable, known bool) {
	add := func(r rune) {
		runes[r] = true
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			runes[f] = true
		}
	}
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return true, true
		}
		add(re.Rune[0])
		return false, true
	case syntax.OpCharClass:
		n := 0
		for i := 0; i+1 < len(re.Rune); i += 2 {
			n += int(re.Rune[i+1]-re.Rune[i]) + 1
			if n > maxFirstRunes {
				return false, false
			}
		}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				add(r)
			}
		}
		return false, true
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true, true
	case syntax.OpCapture:
		return firstOf(re.Sub[0], runes)
	case syntax.OpStar, syntax.OpQuest:
		_, known := firstOf(re.Sub[0], runes)
		return true, known
	case syntax.OpPlus:
		return firstOf(re.Sub[0], runes)
	case syntax.OpRepeat:
		nullable, known := firstOf(re.Sub[0], runes)
		return nullable || re.Min == 0, known
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			nullable, known := firstOf(sub, runes)
			if !known {
				return false, false
			}
			if !nullable {
				return false, true
			}
		}
		return true, true
	case syntax.OpAlternate:
		any := false
		for _, sub := range re.Sub {
			nullable, known := firstOf(sub, runes)
			if !known {
				return false, false
			}
			any = any || nullable
		}
		return any, true
	}
	return false, false
}
