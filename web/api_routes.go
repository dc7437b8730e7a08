package web

import "github.com/labstack/echo/v4"

// apiRoutes is the route table of the JSON API, mounted at /api/v1 by
// routes with bearer authentication and no session nor CSRF. Every
// handler answers JSON, errors through apiError / apiFieldErrors.
func (s *Server) apiRoutes(g *echo.Group) {
	g.GET("/me", s.apiMe)
	g.POST("/uploads", s.apiUploadCreate)
	g.GET("/contacts", s.apiContactList)
	g.POST("/bot-modules", s.apiBotModuleCreate)
	g.GET("/bot-modules", s.apiBotModuleList)
	g.GET("/bot-modules/:id", s.apiBotModuleShow)
	g.POST("/broadcasts", s.apiBroadcastCreate)
	g.GET("/broadcasts/:id", s.apiBroadcastShow)
	g.PATCH("/broadcasts/:id", s.apiBroadcastUpdate)
	g.GET("/broadcasts/:id/status", s.apiBroadcastStatus)
	g.POST("/broadcasts/:id/pause", s.apiBroadcastControl("pause"))
	g.POST("/broadcasts/:id/resume", s.apiBroadcastControl("resume"))
	g.POST("/broadcasts/:id/cancel", s.apiBroadcastControl("cancel"))
	g.GET("/broadcasts/:id/recipients", s.apiBroadcastRecipients)
	g.POST("/broadcasts/:id/retry-failed", s.apiBroadcastRetry("retry-failed"))
	g.POST("/broadcasts/:id/resend-uncertain", s.apiBroadcastRetry("resend-uncertain"))
}
