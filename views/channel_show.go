package views

// ChannelPage is one account's page, for every signed-in user: its tag
// lock (Messenger) and its test list. Admins can lift the lock.
type ChannelPage struct {
	ID         uint
	Kind       string
	Name       string
	ExternalID string
	// Taggable: Messenger, the only kind with message tags (and a tag lock).
	Taggable bool
	// Lock is set while tagged broadcasting is locked.
	Lock *TagLockView
	// History lists the latest lock and unlock entries, newest first.
	History     []TagLockEntry
	Testers     []TesterRow
	TesterCount int64
	// ContactsHref opens this account on the contacts page, where testers
	// are marked from the row menu.
	ContactsHref string
}

// TagLockView is a lock as the page shows it.
type TagLockView struct {
	Reason   string // catalogue id (promo.lock_reason.<reason>)
	Text     []TextSegment
	LockedAt string
	LockedBy string // user name; "" when omnicast itself locked
}

// TextSegment is a piece of a text, highlighted when a promotion rule
// matched it.
type TextSegment struct {
	Text string
	Hit  bool
}

// TagLockEntry is one audited lock or unlock.
type TagLockEntry struct {
	Action string // catalogue id
	At     string
	By     string
}

// TesterRow is one tester of the account.
type TesterRow struct {
	ID         uint64
	Name       string
	ExternalID string
	Subscribed bool
}
