// Package views holds omnicast's pages as templ components and the view
// models they render. Views never touch the database: handlers build the
// view models and pass them in.
package views

// FormErrors maps a field name to the catalogue id of its problem.
type FormErrors map[string]string

// SetupForm is the first-run form, re-rendered with its values on error.
type SetupForm struct {
	Name   string
	Email  string
	Errors FormErrors
	// CodeRequired asks for the one-time set-up code from the server log
	// (visitors from another machine); Code is what they typed.
	CodeRequired bool
	Code         string
	// Error is the catalogue id of a form-wide problem.
	Error string
	// DemoAvailable offers to fill the workspace with simulated accounts.
	DemoAvailable bool
	Demo          bool
}

// LoginForm is the sign-in form.
type LoginForm struct {
	Email string
	// Next is the local path to go to after signing in ("" for the default).
	Next  string
	Error string // catalogue id of a form-wide problem
	// ErrorArgs fill the message's template ("Minutes", 12).
	ErrorArgs []any
}

// UserRow is one line of the users table.
type UserRow struct {
	ID        uint
	Name      string
	Email     string
	Role      string
	Active    bool
	IsSelf    bool
	CreatedAt string
}

// NewUserForm is the add-user form on the users page.
type NewUserForm struct {
	Name   string
	Email  string
	Role   string
	Errors FormErrors
}

// SettingsForm is the workspace settings form.
type SettingsForm struct {
	Timezone  string
	PublicURL string
	Errors    FormErrors
	// Timezones offered in the picker.
	Timezones []string
}

// ErrorInfo describes an error page; Title and Message are catalogue ids.
type ErrorInfo struct {
	Code    int
	Title   string
	Message string
}

// Area describes a section whose screens later work fills in.
type Area struct {
	Title       string // catalogue id
	Description string // catalogue id
}
