package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// Page sizes of GET /api/v1/contacts.
const (
	apiContactPageSize    = 100
	apiContactPageSizeMax = 500
)

// apiContact is one contact as the API shows it.
type apiContact struct {
	ID                uint64     `json:"id"`
	ExternalID        string     `json:"external_id"`
	Name              string     `json:"name"`
	Phone             string     `json:"phone"`
	Subscribed        bool       `json:"subscribed"`
	SubscribedAt      *time.Time `json:"subscribed_at"`
	UnsubscribedAt    *time.Time `json:"unsubscribed_at"`
	LastInteractionAt *time.Time `json:"last_interaction_at"`
	Tester            bool       `json:"tester"`
	Tags              []string   `json:"tags"`
}

// apiContactList is GET /api/v1/contacts?channel_id=…&<filter>&after=…:
// a page of the contacts matching the contacts page's filter (same query
// string, same parser; "channel" works as well as "channel_id"), newest
// first by the filter's sort, and the cursor of the next page (null on
// the last one).
func (s *Server) apiContactList(c echo.Context) error {
	q := c.QueryParams()
	if q.Get("channel_id") != "" {
		q.Set("channel", q.Get("channel_id"))
	}
	if q.Get("channel") == "" {
		return &apiFailure{Status: http.StatusUnprocessableEntity, Code: "channel_required", Field: "channel_id", MsgID: "api.error.channel_required"}
	}
	id, ok := parseID(q.Get("channel"))
	if !ok {
		return &apiFailure{Status: http.StatusUnprocessableEntity, Code: "channel_not_found", Field: "channel_id", MsgID: "api.error.channel_not_found"}
	}
	ch, err := models.FindChannel(s.db, id)
	if errors.Is(err, models.ErrNotFound) {
		return &apiFailure{Status: http.StatusUnprocessableEntity, Code: "channel_not_found", Field: "channel_id", MsgID: "api.error.channel_not_found"}
	}
	if err != nil {
		return err
	}
	limit, ok := apiPageLimit(q)
	if !ok {
		return &apiFailure{Status: http.StatusUnprocessableEntity, Code: "limit_invalid", Field: "limit", MsgID: "api.error.limit_invalid",
			Args: map[string]any{"Max": apiContactPageSizeMax}}
	}
	now, loc := s.now(), s.Workspace().Location()
	f, ferrs := models.ParseContactFilter(canonicalFilterQuery(q, loc, now), loc)
	if ferrs != nil {
		errs, _ := apiModelErrors(ferrs)
		return apiFieldErrors(c, errs)
	}
	f.ChannelID = ch.ID
	page, err := models.ListContactPage(s.db, f, q.Get("after"), "", limit, now)
	if errors.Is(err, models.ErrCursorInvalid) {
		return &apiFailure{Status: http.StatusBadRequest, Code: "cursor_invalid", Field: "after", MsgID: "api.error.cursor_invalid"}
	}
	if err != nil {
		return err
	}
	out := struct {
		Contacts []apiContact `json:"contacts"`
		Next     *string      `json:"next"`
	}{Contacts: make([]apiContact, 0, len(page.Contacts))}
	for _, ct := range page.Contacts {
		tags := ct.Tags
		if tags == nil {
			tags = []string{}
		}
		out.Contacts = append(out.Contacts, apiContact{
			ID: ct.ID, ExternalID: ct.ExternalID, Name: ct.Name, Phone: models.FormatPhone(ct.Phone), Subscribed: ct.Subscribed,
			SubscribedAt: utcTime(ct.SubscribedAt), UnsubscribedAt: utcTime(ct.UnsubscribedAt), LastInteractionAt: utcTime(ct.LastInteractionAt),
			Tester: ct.Tester, Tags: tags,
		})
	}
	if page.Next != "" {
		out.Next = &page.Next
	}
	return c.JSON(http.StatusOK, out)
}

// apiPageLimit reads ?limit= (1..apiContactPageSizeMax, default apiContactPageSize).
func apiPageLimit(q url.Values) (int, bool) {
	s := q.Get("limit")
	if s == "" {
		return apiContactPageSize, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > apiContactPageSizeMax {
		return 0, false
	}
	return n, true
}

func utcTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
