package views

import (
	"context"
	"strconv"

	"github.com/a-h/templ"

	"omnicast/views/i18n"
)

// ImportChannel is one account the import page offers.
type ImportChannel struct {
	ID   uint
	Kind string
	Name string
}

// ImportForm is the contacts import form.
type ImportForm struct {
	Channels []ImportChannel
	Channel  uint // the chosen account
	Errors   FormErrors
	// MaxSize is the upload limit as shown ("100 MB").
	MaxSize string
	// Example is the template CSV, shown as the example and downloadable.
	Example string
	// Recent are the latest imports, newest first.
	Recent []ImportSummary
}

// ImportSummary is one line of the recent imports.
type ImportSummary struct {
	ID          uint64
	ChannelName string
	FileName    string
	State       string // effective state (models.Import*)
	When        string // in the workspace time zone
	Total       int
	Created     int
	Updated     int
	Bad         int
}

// ImportBadRow is a row that was not (or will not be) imported; Reason is
// a catalogue id.
type ImportBadRow struct {
	Line      int
	Column    string
	Value     string
	Reason    string
	FirstLine int
	EndLine   int
}

// ImportColumn is one column of the uploaded file.
type ImportColumn struct {
	Name  string
	Known bool // import reads it; otherwise it is ignored
}

// ImportPreviewRow is one data row as it will be stored, or why not.
type ImportPreviewRow struct {
	Line              int
	ExternalID        string
	Name              string
	Phone             string // international format
	Subscribed        string // catalogue id: yes, no or keep
	SubscribedAt      string
	LastInteractionAt string
	Tags              string
	Bad               *ImportBadRow
	Cells             string // the failing row's cells as read
}

// ImportPreview is what the file will do.
type ImportPreview struct {
	Encoding string // catalogue id of the detected encoding
	Timezone string
	Columns  []ImportColumn
	Rows     []ImportPreviewRow
	Total    int
	Bad      int
	BadRows  []ImportBadRow
	// MostlyBad: more than half the rows fail; the page asks again.
	MostlyBad bool
}

// Good is how many rows will be imported.
func (p ImportPreview) Good() int { return p.Total - p.Bad }

// MoreBad counts failing rows not listed.
func (p ImportPreview) MoreBad() int { return p.Bad - len(p.BadRows) }

// ImportView is one import: its preview, progress or result.
type ImportView struct {
	ID          uint64
	ChannelID   uint
	ChannelName string
	FileName    string
	State       string // effective state (models.Import*)
	Done        int
	Total       int
	Created     int
	Updated     int
	Bad         int
	Undone      int
	Undoable    bool
	BadRows     []ImportBadRow
	Preview     ImportPreview
	// AskAgain shows the question asked before importing a file whose
	// rows mostly fail.
	AskAgain bool
	// Error is a catalogue id shown above the preview (e.g. busy account).
	Error string
}

// Import states as the views name them (the models' values).
const (
	ImportStatePreview     = "preview"
	ImportStateQueued      = "queued"
	ImportStateRunning     = "running"
	ImportStateDone        = "done"
	ImportStateFailed      = "failed"
	ImportStateInterrupted = "interrupted"
	ImportStateCancelled   = "cancelled"
	ImportStateExpired     = "expired"
	ImportStateUndone      = "undone"
)

// Working tells whether the import is waiting or running (the page polls).
func (v ImportView) Working() bool {
	return v.State == ImportStateQueued || v.State == ImportStateRunning
}

// Imported counts the contacts written (created or updated).
func (v ImportView) Imported() int { return v.Created + v.Updated }

// Percent is how far the import has come, 0–100.
func (v ImportView) Percent() int {
	if v.Total == 0 {
		return 0
	}
	return min(100, v.Done*100/v.Total)
}

// MoreBad counts skipped rows not listed.
func (v ImportView) MoreBad() int { return v.Bad - len(v.BadRows) }

// TitleID is the catalogue id of the page heading for the state: it says
// 正在… only while the import runs.
func (v ImportView) TitleID() string {
	switch v.State {
	case ImportStatePreview:
		return "import.title_preview"
	case ImportStateQueued:
		return "import.title_queued"
	case ImportStateRunning:
		return "import.title_running"
	case ImportStateDone:
		if v.Imported() == 0 {
			return "import.title_nothing"
		}
		return "import.title_done"
	case ImportStateFailed:
		return "import.title_failed"
	case ImportStateInterrupted:
		return "import.title_interrupted"
	case ImportStateUndone:
		return "import.title_undone"
	case ImportStateExpired:
		return "import.title_expired"
	}
	return "import.title_cancelled"
}

// IntroID is the catalogue id of the line under the heading.
func (v ImportView) IntroID() string {
	if v.Working() {
		return "import.intro_running"
	}
	return "import.intro_file"
}

func importPath(id uint64) string { return "/contacts/import/" + strconv.FormatUint(id, 10) }

func importActionPath(id uint64, action string) templ.SafeURL {
	return templ.SafeURL(importPath(id) + "/" + action)
}

func contactsOf(channel uint) templ.SafeURL {
	return templ.SafeURL("/contacts?channel=" + strconv.FormatUint(uint64(channel), 10))
}

func importAgain(channel uint) templ.SafeURL {
	return templ.SafeURL("/contacts/import?channel=" + strconv.FormatUint(uint64(channel), 10))
}

func importColumns() []string {
	return []string{"external_id", "name", "phone", "subscribed", "subscribed_at", "last_interaction_at", "tags"}
}

func stateBadgeClass(state string) string {
	switch state {
	case ImportStateDone:
		return "badge ok"
	case ImportStateFailed, ImportStateInterrupted:
		return "badge off"
	case ImportStateRunning, ImportStateQueued, ImportStatePreview:
		return "badge admin"
	}
	return "badge"
}

// badReason says why a row fails, in the reader's language.
func badReason(ctx context.Context, b ImportBadRow) string {
	return i18n.T(ctx, b.Reason, "Line", b.FirstLine, "Start", b.Line, "End", b.EndLine)
}
