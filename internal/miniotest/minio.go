// Package miniotest installs, starts and stops a real MinIO server on
// loopback, with a local OpenID Connect issuer, for tests and the demo.
//
// MinIO is pinned (Version) and built with `go install` once per user and
// machine, into the development cache outside the checkout (devcache);
// every later start reuses it. If it cannot be installed or started, Start fails the test: the suite
// is never skipped.
package miniotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/gofrs/flock"
	"github.com/tempcreds/tempcreds/internal/devcache"
	"github.com/tempcreds/tempcreds/internal/syncbuf"
)

// Version is the pinned MinIO module version.
const Version = "v0.0.0-20260212201848-7aac2a2c5b7c"

// Module is MinIO's Go module path.
const Module = "github.com/minio/minio"

// Server is a running MinIO.
type Server struct {
	// Endpoint is MinIO's S3 and STS address, http://127.0.0.1:PORT.
	Endpoint     string
	RootUser     string
	RootPassword string
	// OIDC is the issuer MinIO trusts for web identity.
	OIDC *OIDC

	cmd  *exec.Cmd
	dir  string
	logs *syncbuf.Buffer
	done chan error
}

// Binary returns the path of the pinned MinIO server, building it first if
// needed, silently (tests); Install is the same with progress.
func Binary() (string, error) { return Install(io.Discard) }

// buildPackages and buildMinutes describe a cold build of Version on two
// cores, measured: go install -v lists 1,090 packages after tempcreds'
// own build (make demo), 1,290 when nothing was built before.
const (
	buildPackages = "1,100 to 1,300"
	buildMinutes  = "4 to 10"
)

// heartbeat is the longest Install stays silent while building.
const heartbeat = 5 * time.Second

// Install returns the path of the pinned MinIO server. The first call on a
// machine builds it with `go install` into the per-user development cache
// (devcache: outside every checkout, shared by every clone and CI run of
// this user) and reports progress to w: what it builds and why at once,
// then a line at least every few seconds. Concurrent callers, in this
// process or others, build it once (a file lock guards the build); the
// binary appears under its final name only when complete.
func Install(w io.Writer) (string, error) {
	dir, err := devcache.Dir("minio", Version)
	if err != nil {
		return "", err
	}
	exe := filepath.Join(dir, "minio")
	if isExecutable(exe) {
		return exe, nil
	}
	lock := flock.New(filepath.Join(dir, ".lock"))
	if ok, _ := lock.TryLock(); !ok {
		fmt.Fprintf(w, "minio: another process is building MinIO into %s; waiting for it\n", dir)
		if err := lock.Lock(); err != nil {
			return "", fmt.Errorf("miniotest: locking the build: %w", err)
		}
	}
	defer func() { _ = lock.Unlock() }()
	if isExecutable(exe) {
		return exe, nil
	}
	fmt.Fprintf(w, "minio: building MinIO %s (pinned) with go install, once per machine, into %s\n", Version, dir)
	fmt.Fprintf(w, "minio: a cold build compiles %s packages: %s minutes on two cores; later runs start at once\n", buildPackages, buildMinutes)
	partial := filepath.Join(dir, ".partial")
	_ = os.RemoveAll(partial)
	if err := build(w, partial); err != nil {
		return "", err
	}
	if err := os.Rename(filepath.Join(partial, "minio"), exe); err != nil {
		return "", fmt.Errorf("miniotest: installing the build: %w", err)
	}
	_ = os.RemoveAll(partial)
	fmt.Fprintf(w, "minio: built %s\n", exe)
	return exe, nil
}

// build runs go install -v into gobin, printing a progress line every
// heartbeat: the packages compiled so far.
func build(w io.Writer, gobin string) error {
	cmd := exec.Command("go", "install", "-v", Module+"@"+Version)
	cmd.Env = append(os.Environ(), "GOBIN="+gobin)
	out := &progressLog{}
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("miniotest: go install %s@%s: %w", Module, Version, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("miniotest: go install %s@%s failed: %v\n%s", Module, Version, err, tail(out.Bytes(), 4000))
			}
			return nil
		case <-tick.C:
			n, downloads, last := out.counts()
			elapsed := time.Since(start).Round(time.Second)
			if n == 0 {
				fmt.Fprintf(w, "minio: %s: downloading modules (%d so far)\n", elapsed, downloads)
				continue
			}
			fmt.Fprintf(w, "minio: %s: compiled %d packages (of %s), now %s\n", elapsed, n, buildPackages, last)
		}
	}
}

// progressLog keeps go install -v's output and counts its lines: one per
// package compiled, "go: downloading" ones per module fetched.
type progressLog struct {
	syncbuf.Buffer
}

func (p *progressLog) counts() (packages, downloads int, last string) {
	for _, line := range strings.Split(string(p.Bytes()), "\n") {
		switch {
		case line == "":
		case strings.HasPrefix(line, "go: downloading"):
			downloads++
		case strings.HasPrefix(line, "go: "):
		default:
			packages++
			last = line
		}
	}
	return packages, downloads, last
}

func isExecutable(exe string) bool {
	st, err := os.Stat(exe)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}

// Start starts MinIO for a test and stops it when the test ends. It fails
// the test (never skips it) if MinIO cannot be installed or started.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := StartServer(context.Background())
	if err != nil {
		t.Fatalf("MinIO is required for this suite and could not be started: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("MinIO log (tail):\n%s", tail(s.logs.Bytes(), 3000))
		}
		s.Close()
	})
	return s
}

// StartServer starts the OIDC issuer, then MinIO on a free loopback port
// with a temporary data dir and random root credentials, and waits until
// its IAM answers AssumeRole. Close stops both and removes the data.
func StartServer(ctx context.Context) (*Server, error) {
	exe, err := Binary()
	if err != nil {
		return nil, err
	}
	port, consolePort, err := twoFreePorts()
	if err != nil {
		return nil, err
	}
	oidc, err := StartOIDC()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "tempcreds-minio-")
	if err != nil {
		oidc.Close()
		return nil, err
	}
	s := &Server{
		Endpoint:     fmt.Sprintf("http://127.0.0.1:%d", port),
		RootUser:     "fake-root-" + randomHex(6),
		RootPassword: "fake-root-password-" + randomHex(12),
		OIDC:         oidc,
		dir:          dir,
		logs:         &syncbuf.Buffer{},
		done:         make(chan error, 1),
	}
	s.cmd = s.command(exe, port, consolePort)
	if err := s.cmd.Start(); err != nil {
		oidc.Close()
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("miniotest: starting %s: %w", exe, err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	if err := s.waitReady(ctx, 90*time.Second); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// twoFreePorts are the server's port and its console's.
func twoFreePorts() (int, int, error) {
	port, err := freePort()
	if err != nil {
		return 0, 0, err
	}
	consolePort, err := freePort()
	return port, consolePort, err
}

// command is MinIO's command line and environment for s: its data and
// home under s.dir, the root keys, and s.OIDC as its OpenID provider.
func (s *Server) command(exe string, port, consolePort int) *exec.Cmd {
	cmd := exec.Command(exe, "server",
		"--address", fmt.Sprintf("127.0.0.1:%d", port),
		"--console-address", fmt.Sprintf("127.0.0.1:%d", consolePort),
		"--certs-dir", filepath.Join(s.dir, "certs"),
		"--quiet",
		filepath.Join(s.dir, "data"))
	cmd.Env = append(os.Environ(),
		"HOME="+s.dir, // MinIO creates ~/.minio: in the data's directory, removed with it
		"MINIO_ROOT_USER="+s.RootUser,
		"MINIO_ROOT_PASSWORD="+s.RootPassword,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
		"MINIO_IDENTITY_OPENID_CONFIG_URL="+s.OIDC.ConfigURL(),
		"MINIO_IDENTITY_OPENID_CLIENT_ID="+s.OIDC.ClientID,
		"MINIO_IDENTITY_OPENID_CLIENT_SECRET="+randomHex(16),
		"MINIO_IDENTITY_OPENID_CLAIM_NAME=policy",
		"MINIO_IDENTITY_OPENID_SCOPES=openid",
	)
	cmd.Stdout, cmd.Stderr = s.logs, s.logs
	ownGroup(cmd) // its own process group; on Linux also killed if the test dies
	return cmd
}

// waitReady polls AssumeRole with the root keys: MinIO reports healthy
// before its IAM (and the OIDC provider it loads) is ready.
func (s *Server) waitReady(ctx context.Context, limit time.Duration) error {
	client := s.STSClient(credentials.NewStaticCredentialsProvider(s.RootUser, s.RootPassword, ""))
	deadline := time.Now().Add(limit)
	var lastErr error
	for attempt := 0; time.Now().Before(deadline); attempt++ {
		select {
		case err := <-s.done:
			return fmt.Errorf("miniotest: MinIO exited during start-up (%v):\n%s", err, tail(s.logs.Bytes(), 3000))
		default:
		}
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := client.AssumeRole(actx, &sts.AssumeRoleInput{
			RoleArn: aws.String("arn:aws:iam::123456789012:role/ignored"), RoleSessionName: aws.String("ready")})
		cancel()
		if err == nil {
			return nil
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("miniotest: MinIO not ready after %s (last AssumeRole: %v):\n%s", limit, lastErr, tail(s.logs.Bytes(), 3000))
}

// Close stops MinIO and the issuer and removes the data dir.
func (s *Server) Close() {
	if s.cmd != nil && s.cmd.Process != nil {
		stopGroup(s.cmd, false)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			stopGroup(s.cmd, true)
			<-s.done
		}
	}
	s.OIDC.Close()
	_ = os.RemoveAll(s.dir)
}

// Logs returns what MinIO printed so far.
func (s *Server) Logs() string { return string(s.logs.Bytes()) }

// RootCredentials returns the root keys as a provider.
func (s *Server) RootCredentials() aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(s.RootUser, s.RootPassword, "")
}

// STSClient returns an STS client for MinIO signing with creds (nil: none).
// SDK retries are off so tests see each answer.
func (s *Server) STSClient(creds aws.CredentialsProvider) *sts.Client {
	return sts.New(sts.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.Endpoint), Credentials: creds, Retryer: aws.NopRetryer{},
	})
}

// S3Client returns an S3 client (path-style) for MinIO using creds.
func (s *Server) S3Client(creds aws.CredentialsProvider) *s3.Client {
	return s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.Endpoint), Credentials: creds,
		UsePathStyle: true, Retryer: aws.NopRetryer{},
	})
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
