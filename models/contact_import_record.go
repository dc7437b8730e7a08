package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ContactImport is one CSV import into an account, from its upload to its
// result (and its undoing). It lives in the database so that any instance
// can run it, show its progress and its result, and so that a restart
// leaves a record instead of an import that seems to run for ever.
type ContactImport struct {
	ID        uint64 `gorm:"primaryKey"`
	ChannelID uint
	UserID    *uint // nil: the command line
	FileName  string
	// Encoding is the file's encoding as detected (EncodingUTF8, …).
	Encoding string
	// Timezone and Region read times without offset and phone numbers
	// without country code; fixed at upload so the import reads the file as
	// its preview did.
	Timezone string
	Region   string
	State    string
	// TotalRows are the file's data rows; DoneRows those handled so far.
	TotalRows int
	DoneRows  int
	Created   int
	Updated   int
	Bad       int
	// BadRows (JSON) are the first rows that were not imported.
	BadRows string
	// Preview (JSON) is the ImportPreview shown before the import ran.
	Preview string
	// Error says why a failed import stopped (for the log and the admin;
	// users see a translated message).
	Error string
	// ClaimedBy names the process running the import; HeartbeatAt is when
	// it last said it still does.
	ClaimedBy   string
	HeartbeatAt *time.Time
	// Undone counts the contacts removed by undoing the import.
	Undone     int
	CreatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
	UndoneAt   *time.Time
}

// contactImportFile holds an uploaded file until its import ends.
type contactImportFile struct {
	ImportID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Data     []byte
}

func (contactImportFile) TableName() string { return "contact_import_files" }

// Import states. preview → queued → running → done | failed | interrupted;
// a preview may be cancelled or expire; a finished import may be undone.
const (
	ImportPreviewState = "preview"
	ImportQueued       = "queued"
	ImportRunning      = "running"
	ImportDone         = "done"
	ImportFailed       = "failed"
	ImportInterrupted  = "interrupted"
	ImportCancelled    = "cancelled"
	ImportExpired      = "expired"
	ImportUndone       = "undone"
)

// ImportStaleAfter is how long a running import may go without a
// heartbeat before it counts as interrupted (its process is gone).
const ImportStaleAfter = 30 * time.Second

// ImportPreviewKeep is how long an unconfirmed preview keeps its file.
const ImportPreviewKeep = 24 * time.Hour

// Errors of import actions (catalogue ids).
var (
	ErrImportBusy   = errors.New("error.import_running")
	ErrImportState  = errors.New("error.import_state")
	ErrImportNoUndo = errors.New("error.import_no_undo")
)

// Finished tells whether the import has ended, one way or another.
func (i *ContactImport) Finished() bool {
	switch i.State {
	case ImportDone, ImportFailed, ImportInterrupted, ImportUndone:
		return true
	}
	return false
}

// StateAt is the state to show at now: a running import whose process
// stopped saying so is interrupted, even before a worker records it.
func (i *ContactImport) StateAt(now time.Time) string {
	if i.State == ImportRunning && (i.HeartbeatAt == nil || now.Sub(*i.HeartbeatAt) > ImportStaleAfter) {
		return ImportInterrupted
	}
	return i.State
}

// Undoable tells whether undoing would remove anything.
func (i *ContactImport) Undoable() bool {
	switch i.State {
	case ImportDone, ImportFailed, ImportInterrupted:
		return i.Created > 0
	}
	return false
}

// PreviewData reads the stored preview.
func (i *ContactImport) PreviewData() (ImportPreview, error) {
	var p ImportPreview
	if i.Preview == "" {
		return p, nil
	}
	if err := json.Unmarshal([]byte(i.Preview), &p); err != nil {
		return p, fmt.Errorf("models: import %d preview: %w", i.ID, err)
	}
	return p, nil
}

// BadRowList reads the stored bad rows.
func (i *ContactImport) BadRowList() ([]ImportRowError, error) {
	var rows []ImportRowError
	if i.BadRows == "" {
		return nil, nil
	}
	if err := json.Unmarshal([]byte(i.BadRows), &rows); err != nil {
		return nil, fmt.Errorf("models: import %d bad rows: %w", i.ID, err)
	}
	return rows, nil
}

// Location is the time zone the import reads times in.
func (i *ContactImport) Location() *time.Location {
	return Workspace{Timezone: i.Timezone}.Location()
}

// NewContactImport is an upload to preview.
type NewContactImport struct {
	ChannelID uint
	UserID    *uint
	FileName  string
	File      *ContactCSV
	Timezone  string
	Now       time.Time
}

// CreateContactImport reads the whole file as the import will (without
// writing any contact), stores the preview and the file, and returns the
// import in the preview state, waiting for the user to confirm it.
func CreateContactImport(db *gorm.DB, in NewContactImport) (*ContactImport, error) {
	region := PhoneRegion(in.Timezone)
	loc := Workspace{Timezone: in.Timezone}.Location()
	p, err := in.File.Preview(RowOptions{Now: in.Now, Location: loc, Region: region})
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("models: encode import preview: %w", err)
	}
	imp := &ContactImport{
		ChannelID: in.ChannelID, UserID: in.UserID, FileName: TruncateRunes(CleanText(in.FileName, 0), 255),
		Encoding: in.File.Encoding, Timezone: in.Timezone, Region: region, State: ImportPreviewState,
		TotalRows: in.File.Rows, Bad: p.Bad, Preview: string(raw), BadRows: "[]", CreatedAt: in.Now.UTC(),
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(imp).Error; err != nil {
			return err
		}
		return tx.Create(&contactImportFile{ImportID: imp.ID, Data: in.File.UTF8()}).Error
	})
	if err != nil {
		return nil, fmt.Errorf("models: create contact import: %w", err)
	}
	return imp, nil
}

// FindContactImport loads an import.
func FindContactImport(db *gorm.DB, id uint64) (*ContactImport, error) {
	var imp ContactImport
	err := db.First(&imp, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("models: load contact import %d: %w", id, err)
	}
	return &imp, nil
}

// ListContactImports returns the latest imports, newest first, of one
// account (or of all when channelID is 0).
func ListContactImports(db *gorm.DB, channelID uint, limit int) ([]ContactImport, error) {
	q := db.Omit("preview", "bad_rows").Order("id DESC").Limit(limit)
	if channelID != 0 {
		q = q.Where("channel_id = ?", channelID)
	}
	var list []ContactImport
	if err := q.Find(&list).Error; err != nil {
		return nil, fmt.Errorf("models: list contact imports: %w", err)
	}
	return list, nil
}

// QueueContactImport confirms a previewed import: it will be run by the
// next free import worker. Another import into the same account that is
// queued or running refuses it (ErrImportBusy): they would fight over the
// same contacts.
func QueueContactImport(db *gorm.DB, id uint64, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		imp, err := FindContactImport(tx, id)
		if err != nil {
			return err
		}
		if imp.State != ImportPreviewState {
			return ErrImportState
		}
		var busy int64
		err = tx.Model(&ContactImport{}).Where("channel_id = ? AND id <> ? AND (state = ? OR (state = ? AND heartbeat_at >= ?))",
			imp.ChannelID, id, ImportQueued, ImportRunning, now.Add(-ImportStaleAfter)).Count(&busy).Error
		if err != nil {
			return fmt.Errorf("models: queue contact import %d: %w", id, err)
		}
		if busy > 0 {
			return ErrImportBusy
		}
		return setImportState(tx, id, ImportPreviewState, map[string]any{"state": ImportQueued})
	})
}

// CancelContactImport drops a previewed import and its file.
func CancelContactImport(db *gorm.DB, id uint64) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if err := setImportState(tx, id, ImportPreviewState, map[string]any{"state": ImportCancelled}); err != nil {
			return err
		}
		return deleteImportFile(tx, id)
	})
}

// setImportState moves an import out of state from, or answers
// ErrImportState when it is no longer in it (another request or instance
// moved it first).
func setImportState(tx *gorm.DB, id uint64, from string, updates map[string]any) error {
	res := tx.Model(&ContactImport{}).Where("id = ? AND state = ?", id, from).Updates(updates)
	if res.Error != nil {
		return fmt.Errorf("models: contact import %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrImportState
	}
	return nil
}

func deleteImportFile(tx *gorm.DB, id uint64) error {
	if err := tx.Where("import_id = ?", id).Delete(&contactImportFile{}).Error; err != nil {
		return fmt.Errorf("models: delete file of contact import %d: %w", id, err)
	}
	return nil
}

// ClaimContactImport takes the oldest queued import for the process named
// by worker and marks it running. The move is one conditional UPDATE, so
// of several instances only one gets each import. It returns nil when
// nothing is queued.
func ClaimContactImport(db *gorm.DB, worker string, now time.Time) (*ContactImport, error) {
	for {
		var ids []uint64
		if err := db.Model(&ContactImport{}).Where("state = ?", ImportQueued).Order("id").Limit(1).Pluck("id", &ids).Error; err != nil {
			return nil, fmt.Errorf("models: find queued contact import: %w", err)
		}
		if len(ids) == 0 {
			return nil, nil
		}
		t := now.UTC()
		err := setImportState(db, ids[0], ImportQueued, map[string]any{
			"state": ImportRunning, "claimed_by": worker, "heartbeat_at": t, "started_at": t,
		})
		if errors.Is(err, ErrImportState) {
			continue // another instance took it
		}
		if err != nil {
			return nil, err
		}
		return FindContactImport(db, ids[0])
	}
}

// BeginContactImport records an import that runs at once in this process
// (the command line): it starts running, with no file stored.
func BeginContactImport(db *gorm.DB, in NewContactImport, worker string) (*ContactImport, error) {
	t := in.Now.UTC()
	imp := &ContactImport{
		ChannelID: in.ChannelID, UserID: in.UserID, FileName: TruncateRunes(CleanText(in.FileName, 0), 255),
		Encoding: in.File.Encoding, Timezone: in.Timezone, Region: PhoneRegion(in.Timezone), State: ImportRunning,
		TotalRows: in.File.Rows, BadRows: "[]", Preview: "{}", ClaimedBy: worker, HeartbeatAt: &t, StartedAt: &t, CreatedAt: t,
	}
	if err := db.Create(imp).Error; err != nil {
		return nil, fmt.Errorf("models: create contact import: %w", err)
	}
	return imp, nil
}

// ContactImportFile loads the file of an import that has not ended.
func ContactImportFile(db *gorm.DB, id uint64) ([]byte, error) {
	var f contactImportFile
	err := db.Where("import_id = ?", id).First(&f).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("models: load file of contact import %d: %w", id, err)
	}
	return f.Data, nil
}

// ReportContactImport records the progress of a running import, which is
// also its heartbeat. It answers ErrImportState when the import is no
// longer this worker's (it was marked interrupted meanwhile).
func ReportContactImport(db *gorm.DB, id uint64, worker string, done int, now time.Time) error {
	res := db.Model(&ContactImport{}).Where("id = ? AND state = ? AND claimed_by = ?", id, ImportRunning, worker).
		Updates(map[string]any{"done_rows": done, "heartbeat_at": now.UTC()})
	if res.Error != nil {
		return fmt.Errorf("models: report contact import %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrImportState
	}
	return nil
}

// FinishContactImport records how a running import ended (state done,
// failed or interrupted) with its result, and drops its file.
func FinishContactImport(db *gorm.DB, id uint64, state string, res ImportResult, cause error, now time.Time) error {
	bad := res.BadRows
	if bad == nil {
		bad = []ImportRowError{}
	}
	raw, err := json.Marshal(bad)
	if err != nil {
		return fmt.Errorf("models: encode bad rows of contact import %d: %w", id, err)
	}
	t := now.UTC()
	updates := map[string]any{
		"state": state, "created": res.Created, "updated": res.Updated, "bad": res.Bad,
		"bad_rows": string(raw), "finished_at": t, "heartbeat_at": t,
	}
	if state == ImportDone {
		updates["done_rows"] = res.Rows
	}
	if cause != nil {
		updates["error"] = TruncateRunes(CleanText(cause.Error(), 0), 500)
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := setImportState(tx, id, ImportRunning, updates); err != nil {
			return err
		}
		return deleteImportFile(tx, id)
	})
}

// InterruptStaleImports marks as interrupted the running imports whose
// process has said nothing since ImportStaleAfter (it crashed or was
// killed), and expires previews nobody confirmed within
// ImportPreviewKeep; both lose their stored file. It returns how many
// imports it marked interrupted.
func InterruptStaleImports(db *gorm.DB, now time.Time) (int, error) {
	var stale []ContactImport
	err := db.Select("id", "state").
		Where("(state = ? AND (heartbeat_at IS NULL OR heartbeat_at < ?)) OR (state = ? AND created_at < ?)",
			ImportRunning, now.Add(-ImportStaleAfter).UTC(), ImportPreviewState, now.Add(-ImportPreviewKeep).UTC()).
		Find(&stale).Error
	if err != nil {
		return 0, fmt.Errorf("models: find stale contact imports: %w", err)
	}
	n := 0
	for _, imp := range stale {
		to := ImportExpired
		if imp.State == ImportRunning {
			to = ImportInterrupted
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := setImportState(tx, imp.ID, imp.State, map[string]any{"state": to, "finished_at": now.UTC()}); err != nil {
				return err
			}
			return deleteImportFile(tx, imp.ID)
		})
		if errors.Is(err, ErrImportState) {
			continue // it moved on meanwhile
		}
		if err != nil {
			return n, err
		}
		if to == ImportInterrupted {
			n++
		}
	}
	return n, nil
}

// undoChunk is how many contacts one undo transaction removes.
const undoChunk = 5000

// UndoContactImport removes the contacts an import created (those it only
// updated stay as they are), with their tag links, and marks the import
// undone. It works in chunks, each its own transaction; if it stops half
// way the import stays undoable and a second call removes the rest.
func UndoContactImport(ctx context.Context, db *gorm.DB, id uint64, now time.Time) (int, error) {
	imp, err := FindContactImport(db, id)
	if err != nil {
		return 0, err
	}
	if !imp.Undoable() || imp.StateAt(now) != imp.State {
		return 0, ErrImportNoUndo
	}
	db = db.WithContext(ctx)
	removed := 0
	var after uint64
	for {
		// One walk over the account's contacts in id order (import_id has
		// no index; the contacts of one import lie close together).
		var ids []uint64
		err := db.Model(&Contact{}).Where("channel_id = ? AND id > ? AND import_id = ?", imp.ChannelID, after, id).
			Order("id").Limit(undoChunk).Pluck("id", &ids).Error
		if err != nil {
			return removed, fmt.Errorf("models: undo contact import %d: %w", id, err)
		}
		if len(ids) == 0 {
			break
		}
		err = db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Where("contact_id IN ?", ids).Delete(&ContactTag{}).Error; err != nil {
				return err
			}
			return tx.Where("id IN ? AND import_id = ?", ids, id).Delete(&Contact{}).Error
		})
		if err != nil {
			return removed, fmt.Errorf("models: undo contact import %d: %w", id, err)
		}
		removed += len(ids)
		after = ids[len(ids)-1]
	}
	res := db.Model(&ContactImport{}).Where("id = ? AND state = ?", id, imp.State).
		Updates(map[string]any{"state": ImportUndone, "undone": gorm.Expr("undone + ?", removed), "undone_at": now.UTC()})
	if res.Error != nil {
		return removed, fmt.Errorf("models: undo contact import %d: %w", id, res.Error)
	}
	if removed > 0 {
		if err := RefreshStatistics(ctx, db); err != nil {
			return removed, err
		}
	}
	return removed, nil
}
