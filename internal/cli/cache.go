package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tempcreds/tempcreds/internal/redact"

	"github.com/spf13/cobra"
	"github.com/tempcreds/tempcreds/chain"
	"github.com/tempcreds/tempcreds/internal/cacheid"
	"github.com/tempcreds/tempcreds/internal/filecache"
)

// cacheOptions are the cache commands' flags.
type cacheOptions struct {
	deps    *app     // what the run needs: streams, environment, clock, terminal, messages
	Dir     string   // the cache directory (default the XDG cache's tempcreds)
	Profile []string // cache clear --profile: every entry of these profiles
}

// store is the cache directory o names.
func (a *app) store(o cacheOptions) (*filecache.Store, error) {
	if o.Dir == "" {
		d, err := filecache.DefaultDir(a.getenv)
		if err != nil {
			return nil, err
		}
		o.Dir = d
	}
	return &filecache.Store{Dir: o.Dir}, nil
}

func (a *app) cacheCommand() *cobra.Command {
	o := &cacheOptions{deps: a}
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "List, clear or locate cached credentials",
		Example: `  tempcreds cache list
  tempcreds cache clear dev           # every entry of profile dev's chain
  tempcreds cache clear 3f2a9c        # one entry, by its key or a unique prefix of it
  tempcreds cache clear               # all entries
  tempcreds cache path`,
		Args:       cobra.ArbitraryArgs,
		SuggestFor: []string{"clear", "clean"}, // aws-vault clear: tempcreds cache clear
		RunE:       helpOrUnknown,
	}
	cmd.PersistentFlags().StringVar(&o.Dir, "cache-dir", "", cacheDirHelp)
	clear := &cobra.Command{
		Use:   "clear [PROFILE|KEY...]",
		Short: "Remove the entries of the given profiles (every hop of their chains) or keys (or unique key prefixes), or all of them",
		RunE:  func(_ *cobra.Command, args []string) error { return o.runClear(args) },
		ValidArgsFunction: func(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
			return a.clearCandidates(*o, prefix), cobra.ShellCompDirectiveNoFileComp
		},
	}
	clear.Flags().StringArrayVar(&o.Profile, "profile", nil, "remove every entry of this profile's chain (repeatable)")
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List entries: key, profile, kind, role, session name, expiry, time left (never a secret)",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return o.runList() },
	}, clear, &cobra.Command{
		Use:   "path",
		Short: "Print the cache directory",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return o.runPath() },
	})
	return cmd
}

// runList prints the entries: never a secret.
func (o *cacheOptions) runList() error {
	a := o.deps
	s, err := a.store(*o)
	if err != nil {
		return err
	}
	entries, err := s.List()
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KEY\tPROFILE\tKIND\tROLE\tSESSION\tEXPIRES\tLEFT")
	now := a.clock.Now()
	for _, e := range entries {
		if e.Err != nil {
			fmt.Fprintf(w, "%s\t-\t-\t-\t-\t-\t%s\n", e.Key, oneLine(redact.SafeMessage(e.Err)))
			continue
		}
		left := e.Expires.Sub(now).Round(time.Second)
		leftText := left.String()
		if left <= 0 {
			leftText = "expired"
		}
		// Entries are files: what they say is printed escaped.
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Key, oneLine(safeText(dash(e.Meta.Profile))), oneLine(dash(e.Meta.Kind)), oneLine(dash(e.Meta.RoleARN)),
			oneLine(dash(e.SessionName)), e.Expires.UTC().Format(time.RFC3339), leftText)
	}
	return w.Flush()
}

// runClear removes the entries args and --profile name, or all.
func (o *cacheOptions) runClear(args []string) error {
	a := o.deps
	s, err := a.store(*o)
	if err != nil {
		return err
	}
	entries, err := s.List()
	if err != nil {
		return err
	}
	all := len(args) == 0 && len(o.Profile) == 0
	keys, err := a.keysToClear(entries, args, o.Profile, o.Dir)
	if err != nil {
		return err
	}
	if all {
		for _, e := range entries {
			keys = append(keys, e.Key)
		}
	}
	removed := 0
	for _, k := range keys {
		ok, err := s.Remove(k)
		if err != nil {
			return err
		}
		if ok {
			removed++
		}
	}
	temps, locks := 0, 0
	if all {
		// Temp files of killed writers hold full credentials too.
		if temps, err = s.SweepTemps(); err != nil {
			return err
		}
	}
	if locks, err = s.RemoveLocks(); err != nil {
		return err
	}
	msg := fmt.Sprintf("removed %d entr%s from %s", removed, plural(removed, "y", "ies"), s.Dir)
	if temps > 0 {
		msg += fmt.Sprintf(", %d leftover temp file%s", temps, plural(temps, "", "s"))
	}
	if locks > 0 {
		msg += fmt.Sprintf(", %d lock file%s", locks, plural(locks, "", "s"))
	}
	a.say.Infof("%s", msg)
	return nil
}

// keyLength is the length of the keys tempcreds writes (KeyInputs.Key).
const keyLength = 40

// keysToClear turns each argument into keys: a key, a unique key prefix,
// or a profile (every hop of its chain, and every entry made for it).
func (a *app) keysToClear(entries []filecache.Listed, args, profiles []string, cacheDir string) ([]string, error) {
	var keys []string
	for _, arg := range args {
		if isHex := strings.Trim(strings.ToLower(arg), "0123456789abcdef") == ""; isHex && !slices.Contains(a.profileNames(""), arg) {
			arg = strings.ToLower(arg) // a key, as cache list prints it (a profile of that name wins)
		}
		if filecache.ValidKey(arg) && (hasEntry(entries, arg) || len(arg) == keyLength) {
			if !hasEntry(entries, arg) {
				a.say.Infof("no entry %s in the cache", arg)
			}
			keys = append(keys, arg)
			continue
		}
		// A profile of that name comes before a key prefix.
		if found := a.profileKeys(entries, arg, cacheDir); found != nil {
			keys = append(keys, found...)
			continue
		}
		if matches := keysWithPrefix(entries, arg); len(matches) == 1 {
			keys = append(keys, matches[0])
			continue
		} else if len(matches) > 1 {
			return nil, usagef("%q is the start of %d cache keys (%s…): give more of the key", arg, len(matches), strings.Join(matches[:2], "…, "))
		}
		if len(arg) < 4 && strings.Trim(arg, "0123456789abcdef") == "" {
			return nil, usagef("cache clear %q: a key prefix needs 4 hex digits or more (see tempcreds cache list)", arg)
		}
		return nil, usagef("cache clear %q: no cache key, key prefix or profile of that name%s (see tempcreds cache list and tempcreds profiles)", safeText(arg), a.didYouMean(arg))
	}
	for _, p := range profiles {
		found := a.profileKeys(entries, p, cacheDir)
		if found == nil {
			return nil, usagef("--profile %q: no such profile and no cache entry made for it (see tempcreds profiles)", safeText(p))
		}
		keys = append(keys, found...)
	}
	return keys, nil
}

// profileKeys are the keys of profile's chain (resolved from the files:
// no network call) and of every entry recorded as made for it; nil when
// the profile is neither configured nor in any entry.
func (a *app) profileKeys(entries []filecache.Listed, profile, cacheDir string) []string {
	keys := []string{}
	known := false
	if p, err := chain.Resolve(context.Background(), chain.Request{Profile: profile, ProfileOnly: true, Cache: chain.CachePolicy{Dir: cacheDir}}, a.getenv); err == nil {
		known = true
		for _, k := range cacheid.PlanKeys(p) {
			if hasEntry(entries, k) {
				keys = append(keys, k)
			}
		}
	}
	for _, e := range entries {
		if e.Meta.Profile == profile {
			known = true
			keys = append(keys, e.Key)
		}
	}
	if !known && !slices.Contains(a.profileNames(""), profile) {
		return nil
	}
	return keys
}

func hasEntry(entries []filecache.Listed, key string) bool {
	for _, e := range entries {
		if e.Key == key {
			return true
		}
	}
	return false
}

// keysWithPrefix are the entries' keys starting with prefix (4 hex digits
// or more: shorter is too easy to mistype into the wrong entry).
func keysWithPrefix(entries []filecache.Listed, prefix string) []string {
	if len(prefix) < 4 || strings.Trim(prefix, "0123456789abcdef") != "" {
		return nil
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Key, prefix) {
			out = append(out, e.Key)
		}
	}
	return out
}

// clearCandidates completes cache clear: profile names and entry keys.
func (a *app) clearCandidates(o cacheOptions, prefix string) []string {
	out := a.profileNames(prefix)
	if s, err := a.store(o); err == nil {
		entries, _ := s.List()
		for _, e := range entries {
			if strings.HasPrefix(e.Key, prefix) {
				out = append(out, e.Key)
			}
		}
	}
	return out
}

// runPath prints the cache directory.
func (o *cacheOptions) runPath() error {
	s, err := o.deps.store(*o)
	if err != nil {
		return err
	}
	fmt.Fprintln(o.deps.stdout, s.Dir)
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
