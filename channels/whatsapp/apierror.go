package whatsapp

import "omnicast/channels/meta"

// APIError is an error answer of the Graph API, decoded by channels/meta
// (the one decoder Messenger, Instagram and WhatsApp share).
type APIError = meta.APIError

// parseAPIError builds an APIError from any non-2xx answer.
func parseAPIError(status int, body []byte) *APIError { return meta.DecodeError(status, body) }
