package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
)

// contactImportStatus shows one import as it stands: the preview waiting
// for confirmation, the progress (htmx polls this route for the fragment),
// or the result. Every instance shows the same, from the database.
func (s *Server) contactImportStatus(c echo.Context) error {
	imp, err := s.loadImport(c)
	if errors.Is(err, echo.ErrNotFound) {
		return s.render(c, http.StatusNotFound, views.ImportMissingPage(s.page(c, "import.title", "contacts")))
	}
	if err != nil {
		return err
	}
	v, err := s.importView(imp)
	if err != nil {
		return err
	}
	return s.renderImport(c, http.StatusOK, v)
}

// renderImport writes the import page, or its status part for htmx.
func (s *Server) renderImport(c echo.Context, status int, v views.ImportView) error {
	if isHTMX(c) {
		return s.render(c, status, views.ImportStatus(v, csrfToken(c)))
	}
	return s.render(c, status, views.ImportShowPage(s.page(c, "import.title", "contacts"), v))
}

// loadImport loads the import named by :id, or answers 404.
func (s *Server) loadImport(c echo.Context) (*models.ContactImport, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	imp, err := models.FindContactImport(s.db, uint64(id))
	if errors.Is(err, models.ErrNotFound) {
		return nil, echo.ErrNotFound
	}
	return imp, err
}

// importView builds what the import page shows.
func (s *Server) importView(imp *models.ContactImport) (views.ImportView, error) {
	v := views.ImportView{
		ID: imp.ID, ChannelID: imp.ChannelID, FileName: imp.FileName, State: imp.StateAt(s.now()),
		Done: imp.DoneRows, Total: imp.TotalRows, Created: imp.Created, Updated: imp.Updated, Bad: imp.Bad,
		Undone: imp.Undone, Undoable: imp.Undoable() && imp.StateAt(s.now()) == imp.State,
	}
	if ch, err := models.FindChannel(s.db, imp.ChannelID); err == nil {
		v.ChannelName = ch.Name
	} else if !errors.Is(err, models.ErrNotFound) {
		return v, err
	}
	if v.State == models.ImportPreviewState {
		p, err := imp.PreviewData()
		if err != nil {
			return v, err
		}
		v.Preview = previewView(p, imp.Timezone)
		return v, nil
	}
	bad, err := imp.BadRowList()
	if err != nil {
		return v, err
	}
	v.BadRows = badRowViews(bad)
	return v, nil
}

func badRowViews(rows []models.ImportRowError) []views.ImportBadRow {
	out := make([]views.ImportBadRow, 0, len(rows))
	for _, b := range rows {
		out = append(out, badRowView(b))
	}
	return out
}

func badRowView(b models.ImportRowError) views.ImportBadRow {
	reason := ""
	if b.Reason != nil {
		reason = b.Reason.Error()
	}
	return views.ImportBadRow{Line: b.Line, Column: b.Column, Value: b.Value, Reason: reason, FirstLine: b.FirstLine, EndLine: b.EndLine}
}

// previewBadRows bounds the failing rows a preview lists.
const previewBadRows = 50

// previewView shows a preview with times in the workspace's zone and
// phones in international format.
func previewView(p models.ImportPreview, zone string) views.ImportPreview {
	l := models.Workspace{Timezone: zone}.Location()
	v := views.ImportPreview{
		Encoding: "import.encoding." + p.Encoding, Timezone: zone, Total: p.Total, Bad: p.Bad, MostlyBad: p.MostlyBad(),
	}
	for _, c := range p.Columns {
		v.Columns = append(v.Columns, views.ImportColumn{Name: c.Name, Known: c.Known})
	}
	for _, r := range p.Rows {
		row := views.ImportPreviewRow{Line: r.Line}
		if r.Error != nil {
			b := badRowView(*r.Error)
			row.Bad, row.Cells = &b, strings.Join(r.Cells, ", ")
		} else {
			row.ExternalID, row.Name, row.Phone, row.Tags = r.ExternalID, r.Name, models.FormatPhone(r.Phone), strings.Join(r.Tags, ", ")
			if r.Subscribed != nil && *r.Subscribed {
				row.Subscribed = "import.sub.yes"
			} else if r.Subscribed != nil {
				row.Subscribed = "import.sub.no"
			}
			if r.SubscribedAt != nil {
				row.SubscribedAt = r.SubscribedAt.In(l).Format("2006-01-02 15:04")
			}
			if r.LastInteractionAt != nil {
				row.LastInteractionAt = r.LastInteractionAt.In(l).Format("2006-01-02 15:04")
			}
		}
		v.Rows = append(v.Rows, row)
	}
	bad := p.BadRows
	if len(bad) > previewBadRows {
		bad = bad[:previewBadRows]
	}
	v.BadRows = badRowViews(bad)
	return v
}
