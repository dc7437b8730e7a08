package messenger

import (
	"slices"
	"strings"
	"testing"
)

// promoExamples: what a message tag may carry (false) and what it may not
// (true), in both languages, with the hard cases of each side.
var promoExamples = []struct {
	text  string
	promo bool
}{
	// Traditional Chinese, not promotion.
	{"訂單已出貨", false},
	{"您的訂單 #12345 已出貨，預計 3 天內送達。", false},
	{"您的包裹已送達 7-11 門市，請於 7 天內取貨。", false},
	{"付款成功，金額 NT$1,280。", false},
	{"您預約的 3 月 5 日下午 2 點門診已確認。", false},
	{"活動將於明天上午 10 點開始，請準時入場。", false},
	{"您的密碼已變更，若非本人操作請聯繫客服。", false},
	{"您的帳戶資料已更新。", false},
	{"退款 NT$500 已退回您的信用卡，約 7 個工作天入帳。", false},
	{"您的會員等級已升級為金卡會員。", false},
	{"颱風來襲，本週六講座延期至下週六。", false},
	{"感謝您的來信，客服人員將於一個工作天內回覆。", false},
	{"您的發票已開立，發票號碼 AB-12345678。", false},
	{"您於 3/1 下單的商品已出貨。", false},
	{"您訂購的商品缺貨，我們將全額退款。", false},
	{"門市營業時間調整為早上 9 點至晚上 9 點。", false},
	{"提醒您，您的訂閱將於 5 月 1 日到期。", false},
	{"系統將於今晚十二點進行維護，暫停服務兩小時。", false},
	{"您的退貨申請已受理，物流人員將於兩天內到府收件。", false},
	{"請點擊連結追蹤您的訂單：https://shop.example.com/orders/12345/track", false},
	{"您的信用卡即將到期，請更新付款方式。", false},
	{"演唱會入場時間改為晚上六點半。", false},
	{"您報名的講座名額已確認，座位號碼 A12。", false},
	{"我們已收到您的付款，謝謝。", false},
	{"您購買的 3 折疊桌已出貨，請留意簡訊通知。", false},
	{"行程一波三折，航班改至明早 8 點起飛。", false},
	{"會議改至下週一上午十點舉行。", false},
	{"本次消費金額折合美金約 40 元。", false},
	{"您的點數餘額為 1,200 點。", false},
	{"您的預約已取消，如需重新預約請來電。", false},
	{"停車場將於 6 月 1 日起封閉整修。", false},
	{"商品保固期限為一年，請妥善保存發票。", false},
	{"您的帳號於新裝置登入，若非本人請立即變更密碼。", false},
	{"本週日的活動因雨取消，報名費將全額退還。", false},
	{"您的座位已從 12 排調整至 8 排。", false},
	{"包裹配送中，司機預計下午三點到達。", false},
	{"您申請的發票載具已綁定成功。", false},
	{"您的文件已以限時掛號寄出。", false},
	{"課程教室改至 3 樓 301 室。", false},
	{"您訂購送達時間為明天下午。", false},
	{"三折頁簡介已寄到您的信箱。", false},
	{"您的購物金餘額將於月底到期。", false},

	// Traditional Chinese, promotion.
	{"您的帳戶已升級，現在下單享 9 折", true},
	{"全館商品打8折", true},
	{"週年慶全面八折起", true},
	{"限時特價，只要 NT$299", true},
	{"新品上市，NT$1,990 起", true},
	{"輸入折扣碼 SAVE100 現折 100 元", true},
	{"領取優惠券，結帳再折 50 元", true},
	{"買一送一，數量有限", true},
	{"全館免運，快來選購！", true},
	{"雙十一搶購開跑", true},
	{"會員專屬 85 折", true},
	{"九五折只到今晚", true},
	{"下單即贈好禮", true},
	{"第二件半價", true},
	{"清倉大拍賣，下殺 3 折", true},
	{"使用折價券享額外折扣", true},
	{"滿千送百，限時三天", true},
	{"點我看看：https://shop.example.com/products/123", true},
	{"快到 https://example.com/sale 看看", true},
	{"年終慶，全店商品 7.5 折", true},
	{"結帳輸入優惠碼 VIP2024", true},
	{"加入會員即享 95 折", true},
	{"回饋 10% 購物金", true},
	{"消費滿 NT$1,000 即享免運", true},
	{"手刀下單，錯過不再", true},
	{"原價 NT$2,000，現在 NT$990", true},
	{"新品預購，優惠價 NT$599", true},
	{"立即購買，數量不多", true},
	{"週末限定，全品項 ７ 折", true},
	{"現在下單送 100 元購物金", true},
	{"報名即送精美贈品", true},
	{"母親節禮盒限量開賣", true},
	{"黑色星期五全館大放送", true},
	{"加購價只要 99 元", true},
	{"精選商品最低 4 折起", true},
	{"全館 20% off", true},
	{"點數 2 倍送", true},
	{"您的專屬折扣已送達，點此領取", true},
	{"ＮＴ＄１９９ 起", true},
	{"本月會員好康，不要錯過", true},
	{"逛逛我們的賣場 shopee.tw/omnicast", true},
	{"新品、限量、超值一次看", true},
	{"結帳時可用點數折抵現金", true},

	// English, not promotion.
	{"Your order #1234 has shipped.", false},
	{"Your package was delivered at 3:42 pm.", false},
	{"Your payment of NT$1,200 was received. Thank you!", false},
	{"Your appointment on March 5 at 2 pm is confirmed.", false},
	{"The event starts at 7 pm; doors open at 6:30.", false},
	{"Your password was changed. If this wasn't you, contact support.", false},
	{"Your refund of $45 has been issued to your card.", false},
	{"Our sales team will contact you within one business day.", false},
	{"We will deal with your request as soon as possible.", false},
	{"Feel free to reply if you have any questions.", false},
	{"Track your order: https://shop.example.com/orders/1234/track", false},
	{"Your subscription renews on May 1.", false},
	{"The concert has been moved to Hall B.", false},
	{"Your account details were updated.", false},
	{"Your invoice INV-2024-001 is ready.", false},
	{"Your return has been received and processed.", false},
	{"Flight BR 12 now departs at 8:10 am.", false},
	{"Your reservation for 2 guests at 7 pm is confirmed.", false},
	{"We're closed on Monday for maintenance.", false},
	{"Your ticket is attached. Show the QR code at the entrance.", false},
	{"Your card ending in 4242 expires next month; please update it.", false},
	{"The workshop has been rescheduled to Friday, 10 am.", false},
	{"Your wholesale account application was approved.", false},
	{"The item you ordered is out of stock; a full refund is on its way.", false},
	{"Your delivery address was changed to 12 Main St.", false},
	{"Please rate your experience with our support team.", false},
	{"Your parking permit is valid until 31 December.", false},
	{"Reminder: your class starts in 30 minutes.", false},
	{"Your verification code is 482913.", false},
	{"We offer wheelchair access at the venue.", false},
	{"Your order total was $120 including shipping.", false},
	{"The venue changed: please see the map at https://example.com/venue", false},
	{"Your loyalty points balance is 1,250.", false},
	{"You have successfully unsubscribed from event reminders.", false},
	{"Our store hours are now 9 am to 9 pm.", false},
	{"The seminar is sold out; you are on the waiting list.", false},
	{"Your repair is complete and ready for pickup.", false},
	{"Your account was upgraded to the business plan.", false},
	{"Two-factor authentication was turned on.", false},
	{"Your booking reference is ABC123.", false},
	{"We received your message and will reply within 24 hours.", false},
	{"Your order now ships from our Taichung warehouse.", false},
	{"Repairs are free of charge under your warranty.", false},

	// English, promotion.
	{"20% off everything this weekend!", true},
	{"Use promo code SPRING at checkout.", true},
	{"Flash sale: today only!", true},
	{"Buy one get one free on all mugs.", true},
	{"BOGO on all tees.", true},
	{"Get a free gift with every order over $50.", true},
	{"Save up to 50% in our summer sale.", true},
	{"Only NT$299 while stocks last.", true},
	{"Starting at $9.99.", true},
	{"See it here: https://example.com/products/blue-mug", true},
	{"Your coupon is waiting: use it before Friday.", true},
	{"Black Friday is here.", true},
	{"Exclusive offer for members.", true},
	{"Limited-time offer — don't miss out!", true},
	{"New arrivals just dropped.", true},
	{"Free shipping on all orders this week.", true},
	{"Clearance: everything must go.", true},
	{"Half price on the second item.", true},
	{"Get $10 off your next order.", true},
	{"Double points on every purchase this month.", true},
	{"Check out https://myshop.myshopify.com/collections/new", true},
	{"Order now and get yours first.", true},
	{"Cyber Monday: 40% OFF sitewide", true},
	{"Your account was upgraded — enjoy 10% off your next order.", true},
	{"Redeem this at checkout.", true},
	{"Grab the deal before it's gone.", true},
	{"Hurry, last chance to buy at this low price!", true},
	{"As low as $5 per month.", true},
	{"Sign up today and get 1 month free.", true},
	{"Enter our giveaway to win an iPad.", true},
	{"Add to cart now — only 3 left.", true},
	{"Special price for you.", true},
	{"Our biggest sale of the year starts now.", true},
	{"5% cashback on all orders.", true},
	{"Visit https://shopee.tw/omnicast-store", true},
	{"New collection, pre-order yours.", true},
	{"Claim your discount code inside.", true},
	{"Headphones on sale this week.", true},
	{"Get 2 for 1 on pizzas tonight.", true},
	{"Members save an extra 10% today.", true},
	{"２０％ ＯＦＦ", true},
	{"Hurry: offers end tonight, cheapest prices ever.", true},
	{"Tickets from $15 this weekend.", true},
}

func TestCheckPromotionExamples(t *testing.T) {
	counts := map[[2]bool]int{} // [chinese, promo]
	for _, ex := range promoExamples {
		hits := CheckPromotion([]string{ex.text})
		if got := IsPromotional(hits); got != ex.promo {
			t.Errorf("%q: promotional = %v, want %v (hits %v)", ex.text, got, ex.promo, hits)
		}
		counts[[2]bool{hasHan(ex.text), ex.promo}]++
	}
	// The issue asks for at least 40 examples each way, in both languages.
	for _, k := range [][2]bool{{true, false}, {true, true}, {false, false}, {false, true}} {
		if counts[k] < 40 {
			t.Errorf("examples (chinese=%v, promo=%v): %d, want ≥ 40", k[0], k[1], counts[k])
		}
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// The hits point at the phrases as typed, full width and Chinese numerals
// included, so the composer can highlight them.
func TestCheckPromotionOffsets(t *testing.T) {
	texts := []string{"訂單已出貨", "您的帳戶已升級，現在下單享 9 折", "週末限定，全品項 ７ 折", "快來看 ＮＴ＄１９９ 起", "八五折"}
	hits := CheckPromotion(texts)
	for _, h := range hits {
		if texts[h.Text][h.Start:h.End] != h.Match {
			t.Errorf("hit %+v: match is not the text's span", h)
		}
	}
	want := map[int][]string{
		1: {"現在下單", "享 9 折", "9 折"},
		2: {"７ 折"},
		3: {"ＮＴ＄１９９ 起"},
		4: {"八五折"},
	}
	for text, matches := range want {
		var got []string
		for _, h := range hits {
			if h.Text == text {
				got = append(got, h.Match)
			}
		}
		for _, m := range matches {
			if !slices.Contains(got, m) {
				t.Errorf("text %d %q: matches %q, want %q among them", text, texts[text], got, m)
			}
		}
	}
	for _, h := range hits {
		if h.Text == 0 {
			t.Errorf("訂單已出貨 hit %+v", h)
		}
	}
	// 現在下單 and 享 9 折 touch: one highlighted range.
	if spans := PromoSpans(hits, 1); len(spans) != 1 || texts[1][spans[0][0]:spans[0][1]] != "現在下單享 9 折" {
		t.Errorf("spans of text 1 = %v, want the one range 現在下單享 9 折", spans)
	}
}

func TestCheckPromotionSeverityAndRules(t *testing.T) {
	names := PromoRuleNames()
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("rule %q twice", n)
		}
		seen[n] = true
		if s := PromoRuleSeverity(n); s < PromoHint || s > PromoCertain {
			t.Errorf("rule %q severity %d", n, s)
		}
	}
	// Every rule fires on at least one example: no dead rules.
	fired := map[string]bool{}
	for _, ex := range promoExamples {
		for _, h := range CheckPromotion([]string{ex.text}) {
			fired[h.Rule] = true
		}
	}
	for _, n := range names {
		if !fired[n] {
			t.Errorf("rule %q fires on no example", n)
		}
	}
	// Two hints are not enough; three distinct ones are; a repeated hint is one.
	if IsPromotional([]PromoHit{{Rule: "a", Severity: 1}, {Rule: "b", Severity: 1}}) {
		t.Error("two hints judged promotional")
	}
	if IsPromotional([]PromoHit{{Rule: "a", Severity: 1}, {Rule: "a", Severity: 1}, {Rule: "a", Severity: 1}}) {
		t.Error("one hint repeated judged promotional")
	}
	if !IsPromotional([]PromoHit{{Rule: "a", Severity: 1}, {Rule: "b", Severity: 1}, {Rule: "c", Severity: 1}}) {
		t.Error("three hints not promotional")
	}
	if !IsPromotional([]PromoHit{{Rule: "a", Severity: 2}}) || IsPromotional(nil) {
		t.Error("likely hit / no hit misjudged")
	}
	// Across texts: one broadcast's messages, button titles and URLs are one check.
	hits := CheckPromotion([]string{"您好", "https://example.com/deals/today"})
	if !IsPromotional(hits) || hits[0].Text != 1 || hits[0].Rule != "link_promo" {
		t.Errorf("URL text: hits %+v", hits)
	}
}

func TestNumeralValue(t *testing.T) {
	for in, want := range map[string]string{
		"八": "8", "八五": "85", "十": "10", "十一": "11", "二十": "20", "二十五": "25",
		"一百": "100", "千": "1000", "一千五百": "1500", "兩": "2", "一〇一": "101", "三萬": "30000",
	} {
		if got := numeralValue(in); got != want {
			t.Errorf("numeralValue(%q) = %q, want %q", in, got, want)
		}
	}
	n := normalise("ＡＢ　九折")
	if n.s != "ab 9折" {
		t.Errorf("normalise = %q", n.s)
	}
	if !strings.HasPrefix(convertNumerals(`買一送一|\d`), `買1送1|\d`) {
		t.Error("convertNumerals")
	}
}

func FuzzCheckPromotion(f *testing.F) {
	for _, ex := range promoExamples {
		f.Add(ex.text)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, h := range CheckPromotion([]string{s}) {
			if h.Start < 0 || h.End > len(s) || h.Start >= h.End || s[h.Start:h.End] != h.Match {
				t.Fatalf("bad hit %+v on %q", h, s)
			}
		}
	})
}

// BenchmarkCheckPromotion: a broadcast's worth of text (5 messages at the
// 2,000-character limit, mixed languages), as the composer checks on save.
func BenchmarkCheckPromotion(b *testing.B) {
	var sb strings.Builder
	for sb.Len() < 6000 {
		for _, ex := range promoExamples {
			sb.WriteString(ex.text)
			sb.WriteString(" ")
		}
	}
	runes := []rune(sb.String())
	texts := make([]string, 5)
	for i := range texts {
		texts[i] = string(runes[i*100 : i*100+MaxTextChars])
	}
	b.ResetTimer()
	for range b.N {
		CheckPromotion(texts)
	}
}

// BenchmarkCheckPromotionTypical: one order notice with a button and its link.
func BenchmarkCheckPromotionTypical(b *testing.B) {
	texts := []string{"親愛的 {{name}}，您於 3/1 下單的商品已出貨，預計兩天內送達。如有問題請回覆此訊息，客服將盡快為您處理。", "查看訂單", "https://shop.example.com/orders/123"}
	for range b.N {
		CheckPromotion(texts)
	}
}
