package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// walkthroughLimit is the promise of the README's demo walk-through: from
// the contacts page to a report with delivered and read figures.
const walkthroughLimit = 2 * time.Minute

// TestDemoWalkthroughUnderTwoMinutes runs `omnicast demo` as shipped (the
// binary, its default people, activity and simulator receipt delay) and
// walks through it in chromium as a new marketing user does: create the
// admin on the first visit, which lands on the contacts page; select
// everyone on the Facebook Page; 推播訊息; write a subject and a text;
// 下一步; 立即發送; 查看報告; and wait until the report shows delivered and
// read figures above zero. It fails when the path from the contacts page
// to those figures takes walkthroughLimit or more, and logs each step's
// time (the README's walk-through quotes them).
func TestDemoWalkthroughUnderTwoMinutes(t *testing.T) {
	ctx := newBrowserContext(t, 5*time.Minute)
	base := startDemoProcess(t)

	var steps []walkStep
	var paused time.Duration                     // screenshots, taken between the steps
	deadline := time.Now().Add(walkthroughLimit) // moved to the contacts page below
	step := func(name string, actions ...chromedp.Action) {
		t.Helper()
		start := time.Now()
		// No step may outlast the promise: a missing button fails at
		// once rather than after the browser's own timeout.
		stepCtx, cancel := context.WithDeadline(ctx, deadline)
		defer cancel()
		if err := chromedp.Run(stepCtx, actions...); err != nil {
			t.Fatalf("step %d, %s: after %s: %v", len(steps)+1, name, time.Since(start).Round(10*time.Millisecond), err)
		}
		steps = append(steps, walkStep{name, time.Since(start)})
		t.Logf("step %d, %s: %s", len(steps), name, time.Since(start).Round(10*time.Millisecond))
		shot := time.Now()
		screenshot(ctx, t, fmt.Sprintf("walkthrough-%02d", len(steps)))
		paused += time.Since(shot) // the user does not wait for it
	}

	step("first visit: create the admin (建立管理員帳號), which opens the contacts page (聯絡人)",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`[data-testid="setup-form"]`),
		chromedp.SendKeys("#name", "Mei"),
		chromedp.SendKeys("#email", "mei@example.com"),
		chromedp.SendKeys("#password", "correct horse battery"),
		chromedp.Submit(`[data-testid="setup-form"]`),
		chromedp.WaitVisible(`[data-testid="match-count"]`),
	)
	var loc string
	if err := chromedp.Run(ctx, chromedp.Location(&loc)); err != nil || !strings.HasPrefix(loc, base+"/contacts") {
		t.Fatalf("after set-up the browser is at %q (%v), want the contacts page", loc, err)
	}
	from, pausedBefore := time.Now(), paused // the promise starts on the contacts page
	deadline = from.Add(walkthroughLimit)

	step("select everyone on the Facebook Page (全選符合條件的聯絡人)",
		chromedp.WaitVisible(`[data-testid="select-all-matching"]`),
		chromedp.Click(`[data-testid="select-all-matching"]`),
		chromedp.WaitEnabled(`button[data-testid="broadcast"]`),
	)
	step("open the composer (推播訊息)",
		chromedp.Click(`button[data-testid="broadcast"]`),
		chromedp.WaitVisible(`[data-testid="message-text-box"]`),
	)
	step("write a subject (主題) and a text, then 下一步 (Next)",
		chromedp.SendKeys("#subject", "週末咖啡豆特賣"),
		chromedp.Click(`[data-testid="message-text-box"]`),
		chromedp.SendKeys(`[data-testid="message-text-box"]`, "您好，本週末咖啡豆全面九折！"),
		chromedp.Click(`[data-testid="next"]`),
		chromedp.WaitVisible(`[data-testid="confirm-send"]`),
	)
	step("check the numbers and send (立即發送)",
		chromedp.Click(`[data-testid="confirm-send"]`),
		chromedp.WaitVisible(`[data-testid="freeze-progress"]`),
	)
	step("open the report (查看報告)",
		chromedp.Click(`[data-testid="view-report"]`),
		chromedp.WaitVisible(`[data-testid="report-figures"]`),
	)
	var delivered, read int64
	step("watch delivered (已送達) and read (已讀) fill in",
		chromedp.Poll(figuresAboveZeroJS, nil, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(0)),
	)
	took := time.Since(from) - (paused - pausedBefore)
	var figures map[string]string
	if err := chromedp.Run(ctx, chromedp.Evaluate(figureValuesJS, &figures)); err != nil {
		t.Fatal(err)
	}
	delivered, read = figureCount(figures["delivered"]), figureCount(figures["read"])
	t.Logf("the report shows %v", figures)
	t.Logf("contacts page → delivered %d and read %d on the report: %s (the set-up before it: %s)",
		delivered, read, took.Round(100*time.Millisecond), steps[0].took.Round(100*time.Millisecond))
	if delivered <= 0 || read <= 0 {
		t.Fatalf("the report shows delivered %d and read %d, want both above 0", delivered, read)
	}
	if took >= walkthroughLimit {
		t.Fatalf("contacts page to delivered and read figures took %s, the README promises under %s", took, walkthroughLimit)
	}

	// Then the rest of the receipts: every sent message delivered and
	// read, the broadcast done, and the page no longer offering to
	// pause or cancel it (the poll replaces the controls).
	step("all receipts in: 已送達 = 已讀 = 已發送, 完成",
		chromedp.Poll(allReceiptsInJS, nil, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(0)),
	)
	if err := chromedp.Run(ctx, chromedp.Evaluate(figureValuesJS, &figures)); err != nil {
		t.Fatal(err)
	}
	t.Logf("contacts page → all receipts in (%v): %s", figures, (time.Since(from) - (paused - pausedBefore)).Round(100*time.Millisecond))
	logWalkthrough(t, steps)
}

// logWalkthrough prints the steps as the README's table has them: each
// step's time and the time since the contacts page opened (step 1, the
// set-up, comes before it).
func logWalkthrough(t *testing.T, steps []walkStep) {
	var since time.Duration
	for i, s := range steps {
		if i > 0 {
			since += s.took
		}
		t.Logf("| %d | %s | %.1f s | %.1f s |", i+1, s.name, s.took.Seconds(), since.Seconds())
	}
}

type walkStep struct {
	name string
	took time.Duration
}

// figureValuesJS reads the report's headline figures by their key.
const figureValuesJS = `(function(){var o={};document.querySelectorAll('[data-testid^="figure-"]').forEach(function(e){o[e.dataset.testid.slice(7)]=e.querySelector('.value').textContent.trim()});return o})()`

// figuresAboveZeroJS is true once the polled figures show a delivered and
// a read message.
const figuresAboveZeroJS = `(function(){function n(k){var e=document.querySelector('[data-testid="figure-'+k+'"] .value');return e?Number(e.textContent.replace(/[^0-9]/g,''))||0:0}return n("delivered")>0&&n("read")>0})()`

// allReceiptsInJS is true once the broadcast is done, everything sent is
// delivered and read, and the controls of a sending broadcast are gone.
const allReceiptsInJS = `(function(){function n(k){var e=document.querySelector('[data-testid="figure-'+k+'"] .value');return e?Number(e.textContent.replace(/[^0-9]/g,''))||0:-1}
var f=document.querySelector('[data-testid="report-figures"]');
return !!f&&f.dataset.status==="done"&&n("sent")>0&&n("delivered")===n("sent")&&n("read")===n("sent")&&
!document.querySelector('#report-controls [data-testid="broadcast-pause"],#report-controls [data-testid="broadcast-cancel"]')})()`

// figureCount is a figure's number as the page groups it ("1,234").
func figureCount(s string) int64 {
	n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// startDemoProcess runs the built binary as `omnicast demo` on free ports
// with everything else at the demo's defaults, waits for its "ready" line
// and returns its base URL. It is stopped when the test ends.
func startDemoProcess(t *testing.T) string {
	t.Helper()
	cmd := exec.Command(omnicastBinary(t), "demo", "--data-dir", t.TempDir(), "--addr", "127.0.0.1:0", "--sim-addr", "")
	cmd.Env = baseEnv()
	var logs lockedBuffer
	cmd.Stderr = &logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := demoReady.FindStringSubmatch(sc.Text()); m != nil {
				t.Log(sc.Text())
				ready <- m[1]
			}
		}
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("omnicast demo did not stop within 30 s of SIGTERM")
		}
	})
	select {
	case base := <-ready:
		return base
	case err := <-exited:
		t.Fatalf("omnicast demo ended before it was ready: %v\n%s", err, logs.String())
	case <-time.After(90 * time.Second):
		t.Fatalf("omnicast demo not ready within 90 s\n%s", logs.String())
	}
	return ""
}

// demoReady matches runDemo's line "omnicast demo ready in …: http://…".
var demoReady = regexp.MustCompile(`omnicast demo ready in \S+: (http://\S+)`)

// lockedBuffer is a process's stderr, written by exec's copier and read
// by the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
