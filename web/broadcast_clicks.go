package web

import (
	"context"
	"strconv"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/views"
	"omnicast/views/i18n"
)

// reportButtons lists the broadcast's buttons with their clicks: the
// people who tapped each (repeats counted once) as a share of the click
// base (delivered, or accepted on LINE), and every tap.
func (s *Server) reportButtons(ctx context.Context, r *models.BroadcastListRow) ([]views.ReportButton, error) {
	clicks, err := models.BroadcastButtonClicks(s.db, &r.Broadcast)
	if err != nil || len(clicks) == 0 {
		return nil, err
	}
	how := "report.how.button"
	if r.ChannelKind == channels.KindLINE {
		how = "report.how.button_line"
	}
	base := clickBase(r)
	out := make([]views.ReportButton, 0, len(clicks))
	for _, c := range clicks {
		b := views.ReportButton{Key: c.Key, Label: c.Label, People: c.People, Taps: c.Taps,
			Rate: rateOf(c.People, base), How: i18n.T(ctx, how)}
		if b.Label == "" {
			b.Label = i18n.T(ctx, "report.button_n", "Num", c.Button+1)
		}
		if c.Source == models.ClickTemplate {
			b.Action = i18n.T(ctx, "report.button_action."+c.Action)
		}
		if c.ModuleID != 0 {
			b.Module = c.ModuleName
			if c.ModuleName == "" {
				b.Module = i18n.T(ctx, "report.button_module_deleted")
			} else {
				b.ModuleHref = "/bots/" + strconv.FormatUint(uint64(c.ModuleID), 10) + "/edit"
			}
		}
		out = append(out, b)
	}
	return out, nil
}
