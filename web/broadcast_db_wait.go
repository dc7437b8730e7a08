package web

import "omnicast/models"

// dbWaitSince says, for a sending broadcast, since when this instance's
// sending waits for an unreachable database ("" when it does not): the
// broadcast's page shows it while it lasts, and sending resumes by itself.
func (s *Server) dbWaitSince(status string) string {
	if s.jobs == nil || status != models.BroadcastSending {
		return ""
	}
	since, waiting := s.jobs.DatabaseWait()
	if !waiting {
		return ""
	}
	return since.In(s.Workspace().Location()).Format("15:04:05")
}
