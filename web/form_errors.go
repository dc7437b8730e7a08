package web

import (
	"errors"

	"omnicast/models"
	"omnicast/views"
)

// formErrors turns validation errors from models into per-field catalogue
// ids for the views; ok is false for any other error.
func formErrors(err error) (views.FormErrors, bool) {
	var fe models.FieldErrors
	if !errors.As(err, &fe) {
		return nil, false
	}
	out := views.FormErrors{}
	for field, e := range fe {
		out[field] = e.Error()
	}
	return out, true
}
