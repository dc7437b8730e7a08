package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"time"

	"github.com/google/uuid"

	"omnicast/channels"
)

// LINE Messaging API limits.
const (
	lineMaxMessages  = 5
	lineMaxMulticast = 500
	retryKeyLifetime = 24 * time.Hour
)

// lineUserID matches a LINE user id.
var lineUserID = regexp.MustCompile(`^U[0-9a-f]{32}$`)

// lineSent is an entry of a push answer's sentMessages.
type lineSent struct {
	ID         string `json:"id"`
	QuoteToken string `json:"quoteToken,omitempty"`
}

// retryEntry remembers an accepted X-Line-Retry-Key.
type retryEntry struct {
	at        time.Time
	requestID string
	sent      []lineSent // push only
}

// lineAccount authenticates a LINE request by its Bearer token; it
// answers 401 and returns nil on failure. Every answer gets an
// X-Line-Request-Id.
func (s *Sim) lineAccount(w http.ResponseWriter, r *http.Request) *account {
	w.Header().Set("X-Line-Request-Id", uuid.NewString())
	h := r.Header.Get("Authorization")
	token := bearer(h)
	if token == "" {
		lineFail(w, http.StatusUnauthorized, "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'")
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.byToken(token) {
		if a.Kind == channels.KindLINE {
			return a
		}
	}
	lineFail(w, http.StatusUnauthorized, "Authentication failed. Confirm that the access token in the authorization header is valid.")
	return nil
}

// lineSendPrelude does what push and multicast share before addressing:
// auth, rate limit and faults, reading the body and checking the retry
// key's format. It returns the account, the raw body and the retry key;
// a nil account when it has answered.
func (s *Sim) lineSendPrelude(w http.ResponseWriter, r *http.Request, into any) (*account, []byte, string) {
	acc := s.lineAccount(w, r)
	if acc == nil || !s.admitSend(w, acc) {
		return nil, nil, ""
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return nil, nil, ""
	}
	key := r.Header.Get("X-Line-Retry-Key")
	if key != "" {
		if _, err := uuid.Parse(key); err != nil || len(key) != 36 {
			lineFail(w, http.StatusBadRequest, "The value of the X-Line-Retry-Key header is invalid.")
			return nil, nil, ""
		}
	}
	if err := json.Unmarshal(body, into); err != nil {
		lineBadRequest(w, lineDetail{Message: "The request body is not valid JSON", Property: ""})
		return nil, nil, ""
	}
	return acc, body, key
}

// linePush serves POST /v2/bot/message/push.
func (s *Sim) linePush(w http.ResponseWriter, r *http.Request) {
	var req struct {
		To       string            `json:"to"`
		Messages []json.RawMessage `json:"messages"`
	}
	acc, body, key := s.lineSendPrelude(w, r, &req)
	if acc == nil {
		return
	}
	var details []lineDetail
	if req.To == "" {
		details = append(details, lineDetail{"Must be specified", "to"})
	}
	details = append(details, validateLINEMessages(req.Messages)...)
	if len(details) > 0 {
		lineBadRequest(w, details...)
		return
	}
	if !lineUserID.MatchString(req.To) {
		lineFail(w, http.StatusBadRequest, "The property, 'to', in the request body is invalid (line: -, column: -)")
		return
	}
	timeout := s.timeoutFault()

	s.mu.Lock()
	if e, ok := s.retried(acc, key); ok {
		s.mu.Unlock()
		alreadyAccepted(w, e, false)
		return
	}
	p := s.person(acc.ExternalID, req.To)
	if p == nil || p.unfollowed {
		s.mu.Unlock()
		lineFail(w, http.StatusBadRequest, "Failed to send messages")
		return
	}
	if !s.quotaAllows(acc, 1) {
		s.mu.Unlock()
		lineFail(w, http.StatusTooManyRequests, "You have reached your monthly limit.")
		return
	}
	sent := make([]lineSent, len(req.Messages))
	for i, m := range req.Messages {
		sent[i].ID = s.lineMessageID()
		if quotable(m) {
			sent[i].QuoteToken = s.lineToken(88)
		}
	}
	s.record(sentRec{Sent: Sent{
		Kind: channels.KindLINE, AccountID: acc.ExternalID, Recipient: p.ID, MessageID: sent[0].ID,
		RetryKey: key, Body: append(json.RawMessage(nil), body...), At: s.now(),
	}, content: canonical(req.Messages)})
	p.lastOut = sent[0].ID
	s.accept(acc, key, sent, 1)
	s.mu.Unlock()

	if timeout {
		s.stall(r)
	}
	writeJSON(w, http.StatusOK, map[string]any{"sentMessages": sent})
}

// lineMulticast serves POST /v2/bot/message/multicast. Ids that are not
// friends are skipped silently, as LINE does.
func (s *Sim) lineMulticast(w http.ResponseWriter, r *http.Request) {
	var req struct {
		To       []string          `json:"to"`
		Messages []json.RawMessage `json:"messages"`
	}
	acc, body, key := s.lineSendPrelude(w, r, &req)
	if acc == nil {
		return
	}
	var details []lineDetail
	if len(req.To) < 1 || len(req.To) > lineMaxMulticast {
		details = append(details, lineDetail{"Size must be between 1 and 500", "to"})
	}
	details = append(details, validateLINEMessages(req.Messages)...)
	if len(details) > 0 {
		lineBadRequest(w, details...)
		return
	}
	for _, id := range req.To {
		if !lineUserID.MatchString(id) {
			lineFail(w, http.StatusBadRequest, "The property, 'to', in the request body is invalid (line: -, column: -)")
			return
		}
	}
	timeout := s.timeoutFault()

	s.mu.Lock()
	if e, ok := s.retried(acc, key); ok {
		s.mu.Unlock()
		alreadyAccepted(w, e, true)
		return
	}
	var targets []*person
	seen := map[string]bool{}
	for _, id := range req.To {
		if p := s.person(acc.ExternalID, id); p != nil && !p.unfollowed && !seen[id] {
			seen[id] = true
			targets = append(targets, p)
		}
	}
	if !s.quotaAllows(acc, len(targets)) {
		s.mu.Unlock()
		lineFail(w, http.StatusTooManyRequests, "You have reached your monthly limit.")
		return
	}
	content := canonical(req.Messages)
	stored := append(json.RawMessage(nil), body...)
	now := s.now()
	for _, p := range targets {
		id := s.lineMessageID()
		s.record(sentRec{Sent: Sent{
			Kind: channels.KindLINE, AccountID: acc.ExternalID, Recipient: p.ID, MessageID: id,
			RetryKey: key, Body: stored, At: now,
		}, content: content})
		p.lastOut = id
	}
	s.accept(acc, key, nil, len(targets))
	s.mu.Unlock()

	if timeout {
		s.stall(r)
	}
	writeJSON(w, http.StatusOK, map[string]any{})
}

// retried returns the entry of a retry key accepted within the last 24
// hours. Caller holds s.mu.
func (s *Sim) retried(acc *account, key string) (retryEntry, bool) {
	if key == "" {
		return retryEntry{}, false
	}
	e, ok := acc.retryKeys[key]
	if ok && s.now().Sub(e.at) > retryKeyLifetime {
		delete(acc.retryKeys, key)
		return retryEntry{}, false
	}
	return e, ok
}

// alreadyAccepted answers LINE's 409 for a repeated retry key; a push
// answer repeats the accepted request's sentMessages.
func alreadyAccepted(w http.ResponseWriter, e retryEntry, multicast bool) {
	w.Header().Set("X-Line-Accepted-Request-Id", e.requestID)
	resp := map[string]any{"message": "The retry key is already accepted"}
	if !multicast {
		resp["sentMessages"] = e.sent
	}
	writeJSON(w, http.StatusConflict, resp)
}

// quotaAllows reports whether n more messages fit the monthly quota.
// Caller holds s.mu.
func (s *Sim) quotaAllows(acc *account, n int) bool {
	if acc.MonthlyQuota <= 0 {
		return true
	}
	return acc.usage[s.month()]+n <= acc.MonthlyQuota
}

// accept counts n messages against the quota and remembers the retry
// key. Caller holds s.mu.
func (s *Sim) accept(acc *account, key string, sent []lineSent, n int) {
	acc.usage[s.month()] += n
	if key != "" {
		acc.retryKeys[key] = retryEntry{at: s.now(), requestID: uuid.NewString(), sent: sent}
	}
}

// month is the quota period of the simulator's clock.
func (s *Sim) month() string { return s.now().Format("2006-01") }

// quotable reports whether a sent message gets a quoteToken.
func quotable(raw json.RawMessage) bool {
	var m struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(raw, &m)
	switch m.Type {
	case "text", "textV2", "sticker", "image", "video":
		return true
	}
	return false
}

// lineProfile serves GET /v2/bot/profile/{userId}: friends only.
func (s *Sim) lineProfile(w http.ResponseWriter, r *http.Request) {
	acc := s.lineAccount(w, r)
	if acc == nil {
		return
	}
	s.mu.Lock()
	p := s.person(acc.ExternalID, r.PathValue("userId"))
	var pp Person
	ok := p != nil && !p.unfollowed
	if ok {
		pp = p.Person
	}
	s.mu.Unlock()
	if !ok {
		lineFail(w, http.StatusNotFound, "Not found")
		return
	}
	out := map[string]string{
		"displayName": pp.Name, "userId": pp.ID, "language": lineLanguage(pp.Language),
	}
	if pp.PictureURL != "" {
		out["pictureUrl"] = absoluteURL(r, pp.PictureURL)
	}
	writeJSON(w, http.StatusOK, out)
}

// lineLanguage maps a BCP 47 tag to LINE's profile language values.
func lineLanguage(tag string) string {
	switch tag {
	case "zh-HK", "zh-TW":
		return "zh-TW"
	case "":
		return "zh-TW"
	}
	return tag
}

// lineQuota serves GET /v2/bot/message/quota.
func (s *Sim) lineQuota(w http.ResponseWriter, r *http.Request) {
	acc := s.lineAccount(w, r)
	if acc == nil {
		return
	}
	if acc.MonthlyQuota <= 0 {
		writeJSON(w, http.StatusOK, map[string]any{"type": "none"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"type": "limited", "value": acc.MonthlyQuota})
}

// lineConsumption serves GET /v2/bot/message/quota/consumption.
func (s *Sim) lineConsumption(w http.ResponseWriter, r *http.Request) {
	acc := s.lineAccount(w, r)
	if acc == nil {
		return
	}
	s.mu.Lock()
	n := acc.usage[s.month()]
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]int{"totalUsage": n})
}

// lineBotInfo serves GET /v2/bot/info.
func (s *Sim) lineBotInfo(w http.ResponseWriter, r *http.Request) {
	acc := s.lineAccount(w, r)
	if acc == nil {
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{
		"userId":         acc.botUserID,
		"basicId":        basicID(acc.botUserID),
		"displayName":    acc.DisplayName,
		"pictureUrl":     absoluteURL(r, "/sim-avatar/"+acc.botUserID+".svg"),
		"chatMode":       "bot",
		"markAsReadMode": "manual",
	})
}

// basicID derives a LINE basic id ("@123abcde") from the bot user id.
func basicID(botUserID string) string {
	b := []byte("@")
	for i := 1; i < 9 && i < len(botUserID); i++ {
		c := botUserID[i]
		if i > 3 {
			c = 'a' + c%26
		} else if c > '9' {
			c = '0' + c%10
		}
		b = append(b, c)
	}
	return string(b)
}
