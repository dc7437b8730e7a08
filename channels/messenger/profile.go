package messenger

import (
	"context"
	"fmt"
	"strings"

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
		name = strings.TrimSpace(strings.TrimSpace(p.FirstName) + " " + strings.TrimSpace(p.LastName))
	}
	return channels.Profile{Name: name, PictureURL: p.ProfilePic}, nil
}

// Me returns the Page behind the access token, proving the token works.
func (c *Client) Me(ctx context.Context) (Page, error) {
	var p Page
	if err := c.GraphGet(ctx, "me", "id,name", &p); err != nil {
		return Page{}, fmt.Errorf("messenger: test connection: %w", err)
	}
	return p, nil
}
