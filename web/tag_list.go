package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/views"
)

// tagList shows every tag with its contact count.
func (s *Server) tagList(c echo.Context) error {
	return s.renderTags(c, http.StatusOK, "", nil)
}

func (s *Server) renderTags(c echo.Context, status int, newName string, errs views.FormErrors) error {
	search, sort := c.QueryParam("q"), c.QueryParam("sort")
	tags, err := models.ListTagsWithCounts(s.db, search, sort)
	if err != nil {
		return err
	}
	perChannel, err := models.TagChannelCounts(s.db)
	if err != nil {
		return err
	}
	list, err := models.ListChannels(s.db)
	if err != nil {
		return err
	}
	loc := s.Workspace().Location()
	d := views.TagsPage{Search: search, Sort: sort, NewName: newName, Errors: errs}
	for _, t := range tags {
		d.Tags = append(d.Tags, views.TagRow{
			ID: t.ID, Name: t.Name, Contacts: t.Contacts, CreatedAt: t.CreatedAt.In(loc).Format("2006-01-02"),
			Channels: tagChannels(list, t.Name, perChannel[t.ID]),
		})
	}
	return s.render(c, status, views.TagsListPage(s.page(c, "tags.title", "contacts"), d))
}

// tagChannels lists a tag's contacts per account, in the channel tabs'
// order, each linking to that account's contacts with the tag: all of
// them, subscribed or not, so the list shows the same number.
func tagChannels(list []models.Channel, tag string, counts map[uint]int64) []views.TagChannelCount {
	var out []views.TagChannelCount
	for _, kind := range channels.Kinds() {
		for _, ch := range list {
			if ch.Kind != kind || counts[ch.ID] == 0 {
				continue
			}
			q := url.Values{"channel": {strconv.FormatUint(uint64(ch.ID), 10)}, "status": {models.StatusAll}, "tags_any": {tag}}
			out = append(out, views.TagChannelCount{Name: ch.Name, Kind: ch.Kind, Contacts: counts[ch.ID], Href: "/contacts?" + q.Encode()})
		}
	}
	return out
}

// tagCreate adds a tag; a name that exists in any case is refused with
// the name kept in the box.
func (s *Server) tagCreate(c echo.Context) error {
	name := c.FormValue("name")
	_, err := models.CreateTag(s.db, name)
	if errors.Is(err, models.ErrTagNameInvalid) || errors.Is(err, models.ErrTagExists) {
		return s.renderTags(c, http.StatusUnprocessableEntity, name, views.FormErrors{"name": err.Error()})
	}
	if err != nil {
		return err
	}
	s.flash(c, "success", "tags.added")
	return redirect(c, "/tags")
}

// tagRename renames a tag everywhere it is used.
func (s *Server) tagRename(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	switch err := models.RenameTag(s.db, id, c.FormValue("name")); {
	case err == nil:
		s.flash(c, "success", "tags.renamed")
	case errors.Is(err, models.ErrNotFound):
		return echo.ErrNotFound
	case errors.Is(err, models.ErrTagExists), errors.Is(err, models.ErrTagNameInvalid):
		s.flash(c, "error", err.Error())
	default:
		return err
	}
	return redirect(c, "/tags")
}

// tagDelete removes a tag from every contact and deletes it.
func (s *Server) tagDelete(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := models.DeleteTag(s.db, id); errors.Is(err, models.ErrNotFound) {
		return echo.ErrNotFound
	} else if err != nil {
		return err
	}
	s.flash(c, "success", "tags.deleted")
	return redirect(c, "/tags")
}
