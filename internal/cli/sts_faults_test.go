package cli

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tempcreds/tempcreds/chain"
)

// TestMisbehavingSTSGivesClearFastBoundedErrors: servers that answer what
// STS never does (an HTML 502 from a proxy, a redirect, a 300 MiB body, TLS
// that cannot verify, silence) give a clear error, bounded in time and
// memory, and no retry where none can help.
func TestMisbehavingSTSGivesClearFastBoundedErrors(t *testing.T) {
	tests := []struct {
		name     string
		tls      bool
		handler  http.HandlerFunc
		want     string
		maxCalls int64
	}{
		{"an HTML 502 from a proxy", false, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			_, _ = w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
		}, "HTTP 502 with a body that is not an AWS error", 3},
		{"nginx's own 502 page (not even XML)", false, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			_, _ = w.Write([]byte("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"))
		}, "HTTP 502 with a body that is not an AWS error", 3},
		{"a redirect", false, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://elsewhere.example/", http.StatusFound)
		}, "a redirect: STS never redirects", 3},
		{"a 300 MiB answer", false, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/xml")
			chunk := []byte(strings.Repeat("<a>", 1<<14))
			for i := 0; i < (300<<20)/len(chunk); i++ {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, "larger than 1048576 bytes", 3},
		{"a certificate nobody trusts", true, func(w http.ResponseWriter, _ *http.Request) {}, "certificate", 1},
		{"a server that never answers", false, func(w http.ResponseWriter, r *http.Request) {
			select { // silent for longer than the 1 s call bound
			case <-time.After(3 * time.Second):
			case <-r.Context().Done():
			}
		}, "STS did not answer in time", 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int64
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1); tc.handler(w, r) })
			srv := httptest.NewUnstartedServer(h)
			if tc.tls {
				srv.StartTLS()
			} else {
				srv.Start()
			}
			defer func() { srv.CloseClientConnections(); srv.Close() }()
			hs := newHarness(t).withKeys()
			hs.stsSet = chain.STSSettings{AttemptTimeout: 2 * time.Second, CallTimeout: 15 * time.Second}
			hs.env["AWS_ENDPOINT_URL_STS"] = srv.URL
			start := time.Now()
			_, stderr, code := hs.run("export", "--no-role", "--no-cache")
			took := time.Since(start)
			if code != ExitCredentials || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 1 and %q", code, stderr, tc.want)
			}
			if strings.Contains(stderr, "UnknownError: UnknownError") || len(stderr) > 2000 {
				t.Errorf("unclear or unbounded message (%d bytes): %.300s", len(stderr), stderr)
			}
			if n := calls.Load(); n > tc.maxCalls {
				t.Errorf("%d requests, want at most %d", n, tc.maxCalls)
			}
			if took > 20*time.Second {
				t.Errorf("took %s: the bounds (2 s an attempt, 15 s a call here) were not applied", took)
			}
		})
	}
}
