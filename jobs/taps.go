package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"omnicast/channels"
	"omnicast/channels/whatsapp"
	"omnicast/models"
)

// Tap actions: a periodic job runs the action of each WhatsApp template
// quick-reply tap the webhook recorded (models.RecordTap): subscribe or
// unsubscribe the person, or send the chosen bot module as a reply inside
// the 24-hour window the tap opened. Each tap's action runs once: it is
// claimed in the database (SKIP LOCKED), subscription changes end the
// claim in their own transaction, and a reply whose answer was never
// recorded becomes uncertain, never resent.
const (
	// tapsEvery is how often tap actions are looked for.
	tapsEvery = 2 * time.Second
	// tapBatch is how many taps one claim takes.
	tapBatch = 50
	// tapLease is how long a claimed tap may run before the reclaim
	// decides for it.
	tapLease = 2 * time.Minute
	// replyWindow is WhatsApp's customer service window, opened by the tap.
	replyWindow = 24 * time.Hour
)

// interactiveSender sends a free-form reply-button message (the shape a
// bot module takes on WhatsApp); the WhatsApp client of channels/connect
// is one.
type interactiveSender interface {
	SendInteractive(ctx context.Context, msg whatsapp.InteractiveMessage) channels.SendResult
}

// runTaps is the periodic job: reclaim stale claims, then run the
// pending actions a batch at a time.
func (r *Runner) runTaps(ctx context.Context) {
	db := r.cfg.DB.WithContext(ctx)
	now := r.cfg.Now()
	requeued, uncertain, err := models.ReclaimTapActions(db, now.Add(-tapLease), now)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn("reclaiming tap actions failed", "err", err)
		}
		return
	}
	if requeued+uncertain > 0 {
		r.log.Warn("stale tap actions reclaimed", "requeued", requeued, "uncertain", uncertain)
	}
	pass := &tapPass{r: r, senders: map[uint]Sender{}}
	for ctx.Err() == nil {
		taps, err := models.ClaimTapActions(db, tapBatch, r.cfg.Now())
		if err != nil {
			if ctx.Err() == nil {
				r.log.Warn("claiming tap actions failed", "err", err)
			}
			return
		}
		for _, tap := range taps {
			pass.run(ctx, tap)
		}
		if len(taps) < tapBatch {
			return
		}
	}
}

// tapPass is one pass of the job: the broadcasts and clients it read.
type tapPass struct {
	r          *Runner
	broadcasts map[uint]*tapBroadcast
	senders    map[uint]Sender
}

// tapBroadcast is what running a broadcast's taps needs.
type tapBroadcast struct {
	ch      *models.Channel
	buttons []channels.ButtonAction
	err     error
}

// run runs one claimed tap and records how it went.
func (p *tapPass) run(ctx context.Context, tap models.TapAction) {
	r := p.r
	log := r.log.With("tap", tap.ID, "broadcast", tap.BroadcastID, "button", tap.Button, "action", tap.Action)
	state, detail := p.act(ctx, tap)
	if state == "" {
		return // recorded by the action itself
	}
	if _, err := models.FinishTapAction(r.cfg.DB, tap.ID, state, detail, r.cfg.Now()); err != nil {
		// The lease runs out and the reclaim decides.
		log.Error("recording a tap action failed", "state", state, "err", err)
		return
	}
	switch state {
	case models.TapDone:
		log.Info("tap action ran")
	case models.TapSkipped:
		log.Info("tap action skipped", "reason", detail)
	default:
		log.Warn("tap action did not run", "state", state, "reason", detail)
	}
}

// act runs the tap's action and returns the state and detail to record;
// "" when the action recorded its end itself.
func (p *tapPass) act(ctx context.Context, tap models.TapAction) (string, string) {
	r := p.r
	tb := p.broadcast(tap.BroadcastID)
	if tb.err != nil {
		return models.TapFailed, "broadcast unreadable: " + tb.err.Error()
	}
	// The broadcast's saved content, not the payload, says what a button
	// does: a payload that does not match it runs nothing.
	if tap.Button < 0 || tap.Button >= len(tb.buttons) {
		return models.TapSkipped, "the broadcast has no such button"
	}
	want := tb.buttons[tap.Button]
	if want.Action != tap.Action || (tap.Action == channels.ActionBot && want.ModuleID != tap.ModuleID) {
		return models.TapSkipped, "the tap does not match the broadcast's button"
	}
	switch tap.Action {
	case channels.ActionSubscribe, channels.ActionUnsubscribe:
		changed, err := models.RunSubscriptionTap(r.cfg.DB, tap, r.cfg.Now())
		if err != nil {
			return models.TapFailed, err.Error()
		}
		r.log.Info("tap action ran", "tap", tap.ID, "action", tap.Action, "contact", tap.ContactID, "changed", changed)
		return "", ""
	case channels.ActionBot:
		return p.reply(ctx, tb, tap)
	}
	return models.TapSkipped, "unknown action"
}

// broadcast reads (once per pass) a broadcast's channel and buttons.
func (p *tapPass) broadcast(id uint) *tapBroadcast {
	if p.broadcasts == nil {
		p.broadcasts = map[uint]*tapBroadcast{}
	}
	if tb := p.broadcasts[id]; tb != nil {
		return tb
	}
	tb := &tapBroadcast{}
	p.broadcasts[id] = tb
	db := p.r.cfg.DB
	b, err := models.FindBroadcast(db, id)
	if err != nil {
		tb.err = err
		return tb
	}
	if tb.ch, err = models.FindChannel(db, b.ChannelID); err != nil {
		tb.err = err
		return tb
	}
	content, err := models.SentContentOf(b)
	if err != nil {
		tb.err = err
		return tb
	}
	if tb.ch.Kind == channels.KindWhatsApp && content.Template != nil {
		tb.buttons = content.Template.Buttons
	}
	return tb
}

// reply sends the bot module as an interactive message, inside the
// window the tap opened.
func (p *tapPass) reply(ctx context.Context, tb *tapBroadcast, tap models.TapAction) (string, string) {
	r := p.r
	now := r.cfg.Now()
	if now.Sub(tap.At) >= replyWindow {
		return models.TapSkipped, channels.ReasonOutsideWindow
	}
	c, err := models.FindTapContact(r.cfg.DB, tap.ContactID)
	if errors.Is(err, models.ErrNotFound) {
		return models.TapSkipped, models.SkipDeleted
	}
	if err != nil {
		return models.TapFailed, err.Error()
	}
	if !c.Subscribed {
		return models.TapSkipped, models.SkipUnsubscribed
	}
	m, err := models.FindBotModule(r.cfg.DB, tap.ModuleID)
	if err != nil {
		return models.TapFailed, "bot module: " + err.Error()
	}
	card, err := m.Card(nil)
	if err != nil {
		return models.TapFailed, "bot module: " + err.Error()
	}
	// The reply's own buttons are not part of the broadcast's report.
	msg, err := whatsapp.RenderCard(c.ExternalID, card, m.ID, channels.NewTapCoder(0))
	if err != nil {
		return models.TapFailed, err.Error()
	}
	s, err := p.sender(ctx, tb.ch)
	if err != nil {
		return models.TapFailed, "channel client: " + err.Error()
	}
	is, ok := s.(interactiveSender)
	if !ok {
		return models.TapFailed, fmt.Sprintf("the %s client cannot send a bot reply", tb.ch.Kind)
	}
	send := func() (channels.SendResult, bool) {
		if err := r.dispatch.takeToken(ctx, tb.ch.ID); err != nil {
			return channels.SendResult{}, false // stopping: tried again next pass
		}
		return is.SendInteractive(ctx, msg), true
	}
	res, ok := send()
	if ok && res.Outcome == channels.Retryable && res.RetrySafe && res.RetryAfter <= 2*time.Second {
		sleep(ctx, max(res.RetryAfter, 200*time.Millisecond))
		res, ok = send()
	}
	if !ok {
		// Never sent: back to the queue, not left to become uncertain.
		if err := models.ReleaseTapAction(r.cfg.DB, tap.ID); err != nil {
			r.log.Warn("releasing an unsent tap reply failed; its claim will be reclaimed", "tap", tap.ID, "err", err)
		}
		return "", ""
	}
	p.r.dispatch.m.messages.WithLabelValues(tb.ch.Kind, res.Outcome.String()).Inc()
	switch res.Outcome {
	case channels.Sent:
		return models.TapDone, res.ProviderMessageID
	case channels.Uncertain:
		return models.TapUncertain, res.Detail
	}
	reason := res.Reason
	if reason == "" {
		reason = channels.ReasonUnknown
	}
	if res.Detail != "" {
		reason += ": " + res.Detail
	}
	return models.TapFailed, reason
}

// sender builds (once per pass) the channel's client with the runner's
// sender factory.
func (p *tapPass) sender(ctx context.Context, ch *models.Channel) (Sender, error) {
	if s := p.senders[ch.ID]; s != nil {
		return s, nil
	}
	s, err := p.r.cfg.Senders(ctx, p.r.cfg.DB, ch)
	if err != nil {
		return nil, err
	}
	p.senders[ch.ID] = s
	return s, nil
}
