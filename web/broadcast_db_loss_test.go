package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/sim"
	"omnicast/jobs"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestDatabaseLossMidBroadcast puts a TCP proxy between the jobs runner
// and PostgreSQL and cuts every connection for 5 s in the middle of a
// Messenger broadcast. Sending waits, then resumes by itself: the
// simulator's record shows every person once, nobody lost or sent twice,
// and the broadcast's page says that sending waits for the database
// while the cut lasts (and no longer after it).
func TestDatabaseLossMidBroadcast(t *testing.T) {
	const people, rate, cut = 1500, 200, 5 * time.Second
	db := dbtest.Postgres(t) // the web server's own connection, direct
	proxy := newCutProxy(t, pgHostPort(t))
	jobsDB := schemaVia(t, db, proxy.addr)

	s := sim.New(sim.Config{ReceiptDelay: -1})
	simURL, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	secret := []byte(strings.Repeat("k", 32))
	sealer, _ := models.NewSealer(secret)
	const page = "100000000000077"
	s.AddAccount(sim.Account{Kind: channels.KindMessenger, ExternalID: page, DisplayName: "p", AccessToken: "tok", Secret: "sec"})
	ch, err := models.CreateChannel(db, sealer, models.ChannelInput{Kind: channels.KindMessenger, Name: "台北門市", ExternalID: page,
		Token: "tok", Secret: "sec", APIBaseURL: simURL, RateLimit: rate})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	contacts := make([]models.Contact, people)
	for i, p := range sim.RandomPeople(people, 77, channels.KindMessenger) {
		s.AddPerson(page, p)
		contacts[i] = models.Contact{ChannelID: ch.ID, ExternalID: p.ID, Name: p.Name, Subscribed: true, SubscribedAt: &now, LastInteractionAt: &now}
	}
	if err := db.CreateInBatches(contacts, 500).Error; err != nil {
		t.Fatal(err)
	}

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	runner, err := jobs.New(jobs.Config{DB: jobsDB, Logger: log, Sealer: sealer, Poll: 100 * time.Millisecond,
		Dispatch: jobs.DispatchConfig{Lease: 30 * time.Second, Idle: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{DB: db, SecretKey: secret, Logger: log, Jobs: runner})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	app := &testApp{t: t, db: db, srv: srv, http: hs, clock: &testClock{now: time.Now()}, jobs: runner}
	u := app.addUser("ops@example.com", models.RoleAdmin)
	b := app.browser()
	b.signIn("ops@example.com")

	bc := dbLossBroadcast(t, db, ch, u, contacts)
	if err := runner.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := runner.Stop(ctx); err != nil {
			t.Error(err)
		}
	})
	pagePath := "/broadcasts/" + uid(bc.ID) + "/confirm"
	waitUntil(t, 20*time.Second, "sending under way", func() bool { return len(s.Sent()) >= 300 })

	proxy.cutFor(cut)
	cutAt := time.Now()
	shown := false
	for time.Since(cutAt) < cut-500*time.Millisecond {
		p := b.get(pagePath)
		if note := p.text(`[data-testid="sending-waits-db"]`); note != "" {
			shown = true
			if !strings.Contains(note, "sending waits") {
				t.Errorf("the note says %q", note)
			}
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !shown {
		t.Error("the broadcast's page did not say that sending waits for the database during the cut")
	}
	// The fragment the page polls says the same.
	if shown && b.get("/broadcasts/"+uid(bc.ID)+"/progress").text(`[data-testid="sending-waits-db"]`) == "" {
		t.Error("the progress fragment does not show the wait")
	}

	var done *models.Broadcast
	waitUntil(t, 60*time.Second, "broadcast done after the cut", func() bool {
		done, err = models.FindBroadcast(db, bc.ID)
		return err == nil && done.Status == models.BroadcastDone
	})
	if note := b.get(pagePath).text(`[data-testid="sending-waits-db"]`); note != "" {
		t.Errorf("the wait is still shown after the database came back: %q", note)
	}
	sent := s.Sent()
	if d := s.Duplicates(); len(d) > 0 {
		t.Fatalf("%d people got the message twice: %v", len(d), d[:min(len(d), 5)])
	}
	if len(sent) != people {
		t.Fatalf("the simulator recorded %d messages, want %d", len(sent), people)
	}
	var states []struct {
		State string
		N     int64
	}
	db.Model(&models.Delivery{}).Select("state, COUNT(*) AS n").Where("broadcast_id = ?", bc.ID).Group("state").Scan(&states)
	if len(states) != 1 || states[0].State != models.DeliverySent || states[0].N != people {
		t.Fatalf("delivery states %+v, want all %d sent", states, people)
	}
	if done.SentCount != people || done.PendingCount != 0 || done.UncertainCount != 0 {
		t.Fatalf("counters sent=%d pending=%d uncertain=%d", done.SentCount, done.PendingCount, done.UncertainCount)
	}
	gap := longestGap(sent)
	t.Logf("FIGURE database cut %s: longest pause in the simulator's record %s; %d sent once each, page showed the wait: %v",
		cut, gap.Round(10*time.Millisecond), len(sent), shown)
	if gap < cut-time.Second {
		t.Errorf("sending did not wait during the cut (longest pause %s)", gap)
	}
}

func dbLossBroadcast(t *testing.T, db *gorm.DB, ch *models.Channel, u *models.User, contacts []models.Contact) *models.Broadcast {
	t.Helper()
	raw, _ := json.Marshal(models.BroadcastContent{Messages: []models.MessageSpec{{Type: models.MessageText, Text: "週年慶"}}})
	at := time.Now().Add(-time.Second)
	n := int64(len(contacts))
	b := &models.Broadcast{ChannelID: ch.ID, Subject: "db loss", Status: models.BroadcastScheduled, ScheduledAt: &at,
		Content: string(raw), ApplyTags: "[]", CreatedBy: u.ID, UpdatedBy: u.ID, AudienceCount: n, FrozenCount: n, PendingCount: n}
	if err := db.Create(b).Error; err != nil {
		t.Fatal(err)
	}
	ds := make([]models.Delivery, len(contacts))
	for i, c := range contacts {
		ds[i] = models.Delivery{BroadcastID: b.ID, ContactID: c.ID, State: models.DeliveryPending, UpdatedAt: time.Now()}
	}
	if err := db.CreateInBatches(ds, 1000).Error; err != nil {
		t.Fatal(err)
	}
	return b
}

// longestGap is the longest time between two consecutive requests.
func longestGap(sent []sim.Sent) time.Duration {
	ts := make([]time.Time, len(sent))
	for i, s := range sent {
		ts[i] = s.At
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	var gap time.Duration
	for i := 1; i < len(ts); i++ {
		gap = max(gap, ts[i].Sub(ts[i-1]))
	}
	return gap
}

func waitUntil(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pgHostPort is the host:port of the test PostgreSQL.
func pgHostPort(t *testing.T) string {
	u, err := url.Parse(dbtest.RequirePostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "5432")
	}
	return host
}

// schemaVia opens db's schema again through the proxy at addr.
func schemaVia(t *testing.T, db *gorm.DB, addr string) *gorm.DB {
	t.Helper()
	var schema string
	if err := db.Raw("SELECT current_schema()").Scan(&schema).Error; err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(dbtest.RequirePostgresURL(t))
	u.Host = addr
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	via, err := models.OpenPostgres(u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = models.Close(via) })
	return via
}

// cutProxy forwards TCP connections to a backend; cutFor closes every
// connection and refuses new ones for a while.
type cutProxy struct {
	addr    string
	backend string
	ln      net.Listener

	mu    sync.Mutex
	conns map[net.Conn]bool
	until time.Time
}

func newCutProxy(t *testing.T, backend string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{addr: ln.Addr().String(), backend: backend, ln: ln, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(func() {
		_ = ln.Close()
		p.closeAll()
	})
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := time.Now().Before(p.until)
		p.mu.Unlock()
		if down {
			_ = c.Close()
			continue
		}
		b, err := net.DialTimeout("tcp", p.backend, 5*time.Second)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[b] = true, true
		p.mu.Unlock()
		pipe := func(dst, src net.Conn) {
			_, _ = io.Copy(dst, src)
			_ = dst.Close()
			_ = src.Close()
			p.mu.Lock()
			delete(p.conns, dst)
			delete(p.conns, src)
			p.mu.Unlock()
		}
		go pipe(b, c)
		go pipe(c, b)
	}
}

func (p *cutProxy) cutFor(d time.Duration) {
	p.mu.Lock()
	p.until = time.Now().Add(d)
	p.mu.Unlock()
	p.closeAll()
}

func (p *cutProxy) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		_ = c.Close()
	}
}

var _ = http.StatusOK
