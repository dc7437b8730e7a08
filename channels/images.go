package channels

import (
	"net"
	"net/url"
	"strings"
)

// ProblemImageNeedsHTTPS is the code of an image the platform would not
// fetch: LINE and Meta fetch images over https only.
const ProblemImageNeedsHTTPS = "image_needs_https"

// ImageFetchProblem tells whether a platform can fetch images served under
// publicURL (the workspace's public address). It is nil when publicURL is
// https, or when the channel's API (apiBaseURL) is on a loopback host —
// the built-in simulator, which fetches from this machine — and publicURL
// is http on a loopback host too. Anything else (no public URL, plain http
// to a real platform) is a Problem with Code ProblemImageNeedsHTTPS.
func ImageFetchProblem(publicURL, apiBaseURL string) *Problem {
	pub, err := url.Parse(publicURL)
	if err == nil && pub.Host != "" {
		switch {
		case pub.Scheme == "https":
			return nil
		case pub.Scheme == "http" && isLoopbackHost(pub.Hostname()) && IsLoopbackURL(apiBaseURL):
			return nil
		}
	}
	return &Problem{Code: ProblemImageNeedsHTTPS}
}

// IsLoopbackURL tells whether raw is an absolute URL on a loopback host.
func IsLoopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Host != "" && isLoopbackHost(u.Hostname())
}

// FetchableImageURL is the platforms' rule for an image URL, as the
// builders and the simulator apply it: https, or plain http on a loopback
// host — only something on this machine (the simulator) can fetch that,
// and ImageFetchProblem keeps such URLs away from real platform hosts.
func FetchableImageURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	return u.Scheme == "https" || (u.Scheme == "http" && isLoopbackHost(u.Hostname()))
}

// isLoopbackHost is localhost or a loopback address (127.0.0.0/8, ::1).
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
