package models_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"omnicast/channels"
	"omnicast/models"
)

func TestPlausibleWebhookTime(t *testing.T) {
	received := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"zero: the platform gave none", time.Time{}, received},
		{"year 10000 (LINE timestamp 253402300800000)", time.UnixMilli(253402300800000), received},
		{"the Unix epoch", time.Unix(0, 0), received},
		{"just before 2000", time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC), received},
		{"2000-01-01 exactly", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"a year ago", received.AddDate(-1, 0, 0), received.AddDate(-1, 0, 0)},
		{"a day ahead: clock skew", received.Add(24 * time.Hour), received.Add(24 * time.Hour)},
		{"a day and a second ahead", received.Add(24*time.Hour + time.Second), received},
		{"another zone, kept as UTC", received.Add(-time.Hour).In(time.FixedZone("TPE", 8*3600)), received.Add(-time.Hour)},
	} {
		got := models.PlausibleWebhookTime(c.in, received)
		if !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("%s: %v, want %v (UTC)", c.name, got, c.want)
		}
	}
}

func TestPrepareWebhookEvent(t *testing.T) {
	received := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	valid := channels.Event{Kind: channels.EventMessage, UserID: "U" + strings.Repeat("a", 32), DedupeKey: "01HZ", MessageID: "m1", Time: received.Add(-time.Minute)}
	with := func(change func(*channels.Event)) channels.Event {
		ev := valid
		change(&ev)
		return ev
	}
	for _, c := range []struct {
		name string
		ev   channels.Event
	}{
		{"65-character LINE userId", with(func(e *channels.Event) { e.UserID = "U" + strings.Repeat("a", 64) })},
		{"WhatsApp from over 32 digits", with(func(e *channels.Event) { e.UserID = strings.Repeat("8", 33); e.Phone = e.UserID })},
		{"message id over 200", with(func(e *channels.Event) { e.MessageID = strings.Repeat("m", 201) })},
		{"NUL in the user id", with(func(e *channels.Event) { e.UserID = "U1\x00" })},
		{"NUL in a message id", with(func(e *channels.Event) { e.MessageID = "m\x001" })},
		{"NUL in a delivered message id", with(func(e *channels.Event) { e.MessageIDs = []string{"m1", "m\x00"} })},
		{"status that fits no column", with(func(e *channels.Event) { e.Status = strings.Repeat("s", 17) })},
		{"broken UTF-8 in the user id", with(func(e *channels.Event) { e.UserID = "U\xff" })},
	} {
		_, err := models.PrepareWebhookEvent(c.ev, received)
		if !errors.Is(err, models.ErrEventInvalid) {
			t.Errorf("%s: err = %v, want ErrEventInvalid", c.name, err)
		}
	}

	got, err := models.PrepareWebhookEvent(valid, received)
	if err != nil || got.UserID != valid.UserID || got.DedupeKey != "01HZ" || !got.Time.Equal(valid.Time) {
		t.Fatalf("valid event changed: %+v %v", got, err)
	}

	// Free text: NUL removed, cut to the column on a character boundary.
	messy := with(func(e *channels.Event) {
		e.Name = "陳\x00怡君" + strings.Repeat("名", 300)
		e.Text = "hi\x00 there"
		e.ErrorTitle = strings.Repeat("錯", 300)
		e.Watermark = time.UnixMilli(253402300800000)
		e.Time = time.Unix(0, 0)
	})
	got, err = models.PrepareWebhookEvent(messy, received)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.Name, "陳怡君") || utf8.RuneCountInString(got.Name) != 200 || !utf8.ValidString(got.Name) {
		t.Errorf("name = %q (%d characters)", got.Name, utf8.RuneCountInString(got.Name))
	}
	if got.Text != "hi there" || utf8.RuneCountInString(got.ErrorTitle) != 255 || !utf8.ValidString(got.ErrorTitle) {
		t.Errorf("text %q, error title of %d characters", got.Text, utf8.RuneCountInString(got.ErrorTitle))
	}
	if !got.Time.Equal(received) || !got.Watermark.Equal(received) {
		t.Errorf("time %v, watermark %v: both should be the receive time", got.Time, got.Watermark)
	}

	// Dedupe keys that do not fit are hashed, the same way every time, and
	// two keys that share their first 200 bytes stay apart.
	long := strings.Repeat("k", 199) + "é一二"
	a, _ := models.PrepareWebhookEvent(with(func(e *channels.Event) { e.DedupeKey = long }), received)
	b, _ := models.PrepareWebhookEvent(with(func(e *channels.Event) { e.DedupeKey = long }), received)
	other, _ := models.PrepareWebhookEvent(with(func(e *channels.Event) { e.DedupeKey = long + "x" }), received)
	if a.DedupeKey != b.DedupeKey || a.DedupeKey == other.DedupeKey || len(a.DedupeKey) > 200 || !utf8.ValidString(a.DedupeKey) {
		t.Errorf("hashed keys: %q %q %q", a.DedupeKey, b.DedupeKey, other.DedupeKey)
	}
	nul, _ := models.PrepareWebhookEvent(with(func(e *channels.Event) { e.DedupeKey = "k\x00" }), received)
	if models.HasNUL(nul.DedupeKey) {
		t.Errorf("key with NUL kept: %q", nul.DedupeKey)
	}
}

// FuzzPrepareWebhookEvent: whatever a parser hands over, a prepared event
// either is refused as invalid or fits every column it is stored in.
func FuzzPrepareWebhookEvent(f *testing.F) {
	f.Add("U1", "key", "m1", "名字", "text", "85291234567", "delivered", int64(1764000000000))
	f.Add(strings.Repeat("U", 65), strings.Repeat("é", 150), strings.Repeat("m", 201), "\x00", "\xff", strings.Repeat("9", 33), "x", int64(253402300800000))
	f.Fuzz(func(t *testing.T, user, key, mid, name, text, phone, status string, ms int64) {
		received := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
		ev := channels.Event{Kind: channels.EventMessage, UserID: user, DedupeKey: key, MessageID: mid, Name: name,
			Text: text, Phone: phone, Status: status, ErrorTitle: name, Time: time.UnixMilli(ms), Watermark: time.UnixMilli(ms)}
		got, err := models.PrepareWebhookEvent(ev, received)
		if err != nil {
			if !errors.Is(err, models.ErrEventInvalid) {
				t.Fatalf("error %v does not match ErrEventInvalid", err)
			}
			return
		}
		for _, c := range []struct {
			s        string
			maxBytes int
		}{{got.UserID, 64}, {got.Phone, 32}, {got.MessageID, 200}, {got.DedupeKey, 200}, {got.Status, 16}} {
			if len(c.s) > c.maxBytes || models.HasNUL(c.s) || !utf8.ValidString(c.s) {
				t.Fatalf("%q does not fit %d bytes", c.s, c.maxBytes)
			}
		}
		for _, c := range []struct {
			s        string
			maxRunes int
		}{{got.Name, 200}, {got.ErrorTitle, 255}, {got.Text, 5000}} {
			if utf8.RuneCountInString(c.s) > c.maxRunes || models.HasNUL(c.s) || !utf8.ValidString(c.s) {
				t.Fatalf("%q does not fit %d characters", c.s, c.maxRunes)
			}
		}
		floor := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, tm := range []time.Time{got.Time, got.Watermark} {
			if tm.Before(floor) || tm.After(received.Add(24*time.Hour)) {
				t.Fatalf("time %v kept", tm)
			}
		}
	})
}
