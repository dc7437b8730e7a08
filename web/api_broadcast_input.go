package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// apiBroadcastInput is the body of POST /api/v1/broadcasts (issue 8):
// the composer's fields under the API's names. It binds into the same
// models.Draft as the composer's form, so one ValidateDraft judges both.
type apiBroadcastInput struct {
	ChannelID   uint                 `json:"channel_id"`
	Subject     string               `json:"subject"`
	Audience    apiAudienceInput     `json:"audience"`
	MessageTag  string               `json:"message_tag"`
	ScheduledAt *string              `json:"scheduled_at"`
	ApplyTags   []string             `json:"apply_tags"`
	Messages    []models.MessageSpec `json:"messages"`
	Template    *models.TemplateSpec `json:"template"`
	DryRun      bool                 `json:"dry_run"`
}

type apiAudienceInput struct {
	ExternalIDs []string `json:"external_ids"`
	Filter      string   `json:"filter"`
}

// bindAPIBroadcast reads the body (strictly: see apiBind) and binds it
// into a draft. A scheduled_at that is not RFC 3339 is a field error.
func bindAPIBroadcast(c echo.Context) (apiBroadcastInput, models.Draft, []models.FieldError, error) {
	var in apiBroadcastInput
	if err := apiBind(c, &in); err != nil {
		return in, models.Draft{}, nil, err
	}
	d := models.Draft{ChannelID: in.ChannelID, Subject: in.Subject, MessageTag: in.MessageTag, ApplyTags: in.ApplyTags,
		Content:  models.BroadcastContent{Messages: in.Messages, Template: in.Template},
		Audience: models.AudienceSpec{ExternalIDs: in.Audience.ExternalIDs, Filter: in.Audience.Filter}}
	var errs []models.FieldError
	if in.ScheduledAt == nil || strings.TrimSpace(*in.ScheduledAt) == "" {
		d.SendNow = true // absent means now
	} else if at, err := time.Parse(time.RFC3339, strings.TrimSpace(*in.ScheduledAt)); err != nil {
		errs = append(errs, models.FieldError{Field: "scheduled_at", Code: "scheduled_at_invalid"})
	} else {
		at = at.UTC()
		d.ScheduledAt = &at
	}
	return in, d, errs, nil
}

// apiComposeErrors answers 422 with the composer's field errors, worded
// in the request's language.
func apiComposeErrors(c echo.Context, errs []models.FieldError) error {
	list := make([]apiFieldError, len(errs))
	for i, e := range errs {
		list[i] = apiFieldError{Field: e.Field, Code: e.Code, MsgID: e.MessageID(), Args: e.Args}
	}
	return apiFieldErrors(c, list)
}

// composeFailure tells apart a database failure (reported by
// ValidateDraft as the field error "unavailable") from field errors.
func composeFailure(errs []models.FieldError) error {
	for _, e := range errs {
		if e.Code == "unavailable" {
			return fmt.Errorf("web: validate broadcast: %v", e.Args["detail"])
		}
	}
	return nil
}

// apiBroadcast is a broadcast as the API shows it.
type apiBroadcast struct {
	ID          uint                    `json:"id"`
	Status      string                  `json:"status"`
	Method      string                  `json:"method"`
	Version     int                     `json:"version"`
	ChannelID   uint                    `json:"channel_id"`
	Subject     string                  `json:"subject"`
	MessageTag  string                  `json:"message_tag,omitempty"`
	ScheduledAt *time.Time              `json:"scheduled_at"`
	ApplyTags   []string                `json:"apply_tags"`
	Content     models.BroadcastContent `json:"content"`
	// Frozen is the freeze's progress: deliveries written of the audience.
	Frozen  int64          `json:"frozen"`
	Figures models.Figures `json:"figures"`
	// Where sending stands (issue 9's status API): the maintained
	// counters, and when sending started and finished.
	Counts      models.BroadcastCounts `json:"counts"`
	StartedAt   *time.Time             `json:"started_at"`
	FinishedAt  *time.Time             `json:"finished_at"`
	PauseReason string                 `json:"pause_reason,omitempty"`
}

func apiBroadcastOf(b *models.Broadcast, f models.Figures) (apiBroadcast, error) {
	spec, err := b.Spec()
	if err != nil {
		return apiBroadcast{}, err
	}
	tags := b.Tags()
	if tags == nil {
		tags = []string{}
	}
	return apiBroadcast{ID: b.ID, Status: b.Status, Method: b.Method, Version: b.Version, ChannelID: b.ChannelID, Subject: b.Subject,
		MessageTag: b.MessageTag, ScheduledAt: b.ScheduledAt, ApplyTags: tags, Content: spec, Frozen: b.FrozenCount, Figures: f,
		Counts: b.Counts(), StartedAt: b.StartedAt, FinishedAt: b.FinishedAt, PauseReason: b.PauseReason}, nil
}
