package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"omnicast/models"
)

// TestDemoSendsWhatStaffConfirm: `omnicast demo` runs the background work
// serve runs, so a broadcast confirmed in the demo is frozen, sent to the
// simulator and done (before, it stayed "preparing" for ever).
func TestDemoSendsWhatStaffConfirm(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	e := &runEnv{stdin: strings.NewReader(""), stdout: pw, stderr: io.Discard, getenv: func(string) string { return "" }}
	done := make(chan error, 1)
	go func() {
		done <- dispatch(ctx, e, []string{"demo", "--data-dir", dir, "--addr", addr, "--sim-addr", "", "--people", "20", "--activity", "0"})
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("demo did not stop")
		}
	})
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "omnicast demo ready") {
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("demo ended: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("demo not ready within 60 s")
	}

	db, err := models.Open(models.DBConfig{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = models.Close(db) }()
	u, err := models.CreateUser(db, models.NewUserInput{Email: "admin@example.com", Name: "Admin", Role: models.RoleAdmin, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := models.CreateAPIToken(db, "test", u.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	chs, err := models.ListChannels(db)
	if err != nil {
		t.Fatal(err)
	}
	var line *models.Channel
	for i := range chs {
		if chs[i].Kind == "line" {
			line = &chs[i]
		}
	}
	if line == nil {
		t.Fatal("the demo has no LINE channel")
	}
	api := func(method, path, body string) map[string]any {
		req, _ := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		if res.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %v", method, path, res.StatusCode, out)
		}
		return out
	}
	created := api(http.MethodPost, "/api/v1/broadcasts", fmt.Sprintf(
		`{"channel_id":%d,"subject":"週末快閃","audience":{"filter":"channel=%d"},"messages":[{"type":"text","text":"{{name}} 您好！"}]}`, line.ID, line.ID))
	id := created["id"]
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := api(http.MethodGet, fmt.Sprintf("/api/v1/broadcasts/%v/status", id), "")
		counts, _ := st["counts"].(map[string]any)
		if st["status"] == models.BroadcastDone {
			if counts["sent"] == float64(0) || counts["sent"] != counts["audience"].(float64)-counts["skipped"].(float64) {
				t.Fatalf("done with %v", counts)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("broadcast %v still %v after 30 s: %v", id, st["status"], counts)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
