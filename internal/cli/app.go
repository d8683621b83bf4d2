// Package cli is the tempcreds command line: one file per command, each an
// options struct (its flags, and in deps the run's app: streams,
// environment, clock, terminal, messages) plus a run method, so tests run
// commands in-process.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/tempcreds/tempcreds/internal/netfail"
	"github.com/tempcreds/tempcreds/internal/redact"
	"github.com/tempcreds/tempcreds/internal/sysclock"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/chain"
	"github.com/tempcreds/tempcreds/internal/childproc"
	"github.com/tempcreds/tempcreds/internal/filecache"
	"github.com/tempcreds/tempcreds/internal/mfacode"
)

// Exit codes, documented in docs/cli.md.
const (
	ExitOK          = 0
	ExitCredentials = 1 // STS, the source or the network refused or failed
	ExitUsage       = 2 // bad flags, environment or configuration
	ExitCache       = 3 // an unsafe or unusable cache file or directory
	ExitExecFailed  = 126
	ExitNotFound    = 127
)

// App is what a command runs against: streams, environment, clock, terminal.
type App struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Environ        func() []string
	Clock          tempcreds.Clock
	// OpenTTY opens the terminal for MFA prompts (default /dev/tty, or the
	// console on Windows).
	OpenTTY func() (io.ReadWriteCloser, error)
	// STS bounds and adjusts the STS client (tests shorten its timeouts).
	STS chain.STSSettings
}

// app is an App during one run: what every command's options hold, set
// once by Run and never written afterwards (a command's state is its own).
type app struct {
	App
	stdout, stderr io.Writer
	getenv         func(string) string
	clock          tempcreds.Clock
	openTTY        func() (io.ReadWriteCloser, error)
	args           []string  // the command line, for serve --detach's child
	say            *messages // the run's lines on stderr (debug lines per command: say.debugging)
}

// DefaultApp is the real process's streams and environment.
func DefaultApp() App {
	return App{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Environ: os.Environ,
		Clock:   sysclock.Clock{},
		OpenTTY: mfacode.OpenTerminal}
}

// Run runs the command line args (without the program name) and returns the
// exit code. It never panics on bad input and never calls os.Exit.
func Run(ctx context.Context, base App, args []string) (code int) {
	a := &app{App: base, stdout: base.Stdout, stderr: base.Stderr, getenv: base.Getenv, clock: base.Clock, openTTY: base.OpenTTY, args: args,
		say: newMessages(base.Stderr)}
	if a.getenv == nil {
		a.getenv = os.Getenv
	}
	if a.clock == nil {
		a.clock = sysclock.Clock{}
	}
	if a.openTTY == nil {
		a.openTTY = func() (io.ReadWriteCloser, error) { return nil, errors.New("no terminal") }
	}
	// Helpers (a source process, a token or MFA command) run in their own
	// process group, out of reach of the terminal's Ctrl-C: whatever ends
	// this run ends them too.
	defer childproc.KillAll()
	defer func() {
		if r := recover(); r != nil {
			// A bug, not bad input: report it without the value (it might
			// hold a secret) and exit non-zero.
			a.say.Errorf("internal error (%T); please report it with --debug output", r)
			code = ExitCredentials
		}
	}()
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	a.say.Errorf("%s", a.errorMessage(err))
	code = exitCode(err)
	if code == ExitUsage && cmd != nil && isFlagError(err) {
		fmt.Fprintf(a.stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return code
}

// exitError carries a child's exit code through cobra.
type exitError struct{ code int }

// Error is the exit status.
func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// isFlagError reports a mistake on the command line itself (cobra's
// parsing): the help hint follows it.
func isFlagError(err error) bool {
	var ue *UsageError
	return errors.As(err, &ue) && ue.Flags
}

func (a *app) errorMessage(err error) string {
	// messages prints it on one line (a newline inside came from a value:
	// an ARN, an STS message) and scrubbed.
	msg := redact.SafeMessage(err)
	if m, ok := configMessage(err); ok {
		msg = m
	}
	if m, ok := unreachableMessage(err); ok {
		msg = m
	}
	// A profile that does not exist: the close ones configured.
	var ce *tempcreds.ConfigError
	if errors.As(err, &ce) && ce.Field == "Profile" && ce.Value != "" && !slices.Contains(a.profileNames(""), ce.Value) {
		if hint := a.didYouMean(ce.Value); hint != "" {
			msg += " (" + strings.TrimPrefix(hint, "; ") + ")"
		}
	}
	// The library's words; the CLI names its own settings.
	var de *durationError
	if errors.As(err, &de) {
		msg += " (the duration was set by " + de.from + ")"
	}
	return msg
}

// unreachableMessage tells a network failure to reach STS (offline, a name
// that does not resolve, a refused connection) in a newcomer's words: the
// endpoint it tried, and how to set another, instead of the SDK's chain of
// wrapped messages.
func unreachableMessage(err error) (string, bool) {
	msg, ok := netfail.Unreachable(err)
	if !ok {
		return "", false
	}
	var te *tempcreds.Error
	if errors.As(err, &te) {
		msg = strings.TrimPrefix(redact.SafeMessage(te), "tempcreds: ") // names the hop that failed
	}
	return msg + "; set the endpoint with --endpoint-url or AWS_ENDPOINT_URL_STS, or the region with --region or AWS_REGION", true
}

func exitCode(err error) int {
	var ue *UsageError
	var ie *filecache.InsecureError
	var ce *tempcreds.ConfigError
	var te *tempcreds.Error
	switch {
	case errors.As(err, &ie):
		return ExitCache
	case errors.As(err, &ue), errors.As(err, &ce):
		return ExitUsage
	case errors.As(err, &te):
		return ExitCredentials
	}
	return ExitCredentials
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "tempcreds",
		Short: "Acquire, cache, refresh and chain AWS temporary credentials",
		Long: `tempcreds gets AWS temporary credentials (AssumeRole, role chains, GetSessionToken
with MFA, web identity), caches them on disk (0600, one file per role) and hands them
to your shell, to a command, or to the AWS CLI and SDKs.

Credentials come from, in order: flags, environment (AWS_STS_ACCESS_KEY/SECRET,
AWS_ROLE_ARN, ... as aws-sts-helper; AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_STS),
the ~/.aws/config profile, then defaults.`,
		Example: `  eval "$(tempcreds export --role-arn arn:aws:iam::123456789012:role/Dev)"
  tempcreds exec --profile prod -- aws s3 ls
  credential_process = tempcreds export --format credential-process --profile prod-source --role-arn arn:aws:iam::123456789012:role/Deploy`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.ArbitraryArgs,
		RunE:          helpOrUnknown,
		// A flag given an empty value (--role-arn "$UNSET") is a mistake,
		// never "not given": it would silently change what is fetched.
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if err := refuseDeepNesting(); err != nil {
				return err
			}
			return refuseEmptyFlags(cmd, args)
		},
	}
	// Cobra's own errors (a bad flag, a wrong number of arguments) are
	// usage errors: tagged here, never recognised by their text.
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(a.exportCommand(), a.execCommand(), a.serveCommand(), a.cacheCommand(), a.profilesCommand(), a.manCommand(), a.versionCommand())
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(_ *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 && len(args) > 0 && cmd == root {
				return &UsageError{Msg: fmt.Sprintf("no help topic %q: run 'tempcreds help'", strings.Join(args, " ")), Flags: true}
			}
			return cmd.Help()
		},
	})
	// Cobra's completion command prints its help, exit 0, for a shell it
	// does not know: make that a usage error.
	root.InitDefaultCompletionCmd()
	if c, _, err := root.Find([]string{"completion"}); err == nil && c.Name() == "completion" {
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("completion %q: no such shell; use bash, zsh, fish or powershell", args[0])
			}
			return cmd.Help()
		}
	}
	tagArgs(root)
	a.addCompletions(root)
	return root
}

// maxNesting is how many tempcreds (and helper supervisors) may run above
// this one: a credential_process may call tempcreds for another profile,
// a few levels deep; more is a loop whose command removed the environment
// guard (env -i), which would otherwise fork without end.
const maxNesting = 8

func refuseDeepNesting() error {
	if n := tempcredsAncestors(); n > maxNesting {
		return usagef("%d tempcreds processes run above this one: a credential_process that calls tempcreds in a loop? "+
			"(its command cleared the environment, so the loop could not be named)", n)
	}
	return nil
}

// flagSuggestion names the command's flags close to an unknown one
// (cobra suggests commands, not flags).
func flagSuggestion(c *cobra.Command, err error) string {
	var ne *pflag.NotExistError
	if !errors.As(err, &ne) || ne.GetSpecifiedName() == "" {
		return ""
	}
	var close []string
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if levenshtein(f.Name, ne.GetSpecifiedName()) <= 2 {
			close = append(close, "--"+f.Name)
		}
	})
	if len(close) == 0 {
		return ""
	}
	return "; did you mean " + strings.Join(close, " or ") + "?"
}

// tagArgs makes every argument-count error in the tree (cobra's own
// commands' included: completion, help) a usage error.
func tagArgs(c *cobra.Command) {
	if c.Args != nil {
		c.Args = usageArgs(c.Args)
	}
	for _, sub := range c.Commands() {
		tagArgs(sub)
	}
}
