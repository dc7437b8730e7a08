package views

// ReportShow is one broadcast's page in the report.
type ReportShow struct {
	CSS  string
	Row  ReportRow
	CSRF string
	// Notice explains a pause omnicast made by itself, or a wait.
	Notice string
	// Figures is the live block (headline figures, funnel, reasons).
	Figures ReportFigures
	Audit   []ReportAuditEntry
	// Conditions is the audience's filter in words.
	Conditions []string
	// Messages are the messages as composed, in order, in words.
	Messages []ReportMessage
	// Editing, when set, recommends editing an hour ahead (or warns
	// within the last hour).
	EditWarning string
	// Recipients is the recipients table; Actions the buttons acting on
	// the results (report_recipients.go).
	Recipients ReportRecipients
	Actions    ReportActions
}

// ReportFigures are the headline figures, the funnel and the reasons,
// refreshed by a poll while they can change.
type ReportFigures struct {
	ID uint
	// PollHref is the poll's address; it names the state the rest of the
	// page was drawn for (shown=…), so the answer brings the rest too when
	// that changed.
	PollHref string
	Kind     string
	Status   string
	// Progress of a sending or paused broadcast.
	ShowProgress bool
	Percent      int
	Left         string
	Headline     []ReportFigure
	// Buttons are the broadcast's buttons with their clicks; none when
	// it sent no button whose taps come back.
	Buttons []ReportButton
	Funnel  []FunnelStep
	Reasons []ReportReason
	// Timeline is sends and reads per minute.
	Timeline ReportTimeline
}

// ReportFigure is one headline number with its rate and how it is
// computed (the tooltip).
type ReportFigure struct {
	Key, Label, Value, Rate, How string
}

// FunnelStep is one bar of the delivery funnel.
type FunnelStep struct {
	Key, Label string
	N          int64
}

// ReportReason is one failure or skip reason with its count and advice.
type ReportReason struct {
	State, Reason, Label, Advice string
	N                            int64
}

// ReportAuditEntry is one line of the audit trail.
type ReportAuditEntry struct {
	When, Who, Action string
	Changes           []string
}

// ReportMessage is one message as composed.
type ReportMessage struct {
	Kind, Text, Href string
	// Detail is the WhatsApp template filled, as people got it.
	Detail string
}

// ReportButton is one button of the broadcast with its clicks.
type ReportButton struct {
	// Key is stable ("<module>:<button>"); Label the button as people
	// saw it.
	Key, Label string
	// Action is what a WhatsApp template button does, in words.
	Action string
	// Module is the bot module the button belongs to or replies with,
	// linked to its editor by ModuleHref ("" once deleted).
	Module, ModuleHref string
	People, Taps       int64
	Rate, How          string
}
