package jobs

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"omnicast/channels"
	"omnicast/channels/messenger"
	"omnicast/models"
)

// WorkerDispatch sends the deliveries of sending broadcasts: per channel,
// a few workers claim small batches under a lease and send them within
// the channel's rate limit, recording each answer in the row.
const WorkerDispatch = "dispatch"

// DispatchConfig tunes the dispatcher. Zero fields take the defaults.
type DispatchConfig struct {
	// Workers per channel claiming and sending in parallel (default 4).
	Workers int
	// Batch is the most push deliveries one claim takes (default 100).
	// A claim also holds at most ~100 ms of the channel's rate, so that a
	// pause stops new requests well within a second.
	Batch int
	// Lease is how long a claim is held before another worker may
	// reclaim it (default 2 min).
	Lease time.Duration
	// MaxAttempts bounds the tries of a retryable delivery (default 8).
	MaxAttempts int
	// BackoffBase and BackoffMax shape the retry backoff (1 s, 5 min).
	BackoffBase, BackoffMax time.Duration
	// Idle is how long a worker with nothing due waits (default 200 ms).
	Idle time.Duration
	// Breaker is the circuit breaker's setting.
	Breaker BreakerConfig
	// RateMargin is the share of a channel's limit actually used, so that
	// no one-second window exceeds it as the platform sees it (default
	// 0.965: on a busy 2-core machine requests reach the platform up to
	// ~40 ms late and together, which a sliding second sees as ~4 %).
	RateMargin float64
	// StopGrace is how long in-flight requests may run after a stop
	// before they are cut (default 5 s).
	StopGrace time.Duration
}

func (c DispatchConfig) withDefaults() DispatchConfig {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defD := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Workers, 4)
	def(&c.Batch, 100)
	def(&c.MaxAttempts, 8)
	defD(&c.Lease, 2*time.Minute)
	defD(&c.BackoffBase, time.Second)
	defD(&c.BackoffMax, 5*time.Minute)
	defD(&c.Idle, 200*time.Millisecond)
	defD(&c.StopGrace, 5*time.Second)
	if c.RateMargin <= 0 || c.RateMargin > 1 {
		c.RateMargin = 0.965
	}
	c.Breaker = c.Breaker.withDefaults()
	return c
}

// dispatcher runs one sending loop per channel with work.
type dispatcher struct {
	r   *Runner
	cfg DispatchConfig
	m   *Metrics

	mu      sync.Mutex
	running map[uint]bool // channels with a loop
	// sharing holds the rate shares of the channels sending here, which
	// sends outside a broadcast (bot replies to taps) also take from.
	sharing map[uint]*channelRates
	wg      sync.WaitGroup
	// dbDown is when sending started waiting for the database (unix
	// nanoseconds; 0: it answers). See Runner.DatabaseWait.
	dbDown atomic.Int64
}

func newDispatcher(r *Runner) *dispatcher {
	return &dispatcher{r: r, cfg: r.cfg.Dispatch.withDefaults(), m: newMetrics(), running: map[uint]bool{}}
}

// run is the dispatch worker: it starts a channel loop for every channel
// with a sending broadcast, on wake-ups and on every poll. At stop, the
// loops stop claiming, finish or release what they hold, and return.
func (d *dispatcher) run(ctx context.Context, wake <-chan struct{}) {
	// Requests in flight outlive the stop by StopGrace at most.
	reqCtx, cut := context.WithCancel(context.WithoutCancel(ctx))
	defer cut()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(d.cfg.StopGrace, cut) })
	defer stop()
	for {
		d.startLoops(ctx, reqCtx)
		if !d.r.idle(ctx, wake) {
			break
		}
	}
	d.wg.Wait()
}

func (d *dispatcher) startLoops(ctx, reqCtx context.Context) {
	refs, err := models.SendingBroadcasts(d.r.cfg.DB.WithContext(ctx))
	if err != nil {
		if ctx.Err() == nil {
			d.r.log.Error("listing sending broadcasts failed", "err", err)
		}
		return
	}
	for _, ref := range refs {
		d.mu.Lock()
		busy := d.running[ref.ChannelID]
		if !busy {
			d.running[ref.ChannelID] = true
		}
		d.mu.Unlock()
		if busy {
			continue
		}
		d.wg.Go(func() {
			defer func() {
				if p := recover(); p != nil {
					d.r.log.Error("channel sending loop panicked", "channel", ref.ChannelID, "panic", fmt.Sprint(p))
				}
				d.mu.Lock()
				delete(d.running, ref.ChannelID)
				d.mu.Unlock()
			}()
			if err := d.runChannel(ctx, reqCtx, ref.ChannelID); err != nil && ctx.Err() == nil {
				d.r.log.Error("channel sending loop failed", "channel", ref.ChannelID, "err", err)
			}
		})
	}
}

// channelRun is one channel's sending loop state.
type channelRun struct {
	d      *dispatcher
	ch     *models.Channel
	sender Sender
	mc     Multicaster
	rates  *channelRates
	brk    *breaker
	// marks records dispatched requests on channels without retry keys.
	marks *dispatchMarks
	// profiles fills the name parameter with fresh profile names (nil:
	// the channel reads no profiles).
	profiles *profileNames

	mu         sync.Mutex
	broadcasts map[uint]*sendState
}

// sendState is what a broadcast's sending needs, read once.
type sendState struct {
	id          uint
	content     channels.Content
	multicast   bool
	keys        int
	platformTag string
	standard    bool // Messenger standard message: 24-hour window applies
	tags        []models.Tag

	// cursor is the highest delivery id this instance claimed: claims
	// start after it, not at the front of the queue, where the rows
	// already claimed leave index entries that every scan would step
	// over again. A claim from the front (cursor 0) still runs every
	// fullScanEvery, and whenever the cursor finds nothing, so retries
	// that fell behind it and rows other instances released are sent.
	mu       sync.Mutex
	cursor   uint64
	lastFull time.Time
}

// fullScanEvery is how often a worker claims from the queue's front.
const fullScanEvery = 2 * time.Second

// claimAfter is where the next claim starts: after the cursor, or from
// the front when a full scan is due.
func (st *sendState) claimAfter(now time.Time) uint64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	if now.Sub(st.lastFull) >= fullScanEvery {
		st.lastFull = now
		return 0
	}
	return st.cursor
}

// claimed moves the cursor past rows, or back to the front when a claim
// after it found nothing.
func (st *sendState) claimed(after uint64, rows []models.Claimed) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(rows) == 0 {
		if after > 0 && st.cursor == after {
			st.cursor = 0
		}
		return
	}
	st.cursor = max(st.cursor, rows[len(rows)-1].DeliveryID)
}

func (d *dispatcher) runChannel(ctx, reqCtx context.Context, channelID uint) error {
	db := d.r.cfg.DB
	ch, err := models.FindChannel(db, channelID)
	if err != nil {
		return err
	}
	sender, err := d.r.cfg.Senders(ctx, db, ch)
	if err != nil {
		reason := "channel client: " + err.Error()
		if _, perr := models.PauseChannelBroadcasts(db, ch.ID, reason, d.r.cfg.Now()); perr != nil {
			return errors.Join(err, perr)
		}
		d.r.log.Error("channel paused: its client cannot be built", "channel", ch.ID, "err", err)
		return nil
	}
	cr := &channelRun{d: d, ch: ch, sender: sender, brk: newBreaker(d.cfg.Breaker), broadcasts: map[uint]*sendState{}}
	cr.mc, _ = sender.(Multicaster)
	cr.profiles = newProfileNames(d.r, sender)
	cr.rates, err = d.joinRates(ctx, ch)
	if err != nil {
		return err
	}
	defer cr.rates.leave()
	d.share(ch.ID, cr.rates)
	defer d.share(ch.ID, nil)
	var wg sync.WaitGroup
	if ch.Kind != channels.KindLINE {
		// The marker outlives the workers' stop by the requests' grace
		// (reqCtx): a request already waiting for its mark still goes.
		cr.marks = newDispatchMarks(d)
		mctx, stopMarks := context.WithCancel(reqCtx)
		var mwg sync.WaitGroup
		mwg.Go(func() { cr.marks.run(mctx) })
		defer func() { stopMarks(); mwg.Wait() }()
	}
	for w := range d.cfg.Workers {
		wg.Go(func() { cr.work(ctx, reqCtx, w) })
	}
	wg.Wait()
	return nil
}

// work is one worker of a channel: it goes round the channel's sending
// broadcasts, a claim at a time, until none is left or the stop.
func (cr *channelRun) work(ctx, reqCtx context.Context, w int) {
	db := cr.d.r.cfg.DB
	failures := 0
	for ctx.Err() == nil {
		refs, err := models.SendingOfChannel(db.WithContext(ctx), cr.ch.ID)
		if err != nil {
			failures++
			cr.d.dbWait(ctx, "listing a channel's sending broadcasts", err, failures)
			continue
		}
		failures = 0
		cr.d.dbAnswered()
		if len(refs) == 0 {
			return
		}
		progress := false
		for i := range refs {
			id := refs[(i+w)%len(refs)]
			st, err := cr.state(id)
			if err != nil {
				// Its content cannot be read back: stop it with the reason
				// rather than retry a broken row forever.
				cr.d.r.log.Error("reading a broadcast to send failed; it is paused", "broadcast", id, "err", err)
				_ = models.PauseFor(db, id, "content unreadable: "+err.Error(), cr.d.r.cfg.Now())
				continue
			}
			n, err := cr.sendBatch(ctx, reqCtx, st)
			if err != nil {
				failures++
				cr.d.dbWait(ctx, "sending a batch", err, failures)
				break
			}
			if n != 0 {
				progress = true
				continue
			}
			if done, err := models.FinishIfDone(db, id, cr.d.r.cfg.Now()); err == nil && done {
				cr.d.r.log.Info("broadcast done", "broadcast", id)
				cr.forget(id)
			}
		}
		if !progress {
			sleep(ctx, cr.d.cfg.Idle)
		}
	}
}

// share records (or, with nil, forgets) the rate share of a channel
// sending here.
func (d *dispatcher) share(channelID uint, r *channelRates) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if r == nil {
		delete(d.sharing, channelID)
		return
	}
	if d.sharing == nil {
		d.sharing = map[uint]*channelRates{}
	}
	d.sharing[channelID] = r
}

// takeToken holds a request outside a broadcast (a bot reply) until the
// channel's rate share, if it is sending here, lets it go: such requests
// count against the platform's limit as the broadcast's do. A channel
// not sending here needs no wait.
func (d *dispatcher) takeToken(ctx context.Context, channelID uint) error {
	d.mu.Lock()
	r := d.sharing[channelID]
	d.mu.Unlock()
	if r == nil {
		return nil
	}
	waited, err := r.waitPush(ctx)
	d.m.rateWait.WithLabelValues(r.ch.Kind).Add(waited.Seconds())
	if err != nil {
		return err
	}
	return r.departPush(ctx)
}

// dbWait waits after a database error, longer as they repeat (the
// database gone: sending waits, then resumes by itself).
func (d *dispatcher) dbWait(ctx context.Context, what string, err error, n int) {
	if ctx.Err() != nil {
		return
	}
	if n == 1 || n%20 == 0 {
		d.r.log.Warn("sending waits: database error", "while", what, "err", err, "failures", n)
	}
	d.m.dbWaits.Inc()
	d.dbFailed()
	sleep(ctx, min(time.Duration(n)*200*time.Millisecond, 2*time.Second))
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// state loads (once) what sending broadcast id needs.
func (cr *channelRun) state(id uint) (*sendState, error) {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	if st := cr.broadcasts[id]; st != nil {
		return st, nil
	}
	db := cr.d.r.cfg.DB
	b, err := models.FindBroadcast(db, id)
	if err != nil {
		return nil, err
	}
	content, err := models.SentContentOf(b)
	if err != nil {
		return nil, err
	}
	st := &sendState{id: id, content: content, keys: models.KeysNone}
	if cr.ch.Kind == channels.KindLINE {
		st.keys = models.KeysEach
		if cr.mc != nil && !content.Personalised() {
			st.multicast, st.keys = true, models.KeysBatch
		}
	}
	if cr.ch.Kind == channels.KindMessenger {
		st.platformTag = messengerTag(b.MessageTag)
		st.standard = st.platformTag == ""
	}
	if names := b.Tags(); len(names) > 0 {
		if st.tags, err = models.EnsureTags(db, names); err != nil {
			return nil, err
		}
	}
	cr.broadcasts[id] = st
	return st, nil
}

func (cr *channelRun) forget(id uint) {
	cr.mu.Lock()
	delete(cr.broadcasts, id)
	cr.mu.Unlock()
}

// messengerTag is the platform's message tag of a broadcast's tag.
func messengerTag(tag string) string {
	switch tag {
	case models.TagEventUpdate:
		return messenger.TagConfirmedEventUpdate
	case models.TagPostPurchase:
		return messenger.TagPostPurchaseUpdate
	case models.TagAccountUpdate:
		return messenger.TagAccountUpdate
	}
	return ""
}

// sendBatchAgain is sendBatch's count when its claim after the cursor
// found nothing and the next one starts from the front: not idle yet.
const sendBatchAgain = -1

// sendBatch claims one batch of st's deliveries, sends it and records
// the answers; it returns how many deliveries it claimed.
func (cr *channelRun) sendBatch(ctx, reqCtx context.Context, st *sendState) (int, error) {
	d := cr.d
	now := d.r.cfg.Now()
	limit := cr.rates.claimSize(d.cfg.Batch, d.cfg.Workers)
	if st.multicast {
		limit = cr.mc.MulticastMax()
	}
	claimID := uuid.NewString()
	after := st.claimAfter(time.Now())
	rows, err := models.ClaimDeliveries(d.r.cfg.DB.WithContext(ctx), models.ClaimSpec{
		BroadcastID: st.id, ClaimID: claimID, Limit: limit, Lease: d.cfg.Lease, Keys: st.keys, Now: now, After: after})
	if err != nil {
		return 0, err
	}
	st.claimed(after, rows)
	if len(rows) == 0 && after > 0 {
		// Nothing after the cursor: look again from the front at once.
		return sendBatchAgain, nil
	}
	if len(rows) == 0 {
		return 0, nil
	}
	outs := make([]models.Outcome, len(rows))
	var send []int // indexes of the people to send to
	for i, row := range rows {
		outs[i] = models.Outcome{DeliveryID: row.DeliveryID, ContactID: row.ContactID}
		if reason := skipReason(row, st, now); reason != "" {
			outs[i].State, outs[i].Reason = models.DeliverySkipped, reason
			continue
		}
		send = append(send, i)
	}
	var released []uint64
	if st.multicast {
		released = cr.multicast(ctx, reqCtx, st, rows, outs, send)
	} else {
		released = cr.push(ctx, reqCtx, st, claimID, rows, outs, send)
	}
	cr.record(reqCtx, st, claimID, rows[0].BatchID, outs, released)
	return len(rows), nil
}

// skipReason judges a person at send time.
func skipReason(row models.Claimed, st *sendState, now time.Time) string {
	switch {
	case !row.Found:
		return models.SkipDeleted
	case !row.Subscribed:
		return models.SkipUnsubscribed
	case st.standard && (row.LastInteractionAt == nil || row.LastInteractionAt.Before(now.Add(-24*time.Hour))):
		return models.SkipOutsideWindow
	}
	return ""
}

// push sends one request per person, each after its rate token. People
// whose token the stop interrupted are released, not sent.
func (cr *channelRun) push(ctx, reqCtx context.Context, st *sendState, claimID string, rows []models.Claimed, outs []models.Outcome, send []int) []uint64 {
	var mu sync.Mutex
	var released []uint64
	var wg sync.WaitGroup
	names := cr.profiles.batch(ctx, st, rows, send) // nil unless the content has the name parameter
	for _, i := range send {
		wg.Go(func() {
			name := names.of(reqCtx, rows[i])
			waited, err := cr.rates.waitPush(ctx)
			cr.d.m.rateWait.WithLabelValues(cr.ch.Kind).Add(waited.Seconds())
			if err == nil && cr.marks != nil {
				// Without a retry key the row must say the request is
				// going before it goes: a crash then leaves uncertain
				// only what was in flight.
				err = cr.marks.mark(ctx, claimID, rows[i].DeliveryID)
			}
			if err == nil {
				err = cr.rates.departPush(ctx)
			}
			if err != nil {
				// Not sent. Releasing a row another worker took over
				// (errNotMarked) changes nothing: release matches our claim.
				mu.Lock()
				released = append(released, rows[i].DeliveryID)
				mu.Unlock()
				return
			}
			row := rows[i]
			res := cr.sender.Send(reqCtx, Outgoing{To: row.ExternalID, Name: name, Content: st.content,
				MessageTag: st.platformTag, Key: row.RetryKey, BroadcastID: st.id, FromPart: row.PartsSent})
			cr.apply(&outs[i], row, res)
		})
	}
	wg.Wait()
	return released
}

// multicast sends the batch's people one request under the batch's key.
func (cr *channelRun) multicast(ctx, reqCtx context.Context, st *sendState, rows []models.Claimed, outs []models.Outcome, send []int) []uint64 {
	if len(send) == 0 {
		return nil
	}
	waited, err := cr.rates.waitMulticast(ctx)
	cr.d.m.rateWait.WithLabelValues(cr.ch.Kind).Add(waited.Seconds())
	if err != nil {
		ids := make([]uint64, len(send))
		for j, i := range send {
			ids[j] = rows[i].DeliveryID
		}
		return ids
	}
	to := make([]string, len(send))
	for j, i := range send {
		to[j] = rows[i].ExternalID
	}
	res := cr.mc.Multicast(reqCtx, to, st.content, rows[send[0]].RetryKey, st.id)
	for _, i := range send {
		cr.outcome(&outs[i], rows[i], res)
	}
	// The breaker counts requests: one answer, however many people.
	cr.brk.observe(res)
	return nil
}

// apply turns a push's answer into the delivery's outcome, feeding the
// breaker and the metrics.
func (cr *channelRun) apply(out *models.Outcome, row models.Claimed, res channels.SendResult) {
	cr.outcome(out, row, res)
	cr.brk.observe(res)
}

// outcome turns a platform answer into one delivery's outcome and counts
// the message; a trip-at-once answer trips the breaker.
func (cr *channelRun) outcome(out *models.Outcome, row models.Claimed, res channels.SendResult) {
	d := cr.d
	now := d.r.cfg.Now()
	requeue := func(reason string) {
		out.State, out.Reason, out.PartsSent = models.DeliveryPending, reason, res.PartsSent
		out.NextAttemptAt = now.Add(max(d.backoff(row.Attempts), res.RetryAfter))
	}
	switch {
	case res.Outcome == channels.Sent:
		out.State, out.ProviderID = models.DeliverySent, res.ProviderMessageID
	case res.Breaks || res.PauseChannel || res.Reason == channels.ReasonQuotaExhausted:
		// Not sent, and nothing on this channel will be until staff act:
		// the person stays in the queue for the resume.
		out.State, out.Reason, out.PartsSent = models.DeliveryPending, res.Reason, res.PartsSent
		out.NextAttemptAt = now
		cr.brk.trip(breakerReason(res))
	case res.RetrySafe && row.Attempts < d.cfg.MaxAttempts:
		requeue(res.Reason)
	case res.Outcome == channels.Uncertain || res.Reason == channels.ReasonNoAnswer:
		// It may have gone out (for LINE: the retries under its key ran
		// out without an answer): never resent automatically.
		out.State, out.Reason, out.Detail = models.DeliveryUncertain, channels.ReasonNoAnswer, res.Detail
	default: // permanent, or retryable too many times
		out.State, out.Reason, out.Detail = models.DeliveryFailed, res.Reason, res.Detail
		if out.Reason == "" {
			out.Reason = channels.ReasonUnknown
		}
	}
	d.m.messages.WithLabelValues(cr.ch.Kind, res.Outcome.String()).Inc()
}

// backoff is the wait before attempt n+1: exponential with full jitter
// in its upper half, bounded.
func (d *dispatcher) backoff(attempts int) time.Duration {
	b := d.cfg.BackoffBase << min(max(attempts-1, 0), 20)
	if b > d.cfg.BackoffMax || b <= 0 {
		b = d.cfg.BackoffMax
	}
	return b/2 + rand.N(b/2+1)
}

// record writes a claim's outcomes (batch: the multicast batch claimed,
// or nil), retrying while the database is away (the answers are known;
// losing them would make sent people uncertain), then releases the
// people never sent, and pauses the channel if the breaker tripped.
func (cr *channelRun) record(reqCtx context.Context, st *sendState, claimID string, batch *uint64, outs []models.Outcome, released []uint64) {
	d := cr.d
	db := d.r.cfg.DB
	if batch != nil && len(released) > 0 {
		// The multicast never went: the whole batch waits for the next
		// claim, its people judged again then.
		if err := models.ReleaseBatch(db, *batch, claimID, d.r.cfg.Now()); err != nil {
			d.r.log.Warn("releasing an unsent batch failed; its lease will expire", "err", err)
		}
		return
	}
	skip := map[uint64]bool{}
	for _, id := range released {
		skip[id] = true
	}
	final := outs[:0:0]
	for _, o := range outs {
		if !skip[o.DeliveryID] && o.State != "" {
			final = append(final, o)
		}
	}
	deadline := time.Now().Add(d.cfg.Lease)
	for n := 1; ; n++ {
		var err error
		if batch != nil {
			_, err = models.RecordBatchOutcomes(db, st.id, *batch, claimID, final, st.tags, d.r.cfg.Now())
		} else {
			_, err = models.RecordOutcomes(db, st.id, claimID, final, st.tags, d.r.cfg.Now())
		}
		if err == nil {
			break
		}
		if time.Now().After(deadline) || reqCtx.Err() != nil {
			// The lease is over, or the stop's grace: the reclaim decides
			// (LINE retries under its key; the others become uncertain).
			d.r.log.Error("recording answers failed; the reclaim decides", "broadcast", st.id, "err", err)
			return
		}
		d.dbWait(reqCtx, "recording answers", err, n)
	}
	if len(released) > 0 {
		if err := models.ReleaseClaims(db, claimID, released, d.r.cfg.Now()); err != nil {
			d.r.log.Warn("releasing unsent claims failed; their lease will expire", "err", err)
		}
	}
	if reason, tripped := cr.brk.take(); tripped {
		paused, err := models.PauseChannelBroadcasts(db, cr.ch.ID, reason, d.r.cfg.Now())
		if err != nil {
			d.r.log.Error("pausing a channel's broadcasts failed", "channel", cr.ch.ID, "err", err)
			return
		}
		d.m.breakerTrips.WithLabelValues(cr.ch.Kind).Inc()
		d.r.log.Warn("channel paused by the circuit breaker; staff resume it", "channel", cr.ch.ID,
			"reason", reason, "broadcasts", paused)
	}
}

// reclaim is the periodic job returning expired claims.
func (r *Runner) reclaim(ctx context.Context) {
	requeued, uncertain, err := models.ReclaimExpired(r.cfg.DB.WithContext(ctx), r.cfg.Now())
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn("reclaiming expired claims failed", "err", err)
		}
		return
	}
	if requeued+uncertain > 0 {
		r.log.Warn("expired claims reclaimed", "requeued", requeued, "uncertain", uncertain)
		r.Wake(WorkerDispatch)
	}
}
