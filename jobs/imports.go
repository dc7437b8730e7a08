package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
)

// importWorker runs queued CSV imports one after the other, and on every
// round marks as interrupted the imports whose process went quiet (a crash
// or a kill on any instance, including this one before a restart).
func (r *Runner) importWorker(ctx context.Context, wake <-chan struct{}) {
	for {
		if n, err := models.InterruptStaleImports(r.cfg.DB, r.cfg.Now()); err != nil {
			r.log.Error("marking stale imports failed", "err", err)
		} else if n > 0 {
			r.log.Warn("imports marked interrupted: their process stopped", "count", n)
		}
		for ctx.Err() == nil {
			imp, err := models.ClaimContactImport(r.cfg.DB, r.cfg.Instance, r.cfg.Now())
			if err != nil {
				r.log.Error("claiming an import failed", "err", err)
				break
			}
			if imp == nil {
				break
			}
			r.runQueuedImport(ctx, imp)
		}
		if !r.idle(ctx, wake) {
			return
		}
	}
}

// runQueuedImport imports the stored file of a claimed import.
func (r *Runner) runQueuedImport(ctx context.Context, imp *models.ContactImport) {
	raw, err := models.ContactImportFile(r.cfg.DB, imp.ID)
	var f *models.ContactCSV
	if err == nil {
		f, err = models.ParseContactCSV(raw)
	}
	if err != nil {
		// The file was checked at upload: not reading it now is our fault.
		r.log.Error("contacts import could not read its file", "import", imp.ID, "err", err)
		if ferr := models.FinishContactImport(r.cfg.DB, imp.ID, models.ImportFailed, models.ImportResult{}, err, r.cfg.Now()); ferr != nil {
			r.log.Error("recording a failed import failed", "import", imp.ID, "err", ferr)
		}
		return
	}
	_, _ = RunContactImport(ctx, r.cfg.DB, imp, f, ImportRun{Worker: r.cfg.Instance, Now: r.cfg.Now, Logger: r.log, BatchSize: r.cfg.ImportBatch})
}

// ImportRun says how RunContactImport runs.
type ImportRun struct {
	// Worker is the name the import was claimed under.
	Worker string
	Now    func() time.Time
	Logger *slog.Logger
	// BatchSize overrides the rows per transaction (0: the default).
	BatchSize int
	// Heartbeat is how often progress is written (default 1 s).
	Heartbeat time.Duration
	// Progress, when set, also hears of each batch (the command line
	// prints it).
	Progress func(done, total int)
}

// RunContactImport runs an import that is running under opt.Worker (claimed
// from the queue, or begun by the command line): it imports f, writes the
// progress (which is also the heartbeat) about once a second, and records
// the end: done, failed (a database error), or interrupted (ctx ended:
// shutdown). The rows written before a stop stay, and stay undoable.
func RunContactImport(ctx context.Context, db *gorm.DB, imp *models.ContactImport, f *models.ContactCSV, opt ImportRun) (models.ImportResult, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Heartbeat <= 0 {
		opt.Heartbeat = time.Second
	}
	log := opt.Logger.With("import", imp.ID, "channel", imp.ChannelID)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	var done atomic.Int64
	var wg sync.WaitGroup
	stopBeat := make(chan struct{})
	wg.Go(func() {
		t := time.NewTicker(opt.Heartbeat)
		defer t.Stop()
		for {
			select {
			case <-stopBeat:
				return
			case <-t.C:
			}
			err := models.ReportContactImport(db, imp.ID, opt.Worker, int(done.Load()), opt.Now())
			if errors.Is(err, models.ErrImportState) {
				// Marked interrupted by another instance (we were silent
				// too long): stop rather than write on as a ghost.
				cancel(errImportTakenAway)
				return
			}
			if err != nil {
				log.Warn("import progress not recorded", "err", err)
			}
		}
	})

	start := time.Now()
	res, err := models.ImportContacts(ctx, db, imp.ChannelID, f, models.ImportOptions{
		Now: opt.Now(), Location: imp.Location(), Region: imp.Region, ImportID: imp.ID, BatchSize: opt.BatchSize,
		Progress: func(d, total int) {
			done.Store(int64(d))
			if opt.Progress != nil {
				opt.Progress(d, total)
			}
		},
	})
	close(stopBeat)
	wg.Wait()

	state := models.ImportDone
	switch {
	case err == nil:
	case errors.Is(context.Cause(ctx), errImportTakenAway):
		log.Error("contacts import stopped: another instance marked it interrupted", "rows", res.Rows)
		return res, errImportTakenAway
	case ctx.Err() != nil:
		state = models.ImportInterrupted
	default:
		state = models.ImportFailed
	}
	if ferr := models.FinishContactImport(db, imp.ID, state, res, err, opt.Now()); ferr != nil {
		log.Error("recording the end of an import failed", "state", state, "err", ferr)
		if err == nil {
			err = ferr
		}
	}
	took := time.Since(start)
	switch state {
	case models.ImportDone:
		log.Info("contacts imported", "rows", res.Rows, "created", res.Created, "updated", res.Updated,
			"skipped", res.Bad, "ms", took.Milliseconds())
	case models.ImportInterrupted:
		log.Warn("contacts import interrupted by shutdown", "rows", res.Rows, "created", res.Created)
	default:
		log.Error("contacts import failed", "rows", res.Rows, "err", err)
	}
	if err != nil {
		return res, fmt.Errorf("jobs: import %d: %w", imp.ID, err)
	}
	return res, nil
}

// errImportTakenAway: the import was marked interrupted while it ran.
var errImportTakenAway = errors.New("jobs: import was marked interrupted meanwhile")
