package sim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxWhatsAppText is the Cloud API's text body limit.
const maxWhatsAppText = 4096

// waTypes are the message types the Cloud API accepts.
var waTypes = map[string]bool{
	"text": true, "template": true, "image": true, "audio": true, "video": true, "document": true,
	"sticker": true, "location": true, "contacts": true, "interactive": true, "reaction": true,
}

// waSend is a Cloud API send request.
type waSend struct {
	MessagingProduct string      `json:"messaging_product"`
	To               string      `json:"to"`
	Type             string      `json:"type"`
	Template         *waTemplate `json:"template"`
	Text             *struct {
		Body string `json:"body"`
	} `json:"text"`
}

// waTemplate is the template object of a send request.
type waTemplate struct {
	Name     string `json:"name"`
	Language struct {
		Code string `json:"code"`
	} `json:"language"`
	Components []struct {
		Type       string            `json:"type"`
		SubType    string            `json:"sub_type"`
		Index      any               `json:"index"`
		Parameters []json.RawMessage `json:"parameters"`
	} `json:"components"`
}

// waError is a Cloud API error to answer.
type waError struct {
	status  int
	code    int
	msg     string
	details string
}

// handleWhatsAppSend serves POST /{v}/{phone-number-id}/messages.
func (s *Sim) handleWhatsAppSend(w http.ResponseWriter, r *http.Request, acc *account, body []byte) {
	fail := func(e *waError) { s.whatsAppFail(w, e.status, e.code, e.msg, e.details) }
	if r.PathValue("node") != acc.ExternalID {
		s.unsupported(w, r, r.PathValue("node"))
		return
	}
	var raw map[string]json.RawMessage
	var req waSend
	if err := json.Unmarshal(body, &raw); err != nil || json.Unmarshal(body, &req) != nil {
		fail(&waError{http.StatusBadRequest, 100, "Invalid parameter", "Request body is not a JSON object"})
		return
	}
	if req.Type == "" {
		req.Type = "text"
	}
	if e := validateWASend(&req, raw); e != nil {
		fail(e)
		return
	}
	timeout := s.timeoutFault()

	s.mu.Lock()
	if req.Type == "template" {
		if e := s.checkTemplate(acc.WABAID, req.Template); e != nil {
			s.mu.Unlock()
			fail(e)
			return
		}
	}
	p := s.person(acc.ExternalID, req.To)
	waID := digits(req.To)
	if p != nil {
		waID = p.ID
	}
	if req.Type != "template" && req.Type != "reaction" && (p == nil || !s.inWindow(p)) {
		s.mu.Unlock()
		fail(&waError{http.StatusBadRequest, 131047, "Re-engagement message",
			"Message failed to send because more than 24 hours have passed since the customer last replied to this number."})
		return
	}
	id := s.wamid(waID)
	content := map[string]json.RawMessage{}
	for k, v := range raw {
		switch k {
		case "to", "recipient_type", "messaging_product", "biz_opaque_callback_data":
		default:
			content[k] = v
		}
	}
	s.record(sentRec{Sent: Sent{
		Kind: acc.Kind, AccountID: acc.ExternalID, Recipient: waID, MessageID: id,
		Body: append(json.RawMessage(nil), body...), At: s.now(),
	}, content: canonical(content)})
	undeliverable := p == nil || p.unfollowed
	if p != nil {
		p.lastOut = id
	}
	s.mu.Unlock()

	s.scheduleWhatsAppStatuses(acc.ExternalID, waID, id, undeliverable)
	if timeout {
		s.stall(r)
	}
	msg := map[string]string{"id": id}
	if req.Type == "template" {
		msg["message_status"] = "accepted"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"messaging_product": "whatsapp",
		"contacts":          []map[string]string{{"input": req.To, "wa_id": waID}},
		"messages":          []map[string]string{msg},
	})
}

// validateWASend checks the request's shape.
func validateWASend(req *waSend, raw map[string]json.RawMessage) *waError {
	bad := func(code int, msg, details string) *waError {
		return &waError{http.StatusBadRequest, code, msg, details}
	}
	switch {
	case req.MessagingProduct == "":
		return bad(100, "The parameter messaging_product is required.", "messaging_product is required")
	case req.MessagingProduct != "whatsapp":
		return bad(100, "Invalid parameter", "messaging_product must be whatsapp")
	case req.To == "":
		return bad(100, "The parameter to is required.", "to is required")
	case digits(req.To) == "" || len(digits(req.To)) < 8:
		return bad(100, "Invalid parameter", "to is not a valid phone number")
	case !waTypes[req.Type]:
		return bad(100, "Invalid parameter", "Unsupported message type "+req.Type)
	}
	if obj, ok := raw[req.Type]; !ok || string(obj) == "null" {
		return bad(131008, "Required parameter is missing", "Parameter '"+req.Type+"' is required")
	}
	switch req.Type {
	case "text":
		if req.Text == nil || req.Text.Body == "" {
			return bad(131008, "Required parameter is missing", "Parameter 'text.body' is required")
		}
		if utf8.RuneCountInString(req.Text.Body) > maxWhatsAppText {
			return bad(100, "Invalid parameter", fmt.Sprintf("text.body must be at most %d characters", maxWhatsAppText))
		}
	case "template":
		if req.Template.Name == "" {
			return bad(131008, "Required parameter is missing", "Parameter 'template.name' is required")
		}
		if req.Template.Language.Code == "" {
			return bad(131008, "Required parameter is missing", "Parameter 'template.language.code' is required")
		}
	}
	return nil
}

// checkTemplate checks a template send against the WABA's templates: it
// must exist in that language, be approved, and get exactly the
// parameters its header and body declare and valid button indexes.
// Caller holds s.mu.
func (s *Sim) checkTemplate(wabaID string, t *waTemplate) *waError {
	bad := func(code int, msg, details string) *waError {
		return &waError{http.StatusBadRequest, code, msg, details}
	}
	var tpl *Template
	nameFound := false
	if w := s.wabas[wabaID]; w != nil {
		for i := range w.templates {
			if w.templates[i].Name == t.Name {
				nameFound = true
				if w.templates[i].Language == t.Language.Code {
					tpl = &w.templates[i]
				}
			}
		}
	}
	if tpl == nil {
		details := "template name (" + t.Name + ") does not exist in " + t.Language.Code
		if !nameFound {
			details = "template name (" + t.Name + ") does not exist"
		}
		return bad(132001, "Template name does not exist in the translation", details)
	}
	switch tpl.Status {
	case "APPROVED":
	case "PAUSED":
		return bad(132015, "Template is Paused", "template "+t.Name+" is paused because of low quality")
	case "DISABLED":
		return bad(132016, "Template is disabled", "template "+t.Name+" has been disabled")
	default:
		return bad(132001, "Template name does not exist in the translation",
			"template name ("+t.Name+") is not approved (status "+tpl.Status+")")
	}
	given := map[string]int{}
	buttons := map[int]string{} // index → sub_type
	for _, c := range t.Components {
		typ := strings.ToLower(c.Type)
		switch typ {
		case "header", "body":
			given[typ] += len(c.Parameters)
		case "button":
			idx, err := strconv.Atoi(fmt.Sprint(c.Index))
			if err != nil {
				return bad(131008, "Required parameter is missing", "button component needs a numeric index")
			}
			buttons[idx] = strings.ToLower(c.SubType)
		default:
			return bad(100, "Invalid parameter", "unknown component type "+c.Type)
		}
	}
	for _, typ := range []string{"header", "body"} {
		want := 0
		if c := tpl.component(typ); c != nil {
			want = countParams(c.Text)
			if typ == "header" && c.Format != "" && !strings.EqualFold(c.Format, "TEXT") {
				want = 1 // media header: one image/video/document parameter
			}
		}
		if given[typ] != want {
			return bad(132000, "Number of parameters does not match the expected number of params",
				fmt.Sprintf("%s: number of localizable_params (%d) does not match the expected number of params (%d)", typ, given[typ], want))
		}
	}
	var tplButtons []TemplateButton
	if c := tpl.component("BUTTONS"); c != nil {
		tplButtons = c.Buttons
	}
	for idx, sub := range buttons {
		if idx < 0 || idx >= len(tplButtons) {
			return bad(132000, "Number of parameters does not match the expected number of params",
				fmt.Sprintf("button at index %d does not exist (template has %d buttons)", idx, len(tplButtons)))
		}
		want := map[string]string{"quick_reply": "QUICK_REPLY", "url": "URL", "copy_code": "COPY_CODE"}[sub]
		if !strings.EqualFold(tplButtons[idx].Type, want) {
			return bad(132000, "Number of parameters does not match the expected number of params",
				fmt.Sprintf("button at index %d is %s, not %s", idx, tplButtons[idx].Type, sub))
		}
	}
	return nil
}

// graphTemplates serves GET /{v}/{waba-id}/message_templates with cursor
// paging (limit, after, before) and optional name / status filters.
func (s *Sim) graphTemplates(w http.ResponseWriter, r *http.Request) {
	accs := s.graphAccounts(w, r)
	if accs == nil {
		return
	}
	node := r.PathValue("node")
	owned := false
	for _, a := range accs {
		owned = owned || (a.WABAID == node && a.WABAID != "")
	}
	if !owned {
		s.unsupported(w, r, node)
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	var all []Template
	if wb := s.wabas[node]; wb != nil {
		for _, t := range wb.templates {
			if n := q.Get("name"); n != "" && !strings.Contains(t.Name, n) {
				continue
			}
			if st := q.Get("status"); st != "" && !strings.EqualFold(st, t.Status) {
				continue
			}
			all = append(all, t)
		}
	}
	s.mu.Unlock()

	limit := 25
	if v, err := strconv.Atoi(q.Get("limit")); err == nil && v > 0 {
		limit = min(v, 1000)
	}
	start := 0
	if c := q.Get("after"); c != "" {
		n, ok := decodeCursor(c)
		if !ok {
			s.graphFail(w, http.StatusBadRequest, *param100("Invalid cursor"))
			return
		}
		start = n + 1
	} else if c := q.Get("before"); c != "" {
		n, ok := decodeCursor(c)
		if !ok {
			s.graphFail(w, http.StatusBadRequest, *param100("Invalid cursor"))
			return
		}
		start = max(n-limit, 0)
	}
	start = min(start, len(all))
	end := min(start+limit, len(all))
	page := all[start:end]
	if page == nil {
		page = []Template{}
	}
	out := map[string]any{"data": page}
	if len(page) > 0 {
		paging := map[string]any{"cursors": map[string]string{
			"before": encodeCursor(start), "after": encodeCursor(end - 1),
		}}
		link := func(key, cur string) string {
			v := url.Values{}
			for k, vs := range q {
				v[k] = vs
			}
			v.Del("after")
			v.Del("before")
			v.Set(key, cur)
			v.Set("limit", strconv.Itoa(limit))
			return "http://" + r.Host + r.URL.Path + "?" + v.Encode()
		}
		if end < len(all) {
			paging["next"] = link("after", encodeCursor(end-1))
		}
		if start > 0 {
			paging["previous"] = link("before", encodeCursor(start))
		}
		out["paging"] = paging
	}
	writeJSON(w, http.StatusOK, out)
}

// encodeCursor makes an opaque paging cursor for a list position.
func encodeCursor(i int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("sim-cursor:" + strconv.Itoa(i)))
}

func decodeCursor(c string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "sim-cursor:"))
	if err != nil || !strings.HasPrefix(string(b), "sim-cursor:") || n < 0 {
		return 0, false
	}
	return n, true
}
