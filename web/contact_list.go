package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/channels"
	"omnicast/channels/line"
	"omnicast/models"
	"omnicast/views"
)

// contactPageSize is the number of rows per page.
const contactPageSize = 50

// contactList is the contact list: full page, or for htmx (filter, pager)
// only the results, with the canonical URL pushed into the history.
func (s *Server) contactList(c echo.Context) error {
	list, err := models.ListChannels(s.db)
	if err != nil {
		return err
	}
	ch := pickChannel(list, c.QueryParam("channel"), c.QueryParam("kind"))
	now := s.now()
	loc := s.Workspace().Location()
	query := canonicalFilterQuery(c.QueryParams(), loc, now)
	data := views.ContactsPage{Tabs: kindTabs(list, ch)}
	if ch != nil {
		query.Set("channel", strconv.FormatUint(uint64(ch.ID), 10))
		results, err := s.contactResults(c, ch, query, loc, now)
		if err != nil {
			return err
		}
		if isHTMX(c) && c.Request().Header.Get("HX-History-Restore-Request") != "true" {
			c.Response().Header().Set("HX-Push-Url", "/contacts?"+pageQuery(query, c).Encode())
			return s.render(c, http.StatusOK, views.ContactResultsFragment(results))
		}
		data.Kind, data.ChannelID, data.CanBroadcast, data.Results = ch.Kind, ch.ID, ch.CanBroadcast(), results
		data.Accounts = accountOptions(list, ch)
		data.Filter = filterForm(query, loc, now, c.QueryParam("panel") == "open")
		data.Filter.ChannelID = ch.ID
		counts, err := models.CountChannelContacts(s.db, ch.ID)
		if err != nil {
			return err
		}
		data.Subscribed, data.Unsubscribed = counts.Subscribed, counts.Unsubscribed
		if ch.Kind == channels.KindLINE {
			data.Quota = s.lineQuota(c.Request().Context(), ch)
		}
		if data.AllTags, err = models.ListTagNames(s.db); err != nil {
			return err
		}
	}
	return s.render(c, http.StatusOK, views.ContactsListPage(s.page(c, "nav.contacts", "contacts"), data))
}

// contactResults runs the filter and builds the results view.
func (s *Server) contactResults(c echo.Context, ch *models.Channel, query url.Values, loc *time.Location, now time.Time) (views.ContactResults, error) {
	r := views.ContactResults{ChannelID: ch.ID, Kind: ch.Kind, CanBroadcast: ch.CanBroadcast(), CSRF: csrfToken(c)}
	f, errs := models.ParseContactFilter(query, loc)
	f.ChannelID = ch.ID
	r.Query = f.Values().Encode()
	r.SelectionKey = r.Query
	if errs != nil {
		r.Errors, _ = formErrors(errs)
		return r, nil
	}
	page, err := models.ListContactPage(s.db, f, c.QueryParam("after"), c.QueryParam("before"), contactPageSize, now)
	if err == models.ErrCursorInvalid {
		r.Errors = views.FormErrors{"after": err.Error()}
		return r, nil
	}
	if err != nil {
		return r, err
	}
	if r.Count, r.Estimated, err = models.CountContacts(s.db, f, now); err != nil {
		return r, err
	}
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
	return r, nil
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
		ShowWindow: kind == channels.KindMessenger,
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
	if id, err := strconv.ParseUint(channelParam, 10, 32); err == nil {
		for i := range list {
			if uint64(list[i].ID) == id {
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

// lineQuota asks LINE for this month's quota and usage; failures show a dash.
func (s *Server) lineQuota(ctx context.Context, ch *models.Channel) *views.QuotaInfo {
	q := &views.QuotaInfo{Unavailable: true}
	secrets, err := ch.Secrets(s.sealer)
	if err != nil {
		return q
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	client := line.New(line.Config{BaseURL: ch.APIBaseURL, ChannelAccessToken: secrets.AccessToken, HTTPClient: s.platforms.http})
	quota, err := client.Quota(ctx)
	if err != nil {
		s.log.Info("LINE quota unavailable", "channel", ch.ID, "err", err)
		return q
	}
	used, err := client.QuotaConsumption(ctx)
	if err != nil {
		s.log.Info("LINE quota consumption unavailable", "channel", ch.ID, "err", err)
		return q
	}
	return &views.QuotaInfo{Used: used, Limit: quota.Value, Unlimited: strings.EqualFold(quota.Type, line.QuotaNone)}
}

// displayPhone shows a stored number in international format.
func displayPhone(p string) string { return models.FormatPhone(p) }
