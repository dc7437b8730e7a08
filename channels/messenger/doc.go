// Package messenger is omnicast's client for Facebook Messenger: the Graph
// API Send API (broadcast messages to Page-scoped ids), the User Profile
// API, the Page "me" lookup used by "Test connection", and the parsing of
// the Page messaging webhook.
//
// The package speaks only Meta's wire formats and reports every send as a
// channels.SendResult so the dispatcher can decide what to do next without
// knowing Meta's error codes. It never logs: tokens travel in the query
// string (access_token), so every error it returns has the token redacted.
//
// Meta offers no idempotency key on the Send API. A request that may have
// reached Meta but got no answer is reported as channels.Uncertain and must
// not be resent automatically, or the person could get the message twice.
package messenger
