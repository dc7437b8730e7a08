package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"omnicast/channels"
	"omnicast/models"
)

// A contact row that cannot be read back (year 10000, stored by an older
// version) is left out of `contacts list`, which lists the rest and says
// so on stderr.
func TestContactsListSkipsAnUnreadableRow(t *testing.T) {
	dir := t.TempDir()
	out, _, err := runCLI(t, dir, "", "channel", "add", "--kind", "line", "--name", "台北門市", "--external-id", "1650000001",
		"--secret", "line-secret-value", "--token", "line-token-value")
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSpace(out)
	n, _ := strconv.ParseUint(id, 10, 32)
	db, err := models.Open(models.DBConfig{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := models.FindChannel(db, uint(n))
	when := time.Date(2026, 11, 1, 9, 30, 0, 0, time.UTC)
	for _, u := range []string{"U1", "U2", "U3"} {
		if _, err := models.ApplyWebhookEvent(db, ch, channels.Event{Kind: channels.EventMessage, UserID: u, Time: when, DedupeKey: u}, nil, when); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Exec("UPDATE contacts SET last_interaction_at = '10000-01-01 00:00:00+00:00' WHERE external_id = 'U2'").Error; err != nil {
		t.Fatal(err)
	}
	models.Close(db)

	for _, args := range [][]string{{"--json"}, {}} {
		stdout, stderr, err := runCLI(t, dir, "", append([]string{"contacts", "list", "--channel", id}, args...)...)
		if err != nil {
			t.Fatalf("contacts list %v: %v", args, err)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if len(lines) != 2 || !strings.Contains(lines[0], "U1") || !strings.Contains(lines[1], "U3") {
			t.Errorf("contacts list %v printed %q, want U1 and U3", args, stdout)
		}
		if !strings.Contains(stderr, "1 contact could not be read and is not listed") {
			t.Errorf("contacts list %v: stderr %q does not say a contact was left out", args, stderr)
		}
	}
}
