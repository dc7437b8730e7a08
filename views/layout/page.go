// Package layout holds the page shells: the signed-in application frame and
// the centred card used by sign-in and first-run set-up.
package layout

import (
	"encoding/json"
	"strconv"

	"omnicast/views/components"
)

// Page is what every full page needs besides its own content.
type Page struct {
	Title   string // already translated
	Nav     string // key of the active top-navigation entry
	Lang    string
	CSRF    string
	User    *User // nil when signed out
	Flashes []components.Flash
	Assets  Assets
	Path    string // current request path, for "back here" links
	// Demo is set while the demo workspace is being filled.
	Demo *DemoStatus
}

// DemoStatus is the progress of the demo workspace being filled.
type DemoStatus struct {
	Running bool
	Done    int
	Total   int
	Failed  bool
}

// Percent is how far the demo has come, 0–100.
func (d DemoStatus) Percent() int {
	if d.Total == 0 {
		return 0
	}
	return d.Done * 100 / d.Total
}

// User is the signed-in person as the shell shows them.
type User struct {
	Name   string
	Email  string
	Admin  bool
	Locale string
}

// Initial returns the first letter of the name for the avatar.
func (u *User) Initial() string {
	for _, r := range u.Name {
		return string(r)
	}
	return "?"
}

// Assets are the hashed URLs of the shared static files.
type Assets struct {
	CSS  string
	HTMX string
	App  string
	Logo string
}

// NavItem is one entry of the top navigation.
type NavItem struct {
	Key       string
	Href      string
	Label     string // catalogue id
	AdminOnly bool
}

// NavItems lists the top navigation in order.
func NavItems() []NavItem {
	return []NavItem{
		{Key: "contacts", Href: "/contacts", Label: "nav.contacts"},
		{Key: "broadcasts", Href: "/broadcasts", Label: "nav.broadcasts"},
		{Key: "bots", Href: "/bots", Label: "nav.bots"},
		{Key: "channels", Href: "/channels", Label: "nav.channels", AdminOnly: true},
		{Key: "users", Href: "/users", Label: "nav.users", AdminOnly: true},
		{Key: "settings", Href: "/settings", Label: "nav.settings", AdminOnly: true},
	}
}

// csrfHeaders is the hx-headers value that makes htmx send the CSRF token
// with every request it issues from inside the page.
func csrfHeaders(token string) string {
	b, _ := json.Marshal(map[string]string{"X-CSRF-Token": token})
	return string(b)
}

func itoa(n int) string { return strconv.Itoa(n) }
