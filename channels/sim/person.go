package sim

import (
	"strings"
	"time"
)

// Person is someone who follows, messages or can be messaged by an account.
type Person struct {
	// ID is the person's id on the platform: PSID (Messenger), IGSID
	// (Instagram), LINE userId, or WhatsApp wa_id.
	ID   string
	Name string
	// Phone is the E.164 number (WhatsApp), e.g. +886912345678.
	Phone string
	// PictureURL is the profile picture. A path starting with "/" (as
	// RandomPeople makes) is served by the simulator itself and answered
	// as an absolute URL on the simulator's host.
	PictureURL string
	// Language is a BCP 47 tag such as zh-TW, zh-HK or en.
	Language string
	// Username is the Instagram handle; derived from ID when empty.
	Username string
	// LastInteraction is when the person last messaged, tapped or followed
	// (opening the 24-hour windows). Zero means the time of AddPerson.
	LastInteraction time.Time
}

// person is a Person with its per-account state. Guarded by Sim.mu.
type person struct {
	Person
	// unfollowed: LINE unfollow/block; for Meta kinds the person is
	// unavailable (blocked the Page or number).
	unfollowed bool
	lastOut    string // id of the last message sent to the person
}

// roster holds the people of one account. Guarded by Sim.mu.
type roster struct {
	byID    map[string]*person
	byPhone map[string]*person // digits of Phone
	order   []string
}

// AddPerson adds p to the account with ExternalID accountExternalID (the
// account may be added before or after), or updates the person with the
// same ID. On LINE the person becomes a friend (follower).
func (s *Sim) AddPerson(accountExternalID string, p Person) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.LastInteraction.IsZero() {
		p.LastInteraction = s.now()
	}
	r := s.rosterOf(accountExternalID)
	if old := r.byID[p.ID]; old != nil {
		old.Person = p
		old.unfollowed = false
	} else {
		r.byID[p.ID] = &person{Person: p}
		r.order = append(r.order, p.ID)
	}
	if d := digits(p.Phone); d != "" {
		if r.byPhone == nil {
			r.byPhone = map[string]*person{}
		}
		r.byPhone[d] = r.byID[p.ID]
	}
}

// People returns the people added to an account, in the order added.
func (s *Sim) People(accountExternalID string) []Person {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.people[accountExternalID]
	if r == nil {
		return nil
	}
	out := make([]Person, 0, len(r.order))
	for _, id := range r.order {
		out = append(out, r.byID[id].Person)
	}
	return out
}

// SetLastInteraction sets when the person last interacted with the
// account (what the 24-hour windows are measured from). It reports
// whether the person exists.
func (s *Sim) SetLastInteraction(accountExternalID, personID string, t time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.person(accountExternalID, personID)
	if p == nil {
		return false
	}
	p.LastInteraction = t
	return true
}

// rosterOf returns (creating) the roster of an account. Caller holds s.mu.
func (s *Sim) rosterOf(accountID string) *roster {
	r := s.people[accountID]
	if r == nil {
		r = &roster{byID: map[string]*person{}}
		s.people[accountID] = r
	}
	return r
}

// person finds a person of an account by id or, failing that, by phone
// digits (WhatsApp "to" may be a phone number). Caller holds s.mu.
func (s *Sim) person(accountID, id string) *person {
	r := s.people[accountID]
	if r == nil {
		return nil
	}
	if p := r.byID[id]; p != nil {
		return p
	}
	if d := digits(id); d != "" && r.byPhone != nil {
		return r.byPhone[d]
	}
	return nil
}

// inWindow reports whether p interacted within the last 24 hours.
func (s *Sim) inWindow(p *person) bool {
	return s.now().Sub(p.LastInteraction) <= 24*time.Hour
}

// digits keeps the ASCII digits of a phone number or wa_id.
func digits(v string) string {
	var b strings.Builder
	for _, r := range v {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
