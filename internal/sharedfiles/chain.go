package sharedfiles

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/internal/bounded"
	"github.com/tempcreds/tempcreds/internal/safefile"
)

// Names of the shared files in errors' Field.
const (
	FieldConfigFile      = "ConfigFile"      // AWS_CONFIG_FILE
	FieldCredentialsFile = "CredentialsFile" // AWS_SHARED_CREDENTIALS_FILE
)

// MaxProfileChain bounds a source_profile chain.
const MaxProfileChain = 16

// Files are the shared config and credentials files in use, and whether
// AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE named them (errors then
// name the variable).
type Files struct {
	Config, Credentials               string
	ConfigFromEnv, CredentialsFromEnv bool
}

// Chain is a profile's source_profile chain, read by aws-sdk-go-v2's
// shared-config loader.
type Chain struct {
	// Profiles are the chain's profiles, its leaf (the source) first.
	Profiles []*config.SharedConfig
	// Keys are every profile's keys as written (ProfileKeys): aws-vault's
	// keys and unknown ones, which the SDK's SharedConfig drops.
	Keys map[string]map[string]string
	// LoginSources: the chain has an `aws login` source_profile, which
	// the SDK's loader only reads from a copy (see WithLoginSources).
	LoginSources bool
}

// Names are the chain's profile names, leaf first.
func (c *Chain) Names() []string {
	names := make([]string, len(c.Profiles))
	for i, p := range c.Profiles {
		names[i] = p.Profile
	}
	return names
}

// bad is a *tempcreds.ConfigError about field, given at origin.
func bad(field, origin, value, problem string, args ...any) *tempcreds.ConfigError {
	return &tempcreds.ConfigError{Field: field, Origin: origin, Value: value, Problem: fmt.Sprintf(problem, args...)}
}

// ReadChain reads profile's source_profile chain. origin is where the
// profile was named ("" for the request, or AWS_PROFILE); tmpDir is where
// a login-sources copy of the config file goes ("" for the temporary
// directory). Its errors are *tempcreds.ConfigError naming the profile.
func (f Files) ReadChain(ctx context.Context, profile, origin, tmpDir string) (*Chain, error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	keys, err := f.keys()
	if err != nil {
		return nil, err
	}
	if err := checkCredentialSources(keys, profile); err != nil {
		return nil, err
	}
	c := &Chain{Keys: keys}
	cfg, err := f.load(ctx, profile, "")
	var re config.SharedConfigAssumeRoleError
	if errors.As(err, &re) && re.Err == nil && keys[re.Profile]["login_session"] != "" {
		// An `aws login` profile as a source_profile: aws-sdk-go-v2's
		// loader refuses it (aws-sdk-go-v2#3446) though the AWS CLI takes
		// it. Load the chain from a copy where login profiles look
		// credentialed to the loader; the login profile itself is then
		// resolved by the SDK's own logincreds, from the real file.
		c.LoginSources = true
		err = f.WithLoginSources(keys, tmpDir, func(path string) error {
			cfg, err = f.load(ctx, profile, path)
			return err
		})
	}
	if err != nil {
		return nil, loadError(err, profile, origin)
	}
	for p := &cfg; p != nil; p = p.Source {
		c.Profiles = append([]*config.SharedConfig{p}, c.Profiles...)
	}
	if len(c.Profiles) > MaxProfileChain {
		return nil, bad("Profile", "", profile, "profile chain of {{value}} is deeper than %d profiles", MaxProfileChain)
	}
	return c, nil
}

// keys reads every profile's keys of the config file; none without one.
func (f Files) keys() (map[string]map[string]string, error) {
	keys, err := ProfileKeys(f.Config)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil // no config file (keys in the credentials file only): no extra keys
	case err != nil:
		origin, what := "", "the AWS config file"
		if f.ConfigFromEnv {
			origin, what = "AWS_CONFIG_FILE", "AWS_CONFIG_FILE"
		}
		e := bad(FieldConfigFile, origin, "", "%s %s cannot be read", what, f.Config)
		e.Err = errors.Unwrap(err)
		if e.Err == nil {
			e.Err = err
		}
		return nil, e
	}
	return keys, nil
}

// loadError says which profile of the chain the SDK's loader refused.
func loadError(err error, profile, origin string) error {
	var ce *tempcreds.ConfigError
	var ne config.SharedConfigProfileNotExistError
	var re config.SharedConfigAssumeRoleError
	switch {
	case errors.As(err, &ce):
		return err
	case errors.As(err, &ne) && ne.Profile == profile:
		return bad("Profile", origin, ne.Profile, "{{Profile}} {{value}} is not in the AWS config or credentials file")
	case errors.As(err, &ne):
		return bad("Profile", "", ne.Profile, "profile {{value}} is not in the AWS config or credentials file")
	case errors.As(err, &re) && re.Err != nil:
		e := bad("Profile", "", re.Profile, "profile chain of %q: source_profile {{value}}", profile)
		e.Err = re.Err
		return e
	case errors.As(err, &re):
		return bad("Profile", "", re.Profile, "profile chain of %q: source_profile {{value}} has no credentials (a source_profile cycle, or a profile without keys)", profile)
	}
	e := bad("Profile", "", profile, "reading profile {{value}}")
	e.Err = err
	return e
}

// load calls aws-sdk-go-v2's shared-config loader (configFile "" for
// Config). Its ini parser panics on some malformed values (a lone `"`,
// found by FuzzProfileConfig): that becomes a configuration error instead
// of a crash.
func (f Files) load(ctx context.Context, profile, configFile string) (cfg config.SharedConfig, err error) {
	if configFile == "" {
		configFile = f.Config
	}
	if err := f.Check(); err != nil {
		return cfg, err
	}
	defer func() {
		if r := recover(); r != nil {
			err = bad(FieldConfigFile, "", "", "the AWS config or credentials file could not be parsed "+
				"(aws-sdk-go-v2's parser failed: look for an unbalanced quote in a value)")
		}
	}()
	return config.LoadSharedConfigProfile(ctx, profile, func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles = []string{configFile}
		o.CredentialsFiles = []string{f.Credentials}
	})
}

// WithLoginSources calls load with a temporary copy of the config file in
// which every login_session profile of keys also has a placeholder
// credential_process: aws-sdk-go-v2's loader then accepts it as a
// source_profile. The placeholder is never run (the login_session is seen
// first; the SDK resolves the login profile from the real file). The copy
// holds no secret (the config file, not the credentials file) and is
// removed as soon as load returns. It may hold keys the config file holds,
// so it is written owner-only into dir (the cache directory, 0700), where
// the next cache write sweeps it if a SIGKILL left it behind; with no
// directory, into the temporary directory.
func (f Files) WithLoginSources(keys map[string]map[string]string, dir string, load func(path string) error) error {
	b, err := bounded.ReadFile(f.Config, bounded.ConfigFile)
	if err != nil {
		return err
	}
	var out strings.Builder
	for _, line := range strings.SplitAfter(string(b), "\n") {
		out.WriteString(line)
		t := strings.TrimSpace(line)
		if !strings.HasPrefix(t, "[") || !strings.HasSuffix(t, "]") {
			continue
		}
		name := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t[1:len(t)-1]), "profile "))
		if k := keys[name]; k["login_session"] != "" && k["credential_process"] == "" {
			if !strings.HasSuffix(line, "\n") {
				out.WriteString("\n")
			}
			out.WriteString("credential_process = tempcreds-login-placeholder\n")
		}
	}
	if dir == "" {
		dir = os.TempDir()
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return withTempFile(dir, out.String(), load)
}

// withTempFile writes body to an owner-only temporary file in dir, calls
// use with its path, and removes it.
func withTempFile(dir, body string, use func(path string) error) error {
	tmp, err := safefile.CreateTemp(dir, "aws-config")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(body); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return use(tmp.Name())
}

// Check refuses a config or credentials file the SDK's loader would hang
// on (a FIFO) or read without limit (/dev/zero, a huge file) before the
// loader opens it. The files are optional: missing is fine.
func (f Files) Check() error {
	for _, c := range []struct {
		field, name, what, path string
		fromEnv                 bool
	}{
		{FieldConfigFile, "AWS_CONFIG_FILE", "the AWS config file", f.Config, f.ConfigFromEnv},
		{FieldCredentialsFile, "AWS_SHARED_CREDENTIALS_FILE", "the AWS credentials file", f.Credentials, f.CredentialsFromEnv},
	} {
		st, err := os.Stat(c.path)
		if err != nil {
			continue
		}
		origin, what := "", c.what
		if c.fromEnv {
			origin, what = c.name, c.name
		}
		if !st.Mode().IsRegular() {
			return bad(c.field, origin, "", "%s %s is not a regular file (a FIFO, a device or a directory): the AWS config must be a file", what, c.path)
		}
		if st.Size() > bounded.ConfigFile {
			e := bad(c.field, origin, "", "%s %s is %d bytes, more than the %d an AWS config file may have here", what, c.path, st.Size(), bounded.ConfigFile)
			e.Limit = fmt.Sprintf("%d bytes", bounded.ConfigFile)
			return e
		}
	}
	return nil
}

// credentialSources are the values of credential_source the SDKs take.
var credentialSources = []string{"Environment", "Ec2InstanceMetadata", "EcsContainer"}

// checkCredentialSources refuses, before the SDK's loader reports it in its
// own words, a credential_source no SDK knows on the profile's
// source_profile chain, naming the profile and the value.
func checkCredentialSources(keys map[string]map[string]string, profile string) error {
	seen := map[string]bool{}
	for name := profile; name != "" && !seen[name] && len(seen) < MaxProfileChain; name = keys[name]["source_profile"] {
		seen[name] = true
		if v := keys[name]["credential_source"]; v != "" && !slices.Contains(credentialSources, v) {
			return bad("Profile", fmt.Sprintf("credential_source of profile %q", name), v,
				"{{Profile}} {{value}} is not one of Environment, Ec2InstanceMetadata or EcsContainer")
		}
	}
	return nil
}

// Warnings are said once about the keys of the named profiles that
// nothing reads. A line that is not a setting is never echoed: a wrapped or
// pasted secret looks like this.
func Warnings(keys map[string]map[string]string, names []string) []string {
	var out []string
	for _, name := range names {
		hidden := false
		for _, k := range UnknownKeys(keys[name]) {
			if !keyName(k) {
				hidden = true
				continue
			}
			out = append(out, fmt.Sprintf("profile %q: tempcreds does not read the key %q (ignored)", name, k))
		}
		if hidden {
			out = append(out, fmt.Sprintf("profile %q: a line is not a setting (not shown: it may hold a secret); "+
				"look for a value wrapped onto a line of its own, or a missing \"=\"", name))
		}
	}
	return out
}

// keyName reports whether an unknown key looks like a setting's name
// (lower-case letters, digits, underscores; 32 at most), safe to show: a
// secret is longer, or has other characters.
func keyName(k string) bool {
	return k != "" && len(k) <= 32 && k[0] >= 'a' && k[0] <= 'z' && strings.Trim(k, "abcdefghijklmnopqrstuvwxyz0123456789_") == ""
}

// shellWord quotes a profile name for a command the user will paste: bare
// when it is only letters, digits and ._-@+, else in single quotes.
func shellWord(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-@+", r))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ProfileArg is --profile NAME for a command to paste (--profile=NAME when
// the name starts with a dash, which a parser would take for a flag).
func ProfileArg(name string) string {
	if strings.HasPrefix(name, "-") {
		return "--profile=" + shellWord(name)
	}
	return "--profile " + shellWord(name)
}
