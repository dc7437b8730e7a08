package web

import "github.com/labstack/echo/v4"

// home sends signed-in users to the first screen of their journey.
func (s *Server) home(c echo.Context) error {
	return redirect(c, "/contacts")
}
