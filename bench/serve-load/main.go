// Command serve-load measures `tempcreds serve` on loopback next to its
// floor, a minimal net/http handler returning the same bytes, in one run:
// requests per second, p50/p99 latency and the server's peak RSS. The
// credentials come from the fake STS (ststest) with a clock 14.5
// minutes behind, so its 15-minute sessions expire 30 s after they are
// issued: during the run the server refreshes many times, and every answer
// is checked (status 200, credentials not expired).
//
//	go run ./bench/serve-load -duration 60s
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tempcreds/tempcreds/ststest"
)

type offsetClock struct{ d time.Duration }

// Now is the real time shifted by d.
func (c offsetClock) Now() time.Time { return time.Now().Add(c.d) }

type result struct {
	name       string
	requests   int64
	non200     int64
	expired    int64
	errors     int64
	seconds    float64
	p50, p99   time.Duration
	peakRSSKiB int64
	distinct   int
}

func main() {
	duration := flag.Duration("duration", 60*time.Second, "how long each server is loaded")
	conns := flag.Int("connections", 16, "concurrent keep-alive connections")
	bin := flag.String("tempcreds", "", "tempcreds binary (default: built into a temp dir)")
	flag.Parse()
	if len(os.Args) > 1 && os.Args[1] == "floor" {
		floor()
		return
	}
	if err := run(*duration, *conns, *bin); err != nil {
		fmt.Fprintln(os.Stderr, "serve-load:", err)
		os.Exit(1)
	}
}

// floorBody has the shape and size of a real answer.
var floorBody = []byte(`{"AccessKeyId":"ASIAFAKE000000000001","SecretAccessKey":"fake-secret-0123456789abcdef0123456789abcdef","Token":"fake-session-token-0123456789abcdef0123456789abcdef0123456789abcdef","Expiration":"2099-01-01T00:00:00Z"}`)

// floor serves floorBody on loopback and prints its address.
func floor() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Println(ln.Addr().String())
	_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(floorBody)
	}))
}

func run(duration time.Duration, conns int, bin string) error {
	tmp, err := os.MkdirTemp("", "serve-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if bin == "" {
		bin = filepath.Join(tmp, "tempcreds")
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/tempcreds").CombinedOutput(); err != nil {
			return fmt.Errorf("build: %v\n%s", err, out)
		}
	}
	sts := ststest.New(ststest.WithClock(offsetClock{-14*time.Minute - 30*time.Second}))
	defer sts.Close()
	user := sts.AddUser("bench")

	// tempcreds serve: GetSessionToken sessions that live 30 s of real time.
	serve := exec.Command(bin, "serve", "--no-role", "--duration", "15m", "--no-cache", "--format", "json", "--endpoint-url", sts.URL)
	serve.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + tmp, "AWS_STS_ACCESS_KEY=" + user.AccessKeyID,
		"AWS_STS_ACCESS_SECRET=" + user.SecretAccessKey, "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"}
	serve.Stderr = io.Discard
	out, _ := serve.StdoutPipe()
	if err := serve.Start(); err != nil {
		return err
	}
	defer func() { _ = serve.Process.Kill(); _ = serve.Wait() }()
	var vars map[string]string
	if err := json.NewDecoder(out).Decode(&vars); err != nil {
		return fmt.Errorf("serve printed no settings: %w", err)
	}

	self, _ := os.Executable()
	fl := exec.Command(self, "floor")
	fout, _ := fl.StdoutPipe()
	if err := fl.Start(); err != nil {
		return err
	}
	defer func() { _ = fl.Process.Kill(); _ = fl.Wait() }()
	faddr, err := bufio.NewReader(fout).ReadString('\n')
	if err != nil {
		return err
	}

	floorRes := load("floor: minimal net/http handler", "http://"+strings.TrimSpace(faddr)+"/", "", duration, conns, fl.Process.Pid)
	serveRes := load("tempcreds serve", vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"], vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"], duration, conns, serve.Process.Pid)

	fmt.Printf("| server | requests/s | p50 | p99 | peak RSS | non-200 | expired served | ratio (throughput) |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range []result{floorRes, serveRes} {
		fmt.Printf("| %s | %.0f | %s | %s | %.1f MiB | %d | %d | %.2f |\n", r.name, float64(r.requests)/r.seconds,
			r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), float64(r.peakRSSKiB)/1024, r.non200+r.errors, r.expired,
			(float64(r.requests)/r.seconds)/(float64(floorRes.requests)/floorRes.seconds))
	}
	fmt.Printf("\n%d connections, %s each; tempcreds served %d distinct credentials (30-second sessions), STS calls: %d\n",
		conns, duration, serveRes.distinct, sts.Count("GetSessionToken"))
	if serveRes.non200+serveRes.errors+serveRes.expired > 0 {
		return errors.New("tempcreds serve gave non-200 answers or expired credentials")
	}
	return nil
}

// load sends GETs on conns keep-alive connections for d (bounded by time
// and by a request cap) and checks every answer.
func load(name, url, token string, d time.Duration, conns, pid int) result {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}}
	var c counts
	lat := make([][]time.Duration, conns)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	const maxPerConn = 50_000_000
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < maxPerConn && ctx.Err() == nil; n++ {
				if took, answered := c.request(client, url, token); answered {
					lat[i] = append(lat[i], took)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	distinct := 0
	c.keys.Range(func(any, any) bool { distinct++; return true })
	return result{name: name, requests: c.requests.Load(), non200: c.non200.Load(), expired: c.expired.Load(), errors: c.errs.Load(),
		seconds: elapsed, p50: percentile(all, 0.50), p99: percentile(all, 0.99), peakRSSKiB: peakRSS(pid), distinct: distinct}
}

// counts are a load's answers, counted by every connection at once.
type counts struct {
	requests, non200, expired, errs atomic.Int64
	keys                            sync.Map // the distinct access key IDs served
}

// request asks url once and counts the answer; answered reports whether
// one came (its latency is took).
func (c *counts) request(client *http.Client, url, token string) (took time.Duration, answered bool) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	t := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		c.errs.Add(1)
		return 0, false
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	took = time.Since(t)
	c.requests.Add(1)
	if resp.StatusCode != 200 {
		c.non200.Add(1)
		return took, true
	}
	var creds struct{ AccessKeyId, Expiration string }
	if json.Unmarshal(body, &creds) != nil {
		c.errs.Add(1)
		return took, true
	}
	if exp, err := time.Parse(time.RFC3339, creds.Expiration); err != nil || !time.Now().Before(exp) {
		c.expired.Add(1)
	}
	c.keys.Store(creds.AccessKeyId, true)
	return took, true
}

// percentile is the p-th of sorted latencies (0 for none).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(float64(len(sorted)-1)*p)]
}

// peakRSS reads VmHWM of a process, in KiB.
func peakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kib int64
			_, _ = fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, "VmHWM:"), "kB")), &kib)
			return kib
		}
	}
	return 0
}
