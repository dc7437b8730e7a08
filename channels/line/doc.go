// Package line is omnicast's client for the LINE Messaging API: push and
// multicast sends (with payload builders for the message kinds omnicast
// broadcasts), the profile, bot-info and quota lookups, and the parsing and
// signature check of LINE webhooks.
//
// The package speaks only LINE's wire formats and reports every send as a
// channels.SendResult so the dispatcher can act without knowing LINE's
// status codes. It never logs, and the channel access token only ever
// travels in the Authorization header, so no returned error contains it.
//
// Unlike Meta's Send API, LINE offers an idempotency key: X-Line-Retry-Key
// on push and multicast. A retry carrying the key of an accepted request is
// answered 409 and not delivered again. That is why, for LINE, a send whose
// outcome is channels.Uncertain may be retried with the same key.
package line
