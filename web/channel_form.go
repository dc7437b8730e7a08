package web

import (
	"errors"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
)

// channelInput is the add / edit channel form as posted.
type channelInput struct {
	Kind        string `form:"kind"`
	Name        string `form:"name"`
	ExternalID  string `form:"external_id"`
	WABAID      string `form:"waba_id"`
	Token       string `form:"token"`
	Secret      string `form:"secret"`
	VerifyToken string `form:"verify_token"`
	APIBaseURL  string `form:"api_base_url"`
	Rate        string `form:"rate"`
}

// toModel converts the form; a rate that is not a number is a field error.
func (in channelInput) toModel() (models.ChannelInput, views.FormErrors) {
	out := models.ChannelInput{
		Kind: in.Kind, Name: in.Name, ExternalID: in.ExternalID, WABAID: in.WABAID, Token: in.Token,
		Secret: in.Secret, VerifyToken: in.VerifyToken, APIBaseURL: in.APIBaseURL,
	}
	if r := strings.TrimSpace(in.Rate); r != "" {
		v, err := strconv.ParseFloat(r, 64)
		if err != nil || v <= 0 {
			return out, views.FormErrors{"rate": models.ErrRateInvalid.Error()}
		}
		out.RateLimit = v
	}
	return out, nil
}

// form re-renders what was posted (never the secrets).
func (in channelInput) form(id uint, errs views.FormErrors) views.ChannelForm {
	return views.ChannelForm{
		ID: id, Kind: in.Kind, Name: in.Name, ExternalID: in.ExternalID, WABAID: in.WABAID,
		VerifyToken: in.VerifyToken, APIBaseURL: in.APIBaseURL, Rate: in.Rate, Errors: errs,
	}
}

// loadChannel loads :id or answers 404.
func (s *Server) loadChannel(c echo.Context) (*models.Channel, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	ch, err := models.FindChannel(s.db, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, echo.ErrNotFound
	}
	return ch, err
}
