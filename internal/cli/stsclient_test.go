package cli

import (
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tempcreds/tempcreds/ststest"
)

// The STS client comes from aws-sdk-go-v2's configuration loader, so the
// settings the SDK honours for STS apply. The loader reads the process
// environment: these tests set it with t.Setenv.

// tlsSTS is the fake STS behind a TLS proxy whose certificate comes from a
// private CA, written as a PEM bundle.
func tlsSTS(t *testing.T, h *harness) (endpoint, bundle string) {
	t.Helper()
	target, _ := url.Parse(h.sts.URL)
	srv := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(target))
	t.Cleanup(srv.Close)
	bundle = filepath.Join(h.dir, "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(bundle, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv.URL, bundle
}

func TestAPrivateCAIsReachedThroughTheSDKsCABundleSettings(t *testing.T) {
	t.Run("AWS_CA_BUNDLE", func(t *testing.T) {
		h := newHarness(t).withKeys()
		u, bundle := tlsSTS(t, h)
		h.env["AWS_ENDPOINT_URL_STS"] = u
		t.Setenv("AWS_CA_BUNDLE", "")
		if _, stderr, code := h.run("export", "--no-role", "--no-cache"); code == 0 || !strings.Contains(stderr, "certificate") {
			t.Fatalf("without the bundle: exit %d %q; want a certificate error", code, stderr)
		}
		if n := h.sts.Count("GetSessionToken"); n != 0 {
			t.Fatalf("%d calls reached STS through an untrusted certificate", n)
		}
		t.Setenv("AWS_CA_BUNDLE", bundle)
		if _, stderr, code := h.run("export", "--no-role", "--no-cache"); code != 0 {
			t.Fatalf("with AWS_CA_BUNDLE: exit %d %s", code, stderr)
		}
	})
	t.Run("a profile's ca_bundle", func(t *testing.T) {
		h := newHarness(t)
		u, bundle := tlsSTS(t, h)
		h.env["AWS_ENDPOINT_URL_STS"] = u
		t.Setenv("AWS_CA_BUNDLE", "")
		h.writeFile("credentials", fmt.Sprintf("[p]\naws_access_key_id = %s\naws_secret_access_key = %s\n", h.user.AccessKeyID, h.user.SecretAccessKey))
		h.writeFile("config", "[profile p]\nca_bundle = "+bundle+"\n")
		if _, stderr, code := h.run("export", "--profile", "p", "--no-role", "--no-cache"); code != 0 {
			t.Fatalf("with the profile's ca_bundle: exit %d %s", code, stderr)
		}
	})
}

func TestAWSMaxAttemptsIsHonoured(t *testing.T) {
	for _, form := range []string{"AWS_MAX_ATTEMPTS", "max_attempts", "retry_mode standard with max_attempts"} {
		t.Run(form, func(t *testing.T) {
			h := newHarness(t).withKeys()
			h.sts.SetFaultFunc(func(string) *ststest.Fault { return &ststest.Fault{Status: 503} })
			args := []string{"export", "--no-role", "--no-cache"}
			t.Setenv("AWS_MAX_ATTEMPTS", "")
			switch form {
			case "AWS_MAX_ATTEMPTS":
				t.Setenv("AWS_MAX_ATTEMPTS", "1")
			default:
				h = newHarness(t)
				h.sts.SetFaultFunc(func(string) *ststest.Fault { return &ststest.Fault{Status: 503} })
				h.writeFile("credentials", fmt.Sprintf("[p]\naws_access_key_id = %s\naws_secret_access_key = %s\n", h.user.AccessKeyID, h.user.SecretAccessKey))
				config := "[profile p]\nmax_attempts = 1\n"
				if form != "max_attempts" {
					config += "retry_mode = standard\n"
				}
				h.writeFile("config", config)
				args = append(args, "--profile", "p")
			}
			if _, _, code := h.run(args...); code != ExitCredentials {
				t.Fatalf("exit %d, want 1", code)
			}
			if n := h.sts.Count("GetSessionToken"); n != 1 {
				t.Errorf("%d requests with %s = 1, want exactly 1", n, form)
			}
		})
	}
}

func TestAProfilesEndpointURLIsUsed(t *testing.T) {
	h := newHarness(t)
	delete(h.env, "AWS_ENDPOINT_URL_STS")
	t.Setenv("AWS_ENDPOINT_URL_STS", "")
	t.Setenv("AWS_ENDPOINT_URL", "")
	h.writeFile("credentials", fmt.Sprintf("[p]\naws_access_key_id = %s\naws_secret_access_key = %s\n", h.user.AccessKeyID, h.user.SecretAccessKey))
	h.writeFile("config", "[profile p]\nendpoint_url = "+h.sts.URL+"\n")
	if _, stderr, code := h.run("export", "--profile", "p", "--no-role"); code != 0 {
		t.Fatalf("exit %d %s", code, stderr)
	}
	if n := h.sts.Count("GetSessionToken"); n != 1 {
		t.Errorf("%d calls reached the profile's endpoint_url, want 1", n)
	}
}

// TestFIPSAndDualStackEndpoints: where requests would go, seen by a
// transport that answers nothing (no network).
func TestFIPSAndDualStackEndpoints(t *testing.T) {
	var mu sync.Mutex
	var hosts []string
	watch := func(http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			mu.Lock()
			hosts = append(hosts, r.URL.Host)
			mu.Unlock()
			return nil, errors.New("no network in this test")
		})
	}
	tests := []struct{ env, key, want string }{
		{"AWS_USE_FIPS_ENDPOINT", "", "sts-fips.eu-west-1.amazonaws.com"},
		{"AWS_USE_DUALSTACK_ENDPOINT", "", "sts.eu-west-1.api.aws"},
		{"", "use_fips_endpoint", "sts-fips.eu-west-1.amazonaws.com"},
		{"", "use_dualstack_endpoint", "sts.eu-west-1.api.aws"},
	}
	for _, tc := range tests {
		t.Run(tc.env+tc.key, func(t *testing.T) {
			h := newHarness(t).withKeys()
			args := []string{"export", "--no-role", "--no-cache", "--region", "eu-west-1"}
			if tc.key != "" {
				h = newHarness(t)
				h.writeFile("credentials", fmt.Sprintf("[p]\naws_access_key_id = %s\naws_secret_access_key = %s\n", h.user.AccessKeyID, h.user.SecretAccessKey))
				h.writeFile("config", "[profile p]\n"+tc.key+" = true\n")
				args = append(args, "--profile", "p")
			}
			h.stsSet.Transport = watch
			delete(h.env, "AWS_ENDPOINT_URL_STS")
			t.Setenv("AWS_ENDPOINT_URL_STS", "")
			t.Setenv("AWS_USE_FIPS_ENDPOINT", "")
			t.Setenv("AWS_USE_DUALSTACK_ENDPOINT", "")
			t.Setenv("AWS_MAX_ATTEMPTS", "1")
			if tc.env != "" {
				t.Setenv(tc.env, "true")
			}
			mu.Lock()
			hosts = nil
			mu.Unlock()
			h.run(args...)
			mu.Lock()
			defer mu.Unlock()
			if len(hosts) == 0 || hosts[0] != tc.want {
				t.Errorf("%s%s = true sent requests to %v, want %s", tc.env, tc.key, hosts, tc.want)
			}
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestEveryClientSettingOfAProfileReachesSTS: the shared-config settings
// the SDK offers an STS client work as a profile key, the profile's
// endpoint_url included, and as a variable.
func TestEveryClientSettingOfAProfileReachesSTS(t *testing.T) {
	for _, shape := range []struct{ name, args, config string }{
		{"a keys profile", "--no-role", "[profile p]\nendpoint_url = %s\nca_bundle = %s\n"},
		{"a role profile", "", "[profile p]\nendpoint_url = %s\nca_bundle = %s\nrole_arn = " + roleA + "\nsource_profile = k\n"},
		{"a role profile on a profile with the settings", "", "[profile k]\nendpoint_url = %[1]s\nca_bundle = %[2]s\n[profile p]\nendpoint_url = %[1]s\nca_bundle = %[2]s\nrole_arn = " + roleA + "\nsource_profile = k\n"},
	} {
		t.Run(shape.name, func(t *testing.T) {
			h := newHarness(t)
			u, bundle := tlsSTS(t, h)
			delete(h.env, "AWS_ENDPOINT_URL_STS")
			t.Setenv("AWS_ENDPOINT_URL_STS", "")
			t.Setenv("AWS_ENDPOINT_URL", "")
			t.Setenv("AWS_CA_BUNDLE", "")
			h.writeFile("credentials", fmt.Sprintf("[p]\naws_access_key_id = %s\naws_secret_access_key = %s\n[k]\naws_access_key_id = %[1]s\naws_secret_access_key = %[2]s\n", h.user.AccessKeyID, h.user.SecretAccessKey))
			h.writeFile("config", fmt.Sprintf(shape.config, u, bundle))
			args := []string{"export", "--profile", "p", "--no-cache", "--duration", "1h"}
			if shape.args != "" {
				args = append(args, shape.args)
			}
			if _, stderr, code := h.run(args...); code != 0 {
				t.Fatalf("exit %d %s", code, stderr)
			}
		})
	}
}
