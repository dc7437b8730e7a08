package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/views"
)

// channelNew shows the add form for one kind of channel.
func (s *Server) channelNew(c echo.Context) error {
	kind := c.QueryParam("kind")
	if !validKind(kind) {
		return echo.ErrNotFound
	}
	form := views.ChannelForm{Kind: kind, Rate: strconv.FormatFloat(models.DefaultRateLimit(kind), 'f', -1, 64)}
	return s.renderChannelForm(c, http.StatusOK, form)
}

func validKind(kind string) bool {
	for _, k := range channels.Kinds() {
		if k == kind {
			return true
		}
	}
	return false
}

func (s *Server) renderChannelForm(c echo.Context, status int, form views.ChannelForm) error {
	return s.render(c, status, views.ChannelFormPage(s.page(c, "nav.channels", "channels"), form))
}
