package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net/http"
	"strings"

	"omnicast/channels"
)

// graphNode serves GET /{v}/{node}: the token's own Page / Instagram
// account / phone number / WABA, or a person's profile.
func (s *Sim) graphNode(w http.ResponseWriter, r *http.Request) {
	accs := s.graphAccounts(w, r)
	if accs == nil {
		return
	}
	node := r.PathValue("node")
	if acc := pick(accs, node); acc != nil {
		writeJSON(w, http.StatusOK, accountNode(acc))
		return
	}
	for _, a := range accs {
		if a.Kind == channels.KindWhatsApp && a.WABAID == node {
			writeJSON(w, http.StatusOK, map[string]string{
				"id": a.WABAID, "name": a.DisplayName, "currency": "TWD",
				"timezone_id": "76", "message_template_namespace": fmt.Sprintf("sim_%s", a.WABAID),
			})
			return
		}
	}
	for _, a := range accs {
		if a.Kind != channels.KindMessenger && a.Kind != channels.KindInstagram {
			continue
		}
		s.mu.Lock()
		p := s.person(a.ExternalID, node)
		var pp Person
		ok := p != nil && !p.unfollowed
		if ok {
			pp = p.Person
		}
		s.mu.Unlock()
		if ok {
			s.profile(w, r, a.Kind, pp)
			return
		}
	}
	for _, a := range accs {
		if a.Kind == channels.KindMessenger || a.Kind == channels.KindInstagram {
			s.graphFail(w, http.StatusBadRequest, graphError{
				Message: "(#100) No profile available for this user.", Code: 100, ErrorSubcode: 2018218,
			})
			return
		}
	}
	s.unsupported(w, r, node)
}

// unsupported answers Graph's error for an id the token cannot use.
func (s *Sim) unsupported(w http.ResponseWriter, r *http.Request, node string) {
	s.graphFail(w, http.StatusBadRequest, graphError{
		Message: "Unsupported " + strings.ToLower(r.Method) + " request. Object with ID '" + node +
			"' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
		Code: 100, ErrorSubcode: 33,
	})
}

// accountNode is what GET /{v}/{id} answers for the account itself.
func accountNode(a *account) map[string]any {
	switch a.Kind {
	case channels.KindWhatsApp:
		return map[string]any{
			"verified_name":            a.DisplayName,
			"code_verification_status": "VERIFIED",
			"display_phone_number":     displayPhone(a.ExternalID),
			"quality_rating":           "GREEN",
			"platform_type":            "CLOUD_API",
			"throughput":               map[string]string{"level": "STANDARD"},
			"id":                       a.ExternalID,
		}
	case channels.KindInstagram:
		return map[string]any{"id": a.ExternalID, "name": a.DisplayName, "username": handle(a.DisplayName, a.ExternalID)}
	}
	return map[string]any{"id": a.ExternalID, "name": a.DisplayName}
}

// displayPhone derives a stable Taiwanese business number for a phone
// number id.
func displayPhone(id string) string {
	sum := sha256.Sum256([]byte(id))
	n := binary.BigEndian.Uint32(sum[:4]) % 10000
	m := binary.BigEndian.Uint32(sum[4:8]) % 10000
	return fmt.Sprintf("+886 2 %04d %04d", n, m)
}

// profile answers a person's profile with the requested fields.
func (s *Sim) profile(w http.ResponseWriter, r *http.Request, kind string, p Person) {
	fields := r.URL.Query().Get("fields")
	if fields == "" {
		fields = "first_name,last_name,profile_pic"
		if kind == channels.KindInstagram {
			fields = "name,username,profile_pic"
		}
	}
	first, last := splitName(p.Name)
	pic := absoluteURL(r, p.PictureURL)
	out := map[string]any{"id": p.ID}
	for _, f := range strings.Split(fields, ",") {
		f = strings.TrimSpace(f)
		switch {
		case f == "" || f == "id":
		case f == "name":
			out[f] = p.Name
		case f == "profile_pic":
			out[f] = pic
		case kind == channels.KindMessenger && f == "first_name":
			out[f] = first
		case kind == channels.KindMessenger && f == "last_name":
			out[f] = last
		case kind == channels.KindMessenger && f == "locale":
			out[f] = strings.ReplaceAll(orDefault(p.Language, "zh-TW"), "-", "_")
		case kind == channels.KindInstagram && f == "username":
			out[f] = orDefault(p.Username, handle(p.Name, p.ID))
		case kind == channels.KindInstagram && f == "follower_count":
			out[f] = len(p.ID) * 37
		case kind == channels.KindInstagram && f == "is_verified_user":
			out[f] = false
		case kind == channels.KindInstagram && (f == "is_user_follow_business" || f == "is_business_follow_user"):
			out[f] = f == "is_user_follow_business"
		default:
			s.graphFail(w, http.StatusBadRequest, graphError{
				Message: "(#100) Tried accessing nonexisting field (" + f + ") on node type (User)", Code: 100,
			})
			return
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// absoluteURL turns a simulator-relative picture path into a URL on the
// host the request reached.
func absoluteURL(r *http.Request, u string) string {
	if strings.HasPrefix(u, "/") {
		return "http://" + r.Host + u
	}
	return u
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
