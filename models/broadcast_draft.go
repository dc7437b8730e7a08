package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// AudienceSpec says who a broadcast goes to: a saved selection of the
// contacts page, external ids (PSID, LINE userId, wa_id; the API), or a
// contacts filter in its query-string form (the API). Exactly one is set.
type AudienceSpec struct {
	AudienceID  *uint    `json:"audience_id,omitempty"`
	ExternalIDs []string `json:"external_ids,omitempty"`
	Filter      string   `json:"filter,omitempty"`
}

// set counts the ways of naming the audience that are used.
func (a AudienceSpec) set() int {
	n := 0
	if a.AudienceID != nil {
		n++
	}
	if len(a.ExternalIDs) > 0 {
		n++
	}
	if strings.TrimSpace(a.Filter) != "" {
		n++
	}
	return n
}

// MaxExternalIDs bounds an audience given as external ids (the API): a
// larger one is a filter's job.
const MaxExternalIDs = 10000

// Draft is what the composer and the API hand in: everything a broadcast
// says and to whom, before it is confirmed. The composer's form and the
// API's JSON both bind into it; ValidateDraft judges it; SaveDraft
// stores it.
type Draft struct {
	ChannelID   uint
	Subject     string
	MessageTag  string
	SendNow     bool
	ScheduledAt *time.Time
	ApplyTags   []string
	Content     BroadcastContent
	Audience    AudienceSpec
	// audienceZone is the time zone a stored filter's dates were read in
	// (DraftOf); empty means the workspace zone of now.
	audienceZone string
}

// DraftErrors are the field errors that keep a draft from being stored at
// all (the rest only keep it from being confirmed: see ValidateDraft).
type DraftErrors []FieldError

func (e DraftErrors) Error() string {
	codes := make([]string, len(e))
	for i, fe := range e {
		codes[i] = fe.Field + ":" + fe.Code
	}
	return "models: draft not saved: " + strings.Join(codes, ", ")
}

// storable checks what the columns themselves need: a broadcastable
// channel, a subject that fits its column, a known message tag, a
// bounded list of tags and external ids. Everything else may be wrong in
// a draft (it is saved so that nothing typed is lost) and is reported by
// ValidateDraft.
func (d Draft) storable(db *gorm.DB) (*Channel, DraftErrors) {
	var errs DraftErrors
	ch, err := FindChannel(db, d.ChannelID)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, DraftErrors{{Field: "channel_id", Code: "channel_not_found"}}
	case err != nil:
		return nil, DraftErrors{{Field: "channel_id", Code: "channel_unreadable"}}
	case !ch.CanBroadcast():
		return nil, DraftErrors{{Field: "channel_id", Code: "instagram_not_supported"}}
	}
	if n := utf8.RuneCountInString(d.Subject); n > MaxSubjectRunes {
		errs = append(errs, FieldError{Field: "subject", Code: "subject_too_long", Args: map[string]any{"max": MaxSubjectRunes, "got": n}})
	}
	if d.MessageTag != "" && !slices.Contains(MessageTags(), d.MessageTag) {
		errs = append(errs, FieldError{Field: "message_tag", Code: "message_tag_invalid"})
	}
	if len(d.ApplyTags) > MaxApplyTags {
		errs = append(errs, FieldError{Field: "apply_tags", Code: "apply_tags_too_many", Args: map[string]any{"max": MaxApplyTags}})
	}
	if len(d.Audience.ExternalIDs) > MaxExternalIDs {
		errs = append(errs, FieldError{Field: "audience", Code: "audience_too_many_ids", Args: map[string]any{"max": MaxExternalIDs}})
	}
	if d.Audience.set() > 1 {
		errs = append(errs, FieldError{Field: "audience", Code: "audience_ambiguous"})
	}
	return ch, errs
}

// normalized trims what people type around and drops empty tag names.
func (d Draft) normalized() Draft {
	d.Subject = strings.TrimSpace(d.Subject)
	tags := make([]string, 0, len(d.ApplyTags))
	for _, t := range d.ApplyTags {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	d.ApplyTags = tags
	d.Audience.Filter = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(d.Audience.Filter), "?"))
	if d.SendNow {
		d.ScheduledAt = nil
	} else if d.ScheduledAt != nil {
		t := d.ScheduledAt.UTC().Truncate(time.Second)
		d.ScheduledAt = &t
	}
	return d
}

// draftColumns are a broadcast's columns a draft sets, by the field
// names the audit trail records.
type draftColumns struct {
	Subject     string     `json:"subject"`
	MessageTag  string     `json:"message_tag"`
	SendNow     bool       `json:"send_now"`
	ScheduledAt *time.Time `json:"scheduled_at"`
	ApplyTags   string     `json:"apply_tags"`
	Content     string     `json:"content"`
	AudienceID  *uint      `json:"audience_id"`
	Filter      string     `json:"audience_filter"`
	Timezone    string     `json:"audience_timezone"`
	All         bool       `json:"audience_all"`
}

func columnsOf(b *Broadcast) draftColumns {
	at := b.ScheduledAt
	if at != nil {
		// PostgreSQL reads times back in the session's zone: compared in
		// UTC, an unchanged time is no change.
		u := at.UTC()
		at = &u
	}
	return draftColumns{Subject: b.Subject, MessageTag: b.MessageTag, SendNow: b.SendNow, ScheduledAt: at,
		ApplyTags: b.ApplyTags, Content: b.Content, AudienceID: b.AudienceID, Filter: b.AudienceFilter,
		Timezone: b.AudienceTimezone, All: b.AudienceAll}
}

func (c draftColumns) apply(b *Broadcast) {
	b.Subject, b.MessageTag, b.SendNow, b.ScheduledAt = c.Subject, c.MessageTag, c.SendNow, c.ScheduledAt
	b.ApplyTags, b.Content = c.ApplyTags, c.Content
	b.AudienceID, b.AudienceFilter, b.AudienceTimezone, b.AudienceAll = c.AudienceID, c.Filter, c.Timezone, c.All
}

func (c draftColumns) updates() map[string]any {
	return map[string]any{"subject": c.Subject, "message_tag": c.MessageTag, "send_now": c.SendNow,
		"scheduled_at": c.ScheduledAt, "apply_tags": c.ApplyTags, "content": c.Content, "audience_id": c.AudienceID,
		"audience_filter": c.Filter, "audience_timezone": c.Timezone, "audience_all": c.All}
}

// diff lists the fields that differ, old and new, for the audit trail.
// The content is compared (and recorded) as decoded JSON, so the entry
// reads as data, not as an escaped string.
func (c draftColumns) diff(old draftColumns) map[string]FieldChange {
	changes := map[string]FieldChange{}
	ov, nv := reflect.ValueOf(old), reflect.ValueOf(c)
	for i := range nv.NumField() {
		name := strings.Split(nv.Type().Field(i).Tag.Get("json"), ",")[0]
		o, n := ov.Field(i).Interface(), nv.Field(i).Interface()
		if reflect.DeepEqual(o, n) {
			continue
		}
		if name == "content" || name == "apply_tags" {
			o, n = json.RawMessage(nonEmptyJSON(old.Content, name, old.ApplyTags)), json.RawMessage(nonEmptyJSON(c.Content, name, c.ApplyTags))
		}
		changes[name] = FieldChange{Old: o, New: n}
	}
	return changes
}

func nonEmptyJSON(content, name, tags string) string {
	s := content
	if name == "apply_tags" {
		s = tags
	}
	if s == "" || !json.Valid([]byte(s)) {
		return "null"
	}
	return s
}

// columns turns the draft into column values: the audience as stored
// (external ids become a saved selection of those contacts), the content
// and tags as JSON.
func (d Draft) columns(tx *gorm.DB, ch *Channel, who Actor, now time.Time) (draftColumns, error) {
	content, err := json.Marshal(d.Content)
	if err != nil {
		return draftColumns{}, fmt.Errorf("models: encode broadcast content: %w", err)
	}
	tags, err := json.Marshal(d.ApplyTags)
	if err != nil {
		return draftColumns{}, fmt.Errorf("models: encode broadcast tags: %w", err)
	}
	c := draftColumns{Subject: d.Subject, MessageTag: d.MessageTag, SendNow: d.SendNow, ScheduledAt: d.ScheduledAt,
		ApplyTags: string(tags), Content: string(content)}
	switch {
	case d.Audience.AudienceID != nil:
		id := *d.Audience.AudienceID
		c.AudienceID = &id
		if a, err := FindAudience(tx, id); err == nil {
			c.Filter, c.Timezone, c.All = a.Filter, a.Timezone, a.AllMatching
		}
	case len(d.Audience.ExternalIDs) > 0:
		a, err := saveExternalAudience(tx, ch.ID, d.Audience.ExternalIDs, who, now)
		if err != nil {
			return c, err
		}
		c.AudienceID = &a.ID
	case d.Audience.Filter != "":
		ws, err := LoadWorkspace(tx, Workspace{Timezone: DefaultTimezone})
		if err != nil {
			return c, err
		}
		c.Filter, c.Timezone, c.All = d.Audience.Filter, ws.Location().String(), true
	}
	return c, nil
}

// externalLookupBatch bounds the ids of one lookup query (SQLite's
// variable limit, PostgreSQL's plan size).
const externalLookupBatch = 1000

// contactIDsByExternal maps the external ids of a channel's contacts to
// their ids; unknown ids are left out.
func contactIDsByExternal(db *gorm.DB, channelID uint, external []string) (map[string]uint64, error) {
	found := make(map[string]uint64, len(external))
	for chunk := range slices.Chunk(external, externalLookupBatch) {
		var rows []struct {
			ID         uint64
			ExternalID string
		}
		if err := db.Model(&Contact{}).Select("id, external_id").Where("channel_id = ? AND external_id IN ?", channelID, chunk).
			Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("models: look up contacts of channel %d: %w", channelID, err)
		}
		for _, r := range rows {
			found[r.ExternalID] = r.ID
		}
	}
	return found, nil
}

// saveExternalAudience stores external ids as a saved selection of the
// channel's contacts that carry them.
func saveExternalAudience(tx *gorm.DB, channelID uint, external []string, who Actor, now time.Time) (*Audience, error) {
	found, err := contactIDsByExternal(tx, channelID, external)
	if err != nil {
		return nil, err
	}
	ids := make([]uint64, 0, len(found))
	for _, id := range found {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	raw, _ := json.Marshal(ids)
	a := &Audience{ChannelID: channelID, ContactIDs: string(raw), Count: int64(len(ids)), CreatedBy: who.UserID, CreatedAt: now.UTC()}
	if err := tx.Create(a).Error; err != nil {
		return nil, fmt.Errorf("models: save audience of external ids: %w", err)
	}
	return a, nil
}

// SaveDraft stores a draft: a new broadcast when id is 0 (created by
// who, by method MethodManual or MethodAPI), else an edit of broadcast id
// made on version (ErrBroadcastStale when another edit was saved since;
// ErrBroadcastStarted once sending started; ErrBroadcastState when it was
// cancelled or is being prepared). The audience of a confirmed
// (scheduled) broadcast is frozen and cannot change. Each save writes an
// audit entry with the changed fields, old and new, in the same
// transaction. Drafts are stored even when ValidateDraft would refuse
// them; only DraftErrors (what the columns cannot hold) stop a save.
// Callers editing a scheduled broadcast validate it first: that one is
// sent as saved.
func SaveDraft(db *gorm.DB, d Draft, id uint, version int, who Actor, method string, now time.Time) (*Broadcast, error) {
	d = d.normalized()
	var out *Broadcast
	err := db.Transaction(func(tx *gorm.DB) error {
		ch, errs := d.storable(tx)
		if len(errs) > 0 {
			return errs
		}
		if id == 0 {
			b, err := createDraft(tx, d, ch, who, method, now)
			out = b
			return err
		}
		b, err := updateDraft(tx, d, ch, id, version, who, now)
		out = b
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func createDraft(tx *gorm.DB, d Draft, ch *Channel, who Actor, method string, now time.Time) (*Broadcast, error) {
	if method != MethodAPI {
		method = MethodManual
	}
	cols, err := d.columns(tx, ch, who, now)
	if err != nil {
		return nil, err
	}
	b := &Broadcast{ChannelID: ch.ID, Status: BroadcastDraft, Method: method, CreatedBy: who.UserID, UpdatedBy: who.UserID,
		Version: 1, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
	cols.apply(b)
	if err := tx.Create(b).Error; err != nil {
		return nil, fmt.Errorf("models: create broadcast: %w", err)
	}
	diff := cols.diff(draftColumns{})
	diff["channel_id"] = FieldChange{New: ch.ID}
	diff["method"] = FieldChange{New: method}
	if err := Audit(tx, who, AuditEntry{BroadcastID: &b.ID, Action: "create", Diff: AuditDiff(diff)}, now); err != nil {
		return nil, err
	}
	return b, nil
}

func updateDraft(tx *gorm.DB, d Draft, ch *Channel, id uint, version int, who Actor, now time.Time) (*Broadcast, error) {
	b, err := FindBroadcast(tx, id)
	if err != nil {
		return nil, err
	}
	if err := mayEdit(tx, b, who); err != nil {
		return nil, err
	}
	switch {
	case b.ChannelID != ch.ID:
		return nil, DraftErrors{{Field: "channel_id", Code: "channel_fixed"}}
	case !b.Editable() && (b.Status == BroadcastCancelled || b.Status == BroadcastPreparing):
		return nil, ErrBroadcastState
	case !b.Editable():
		return nil, ErrBroadcastStarted
	case b.Version != version:
		return nil, ErrBroadcastStale
	}
	old := columnsOf(b)
	cols := old
	if b.Status == BroadcastDraft {
		if cols, err = d.columns(tx, ch, who, now); err != nil {
			return nil, err
		}
	} else {
		// Confirmed: the deliveries are written, so the audience stays.
		if d.Audience.set() > 0 && !sameAudience(d.Audience, old) {
			return nil, DraftErrors{{Field: "audience", Code: "audience_frozen"}}
		}
		fresh, err := d.columns(tx, ch, who, now)
		if err != nil {
			return nil, err
		}
		fresh.AudienceID, fresh.Filter, fresh.Timezone, fresh.All = old.AudienceID, old.Filter, old.Timezone, old.All
		if fresh.SendNow || fresh.ScheduledAt == nil {
			// A confirmed broadcast always has its time: "now" is now.
			at := now.UTC().Truncate(time.Second)
			fresh.ScheduledAt = &at
		}
		cols = fresh
	}
	diff := cols.diff(old)
	if len(diff) == 0 {
		return b, nil // nothing changed: no new version, no entry
	}
	set := cols.updates()
	set["updated_by"], set["updated_at"], set["version"] = who.UserID, now.UTC(), gorm.Expr("version + 1")
	res := tx.Model(&Broadcast{}).Where("id = ? AND version = ? AND status = ?", id, version, b.Status).Updates(set)
	if res.Error != nil {
		return nil, fmt.Errorf("models: update broadcast %d: %w", id, res.Error)
	}
	if res.RowsAffected != 1 {
		return nil, ErrBroadcastStale
	}
	if err := Audit(tx, who, AuditEntry{BroadcastID: &id, Action: "update", Diff: AuditDiff(diff)}, now); err != nil {
		return nil, err
	}
	return FindBroadcast(tx, id)
}

// mayEdit refuses an edit by a signed-in user who is neither the
// broadcast's creator nor an admin (ErrBroadcastForbidden). omnicast's
// own changes (no user) are not staff edits.
func mayEdit(tx *gorm.DB, b *Broadcast, who Actor) error {
	if who.UserID == 0 {
		return nil
	}
	u, err := FindUser(tx, who.UserID)
	if err != nil {
		return fmt.Errorf("models: who edits broadcast %d: %w", b.ID, err)
	}
	if !CanControl(b, u) {
		return ErrBroadcastForbidden
	}
	return nil
}

// sameAudience tells whether a draft names the audience a broadcast
// already has (an edit form sends it back unchanged).
func sameAudience(a AudienceSpec, old draftColumns) bool {
	switch {
	case a.AudienceID != nil:
		return old.AudienceID != nil && *old.AudienceID == *a.AudienceID
	case a.Filter != "":
		return old.AudienceID == nil && old.Filter == a.Filter
	}
	return false
}

// DraftOf reads a stored broadcast back as the draft it was saved from:
// what the edit form shows and what confirming validates.
func DraftOf(b *Broadcast) (Draft, error) {
	spec, err := b.Spec()
	if err != nil {
		return Draft{}, err
	}
	d := Draft{ChannelID: b.ChannelID, Subject: b.Subject, MessageTag: b.MessageTag, SendNow: b.SendNow,
		ScheduledAt: b.ScheduledAt, ApplyTags: b.Tags(), Content: spec}
	switch {
	case b.AudienceID != nil:
		id := *b.AudienceID
		d.Audience.AudienceID = &id
	case b.AudienceFilter != "":
		d.Audience.Filter = b.AudienceFilter
		d.audienceZone = b.AudienceTimezone
	}
	return d, nil
}

// WithAudienceOf gives d the audience of stored (a draft read back by
// DraftOf): an edit of a saved broadcast keeps the audience it was
// composed for, whichever way it was named (a saved selection, or the
// API's filter with the zone its dates were read in).
func (d Draft) WithAudienceOf(stored Draft) Draft {
	d.Audience, d.audienceZone = stored.Audience, stored.audienceZone
	return d
}
