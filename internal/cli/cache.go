package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/filecache"
)

// cacheOptions are the cache commands' flags.
type cacheOptions struct {
	Dir string // the cache directory (default the XDG cache's tempcreds)
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
	var o cacheOptions
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "List, clear or locate cached credentials",
		Example: `  tempcreds cache list
  tempcreds cache clear 3f2a9c...     # one entry
  tempcreds cache clear               # all entries
  tempcreds cache path`,
		Args: cobra.ArbitraryArgs,
		RunE: helpOrUnknown,
	}
	cmd.PersistentFlags().StringVar(&o.Dir, "cache-dir", "", cacheDirHelp)
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List entries: key, kind, role, session name, expiry, time left (never a secret)",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return a.runCacheList(o) },
	}, &cobra.Command{
		Use:   "clear [KEY...]",
		Short: "Remove the given entries, or all of them",
		RunE:  func(_ *cobra.Command, keys []string) error { return a.runCacheClear(o, keys) },
	}, &cobra.Command{
		Use:   "path",
		Short: "Print the cache directory",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return a.runCachePath(o) },
	})
	return cmd
}

// runCacheList prints the entries: never a secret.
func (a *app) runCacheList(o cacheOptions) error {
	s, err := a.store(o)
	if err != nil {
		return err
	}
	entries, err := s.List()
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KEY\tKIND\tROLE\tSESSION\tEXPIRES\tLEFT")
	now := a.clock.Now()
	for _, e := range entries {
		if e.Err != nil {
			fmt.Fprintf(w, "%s\t-\t-\t-\t-\t%s\n", e.Key, oneLine(tempcreds.SafeMessage(e.Err)))
			continue
		}
		left := e.Expires.Sub(now).Round(time.Second)
		leftText := left.String()
		if left <= 0 {
			leftText = "expired"
		}
		// Entries are files: what they say is printed escaped.
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Key, oneLine(dash(e.Meta.Kind)), oneLine(dash(e.Meta.RoleARN)), oneLine(dash(e.Meta.SessionName)),
			e.Expires.UTC().Format(time.RFC3339), leftText)
	}
	return w.Flush()
}

// runCacheClear removes the given entries, or all of them.
func (a *app) runCacheClear(o cacheOptions, keys []string) error {
	s, err := a.store(o)
	if err != nil {
		return err
	}
	all := len(keys) == 0
	if all {
		var entries []filecache.Listed
		entries, err = s.List()
		if err != nil {
			return err
		}
		for _, e := range entries {
			keys = append(keys, e.Key)
		}
	}
	removed := 0
	for _, k := range keys {
		if !filecache.ValidKey(k) {
			return usagef("%q is not a cache key (see tempcreds cache list)", k)
		}
		ok, err := s.Remove(k)
		if err != nil {
			return err
		}
		if ok {
			removed++
		} else {
			fmt.Fprintf(a.stderr, "tempcreds: no entry %s in %s\n", k, s.Dir)
		}
	}
	temps := 0
	if all {
		// Temp files of killed writers hold full credentials too.
		if temps, err = s.SweepTemps(); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.stderr, "tempcreds: removed %d entr%s from %s", removed, plural(removed, "y", "ies"), s.Dir)
	if temps > 0 {
		fmt.Fprintf(a.stderr, " and %d leftover temp file%s", temps, plural(temps, "", "s"))
	}
	fmt.Fprintln(a.stderr)
	return nil
}

// runCachePath prints the cache directory.
func (a *app) runCachePath(o cacheOptions) error {
	s, err := a.store(o)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, s.Dir)
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
