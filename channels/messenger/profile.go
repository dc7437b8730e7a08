package messenger

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"omnicast/channels"
)

// Page is what "Test connection" shows: the Page the token speaks for.
type Page struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Profile reads the person's name and picture through the User Profile API.
// It fails for people who restrict their profile (subcode 2018218) or when
// the app lacks the permission; callers then keep the name they stored.
func (c *Client) Profile(ctx context.Context, psid string) (channels.Profile, error) {
	var p struct {
		Name       string `json:"name"`
		FirstName  string `json:"first_name"`
		LastName   string `json:"last_name"`
		ProfilePic string `json:"profile_pic"`
	}
	if err := c.GraphGet(ctx, psid, "first_name,last_name,profile_pic", &p); err != nil {
		return channels.Profile{}, fmt.Errorf("messenger: profile of %s: %w", psid, err)
	}
	name := strings.TrimSpace(p.Name)
	if name == "" {
		name = joinName(strings.TrimSpace(p.FirstName), strings.TrimSpace(p.LastName))
	}
	return channels.Profile{Name: name, PictureURL: p.ProfilePic}, nil
}

// joinName writes a full name the way its script does: Chinese, Japanese
// and Korean names family name first with no space (陳 + 怡君 → 陳怡君),
// others "First Last".
func joinName(first, last string) string {
	if isCJK(first) && isCJK(last) {
		return last + first
	}
	return strings.TrimSpace(first + " " + last)
}

func isCJK(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
			return false
		}
	}
	return true
}

// Me returns the Page behind the access token, proving the token works.
func (c *Client) Me(ctx context.Context) (Page, error) {
	var p Page
	if err := c.GraphGet(ctx, "me", "id,name", &p); err != nil {
		return Page{}, fmt.Errorf("messenger: test connection: %w", err)
	}
	return p, nil
}
