package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"omnicast/channels"
	"omnicast/models"
)

func TestChannelAddListAndContactsJSON(t *testing.T) {
	dir := t.TempDir()
	out, _, err := runCLI(t, dir, "", "channel", "add", "--kind", "line", "--name", "台北門市", "--external-id", "1650000001",
		"--secret", "line-secret-value", "--token", "line-token-value", "--rate", "500")
	if err != nil {
		t.Fatalf("channel add: %v", err)
	}
	id, err := strconv.ParseUint(strings.TrimSpace(out), 10, 32)
	if err != nil || id == 0 {
		t.Fatalf("channel add printed %q, want the numeric id alone", out)
	}
	if _, _, err := runCLI(t, dir, "", "channel", "add", "--kind", "fax", "--name", "x", "--external-id", "1", "--secret", "s", "--token", "t"); err == nil || !strings.Contains(err.Error(), "kind") {
		t.Fatalf("bad kind: %v", err)
	}
	list, _, err := runCLI(t, dir, "", "channel", "list")
	if err != nil || !strings.Contains(list, "台北門市") || !strings.Contains(list, "/webhooks/line/"+strings.TrimSpace(out)) || strings.Contains(list, "line-token-value") {
		t.Fatalf("channel list: %q %v", list, err)
	}

	// Contacts arrive (here straight through the model) and list as JSON lines.
	db, err := models.Open(models.DBConfig{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := models.FindChannel(db, uint(id))
	when := time.Date(2026, 11, 1, 9, 30, 0, 0, time.UTC)
	for i, u := range []string{"U1", "U2"} {
		if _, err := models.ApplyWebhookEvent(db, ch, channels.Event{Kind: channels.EventFollow, UserID: u, Name: "陳怡君", Time: when, DedupeKey: u}, nil, when); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			tags, _ := models.EnsureTags(db, []string{"VIP", "台北"})
			c, _ := models.FindContact(db, ch.ID, u)
			_ = models.TagContacts(db, []uint64{c.ID}, tags)
		}
	}
	models.Close(db)

	js, _, err := runCLI(t, dir, "", "contacts", "list", "--channel", strings.TrimSpace(out), "--json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(js), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 JSON lines, got %q", js)
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"external_id", "name", "subscribed", "subscribed_at", "last_interaction_at", "tags", "phone"} {
		if _, ok := first[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, lines[0])
		}
	}
	if first["external_id"] != "U1" || first["subscribed"] != true || first["subscribed_at"] != "2026-11-01T09:30:00Z" {
		t.Errorf("first contact = %v", first)
	}
	if tags, _ := first["tags"].([]any); len(tags) != 2 {
		t.Errorf("tags = %v", first["tags"])
	}
	if _, _, err := runCLI(t, dir, "", "contacts", "list", "--channel", "999", "--json"); err == nil {
		t.Fatal("unknown channel accepted")
	}
}

func TestWriteTableAlignsWideCharacters(t *testing.T) {
	var b strings.Builder
	if err := writeTable(&b, [][]string{{"ID", "NAME", "KIND"}, {"1", "台北門市", "line"}, {"22", "Taipei", "messenger"}}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	col := func(line string) int { return displayWidth(line[:strings.LastIndex(line, "  ")+2]) }
	if col(lines[0]) != col(lines[1]) || col(lines[1]) != col(lines[2]) {
		t.Fatalf("KIND column not aligned:\n%s", b.String())
	}
}
