package jobs

import (
	"context"

	"omnicast/channels"
)

// TEMPORARY (helper dispatch, issue 9): the shapes of channels/sender.go,
// which helper "sender" builds on h9-sender (DESIGN-ISSUE9.md). When it
// lands these become aliases (type Outgoing = channels.Outgoing, …) and
// breaks reads SendResult.Breaks.

// Outgoing is one message to one person.
type Outgoing struct {
	To          string
	Name        string // for {{name}}
	Content     channels.Content
	MessageTag  string // Messenger platform tag, "" = standard
	Key         string // idempotency key, persisted before the first attempt
	BroadcastID uint
}

// Sender sends one person their message.
type Sender interface {
	Send(ctx context.Context, o Outgoing) channels.SendResult
}

// Multicaster sends identical content to many people in one request
// (LINE).
type Multicaster interface {
	Multicast(ctx context.Context, to []string, c channels.Content, key string, broadcastID uint) channels.SendResult
	MulticastMax() int
}

// breaks tells whether an answer must pause the channel's broadcasts
// (token errors, abuse, Page restriction, the WhatsApp spam limit).
func breaks(r channels.SendResult) bool { return r.PauseChannel }

// retrySafe tells whether an unanswered request may be sent again (a
// LINE request under a retry key).
func retrySafe(r channels.SendResult, hasKey bool) bool {
	return r.Outcome == channels.Uncertain && hasKey
}
