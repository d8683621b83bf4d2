package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tempcreds/tempcreds/internal/redact"

	"github.com/spf13/cobra"
	"github.com/tempcreds/tempcreds/chain"
	"github.com/tempcreds/tempcreds/internal/cacheid"
	"github.com/tempcreds/tempcreds/internal/filecache"
	"github.com/tempcreds/tempcreds/internal/sharedfiles"
)

// profilesOptions are the profiles command's flags.
type profilesOptions struct {
	deps     *app // what the run needs: streams, environment, clock, terminal, messages
	CacheDir string
}

func (a *app) profilesCommand() *cobra.Command {
	o := &profilesOptions{deps: a}
	cmd := &cobra.Command{
		Use:   "profiles",
		Short: "List the AWS config profiles: kind, chain and time left on a cached session (never a secret)",
		Long: `List every profile of the AWS config and credentials files ($AWS_CONFIG_FILE,
$AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials) with its kind
(keys, role, sso, login, process, web-identity, or settings), its chain from the source
profile up, and the time left on its cached final session. No profile is resolved
against AWS and no secret is printed.`,
		Args:       cobra.NoArgs,
		SuggestFor: []string{"list", "ls"}, // aws-vault list
		RunE:       func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context()) },
	}
	cmd.Flags().StringVar(&o.CacheDir, "cache-dir", "", cacheDirHelp)
	return cmd
}

// sharedFiles are the config and credentials files, as Resolve finds them.
func (a *app) sharedFiles() (config, credentials string) {
	home := a.getenv("HOME")
	return firstNonEmpty(a.getenv("AWS_CONFIG_FILE"), filepath.Join(home, ".aws", "config")),
		firstNonEmpty(a.getenv("AWS_SHARED_CREDENTIALS_FILE"), filepath.Join(home, ".aws", "credentials"))
}

// run prints one line per profile.
func (o *profilesOptions) run(ctx context.Context) error {
	a := o.deps
	config, credentials := a.sharedFiles()
	profiles := sharedfiles.Profiles(config, credentials)
	if len(profiles) == 0 {
		a.say.Infof("no profiles in %s or %s", config, credentials)
		return nil
	}
	store, _ := a.store(cacheOptions{Dir: o.CacheDir})
	var entries map[string]filecache.Listed
	if store != nil {
		entries = map[string]filecache.Listed{}
		listed, _ := store.List()
		for _, e := range listed {
			entries[e.Key] = e
		}
	}
	w := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PROFILE\tKIND\tCHAIN\tLEFT")
	for _, p := range profiles {
		chainText, left := a.profileChain(ctx, p.Name, o.CacheDir, entries)
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", safeText(p.Name), p.Kind(), chainText, left)
	}
	return w.Flush()
}

// profileChain resolves a profile (no network call, no command run) into
// its chain, and the time left on its final hop's cache entry.
func (a *app) profileChain(ctx context.Context, name, cacheDir string, entries map[string]filecache.Listed) (string, string) {
	p, err := chain.Resolve(ctx, chain.Request{Profile: name, ProfileOnly: true, Cache: chain.CachePolicy{Dir: cacheDir}}, a.getenv)
	if err != nil {
		return "error: " + safeText(withoutPrefix(oneLine(redact.SafeMessage(err)))), "-"
	}
	text := strings.ReplaceAll(safeText(p.Profile), ">", " > ")
	if text == "" {
		text = safeText(name)
	}
	keys := cacheid.PlanKeys(p)
	e, ok := entries[keys[len(keys)-1]]
	if !ok || e.Err != nil {
		return text, "-"
	}
	left := e.Expires.Sub(a.clock.Now()).Round(time.Second)
	if left <= 0 {
		return text, "expired"
	}
	return text, left.String()
}

// completeProfiles completes a profile name: every profile of the files.
func (a *app) completeProfiles(_ *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveDefault // the command: files
	}
	return a.profileNames(prefix), cobra.ShellCompDirectiveNoFileComp
}

// profileNames are the profile names starting with prefix.
func (a *app) profileNames(prefix string) []string {
	config, credentials := a.sharedFiles()
	var names []string
	for _, p := range sharedfiles.Profiles(config, credentials) {
		if strings.HasPrefix(p.Name, prefix) {
			names = append(names, p.Name)
		}
	}
	return names
}
