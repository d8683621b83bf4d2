package sharedfiles

import (
	"sort"
	"strings"

	"github.com/tempcreds/tempcreds/internal/bounded"
)

// Profile is one profile of the shared files: its name and which keys it
// sets, across the config and credentials files. Values are never kept.
type Profile struct {
	Name string
	Keys map[string]bool
}

// Kind says where the profile's credentials come from, as a user says it:
// keys, role, sso, login, process, web-identity, or "settings" for a
// profile without a credential setting.
func (p Profile) Kind() string {
	switch k := p.Keys; {
	case k["role_arn"] && k["web_identity_token_file"]:
		return "web-identity"
	case k["role_arn"]:
		return "role"
	case k["sso_session"] || k["sso_start_url"]:
		return "sso"
	case k["login_session"]:
		return "login"
	case k["credential_process"]:
		return "process"
	case k["aws_access_key_id"]:
		return "keys"
	}
	return "settings"
}

// Profiles lists the profiles of the config file ("[default]", "[profile
// NAME]") and the credentials file ("[NAME]"), sorted by name. Missing or
// unreadable files add nothing.
func Profiles(configFile, credentialsFile string) []Profile {
	byName := map[string]*Profile{}
	add := func(file string, name func(header string) (string, bool)) {
		b, err := bounded.ReadFile(file, bounded.ConfigFile)
		if err != nil {
			return
		}
		for _, s := range parse(b) {
			n, ok := name(s.header)
			if !ok || n == "" {
				continue
			}
			p := byName[n]
			if p == nil {
				p = &Profile{Name: n, Keys: map[string]bool{}}
				byName[n] = p
			}
			for _, line := range s.lines {
				t := strings.TrimSpace(line)
				if t == "" || line[0] == ' ' || line[0] == '\t' || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") {
					continue
				}
				if k, _, ok := setting(line); ok {
					p.Keys[k] = true
				}
			}
		}
	}
	add(configFile, func(h string) (string, bool) {
		if h == "default" {
			return h, true
		}
		return strings.CutPrefix(h, "profile ")
	})
	add(credentialsFile, func(h string) (string, bool) { return h, true })
	out := make([]Profile, 0, len(byName))
	for _, p := range byName {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
