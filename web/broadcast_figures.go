package web

import (
	"context"

	"omnicast/channels"
	"omnicast/models"
)

// quotaFunc gives the confirmation figures a LINE channel's remaining
// quota this month, from the quota cache (at most a minute old; unknown
// when LINE did not answer).
func (s *Server) quotaFunc(ctx context.Context) models.QuotaFunc {
	return func(ch *models.Channel) (models.LineQuota, bool) {
		if ch.Kind != channels.KindLINE {
			return models.LineQuota{}, false
		}
		info := s.lineQuota(ctx, ch)
		if info == nil || info.Unavailable {
			return models.LineQuota{}, false
		}
		if info.Unlimited {
			return models.LineQuota{Unlimited: true}, true
		}
		return models.LineQuota{Remaining: max(info.Limit-info.Used, 0)}, true
	}
}

// validateEnv is what ValidateDraft needs from the server at this moment.
func (s *Server) validateEnv(confirming bool) models.ValidateEnv {
	return models.ValidateEnv{Now: s.now(), PublicURL: s.Workspace().PublicURL, Confirming: confirming}
}
