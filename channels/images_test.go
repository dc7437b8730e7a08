package channels_test

import (
	"testing"

	"omnicast/channels"
)

func TestImageFetchProblem(t *testing.T) {
	for _, c := range []struct {
		public, api string
		ok          bool
	}{
		{"https://omnicast.example.com", "", true},
		{"https://omnicast.example.com", "https://api.line.me", true},
		{"https://127.0.0.1:8443", "http://127.0.0.1:9000", true},
		// The simulator on this machine fetches loopback http.
		{"http://127.0.0.1:8080", "http://127.0.0.1:9000", true},
		{"http://localhost:8080", "http://[::1]:9000", true},
		// A real platform never fetches http, nor anything on our loopback.
		{"http://127.0.0.1:8080", "", false},
		{"http://127.0.0.1:8080", "https://api.line.me", false},
		{"http://omnicast.example.com", "https://graph.facebook.com", false},
		{"http://omnicast.example.com", "http://127.0.0.1:9000", false},
		{"", "http://127.0.0.1:9000", false},
		{"ftp://127.0.0.1", "http://127.0.0.1:9000", false},
		{"not a url", "", false},
	} {
		p := channels.ImageFetchProblem(c.public, c.api)
		if (p == nil) != c.ok || (p != nil && p.Code != channels.ProblemImageNeedsHTTPS) {
			t.Errorf("ImageFetchProblem(%q, %q) = %+v, want ok=%v", c.public, c.api, p, c.ok)
		}
	}
}

func TestFetchableImageURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://omnicast.example.com/media/a.png": true,
		"https://127.0.0.1:8443/media/a.png":       true,
		// Only this machine fetches loopback http: the simulator.
		"http://127.0.0.1:8080/media/a.png": true,
		"http://localhost:8080/media/a.png": true,
		"http://[::1]:8080/media/a.png":     true,
		"http://omnicast.example.com/a.png": false,
		"http://10.0.0.5/a.png":             false,
		"ftp://127.0.0.1/a.png":             false,
		"/media/a.png":                      false,
		"":                                  false,
	} {
		if got := channels.FetchableImageURL(raw); got != ok {
			t.Errorf("FetchableImageURL(%q) = %v, want %v", raw, got, ok)
		}
	}
}
