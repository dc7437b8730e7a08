package models_test

import (
	"testing"

	"omnicast/channels"
	"omnicast/models"
)

func TestRetryableReasons(t *testing.T) {
	for reason, want := range map[string]bool{
		channels.ReasonRateLimited: true, channels.ReasonTemporary: true, channels.ReasonNoAnswer: true,
		channels.ReasonUnavailable: true,
		models.SkipUnsubscribed:    false, channels.ReasonNoSuchUser: false, channels.ReasonBadRequest: false,
		channels.ReasonAbusive: false, channels.ReasonInvalidToken: false, channels.ReasonPermission: false,
		channels.ReasonPageRestricted: false, channels.ReasonQuotaExhausted: false, channels.ReasonSpamLimit: false,
		channels.ReasonEcosystem: false, channels.ReasonOutsideWindow: false, channels.ReasonAlreadySent: false,
		channels.ReasonUnknown: false, "": false,
	} {
		if got := models.RetryableReason(reason); got != want {
			t.Errorf("RetryableReason(%q) = %v, want %v", reason, got, want)
		}
	}
	for _, r := range models.RetryableReasons() {
		if !models.RetryableReason(r) {
			t.Errorf("listed %q is not retryable", r)
		}
	}
}
