package views

// ReportRecipients is the recipients table of one broadcast's page: its
// filter, one page of rows and the cursor of the next.
type ReportRecipients struct {
	Action   string // the page's path (the filter form's action)
	Status   string
	Statuses []string
	Q        string
	Rows     []ReportRecipient
	NextHref string
	CSVHref  string
}

// ReportRecipient is one row: a person and what became of their message,
// times in the workspace zone.
type ReportRecipient struct {
	DeliveryID                             uint64
	Name, ExternalID, Stage, Reason        string
	SentAt, DeliveredAt, ReadAt, ClickedAt string
}

// ReportActions are the page's buttons that act on the results.
type ReportActions struct {
	// RetryHref and ResendHref are set for the creator or an admin when
	// there is something to retry or resend.
	RetryHref, ResendHref string
	Retryable, Uncertain  int64
	// CohortHref takes the cohort form; SendAgainHref and DuplicateHref
	// are forms without fields.
	CohortHref, SendAgainHref, DuplicateHref string
	Cohorts                                  []ReportCohort
}

// ReportCohort is one choice of the "new broadcast to …" form.
type ReportCohort struct {
	Value, Label string
}
