//go:build unix

package tempcreds

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// freezeChildEnv makes the test binary run freezeChild instead of the tests.
const freezeChildEnv = "TEMPCREDS_FREEZE_CHILD"

// Freeze test parameters: credentials live 2 s (expiry window 300 ms); the
// child is frozen 100 ms after a load, for 2.5 s, so every freeze ends past
// the expiry of the credentials it held.
const (
	freezeLife       = 2 * time.Second
	freezeWindow     = 300 * time.Millisecond
	freezeAfterLoad  = 100 * time.Millisecond
	freezeFor        = 2500 * time.Millisecond
	freezeGoroutines = 4
	freezeTimes      = 2
)

func TestMain(m *testing.M) {
	if os.Getenv(freezeChildEnv) == "1" {
		freezeChild()
		return
	}
	os.Exit(m.Run())
}

// freezeChild reads a system-clock Cache from freezeGoroutines goroutines
// until its stdin closes, checking each answer against the wall clock right
// after it returns, then prints "served N expired M". It prints "loaded"
// after each load.
func freezeChild() {
	var n atomic.Int64
	p := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: fmt.Sprintf("ASIAFAKE%d", n.Add(1)), SecretAccessKey: "fake", SessionToken: "fake",
			CanExpire: true, Expires: time.Now().Add(freezeLife)}, nil
	})
	c := NewCache(p, func(o *CacheOptions) {
		o.Freshness, o.RefreshJitter = Freshness{Min: freezeWindow, Ahead: freezeWindow}, -1
		o.OnLoad = func(time.Time, error) { fmt.Println("loaded") }
	})
	var stop atomic.Bool
	var served, expired atomic.Int64
	var wg sync.WaitGroup
	for range freezeGoroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				creds, err := c.Retrieve(context.Background())
				if err != nil {
					fmt.Fprintln(os.Stderr, "retrieve:", err)
					os.Exit(1)
				}
				served.Add(1)
				if !time.Now().Before(creds.Expires) {
					expired.Add(1)
				}
			}
		}()
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	stop.Store(true)
	wg.Wait()
	fmt.Printf("served %d expired %d\n", served.Load(), expired.Load())
	os.Exit(0)
}

// TestAFrozenProcessNeverServesExpiredCredentialsOnResume freezes a child
// process (SIGSTOP) past its credentials' expiry and resumes it (SIGCONT),
// twice, as a laptop's suspend or a VM pause does. Only calls in flight at
// the freeze (at most one per goroutine per freeze) may return credentials
// that expired while the process was stopped; a coarse or cached clock
// served tens of thousands.
func TestAFrozenProcessNeverServesExpiredCredentialsOnResume(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), freezeChildEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	// next waits (bounded) for a line with the prefix, skipping others.
	next := func(prefix string) string {
		timeout := time.After(20 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("child ended before printing %q: %s", prefix, stderr.String())
				}
				if strings.HasPrefix(l, prefix) {
					return l
				}
			case <-timeout:
				t.Fatalf("child printed no %q within 20 s", prefix)
			}
		}
	}
	next("ready")
	for range freezeTimes {
		// Freeze just after a load: the credentials held then expire during
		// the freeze, and a clock read before it would call them fresh.
		next("loaded")
		for len(lines) > 0 {
			<-lines
		}
		next("loaded")
		time.Sleep(freezeAfterLoad)
		if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		time.Sleep(freezeFor)
		if err := cmd.Process.Signal(syscall.SIGCONT); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(freezeAfterLoad)
	_ = stdin.Close()
	result := next("served")
	var served, expired int
	if _, err := fmt.Sscanf(result, "served %d expired %d", &served, &expired); err != nil {
		t.Fatalf("child printed %q: %v", result, err)
	}
	t.Logf("served %d, expired %d (in flight at the freezes: at most %d)", served, expired, freezeGoroutines*freezeTimes)
	if served < 1000 {
		t.Errorf("the child served only %d credentials: the test exercised nothing", served)
	}
	if expired > freezeGoroutines*freezeTimes {
		t.Errorf("%d expired credentials served after resume, more than the %d calls in flight", expired, freezeGoroutines*freezeTimes)
	}
}
