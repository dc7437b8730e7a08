package jobs

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"omnicast/channels"
	"omnicast/channels/sim"
)

// benchSimSpecEnv carries the child simulator's accounts (JSON).
const benchSimSpecEnv = "OMNICAST_BENCH_SIM_SPEC"

// benchAccount is one simulated account with people whose ids follow
// benchPersonID, so that the database side can generate the same ids.
type benchAccount struct {
	Kind, ExternalID, Token, Secret string
	People                          int
}

type benchSimSpec struct {
	Accounts []benchAccount
	Latency  time.Duration
}

// benchSimSummary is the child's record, per account, printed when the
// parent closes its stdin.
type benchSimSummary struct {
	Sent       int
	Duplicates int
	// Peak is the most messages accepted in any sliding one-second
	// window; Requests the most send requests in one (a LINE multicast
	// is one request for up to 500 people).
	Peak, PeakRequests int
	// Mean is the accepted requests per second between the first and the last.
	MeanRequests float64
	First, Last  time.Time
}

// benchPersonID is the platform id of person i (from 1) of an account.
func benchPersonID(kind string, i int) string {
	if kind == channels.KindLINE {
		return fmt.Sprintf("U%032x", i)
	}
	return strconv.Itoa(7_000_000_000_000_000 + i)
}

// benchPersonIDSQL is benchPersonID in PostgreSQL, of the integer g.
func benchPersonIDSQL(kind string) string {
	if kind == channels.KindLINE {
		return "'U' || lpad(to_hex(g), 32, '0')"
	}
	return "(7000000000000000 + g)::text"
}

// runBenchSimChild serves the simulator for the spec until stdin closes,
// then prints the summary of what it accepted.
func runBenchSimChild(raw string) int {
	var spec benchSimSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		fmt.Fprintln(os.Stderr, "bench sim: spec:", err)
		return 2
	}
	s := sim.New(sim.Config{ReceiptDelay: -1, Latency: spec.Latency})
	for _, a := range spec.Accounts {
		s.AddAccount(sim.Account{Kind: a.Kind, ExternalID: a.ExternalID, DisplayName: a.ExternalID, AccessToken: a.Token, Secret: a.Secret})
		for i := 1; i <= a.People; i++ {
			s.AddPerson(a.ExternalID, sim.Person{ID: benchPersonID(a.Kind, i), Name: fmt.Sprintf("Person %d", i)})
		}
	}
	base, err := s.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench sim:", err)
		return 2
	}
	fmt.Println("BASE " + base)
	_, _ = io.Copy(io.Discard, os.Stdin)
	sum := map[string]*benchSimSummary{}
	for _, a := range spec.Accounts {
		sum[a.ExternalID] = &benchSimSummary{}
	}
	byAccount := map[string][]sim.Sent{}
	for _, m := range s.Sent() {
		byAccount[m.AccountID] = append(byAccount[m.AccountID], m)
	}
	for id, sent := range byAccount {
		sm := sum[id]
		sm.Sent = len(sent)
		sm.Peak, _ = windows(sent)
		reqs := requestsOf(sent)
		sm.PeakRequests, sm.MeanRequests = windows(reqs)
		sm.First, sm.Last = sent[0].At, sent[len(sent)-1].At
	}
	for _, r := range s.Duplicates() {
		for _, m := range s.SentTo(r)[:1] {
			sum[m.AccountID].Duplicates++
		}
	}
	s.Close()
	if err := json.NewEncoder(os.Stdout).Encode(sum); err != nil {
		return 2
	}
	return 0
}

// requestsOf keeps one message per request: LINE multicast copies share
// a retry key and a time.
func requestsOf(sent []sim.Sent) []sim.Sent {
	out := make([]sim.Sent, 0, len(sent))
	for i, m := range sent {
		if i > 0 && m.Kind == channels.KindLINE && m.RetryKey != "" && m.RetryKey == sent[i-1].RetryKey && m.At.Equal(sent[i-1].At) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// benchSim is the parent's handle on the child simulator.
type benchSim struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
	base  string
}

// startBenchSim re-executes this test binary as the simulator.
func startBenchSim(tb testing.TB, spec benchSimSpec) *benchSim {
	tb.Helper()
	raw, err := json.Marshal(spec)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), benchSimSpecEnv+"="+string(raw))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	bs := &benchSim{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	tb.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bs.out.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "BASE ") {
		tb.Fatalf("bench sim did not start: %q %v", line, err)
	}
	bs.base = strings.TrimSpace(strings.TrimPrefix(line, "BASE "))
	return bs
}

// finish ends the child and returns its record per account.
func (bs *benchSim) finish(tb testing.TB) map[string]*benchSimSummary {
	tb.Helper()
	_ = bs.stdin.Close()
	var sum map[string]*benchSimSummary
	if err := json.NewDecoder(bs.out).Decode(&sum); err != nil {
		tb.Fatalf("bench sim summary: %v", err)
	}
	_ = bs.cmd.Wait()
	return sum
}
