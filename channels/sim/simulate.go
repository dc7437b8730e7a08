package sim

import (
	"context"
	"errors"
	"fmt"
	"time"

	"omnicast/channels"
)

// Activity describes background activity for Simulate.
type Activity struct {
	// Accounts are the ExternalIDs of the accounts to animate; empty means
	// every account.
	Accounts []string
	// Rate is the number of events per second (default 1).
	Rate float64
}

// sampleTexts are things people write to a shop.
var sampleTexts = []string{
	"請問還有貨嗎？", "營業時間是幾點到幾點？", "謝謝！", "我想訂兩份", "可以寄到香港嗎？",
	"收到，謝謝你們", "Is this still available?", "Thanks!", "How much is shipping?", "幾時有新貨？",
	"好的 👍", "想問下有冇優惠", "Can I change my order?", "已付款，請確認",
}

// Simulate animates the accounts until ctx ends (or the Sim closes): at
// Rate events per second a random person follows, writes, taps a button
// or (on LINE, now and then) unfollows; now and then a new person
// appears. Webhook failures are logged, not returned; Simulate returns nil
// when ctx ends and an error only for a bad Activity.
func (s *Sim) Simulate(ctx context.Context, act Activity) error {
	rate := act.Rate
	if rate <= 0 {
		rate = 1
	}
	ids := act.Accounts
	if len(ids) == 0 {
		s.mu.Lock()
		for id := range s.accounts {
			ids = append(ids, id)
		}
		s.mu.Unlock()
	}
	if len(ids) == 0 {
		return errors.New("sim: Simulate: no accounts")
	}
	s.mu.Lock()
	for _, id := range ids {
		if s.accounts[id] == nil {
			s.mu.Unlock()
			return fmt.Errorf("%w: account %q", ErrUnknown, id)
		}
	}
	s.mu.Unlock()
	tick := time.NewTicker(max(time.Duration(float64(time.Second)/rate), time.Millisecond))
	defer tick.Stop()
	for n := int64(0); ; n++ {
		select {
		case <-ctx.Done():
			return nil
		case <-s.ctx.Done():
			return nil
		case <-tick.C:
		}
		if err := s.simulateOne(ctx, ids[s.randN(len(ids))], n); err != nil && ctx.Err() == nil {
			s.log.Warn("sim: simulated event failed", "err", err)
		}
	}
}

// simulateOne makes one random event happen on an account.
func (s *Sim) simulateOne(ctx context.Context, accountID string, n int64) error {
	s.mu.Lock()
	acc := s.account(accountID)
	kind := acc.Kind
	r := s.people[accountID]
	var ids []string
	var unfollowed []string
	if r != nil {
		for _, id := range r.order {
			if r.byID[id].unfollowed {
				unfollowed = append(unfollowed, id)
			} else {
				ids = append(ids, id)
			}
		}
	}
	s.mu.Unlock()

	roll := s.randN(100)
	if len(ids) == 0 || roll < 10 {
		// Someone new arrives.
		seed := int64(s.randN(1<<30)) + n
		p := RandomPeople(1, seed, kind)[0]
		s.AddPerson(accountID, p)
		return s.Follow(ctx, accountID, p.ID)
	}
	switch {
	case roll < 15 && len(unfollowed) > 0 && kind == channels.KindLINE:
		return s.Follow(ctx, accountID, unfollowed[s.randN(len(unfollowed))])
	case roll < 20 && kind == channels.KindLINE:
		return s.Unfollow(ctx, accountID, ids[s.randN(len(ids))])
	case roll < 35:
		return s.Postback(ctx, accountID, ids[s.randN(len(ids))], "INTERESTED")
	default:
		return s.Message(ctx, accountID, ids[s.randN(len(ids))], sampleTexts[s.randN(len(sampleTexts))])
	}
}
