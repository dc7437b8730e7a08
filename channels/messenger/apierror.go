package messenger

import "omnicast/channels/meta"

// APIError is a Graph API error answer, decoded by channels/meta (the one
// decoder Messenger, Instagram and WhatsApp share).
type APIError = meta.APIError

// decodeAPIError builds an APIError from a non-2xx answer.
func decodeAPIError(status int, body []byte) *APIError { return meta.DecodeError(status, body) }
