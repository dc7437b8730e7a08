package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// MaxReportedBadRows bounds the bad rows an ImportResult lists (all are counted).
const MaxReportedBadRows = 1000

// ImportResult is what an import did.
type ImportResult struct {
	Rows    int // data rows read
	Created int
	Updated int
	Bad     int // rows skipped
	// BadRows are the first MaxReportedBadRows skipped rows, in file order.
	BadRows []ImportRowError
}

// ImportOptions tune an import.
type ImportOptions struct {
	// Now is the import time: subscription time of new contacts without
	// one, created/updated stamps, and the bound of the times a row may
	// carry. Defaults to time.Now.
	Now time.Time
	// Location reads times written without an offset. Defaults to UTC.
	Location *time.Location
	// Region reads phone numbers without a country code (default TW).
	Region string
	// ImportID, when set, marks the contacts this import creates (not those
	// it updates), so that UndoContactImport can remove them.
	ImportID uint64
	// BatchSize is the rows per transaction (default: DefaultImportBatch
	// on PostgreSQL, DefaultSQLiteImportBatch on SQLite).
	BatchSize int
	// Progress, when set, is called after each batch is written with the
	// rows done so far (good and bad) and the file's total. It is called
	// from the writing goroutines, one call at a time.
	Progress func(done, total int)
}

// DefaultImportBatch is the rows written per transaction on PostgreSQL,
// where two batches are written at once.
const DefaultImportBatch = 1000

// DefaultSQLiteImportBatch is the rows per transaction on SQLite: its one
// writer gains from fewer, larger transactions (each rewrites the index
// pages it touched into the WAL).
const DefaultSQLiteImportBatch = 20000

func (o ImportOptions) rowOptions() RowOptions {
	return RowOptions{Now: o.Now, Location: o.Location, Region: o.Region}
}

// ImportContacts creates or updates the file's contacts in channelID, in
// batches of one transaction each. Bad rows are skipped and reported by
// line; a duplicate external_id keeps the first row. Empty cells and absent
// columns keep what is stored; tags are added, never removed; the last
// interaction time never moves backwards. A database error or the end of
// ctx stops the import (the batches already written stay) and is returned
// with the result so far.
func ImportContacts(ctx context.Context, db *gorm.DB, channelID uint, f *ContactCSV, opt ImportOptions) (ImportResult, error) {
	var res ImportResult
	if channelID == 0 {
		return res, ErrFilterChannel
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	opt.Now = opt.Now.UTC()
	if opt.BatchSize <= 0 {
		opt.BatchSize = DefaultImportBatch
		if !IsPostgres(db) {
			opt.BatchSize = DefaultSQLiteImportBatch
		}
	}

	// The file is read and checked here, in order; batches are written by
	// workers (two on PostgreSQL, which takes concurrent writers; one on
	// SQLite), so checking the next batch overlaps writing this one. Rows
	// of different batches never share an external id, so their
	// transactions do not touch the same contacts.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type job struct {
		batch importBatch
		read  int // rows of the file this batch accounts for, bad ones included
	}
	jobs := make(chan job, 1)
	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
	)
	workers := 1
	if IsPostgres(db) {
		workers = 2
	}
	w := batchSpec{channelID: channelID, now: opt.Now, importID: opt.ImportID, existing: new(atomic.Bool)}
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				created, updated, err := 0, 0, error(nil)
				if len(j.batch.rows) > 0 && ctx.Err() == nil {
					// A batch once begun is finished even if ctx ends
					// meanwhile (it takes well under a second): a stop
					// falls between batches, so the counts say exactly
					// what was written.
					created, updated, err = writeImportBatch(context.WithoutCancel(ctx), db, w, j.batch)
				}
				if err != nil {
					cancel(err)
					continue
				}
				mu.Lock()
				res.Created += created
				res.Updated += updated
				done += j.read
				if opt.Progress != nil && ctx.Err() == nil {
					opt.Progress(done, f.Rows)
				}
				mu.Unlock()
			}
		})
	}

	var bad []ImportRowError
	badCount := 0
	batch := make([]importRow, 0, opt.BatchSize)
	read, pending := 0, 0
	sqlite := !IsPostgres(db)
	send := func() bool {
		// The batch's values are prepared here, on the reading side, so
		// that the writer (SQLite's only one) does nothing but write.
		b, err := prepareBatch(batch, opt.Now, sqlite)
		if err != nil {
			cancel(err)
			return false
		}
		select {
		case jobs <- job{batch: b, read: pending}:
			batch, pending = make([]importRow, 0, opt.BatchSize), 0
			return true
		case <-ctx.Done():
			return false
		}
	}
	readErr := f.scan(opt.rowOptions(), func(s scanned) bool {
		read++
		pending++
		if s.err != nil {
			badCount++
			if len(bad) < MaxReportedBadRows {
				bad = append(bad, *s.err)
			}
		} else {
			batch = append(batch, s.row)
		}
		if len(batch) >= opt.BatchSize || pending >= 10*opt.BatchSize {
			return send()
		}
		return true
	})
	if readErr == nil && ctx.Err() == nil {
		send()
	}
	close(jobs)
	wg.Wait()
	res.Rows, res.Bad, res.BadRows = read, badCount, bad
	if readErr != nil {
		return res, readErr
	}
	if err := context.Cause(ctx); err != nil {
		return res, err
	}
	// The import is not done until the planner knows the new rows: the
	// contacts page is opened right after it.
	if res.Created+res.Updated > 0 {
		if err := RefreshStatistics(ctx, db); err != nil {
			return res, err
		}
	}
	return res, nil
}

// existingContact is what an import needs of a stored contact.
type existingContact struct {
	ID             uint64
	ExternalID     string
	Subscribed     bool
	SubscribedAt   *time.Time
	UnsubscribedAt *time.Time
}

// contactValues are the values a batch writes for one row.
type contactValues struct {
	externalID, name, phone              string
	subscribed                           bool
	subscribedAt, unsubscribedAt, lastAt *time.Time
}

// contactUpsertSet is the update half of the statement that writes stored
// contacts: the values were computed from the locked rows, except that the
// last interaction only moves forward and empty name / phone keep the
// stored ones. import_id is not touched: it names the import that created
// the contact.
const contactUpsertSet = ` ON CONFLICT (channel_id, external_id) DO UPDATE SET
 name = CASE WHEN excluded.name = '' THEN contacts.name ELSE excluded.name END,
 phone = CASE WHEN excluded.phone = '' THEN contacts.phone ELSE excluded.phone END,
 subscribed = excluded.subscribed,
 subscribed_at = excluded.subscribed_at,
 unsubscribed_at = excluded.unsubscribed_at,
 last_interaction_at = CASE WHEN contacts.last_interaction_at IS NULL OR excluded.last_interaction_at > contacts.last_interaction_at
   THEN excluded.last_interaction_at ELSE contacts.last_interaction_at END,
 updated_at = excluded.updated_at
 RETURNING id, external_id`

// contactColumns are the columns a batch inserts.
const contactColumns = "channel_id, external_id, name, phone, subscribed, subscribed_at, unsubscribed_at, last_interaction_at, created_at, updated_at, import_id"

// batchSpec is what every batch of one import shares.
type batchSpec struct {
	channelID uint
	now       time.Time
	importID  uint64 // 0: none
	// existing turns true once a batch met contacts already stored: the
	// PostgreSQL batches that follow insert with ON CONFLICT at once.
	existing *atomic.Bool
}

// importIDArg is the import_id a created contact gets (NULL for none).
func (w batchSpec) importIDArg() any {
	if w.importID == 0 {
		return nil
	}
	return int64(w.importID)
}

// batchWriter is the database-specific half of an import batch. Every
// statement finds contacts through the (channel_id, external_id) unique
// index as an ON CONFLICT arbiter (or, on SQLite, an IN list on it), so no
// plan depends on table statistics — which a bulk import makes stale.
// Each step is one statement whatever the batch size: PostgreSQL takes
// arrays, SQLite a JSON array read with json_each.
type batchWriter interface {
	// create inserts the batch's rows as new contacts, skipping those that
	// exist, and returns the id of each row it created (0 for the others),
	// in the batch's order.
	create(b importBatch) ([]uint64, error)
	// lock locks and returns the stored contacts among keys.
	lock(keys []string) ([]existingContact, error)
	// update writes stored contacts (contactUpsertSet) and returns their ids.
	update(rows []contactValues) (map[string]uint64, error)
	// link inserts contact–tag links; mayExist ignores links already
	// stored (without it, they are known to be new).
	link(contactIDs []uint64, tagIDs []uint, mayExist bool) error
}

// writeImportBatch writes one batch in one transaction: it inserts the new
// contacts, then locks the stored ones, computes their new values and
// writes them; then it creates the batch's tags once and links them.
func writeImportBatch(ctx context.Context, db *gorm.DB, spec batchSpec, b importBatch) (created, updated int, err error) {
	rows := b.rows
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var w batchWriter
		if IsPostgres(tx) {
			// A batch's commit need not wait for the disk: the import's
			// end is recorded by an ordinary commit, which flushes the
			// log up to it, batches included. A server crash in between
			// interrupts the import, whose rows stay undoable.
			if err := tx.Exec("SET LOCAL synchronous_commit = off").Error; err != nil {
				return err
			}
			pw := &pgBatch{ctx: ctx, tx: tx, spec: spec}
			if !spec.existing.Load() {
				done, err := pw.createLinked(b)
				if err != nil {
					return fmt.Errorf("create contacts: %w", err)
				}
				if done {
					created = len(rows)
					return nil
				}
			}
			w = pw
		} else {
			w = &sqliteBatch{ctx: ctx, tx: tx, spec: spec}
		}
		ids, err := w.create(b)
		if err != nil {
			return fmt.Errorf("create contacts: %w", err)
		}
		var rest []string
		fresh := make([]bool, len(rows))
		for i, r := range rows {
			if ids[i] == 0 {
				rest = append(rest, r.externalID)
			} else {
				fresh[i] = true
				created++
			}
		}
		if len(rest) > 0 {
			found, err := w.lock(rest)
			if err != nil {
				return fmt.Errorf("lock contacts: %w", err)
			}
			stored := make(map[string]*existingContact, len(found))
			for i := range found {
				stored[found[i].ExternalID] = &found[i]
			}
			values := make([]contactValues, 0, len(rest))
			for i, r := range rows {
				if ids[i] == 0 {
					values = append(values, importValues(r, stored[r.externalID], spec.now))
				}
			}
			idOf, err := w.update(values)
			if err != nil {
				return fmt.Errorf("update contacts: %w", err)
			}
			updated = len(idOf)
			for i, r := range rows {
				if ids[i] == 0 {
					ids[i] = idOf[r.externalID]
				}
			}
		}
		return linkImportTags(tx, w, rows, ids, fresh)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("models: import contacts: %w", err)
	}
	return created, updated, nil
}

// importBatch is one transaction's rows, with their values as new
// contacts (and, for SQLite, those values packed as the JSON create reads).
type importBatch struct {
	rows   []importRow
	values []contactValues
	packed string
}

func prepareBatch(rows []importRow, now time.Time, sqlite bool) (importBatch, error) {
	b := importBatch{rows: rows, values: make([]contactValues, len(rows))}
	for i, r := range rows {
		b.values[i] = importValues(r, nil, now)
	}
	if sqlite {
		packed, err := sqliteValues(b.values)
		if err != nil {
			return b, fmt.Errorf("models: import contacts: %w", err)
		}
		b.packed = packed
	}
	return b, nil
}

// importValues decides what a row writes, given the stored contact (nil
// when new).
func importValues(r importRow, e *existingContact, now time.Time) contactValues {
	v := contactValues{externalID: r.externalID, name: r.name, phone: r.phone, lastAt: utcPtr(r.lastInteractionAt)}
	n := now
	if e == nil {
		v.subscribed = r.subscribed == nil || *r.subscribed
		if v.subscribed {
			v.subscribedAt = &n
		} else {
			v.unsubscribedAt = &n
		}
	} else {
		v.subscribed, v.subscribedAt, v.unsubscribedAt = e.Subscribed, e.SubscribedAt, e.UnsubscribedAt
		if r.subscribed != nil && *r.subscribed != e.Subscribed {
			if *r.subscribed {
				v.subscribed, v.subscribedAt, v.unsubscribedAt = true, &n, nil
			} else {
				v.subscribed, v.unsubscribedAt = false, &n
			}
		}
	}
	if r.subscribedAt != nil {
		v.subscribedAt = r.subscribedAt
	}
	v.subscribedAt, v.unsubscribedAt = utcPtr(v.subscribedAt), utcPtr(v.unsubscribedAt)
	return v
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// linkImportTags creates the batch's tags once and links them.
func linkImportTags(tx *gorm.DB, w batchWriter, rows []importRow, ids []uint64, fresh []bool) error {
	tagID, err := batchTagIDs(tx, rows)
	if err != nil || len(tagID) == 0 {
		return err
	}
	// Links of contacts this transaction created cannot exist yet (no one
	// else sees those contacts), so they skip the conflict check, which
	// doubles PostgreSQL's cost of a link.
	for _, created := range []bool{true, false} {
		var contactIDs []uint64
		var tagIDs []uint
		for i, r := range rows {
			if ids[i] == 0 || fresh[i] != created {
				continue
			}
			for _, t := range r.tags {
				contactIDs = append(contactIDs, ids[i])
				tagIDs = append(tagIDs, tagID[t])
			}
		}
		if len(contactIDs) == 0 {
			continue
		}
		if err := w.link(contactIDs, tagIDs, !created); err != nil {
			return fmt.Errorf("link tags: %w", err)
		}
	}
	return nil
}

// batchTagIDs creates the batch's tags once and returns their ids by name.
func batchTagIDs(tx *gorm.DB, rows []importRow) (map[string]uint, error) {
	var names []string
	seen := map[string]bool{}
	for _, r := range rows {
		for _, t := range r.tags {
			if !seen[t] {
				seen[t] = true
				names = append(names, t)
			}
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	// Sorted, so concurrent batches create shared tags in the same order.
	sort.Strings(names)
	tags, err := EnsureTags(tx, names)
	if err != nil {
		return nil, err
	}
	return IndexTagsByName(names, tags), nil
}

// pgBatch writes through the transaction's connection with array
// parameters: a handful of parameters per statement whatever the batch size.
type pgBatch struct {
	ctx  context.Context
	tx   *gorm.DB
	spec batchSpec
}

const pgUnnestValues = ` SELECT $1, v.external_id, v.name, v.phone, v.subscribed, v.subscribed_at, v.unsubscribed_at, v.last_interaction_at, $9, $9, $10::bigint
 FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[])
   AS v(external_id, name, phone, subscribed, subscribed_at, unsubscribed_at, last_interaction_at)`

func (b *pgBatch) args(rows []contactValues) []any {
	n := len(rows)
	ext, name, phone := make([]string, n), make([]string, n), make([]string, n)
	sub := make([]bool, n)
	subAt, unsubAt, lastAt := make([]*time.Time, n), make([]*time.Time, n), make([]*time.Time, n)
	for i, r := range rows {
		ext[i], name[i], phone[i], sub[i] = r.externalID, r.name, r.phone, r.subscribed
		subAt[i], unsubAt[i], lastAt[i] = r.subscribedAt, r.unsubscribedAt, r.lastAt
	}
	return []any{int64(b.spec.channelID), ext, name, phone, sub, subAt, unsubAt, lastAt, b.spec.now, b.spec.importIDArg()}
}

// createLinked writes a batch of new contacts and their tag links in one
// statement, with a plain INSERT (a fifth cheaper for PostgreSQL than the
// speculative insertion of ON CONFLICT) inside a savepoint: a file of new
// contacts, the common big import, goes through that way without a single
// id travelling to the client and back. When a row exists already (a
// unique violation, found at the first such row) it rolls back to the
// savepoint and answers false; that batch and those after it then take the
// general way (create with ON CONFLICT, update, link).
func (b *pgBatch) createLinked(batch importBatch) (bool, error) {
	tagID, err := batchTagIDs(b.tx, batch.rows)
	if err != nil {
		return false, err
	}
	var linkExt []string
	var linkTag []int64
	for _, r := range batch.rows {
		for _, t := range r.tags {
			linkExt = append(linkExt, r.externalID)
			linkTag = append(linkTag, int64(tagID[t]))
		}
	}
	pool := b.tx.Statement.ConnPool
	if _, err := pool.ExecContext(b.ctx, "SAVEPOINT import_batch"); err != nil {
		return false, err
	}
	var n int
	err = pool.QueryRowContext(b.ctx, `WITH ins AS (INSERT INTO contacts (`+contactColumns+`)`+pgUnnestValues+` RETURNING id, external_id),
 links AS (INSERT INTO contact_tags (contact_id, tag_id)
   SELECT ins.id, l.tag_id FROM unnest($11::text[], $12::bigint[]) AS l(external_id, tag_id) JOIN ins USING (external_id))
 SELECT count(*) FROM ins`, append(b.args(batch.values), linkExt, linkTag)...).Scan(&n)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == pgUniqueViolation {
		if _, err := pool.ExecContext(b.ctx, "ROLLBACK TO SAVEPOINT import_batch"); err != nil {
			return false, err
		}
		b.spec.existing.Store(true)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if n != len(batch.rows) {
		return false, fmt.Errorf("inserted %d of %d new contacts", n, len(batch.rows))
	}
	_, err = pool.ExecContext(b.ctx, "RELEASE SAVEPOINT import_batch")
	return err == nil, err
}

func (b *pgBatch) create(batch importBatch) ([]uint64, error) {
	idOf, err := b.insertReturning("INSERT INTO contacts ("+contactColumns+")"+pgUnnestValues+
		" ON CONFLICT (channel_id, external_id) DO NOTHING RETURNING id, external_id", b.args(batch.values), len(batch.values))
	if err != nil {
		return nil, err
	}
	return alignIDs(batch.rows, idOf), nil
}

// pgUniqueViolation is PostgreSQL's SQLSTATE for a duplicate key.
const pgUniqueViolation = "23505"

func (b *pgBatch) insertReturning(q string, args []any, n int) (map[string]uint64, error) {
	rs, err := b.tx.Statement.ConnPool.QueryContext(b.ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return scanIDs(rs, n)
}

// alignIDs lists the ids of rows in their order (0: none).
func alignIDs(rows []importRow, idOf map[string]uint64) []uint64 {
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = idOf[r.externalID]
	}
	return ids
}

// lock takes the row locks with a no-op upsert, which reaches the rows
// through the arbiter index and returns their current values. (A contact
// deleted since create is inserted again with defaults, then updated.)
func (b *pgBatch) lock(keys []string) ([]existingContact, error) {
	rs, err := b.tx.Statement.ConnPool.QueryContext(b.ctx, `INSERT INTO contacts (channel_id, external_id, created_at, updated_at)
 SELECT $1, k.external_id, $3, $3 FROM unnest($2::text[]) AS k(external_id)
 ON CONFLICT (channel_id, external_id) DO UPDATE SET updated_at = excluded.updated_at
 RETURNING id, external_id, subscribed, subscribed_at, unsubscribed_at`, int64(b.spec.channelID), keys, b.spec.now)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []existingContact
	for rs.Next() {
		var e existingContact
		if err := rs.Scan(&e.ID, &e.ExternalID, &e.Subscribed, &e.SubscribedAt, &e.UnsubscribedAt); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rs.Err()
}

func (b *pgBatch) update(rows []contactValues) (map[string]uint64, error) {
	rs, err := b.tx.Statement.ConnPool.QueryContext(b.ctx, "INSERT INTO contacts ("+contactColumns+")"+pgUnnestValues+contactUpsertSet, b.args(rows)...)
	if err != nil {
		return nil, err
	}
	return scanIDs(rs, len(rows))
}

func (b *pgBatch) link(contactIDs []uint64, tagIDs []uint, mayExist bool) error {
	if len(contactIDs) == 0 {
		return nil
	}
	cs, ts := make([]int64, len(contactIDs)), make([]int64, len(tagIDs))
	for i := range contactIDs {
		cs[i], ts[i] = int64(contactIDs[i]), int64(tagIDs[i])
	}
	q := `INSERT INTO contact_tags (contact_id, tag_id) SELECT * FROM unnest($1::bigint[], $2::bigint[])`
	if mayExist {
		q += ` ON CONFLICT DO NOTHING`
	}
	_, err := b.tx.Statement.ConnPool.ExecContext(b.ctx, q, cs, ts)
	return err
}

// sqliteBatch passes a batch as one JSON array, unpacked by json_each:
// the driver binds parameters in time quadratic in their number per
// statement, and SQLite parses each distinct statement text anew, so one
// parameter and one statement per step are much the cheapest. The
// transaction already holds SQLite's write lock, so reading is locking.
type sqliteBatch struct {
	ctx  context.Context
	tx   *gorm.DB
	spec batchSpec
}

// sqliteTimeLayout is how the SQLite driver writes a time.Time parameter;
// times passed inside JSON are written the same way, so that they compare
// with the stored ones and with later parameters as text.
const sqliteTimeLayout = "2006-01-02 15:04:05.999999999-07:00"

// sqliteJSONValues reads the JSON rows: [external_id, name, phone,
// subscribed, subscribed_at, unsubscribed_at, last_interaction_at].
const sqliteJSONValues = ` SELECT ?, v.value->>0, v.value->>1, v.value->>2, v.value->>3, v.value->>4, v.value->>5, v.value->>6, ?, ?, ?
 FROM json_each(?) AS v WHERE true`

// sqliteValues packs rows as the JSON sqliteJSONValues reads.
func sqliteValues(rows []contactValues) (string, error) {
	out := make([][]any, len(rows))
	for i, r := range rows {
		out[i] = []any{r.externalID, r.name, r.phone, r.subscribed, sqliteTime(r.subscribedAt), sqliteTime(r.unsubscribedAt), sqliteTime(r.lastAt)}
	}
	raw, err := json.Marshal(out)
	return string(raw), err
}

func sqliteTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(sqliteTimeLayout)
}

func (b *sqliteBatch) insert(packed string, n int, tail string) (map[string]uint64, error) {
	now := b.spec.now.UTC().Format(sqliteTimeLayout)
	rs, err := b.tx.Statement.ConnPool.QueryContext(b.ctx, "INSERT INTO contacts ("+contactColumns+")"+sqliteJSONValues+tail,
		int64(b.spec.channelID), now, now, b.spec.importIDArg(), packed)
	if err != nil {
		return nil, err
	}
	return scanIDs(rs, n)
}

// insertNew inserts the packed rows that are not stored yet, with the
// per-row insert triggers standing aside (migration 0016): it then adds
// the new rows to the contact totals and the name index in two statements.
// It returns the first new id and how many rows it created; their ids are
// first … first+n−1 (see create).
func (b *sqliteBatch) insertNew(packed string) (first uint64, n int64, err error) {
	pool := b.tx.Statement.ConnPool
	if _, err := pool.ExecContext(b.ctx, "INSERT INTO bulk_write_guard (id) VALUES (1)"); err != nil {
		return 0, 0, fmt.Errorf("guard triggers: %w", err)
	}
	now := b.spec.now.UTC().Format(sqliteTimeLayout)
	res, err := pool.ExecContext(b.ctx, "INSERT INTO contacts ("+contactColumns+")"+sqliteJSONValues+
		" ON CONFLICT (channel_id, external_id) DO NOTHING", int64(b.spec.channelID), now, now, b.spec.importIDArg(), packed)
	if err != nil {
		return 0, 0, err
	}
	if n, err = res.RowsAffected(); err != nil {
		return 0, 0, err
	}
	last, err := res.LastInsertId()
	if err != nil {
		return 0, 0, err
	}
	if n > 0 {
		first = uint64(last) - uint64(n) + 1
		if err := b.accountNew(first, uint64(last)); err != nil {
			return 0, 0, err
		}
	}
	if _, err := pool.ExecContext(b.ctx, "DELETE FROM bulk_write_guard"); err != nil {
		return 0, 0, fmt.Errorf("release triggers: %w", err)
	}
	return first, n, nil
}

// accountNew does for the contacts first…last, just inserted with the
// triggers standing aside, what those triggers do: count them in
// contact_counts and index their names.
func (b *sqliteBatch) accountNew(first, last uint64) error {
	pool := b.tx.Statement.ConnPool
	_, err := pool.ExecContext(b.ctx, `INSERT INTO contact_counts (channel_id, subscribed, unsubscribed, created_at)
 SELECT channel_id, sum(subscribed <> 0), sum(subscribed = 0), CURRENT_TIMESTAMP FROM contacts WHERE id BETWEEN ? AND ? GROUP BY channel_id
 ON CONFLICT (channel_id) DO UPDATE SET subscribed = subscribed + excluded.subscribed, unsubscribed = unsubscribed + excluded.unsubscribed`, first, last)
	if err != nil {
		return fmt.Errorf("count new contacts: %w", err)
	}
	_, err = pool.ExecContext(b.ctx, `INSERT INTO contact_names (rowid, name) SELECT id, name FROM contacts WHERE id BETWEEN ? AND ? AND name <> ''`, first, last)
	if err != nil {
		return fmt.Errorf("index new names: %w", err)
	}
	return nil
}

// create inserts without RETURNING, which makes SQLite keep every
// returned row in a temporary table and the driver copy it out. It needs
// none: holding the write lock, one INSERT … SELECT gives the rows it
// creates consecutive rowids in the order json_each reads them, ending at
// last_insert_rowid(). When every row was created they are the batch in
// order (checked at both ends); otherwise the created ones are read back
// by that id range.
func (b *sqliteBatch) create(batch importBatch) ([]uint64, error) {
	first, n, err := b.insertNew(batch.packed)
	if err != nil {
		return nil, err
	}
	ids := make([]uint64, len(batch.rows))
	if n == 0 {
		return ids, nil
	}
	last := first + uint64(n) - 1
	if int(n) == len(batch.rows) {
		var ends []struct {
			ID         uint64
			ExternalID string
		}
		err := b.tx.Raw("SELECT id, external_id FROM contacts WHERE id IN (?, ?) ORDER BY id", first, uint64(last)).Scan(&ends).Error
		if err != nil {
			return nil, err
		}
		if (n == 1 && len(ends) == 1 && ends[0].ExternalID == batch.rows[0].externalID) ||
			(len(ends) == 2 && ends[0].ExternalID == batch.rows[0].externalID && ends[1].ExternalID == batch.rows[n-1].externalID) {
			for i := range ids {
				ids[i] = first + uint64(i)
			}
			return ids, nil
		}
	}
	rs, err := b.tx.Statement.ConnPool.QueryContext(b.ctx, "SELECT id, external_id FROM contacts WHERE id BETWEEN ? AND ? AND channel_id = ?",
		first, uint64(last), int64(b.spec.channelID))
	if err != nil {
		return nil, err
	}
	idOf, err := scanIDs(rs, int(n))
	if err != nil {
		return nil, err
	}
	return alignIDs(batch.rows, idOf), nil
}

func (b *sqliteBatch) update(rows []contactValues) (map[string]uint64, error) {
	packed, err := sqliteValues(rows)
	if err != nil {
		return nil, err
	}
	return b.insert(packed, len(rows), contactUpsertSet)
}

func (b *sqliteBatch) lock(keys []string) ([]existingContact, error) {
	raw, err := json.Marshal(keys)
	if err != nil {
		return nil, err
	}
	var out []existingContact
	err = b.tx.Raw("SELECT id, external_id, subscribed, subscribed_at, unsubscribed_at FROM contacts WHERE channel_id = ? AND external_id IN (SELECT value FROM json_each(?))",
		b.spec.channelID, string(raw)).Scan(&out).Error
	return out, err
}

// link inserts one statement per tag, with its contacts as a flat JSON
// array of ids: json_each hands out scalars as they are, the cheapest
// thing it reads. (SQLite checks the key either way, so ON CONFLICT costs
// nothing here.)
func (b *sqliteBatch) link(contactIDs []uint64, tagIDs []uint, _ bool) error {
	byTag := map[uint][]byte{}
	var order []uint
	for i, tid := range tagIDs {
		buf, ok := byTag[tid]
		if !ok {
			order = append(order, tid)
			buf = append(buf, '[')
		} else {
			buf = append(buf, ',')
		}
		byTag[tid] = strconv.AppendUint(buf, contactIDs[i], 10)
	}
	for _, tid := range order {
		_, err := b.tx.Statement.ConnPool.ExecContext(b.ctx,
			"INSERT INTO contact_tags (contact_id, tag_id) SELECT value, ? FROM json_each(?) WHERE true ON CONFLICT DO NOTHING",
			int64(tid), string(append(byTag[tid], ']')))
		if err != nil {
			return err
		}
	}
	return nil
}

// scanIDs reads "id, external_id" rows.
func scanIDs(rs *sql.Rows, n int) (map[string]uint64, error) {
	defer rs.Close()
	idOf := make(map[string]uint64, n)
	for rs.Next() {
		var id uint64
		var ext string
		if err := rs.Scan(&id, &ext); err != nil {
			return nil, err
		}
		idOf[ext] = id
	}
	return idOf, rs.Err()
}
