// Package whatsapp is omnicast's client for the WhatsApp Cloud API (Meta
// Graph API): it sends template and free-form text messages, lists the
// account's message templates, reads the phone number for "Test
// connection", and turns webhook deliveries into channels.Event values.
//
// It speaks only the platform's wire format and knows nothing of the
// database or of HTTP handlers; the dispatcher decides what to do with the
// classified channels.SendResult each send returns.
//
// WhatsApp has no idempotency key: a message whose request may have reached
// Meta without an answer coming back is reported as channels.Uncertain and
// must never be resent automatically, or the person may get it twice.
package whatsapp
