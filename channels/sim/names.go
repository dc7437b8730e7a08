package sim

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"

	"omnicast/channels"
)

// surname is a Chinese surname with its Taiwanese (Wade–Giles) and Hong
// Kong (Cantonese) romanisations.
type surname struct{ han, tw, hk string }

var surnames = []surname{
	{"陳", "Chen", "Chan"}, {"林", "Lin", "Lam"}, {"黃", "Huang", "Wong"}, {"張", "Chang", "Cheung"},
	{"李", "Lee", "Lee"}, {"王", "Wang", "Wong"}, {"吳", "Wu", "Ng"}, {"劉", "Liu", "Lau"},
	{"蔡", "Tsai", "Choi"}, {"楊", "Yang", "Yeung"}, {"許", "Hsu", "Hui"}, {"鄭", "Cheng", "Cheng"},
	{"謝", "Hsieh", "Tse"}, {"郭", "Kuo", "Kwok"}, {"洪", "Hung", "Hung"}, {"曾", "Tseng", "Tsang"},
	{"邱", "Chiu", "Yau"}, {"廖", "Liao", "Liu"}, {"賴", "Lai", "Lai"}, {"周", "Chou", "Chow"},
	{"梁", "Liang", "Leung"}, {"何", "Ho", "Ho"}, {"羅", "Lo", "Law"}, {"馮", "Feng", "Fung"},
	{"蕭", "Hsiao", "Siu"}, {"葉", "Yeh", "Yip"}, {"麥", "Mai", "Mak"}, {"歐陽", "Ouyang", "Au-Yeung"},
}

// given is a two-character given name with its romanisation.
type given struct{ han, roman string }

var givenTW = []given{
	{"怡君", "Yi-Chun"}, {"志明", "Chih-Ming"}, {"淑芬", "Shu-Fen"}, {"雅婷", "Ya-Ting"},
	{"家豪", "Chia-Hao"}, {"俊傑", "Chun-Chieh"}, {"佳穎", "Chia-Ying"}, {"宗翰", "Tsung-Han"},
	{"美玲", "Mei-Ling"}, {"建宏", "Chien-Hung"}, {"詩涵", "Shih-Han"}, {"冠宇", "Kuan-Yu"},
	{"欣怡", "Hsin-Yi"}, {"承恩", "Cheng-En"}, {"宜蓁", "Yi-Chen"}, {"柏翰", "Po-Han"},
	{"淑惠", "Shu-Hui"}, {"文雄", "Wen-Hsiung"}, {"嘉玲", "Chia-Ling"}, {"子晴", "Tzu-Ching"},
	{"品妤", "Pin-Yu"}, {"彥廷", "Yen-Ting"}, {"秀英", "Hsiu-Ying"}, {"明輝", "Ming-Hui"},
}

var givenHK = []given{
	{"嘉明", "Ka Ming"}, {"家欣", "Ka Yan"}, {"志強", "Chi Keung"}, {"詠詩", "Wing Sze"},
	{"偉文", "Wai Man"}, {"美儀", "Mei Yee"}, {"俊傑", "Chun Kit"}, {"凱琳", "Hoi Lam"},
	{"浩然", "Ho Yin"}, {"曉彤", "Hiu Tung"}, {"子健", "Tsz Kin"}, {"慧敏", "Wai Man"},
	{"大文", "Tai Man"}, {"秀儀", "Sau Yee"}, {"家俊", "Ka Chun"}, {"穎欣", "Wing Yan"},
}

var englishFirst = []string{
	"Emily", "Jason", "Kevin", "Vivian", "Jessica", "Eric", "Michael", "Amy", "Ivy", "Alan",
	"Peter", "Grace", "Winnie", "Karen", "Tommy", "Sandy", "Cindy", "Ray", "Joyce", "Vincent",
	"Angela", "Ben", "Charlotte", "Daniel", "Fiona", "Gary", "Hannah", "Jacky", "Kelly", "Leo",
}

var westernLast = []string{"Smith", "Brown", "Miller", "Taylor", "Nguyen", "Santos", "Müller", "Tanaka"}

// hkSurnames indexes the Cantonese romanisations, to split "Wong Ka Ming".
var hkSurnames = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range surnames {
		m[s.hk] = true
	}
	return m
}()

// RandomPeople returns n people with realistic Taiwanese and Hong Kong
// names (Chinese characters, English, Hong Kong romanised and mixed) and
// ids shaped like kind's: LINE "U"+32 hex, Messenger 16-digit PSIDs,
// Instagram 17-digit IGSIDs, WhatsApp wa_ids 8869xxxxxxxx / 852[569]xxxxxxx
// with the matching E.164 Phone. The same seed gives the same people.
// PictureURL points at the simulator's own avatar service.
func RandomPeople(n int, seed int64, kind string) []Person {
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x5851f42d4c957f2d))
	out := make([]Person, 0, max(n, 0))
	seen := map[string]bool{}
	for len(out) < n {
		hk := rng.IntN(100) < 35
		p := Person{}
		p.Name, p.Language = randomName(rng, hk)
		p.ID, p.Phone = randomID(rng, kind, hk)
		if seen[p.ID] {
			continue
		}
		seen[p.ID] = true
		p.PictureURL = "/sim-avatar/" + p.ID + ".svg"
		if kind == channels.KindInstagram {
			p.Username = handle(p.Name, p.ID)
		}
		out = append(out, p)
	}
	return out
}

// randomName returns a name and its language tag.
func randomName(rng *rand.Rand, hk bool) (string, string) {
	sn := surnames[rng.IntN(len(surnames))]
	lang := "zh-TW"
	g := givenTW[rng.IntN(len(givenTW))]
	roman := sn.tw
	if hk {
		lang = "zh-HK"
		g = givenHK[rng.IntN(len(givenHK))]
		roman = sn.hk
	}
	first := englishFirst[rng.IntN(len(englishFirst))]
	switch k := rng.IntN(100); {
	case k < 45: // 陳怡君
		return sn.han + g.han, lang
	case k < 65: // Emily Chen / Jason Wong
		return first + " " + roman, pick2(rng, lang, "en")
	case k < 80: // Wong Ka Ming (HK) / Lin Chih-Ming (TW)
		return roman + " " + g.roman, lang
	case k < 88: // Chih-Ming Lin / Ka Ming Wong
		return g.roman + " " + roman, lang
	case k < 96: // Kevin 林
		return first + " " + sn.han, lang
	default: // Sarah Miller
		return first + " " + westernLast[rng.IntN(len(westernLast))], "en"
	}
}

func pick2(rng *rand.Rand, a, b string) string {
	if rng.IntN(2) == 0 {
		return a
	}
	return b
}

// randomID returns a platform-shaped person id and, for WhatsApp, phone.
func randomID(rng *rand.Rand, kind string, hk bool) (id, phone string) {
	digitsN := func(n int) string {
		var b strings.Builder
		b.WriteByte(byte('1' + rng.IntN(9)))
		for b.Len() < n {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		return b.String()
	}
	switch kind {
	case channels.KindLINE:
		b := make([]byte, 16)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return "U" + hex.EncodeToString(b), ""
	case channels.KindInstagram:
		return "17" + digitsN(15), ""
	case channels.KindWhatsApp:
		if hk {
			id = fmt.Sprintf("852%c%s", "569"[rng.IntN(3)], digitsN(7))
		} else {
			id = "8869" + digitsN(8)
		}
		return id, "+" + id
	default: // Messenger PSID
		return digitsN(16), ""
	}
}

// splitName splits a display name into Messenger's first_name and
// last_name: Chinese names put the surname first, as do Hong Kong
// romanised names; Western order otherwise.
func splitName(name string) (first, last string) {
	name = strings.TrimSpace(name)
	rs := []rune(name)
	if len(rs) > 1 && unicode.Is(unicode.Han, rs[0]) && !strings.Contains(name, " ") {
		n := 1
		for _, s := range surnames {
			if len([]rune(s.han)) == 2 && strings.HasPrefix(name, s.han) && len(rs) > 2 {
				n = 2
			}
		}
		return string(rs[n:]), string(rs[:n])
	}
	f := strings.Fields(name)
	switch {
	case len(f) == 0:
		return "", ""
	case len(f) == 1:
		return f[0], ""
	case len(f) == 3 && hkSurnames[f[0]]:
		return f[1] + " " + f[2], f[0]
	}
	return strings.Join(f[:len(f)-1], " "), f[len(f)-1]
}

// handle derives an Instagram-style username from a name and id.
func handle(name, id string) string {
	var b strings.Builder
	dot := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			dot = false
		case b.Len() > 0 && !dot:
			b.WriteByte('.')
			dot = true
		}
	}
	h := strings.Trim(b.String(), ".")
	if h == "" {
		h = "user"
	}
	suffix := id
	if len(suffix) > 3 {
		suffix = suffix[len(suffix)-3:]
	}
	return h + "_" + strings.ToLower(suffix)
}
