package web

import (
	"errors"
	"hash/fnv"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/views"
)

// contactPageSize is the number of rows per page.
const contactPageSize = 50

// contactList is the contact list: full page, or for htmx (filter, pager)
// only the results, with the canonical URL pushed into the history. The
// rows come without their count, which the results then ask for
// (contactCount). An invalid filter answers 422: the full page shows the
// form with its fields marked; an htmx request gets only the form, marked,
// and the results on the page stay the last valid ones. A page link
// (after/before) that is not ours answers 400.
func (s *Server) contactList(c echo.Context) error {
	list, err := models.ListChannels(s.db)
	if err != nil {
		return err
	}
	ch := pickChannel(list, c.QueryParam("channel"), c.QueryParam("kind"))
	now := s.now()
	loc := s.Workspace().Location()
	query := canonicalFilterQuery(c.QueryParams(), loc, now)
	if ch == nil {
		data := views.ContactsPage{Tabs: kindTabs(list, nil)}
		return s.render(c, http.StatusOK, views.ContactsListPage(s.page(c, "nav.contacts", "contacts"), data))
	}
	query.Set("channel", strconv.FormatUint(uint64(ch.ID), 10))
	results, errs, err := s.contactResults(c, ch, query, loc, now)
	if err != nil {
		return err
	}
	status := http.StatusOK
	switch {
	case errs != nil:
		status = http.StatusUnprocessableEntity
	case results.CursorInvalid:
		status = http.StatusBadRequest
	}
	panelOpen := c.QueryParam("panel") == "open"
	if isHTMX(c) && c.Request().Header.Get("HX-History-Restore-Request") != "true" {
		if errs != nil {
			// Only the form, marked; the results stay as they are.
			c.Response().Header().Set("HX-Reswap", "none")
			data, err := s.contactsPanel(ch, query, results, errs, panelOpen)
			if err != nil {
				return err
			}
			return s.render(c, status, views.FilterFormBody(data, true))
		}
		if !results.CursorInvalid {
			c.Response().Header().Set("HX-Push-Url", "/contacts?"+pageQuery(query, c).Encode())
		}
		return s.render(c, status, views.ContactResultsFragment(results))
	}
	return s.renderContactsPage(c, status, list, ch, query, results, errs, panelOpen)
}

// contactsPanel is the part of the contacts page that the filter form
// needs: the account, its results and the filter as asked.
func (s *Server) contactsPanel(ch *models.Channel, query url.Values, results views.ContactResults, errs views.FormErrors, panelOpen bool) (views.ContactsPage, error) {
	now, loc := s.now(), s.Workspace().Location()
	data := views.ContactsPage{Kind: ch.Kind, ChannelID: ch.ID, CanBroadcast: ch.CanBroadcast(), Results: results}
	data.Filter = filterForm(query, loc, now, panelOpen)
	data.Filter.ChannelID, data.Filter.Errors = ch.ID, errs
	var err error
	data.AllTags, err = models.ListTagNames(s.db)
	return data, err
}

// renderContactsPage renders the whole contacts page of one account around
// its results: tabs, account picker, totals, filter panel.
func (s *Server) renderContactsPage(c echo.Context, status int, list []models.Channel, ch *models.Channel, query url.Values, results views.ContactResults, errs views.FormErrors, panelOpen bool) error {
	data, err := s.contactsPanel(ch, query, results, errs, panelOpen)
	if err != nil {
		return err
	}
	data.Tabs = kindTabs(list, ch)
	data.Accounts = accountOptions(list, ch)
	counts, err := models.CountChannelContacts(s.db, ch.ID)
	if err != nil {
		return err
	}
	data.Subscribed, data.Unsubscribed = counts.Subscribed, counts.Unsubscribed
	if ch.Kind == channels.KindLINE {
		data.Quota = s.lineQuota(c.Request().Context(), ch)
	}
	return s.render(c, status, views.ContactsListPage(s.page(c, "nav.contacts", "contacts"), data))
}

// contactResults runs the filter and builds the results view; errs are
// the filter's field errors (then no rows are read).
func (s *Server) contactResults(c echo.Context, ch *models.Channel, query url.Values, loc *time.Location, now time.Time) (views.ContactResults, views.FormErrors, error) {
	r := views.ContactResults{ChannelID: ch.ID, Kind: ch.Kind, CanBroadcast: ch.CanBroadcast(), CSRF: csrfToken(c)}
	f, ferrs := models.ParseContactFilter(query, loc)
	f.ChannelID = ch.ID
	r.Query = f.Values().Encode()
	r.SelectionKey = r.Query
	if ferrs != nil {
		errs, _ := formErrors(ferrs)
		r.Invalid = true
		return r, errs, nil
	}
	page, err := models.ListContactPage(s.db, f, c.QueryParam("after"), c.QueryParam("before"), contactPageSize, now)
	if errors.Is(err, models.ErrCursorInvalid) {
		r.CursorInvalid = true
		return r, nil, nil
	}
	if err != nil {
		return r, nil, err
	}
	r.CountHref = "/contacts/count?" + r.Query
	r.CountKey = countKey(r.Query)
	if f.StatusOnly() {
		// The account's totals: known at once, no second request.
		n, err := models.CountContacts(s.db, f, now)
		if err != nil {
			return r, nil, err
		}
		r.Count = &n
	}
	r.Skipped = page.Skipped
	r.Conditions = describeFilter(c, f, loc)
	base := "/contacts?" + r.Query
	if page.Next != "" {
		r.NextHref = base + "&after=" + url.QueryEscape(page.Next)
	}
	if page.Prev != "" {
		r.PrevHref = base + "&before=" + url.QueryEscape(page.Prev)
	}
	for _, ct := range page.Contacts {
		r.Rows = append(r.Rows, contactRow(ct, ch.Kind, loc, now))
	}
	return r, nil, nil
}

// pageQuery is the URL of the page shown: the filter plus its cursor.
func pageQuery(query url.Values, c echo.Context) url.Values {
	out := url.Values{}
	for k, v := range query {
		out[k] = v
	}
	for _, k := range []string{"after", "before"} {
		if v := c.QueryParam(k); v != "" {
			out.Set(k, v)
		}
	}
	return out
}

func contactRow(ct models.ContactWithTags, kind string, loc *time.Location, now time.Time) views.ContactRow {
	row := views.ContactRow{
		ID: ct.ID, Name: ct.Name, PictureURL: ct.PictureURL, Phone: displayPhone(ct.Phone), Tags: ct.Tags,
		Subscribed: ct.Subscribed, SubscribedAt: formatTime(ct.SubscribedAt, loc), LastInteraction: formatTime(ct.LastInteractionAt, loc),
		ShowWindow: kind == channels.KindMessenger, Tester: ct.Tester,
	}
	for _, r := range ct.Name {
		row.Initial = string(r)
		break
	}
	if row.Initial == "" {
		row.Initial = "?"
	}
	row.InWindow = ct.LastInteractionAt != nil && now.Sub(*ct.LastInteractionAt) < 24*time.Hour
	return row
}

func formatTime(t *time.Time, loc *time.Location) string {
	if t == nil {
		return "—"
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

// pickChannel chooses the account to show: ?channel=, else the first of
// ?kind=, else the first connected account.
func pickChannel(list []models.Channel, channelParam, kind string) *models.Channel {
	if id, ok := parseID(channelParam); ok {
		for i := range list {
			if list[i].ID == id {
				return &list[i]
			}
		}
	}
	for _, k := range channels.Kinds() {
		if kind != "" && k != kind {
			continue
		}
		for i := range list {
			if list[i].Kind == k {
				return &list[i]
			}
		}
	}
	return nil
}

func kindTabs(list []models.Channel, current *models.Channel) []views.KindTab {
	var tabs []views.KindTab
	for _, k := range channels.Kinds() {
		tab := views.KindTab{Kind: k, Href: "/contacts?kind=" + k, Disabled: true}
		for _, ch := range list {
			if ch.Kind == k {
				tab.Disabled = false
				break
			}
		}
		tab.Active = current != nil && current.Kind == k
		tabs = append(tabs, tab)
	}
	return tabs
}

func accountOptions(list []models.Channel, current *models.Channel) []views.AccountOption {
	var out []views.AccountOption
	for _, ch := range list {
		if ch.Kind == current.Kind {
			out = append(out, views.AccountOption{ID: ch.ID, Name: ch.Name, Href: "/contacts?channel=" + strconv.FormatUint(uint64(ch.ID), 10), Selected: ch.ID == current.ID})
		}
	}
	return out
}

// displayPhone shows a stored number in international format.
func displayPhone(p string) string { return models.FormatPhone(p) }

// countKey is a short stable name for a filter's count element.
func countKey(query string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(query))
	return strconv.FormatUint(h.Sum64(), 36)
}
