package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"sync"
	"time"

	"omnicast/models"
	"omnicast/views"
)

// importRegistry keeps the CSV imports of this process in memory, keyed by
// an unguessable id: the progress page polls it while an import runs in the
// background, and it keeps each result for importKeep afterwards. Imports
// do not survive a restart (their batches already written stay written;
// the same file can simply be imported again). The zero value is ready.
type importRegistry struct {
	mu   sync.Mutex
	jobs map[string]*importJob
}

// importKeep is how long a finished import's result stays available.
const importKeep = 24 * time.Hour

// errImportRunning: an import into that account is still running.
var errImportRunning = errors.New("error.import_running")

// importJob is one import.
type importJob struct {
	id          string
	channelID   uint
	channelName string
	fileName    string

	mu       sync.Mutex
	done     int
	total    int
	finished time.Time // zero while running
	failed   bool
	result   models.ImportResult
}

// start registers a new import into a channel, refusing a second one into
// the same channel while the first runs (they would fight over the rows).
func (r *importRegistry) start(channelID uint, channelName, fileName string, total int, now time.Time) (*importJob, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.jobs == nil {
		r.jobs = map[string]*importJob{}
	}
	for id, j := range r.jobs {
		j.mu.Lock()
		running, finished := j.finished.IsZero(), j.finished
		j.mu.Unlock()
		if running && j.channelID == channelID {
			return nil, errImportRunning
		}
		if !running && now.Sub(finished) > importKeep {
			delete(r.jobs, id)
		}
	}
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	j := &importJob{id: hex.EncodeToString(raw), channelID: channelID, channelName: channelName, fileName: fileName, total: total}
	r.jobs[j.id] = j
	return j, nil
}

func (r *importRegistry) get(id string) *importJob {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.jobs[id]
}

func (j *importJob) progress(done, total int) {
	j.mu.Lock()
	j.done, j.total = done, total
	j.mu.Unlock()
}

func (j *importJob) finish(res models.ImportResult, err error, now time.Time) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.result, j.failed, j.finished = res, err != nil, now
	if err == nil {
		j.done = j.total
	}
}

// status is the job as the views show it.
func (j *importJob) status() views.ImportStatus {
	j.mu.Lock()
	defer j.mu.Unlock()
	s := views.ImportStatus{
		ID: j.id, ChannelID: j.channelID, ChannelName: j.channelName, FileName: j.fileName,
		Done: j.done, Total: j.total, Finished: !j.finished.IsZero(), Failed: j.failed,
		Created: j.result.Created, Updated: j.result.Updated, Bad: j.result.Bad,
	}
	for _, b := range j.result.BadRows {
		s.BadRows = append(s.BadRows, views.ImportBadRow{Line: b.Line, Column: b.Column, Value: b.Value, Reason: b.Reason.Error(), FirstLine: b.FirstLine, EndLine: b.EndLine})
	}
	return s
}

// runImport imports a checked file in the background, then removes it.
func (s *Server) runImport(j *importJob, file *models.ContactCSV, tmp *os.File) {
	defer func() {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
	}()
	res, err := models.ImportContacts(context.Background(), s.db, j.channelID, file, models.ImportOptions{
		Now: s.now(), Location: s.Workspace().Location(), Progress: j.progress,
	})
	j.finish(res, err, s.now())
	if err != nil {
		s.log.Error("contacts import failed", "import", j.id, "channel", j.channelID, "rows", res.Rows, "err", err)
		return
	}
	s.log.Info("contacts imported", "import", j.id, "channel", j.channelID, "rows", res.Rows,
		"created", res.Created, "updated", res.Updated, "skipped", res.Bad)
}
