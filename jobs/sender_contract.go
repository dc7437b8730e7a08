package jobs

import "omnicast/channels"

// The dispatcher speaks the one sending shape of channels/sender.go.
type (
	Outgoing    = channels.Outgoing
	Sender      = channels.Sender
	Multicaster = channels.Multicaster
)
