package web

import (
	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// actorOf is the signed-in user as the audit trail and the models name
// them (apiActor is its API twin: a token acting for its owner).
func actorOf(c echo.Context) models.Actor {
	if u := currentUser(c); u != nil {
		return models.Actor{UserID: u.ID}
	}
	return models.Actor{}
}
