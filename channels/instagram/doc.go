// Package instagram is omnicast's client for Instagram Messaging: the
// profile and account lookups used to list and tag contacts and to "Test
// connection", and the parsing of the Instagram messaging webhook.
//
// There is deliberately no Send. Instagram lets a business message a person
// only as a reply within 24 hours of that person's last message (7 days
// with HUMAN_AGENT, for replies written by a human agent only), and the
// update tags Messenger allows outside the window (CONFIRMED_EVENT_UPDATE,
// POST_PURCHASE_UPDATE, ACCOUNT_UPDATE) do not exist on Instagram. A
// broadcast would therefore reach only the people who wrote in the last day
// and break Meta's policy for the rest, so omnicast does not broadcast to
// Instagram: its contacts can still be listed, filtered and tagged by hand.
//
// Instagram shares the Graph API conventions and the webhook envelope of
// Messenger, so this package builds on channels/messenger rather than
// repeating it.
package instagram
