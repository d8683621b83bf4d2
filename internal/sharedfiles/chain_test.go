package sharedfiles

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/internal/safefile"
)

// TestTheLoginConfigCopyStaysInTheCacheDirectory: the copy of the config
// made for `aws login` sources (it may hold keys) is owner-only, in the
// cache directory where a sweep removes it once its writer is gone, and
// removed when the load returns.
func TestTheLoginConfigCopyStaysInTheCacheDirectory(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	if err := os.WriteFile(config, []byte("[profile login]\nlogin_session = arn:aws:iam::123456789012:user/fake\n[profile r]\nrole_arn = arn:aws:iam::123456789012:role/A\nsource_profile = login\naws_secret_access_key = fake-not-a-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cacheDir := filepath.Join(dir, "cache")
	var copyPath string
	err := Files{Config: config}.WithLoginSources(map[string]map[string]string{"login": {"login_session": "x"}}, cacheDir, func(path string) error {
		copyPath = path
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		if filepath.Dir(path) != cacheDir || st.Mode().Perm() != 0o600 || !strings.Contains(filepath.Base(path), safefile.TempInfix) {
			t.Errorf("the copy is %s (%v): want an owner-only temp file of the cache directory", path, st.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(copyPath); err == nil {
		t.Error("the copy outlived the load")
	}
}

// TestProfileArgQuotesWhatAShellWouldInterpret: the login hint can be pasted.
func TestProfileArgQuotesWhatAShellWouldInterpret(t *testing.T) {
	for name, want := range map[string]string{"dev": "dev", "a.b-c@d+e_f": "a.b-c@d+e_f", "x$(id)": `'x$(id)'`, "it's": `'it'\''s'`, "two words": `'two words'`} {
		if got := shellWord(name); got != want {
			t.Errorf("shellWord(%q) = %s, want %s", name, got, want)
		}
	}
	if got := ProfileArg("-x"); got != "--profile=-x" {
		t.Errorf("ProfileArg(-x) = %s", got)
	}
}

// TestProfileKeys: every profile's keys as written, aws-vault's and unknown
// ones included; indented lines, comments and other sections skipped.
func TestProfileKeys(t *testing.T) {
	path := write(t, "[default]\nregion = eu-west-1\n[profile  dev ]\nSession_Tags = a=1,b=2\n  nested = x\n# c = d\n; e = f\n[sso-session s]\nsso_region = x\n[profile dev]\nmfa_process = echo 1\n")
	got, err := ProfileKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{"default": {"region": "eu-west-1"}, "dev": {"session_tags": "a=1,b=2", "mfa_process": "echo 1"}}
	if len(got) != len(want) || len(got["dev"]) != 2 || got["dev"]["session_tags"] != "a=1,b=2" || got["dev"]["mfa_process"] != "echo 1" || got["default"]["region"] != "eu-west-1" {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestParseSessionTagsAndSplitList(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    int
		wantErr string
	}{
		{"", 0, ""},
		{"a=1, b = 2", 2, ""},
		{"a=", 1, ""},
		{"a", 0, "is not KEY=VALUE"},
		{"=1", 0, "is not KEY=VALUE"},
		{"a=1,a=2", 0, "given twice"},
	} {
		got, err := ParseSessionTags(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseSessionTags(%q): %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || len(got) != tc.want {
			t.Errorf("ParseSessionTags(%q) = %v, %v", tc.in, got, err)
		}
	}
	if got := SplitList(" a, b,,a ,c"); strings.Join(got, "|") != "a|b|c" {
		t.Errorf("SplitList = %q", got)
	}
}

func TestWarnings(t *testing.T) {
	keys := map[string]map[string]string{"dev": {"region": "x", "colour": "blue", "wJalrXUtnFEMI/K7MDENG": ""}}
	got := strings.Join(Warnings(keys, []string{"dev"}), "\n")
	if !strings.Contains(got, `does not read the key "colour"`) || strings.Contains(got, "wJalr") || !strings.Contains(got, "a line is not a setting") || strings.Contains(got, "region") {
		t.Fatalf("warnings %q", got)
	}
}

func TestReadChainErrors(t *testing.T) {
	for _, tc := range []struct {
		name, config, profile, field, origin, want string
	}{
		{name: "missing profile", config: "[default]\n", profile: "nope", field: "Profile", origin: "AWS_PROFILE", want: "is not in the AWS config"},
		{name: "unknown credential_source", config: "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/A\ncredential_source = Moon\n", profile: "r", field: "Profile", origin: `credential_source of profile "r"`, want: "is not one of Environment"},
		{name: "a source without credentials", config: "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/A\nsource_profile = e\n[profile e]\nregion = x\n", profile: "r", field: "Profile", want: "has no credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := Files{Config: write(t, tc.config), Credentials: filepath.Join(t.TempDir(), "none")}
			_, err := f.ReadChain(context.Background(), tc.profile, "AWS_PROFILE", "")
			var ce *tempcreds.ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field || (tc.origin != "" && ce.Origin != tc.origin) || !strings.Contains(ce.Error(), tc.want) {
				t.Fatalf("got %#v (%v), want %s at %q: %q", ce, err, tc.field, tc.origin, tc.want)
			}
		})
	}
}

func TestReadChainLeafFirst(t *testing.T) {
	f := Files{Config: write(t, "[profile top]\nrole_arn = arn:aws:iam::123456789012:role/B\nsource_profile = mid\n[profile mid]\nrole_arn = arn:aws:iam::123456789012:role/A\nsource_profile = keys\n[profile keys]\naws_access_key_id = AKIAFAKE\naws_secret_access_key = fake\n"),
		Credentials: filepath.Join(t.TempDir(), "none")}
	c, err := f.ReadChain(context.Background(), "top", "", "")
	if err != nil || strings.Join(c.Names(), ">") != "keys>mid>top" || c.LoginSources {
		t.Fatalf("%v: %+v", err, c)
	}
}

func TestCheckRefusesWhatTheLoaderWouldHangOn(t *testing.T) {
	dir := t.TempDir()
	err := Files{Config: dir, ConfigFromEnv: true}.Check()
	var ce *tempcreds.ConfigError
	if !errors.As(err, &ce) || ce.Field != FieldConfigFile || ce.Origin != "AWS_CONFIG_FILE" {
		t.Fatalf("a directory as the config file: %v", err)
	}
	if err := (Files{Config: filepath.Join(dir, "missing")}).Check(); err != nil {
		t.Fatalf("a missing file: %v", err)
	}
}
