package web

import (
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// apiBotModule is a module as the JSON API answers it: its fields as
// POST takes them, and per channel whether it fits and why not.
type apiBotModule struct {
	ID uint `json:"id"`
	models.BotModuleInput
	Fits      map[string]bool         `json:"fits"`
	Problems  map[string][]apiProblem `json:"problems"`
	CreatedAt time.Time               `json:"created_at"`
	UpdatedAt time.Time               `json:"updated_at"`
}

// apiProblem is one fit problem: a stable code, where it is, the limit
// broken, and the reason in the request's language.
type apiProblem struct {
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	Limit   int    `json:"limit,omitempty"`
	Got     int    `json:"got,omitempty"`
}

// botModuleJSON builds the API's view of a stored module.
func (s *Server) botModuleJSON(c echo.Context, m *models.BotModule) (apiBotModule, error) {
	in, err := m.Input()
	if err != nil {
		return apiBotModule{}, err
	}
	card, err := in.Card(s.moduleImage)
	if err != nil {
		return apiBotModule{}, err
	}
	out := apiBotModule{ID: m.ID, BotModuleInput: in, Fits: map[string]bool{}, Problems: map[string][]apiProblem{},
		CreatedAt: m.CreatedAt.UTC(), UpdatedAt: m.UpdatedAt.UTC()}
	for kind, ps := range models.ModuleFits(card) {
		out.Fits[kind] = len(ps) == 0
		list := []apiProblem{}
		for _, p := range ps {
			list = append(list, apiProblem{Code: p.Code, Field: p.Field, Limit: p.Limit, Got: p.Got,
				Message: t(c, "fit."+p.Code, "Limit", p.Limit, "Got", p.Got)})
		}
		out.Problems[kind] = list
	}
	return out, nil
}
