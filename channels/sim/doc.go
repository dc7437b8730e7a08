// Package sim is a loopback simulator of the platform APIs omnicast talks
// to: the Meta Graph API (Messenger Send API, Instagram messaging, the
// WhatsApp Cloud API) and the LINE Messaging API.
//
// One Sim serves any number of connected accounts from one HTTP handler.
// Requests are attributed to an account by their access token, exactly as
// the platforms do, so omnicast's clients only need their base URL pointed
// at the simulator. The simulator enforces the rules omnicast must honour
// (24-hour windows, message tags, template approval and parameters, LINE
// retry keys and monthly quota, rate limits), injects faults on request
// (latency, 5xx answers, timeouts after the message went out), records what
// was accepted, and calls omnicast's webhooks back with correctly signed
// payloads: follows, messages, postbacks, redeliveries and receipts.
//
// It is used by omnicast's tests, its demo mode and its benchmarks; it never
// reaches the internet.
package sim
