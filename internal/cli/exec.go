package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/tempcreds/tempcreds/internal/redact"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"
	"github.com/tempcreds/tempcreds/chain"
	"github.com/tempcreds/tempcreds/internal/childproc"
	"github.com/tempcreds/tempcreds/internal/safefile"
	"github.com/tempcreds/tempcreds/internal/sharedfiles"
)

// nestMarker is set in the child's environment by exec.
const nestMarker = "TEMPCREDS_EXEC"

// profileVar names, in the child's environment, the profile its
// credentials came from (aws-vault's AWS_VAULT; AWS_PROFILE is removed).
const profileVar = "TEMPCREDS_PROFILE"

// execOptions are exec's flags.
type execOptions struct {
	deps *app // what the run needs: streams, environment, clock, terminal, messages
	Options
	AllowNested bool         // run inside another tempcreds exec
	Server      bool         // serve credentials to the child instead of keys
	Serve       serveOptions // the server's flags, with Server
}

func (a *app) execCommand() *cobra.Command {
	o := &execOptions{deps: a, Serve: serveOptions{deps: a}}
	cmd := &cobra.Command{
		Use:   "exec [PROFILE] [flags] [-- COMMAND [ARGS...]]",
		Short: "Run a command (or your shell) with the credentials in its environment",
		Long: `Run COMMAND with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and
AWS_CREDENTIAL_EXPIRATION set, after removing variables that would override them
(AWS_PROFILE, old keys, container-credential and web-identity settings). The child also
gets AWS_REGION and AWS_DEFAULT_REGION (the resolved region: --region, $AWS_REGION,
$AWS_DEFAULT_REGION, the profile's region, else us-east-1) and TEMPCREDS_PROFILE (the profile, if one was used).
Signals are forwarded; tempcreds exits with the command's exit code. Without a command
it starts your shell ($SHELL, else /bin/sh; %COMSPEC% on Windows). Nesting inside
another tempcreds exec is refused unless --allow-nested.

As with aws-vault, one word before "--" is the profile: "tempcreds exec dev -- aws s3 ls"
is "tempcreds exec --profile dev -- aws s3 ls". Without "--", the first word is the
profile and the rest the command, unless --profile gives the profile.

With --server, the command gets no keys at all: tempcreds serves refreshing credentials
on loopback and gives the command AWS_CONTAINER_CREDENTIALS_FULL_URI and
AWS_CONTAINER_AUTHORIZATION_TOKEN, so a command that runs for hours keeps working. Its
AWS config is the profile's settings (region, output, retry, s3, endpoints...) as
[default], without any credential setting, so nothing in the shared files wins over the
server.`,
		Example: `  tempcreds exec dev -- aws s3 ls
  tempcreds exec dev                      # a shell with dev's credentials; exit to return
  tempcreds exec --role-arn arn:aws:iam::123456789012:role/Dev -- aws s3 ls
  tempcreds exec --server prod -- ./long-running-job`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			command, dashed, err := o.splitArgs(cmd, args)
			if err != nil {
				return err
			}
			if err := a.checkPositionalProfile(*o, dashed, command); err != nil {
				return err
			}
			return o.run(cmd.Context(), command)
		},
		ValidArgsFunction: a.completeProfiles,
	}
	// Flags end at the first word: without "--", everything after the
	// profile is the command's, its flags included (exec dev ls -l).
	cmd.Flags().SetInterspersed(false)
	addCredentialFlags(cmd, &o.Options)
	cmd.Flags().BoolVar(&o.AllowNested, "allow-nested", false, "allow running inside another tempcreds exec")
	cmd.Flags().BoolVar(&o.Server, "server", false, "serve refreshing credentials to the command instead of giving it keys")
	o.Serve.addServerFlags(cmd)
	return cmd
}

// splitArgs takes aws-vault's positional profile out of args and returns
// the command, and whether "--" separated it. Flags stop at the first
// word, so "exec PROFILE FLAGS -- COMMAND" has its FLAGS parsed here, and
// without "--" every word after the profile, flags too, is the command's.
func (o *execOptions) splitArgs(cmd *cobra.Command, args []string) ([]string, bool, error) {
	var words, command []string
	dashed := true
	switch i := slices.Index(args, "--"); {
	case cmd.ArgsLenAtDash() >= 0: // exec [flags] -- COMMAND
		words, command = args[:cmd.ArgsLenAtDash()], args[cmd.ArgsLenAtDash():]
	case i >= 0: // exec PROFILE [flags] -- COMMAND
		words, command = args[:i], args[i+1:]
		if len(words) > 1 {
			if err := cmd.Flags().Parse(words[1:]); err != nil {
				return nil, true, flagError(cmd, err)
			}
			if err := refuseEmptyFlags(cmd, nil); err != nil {
				return nil, true, err
			}
			words = append(words[:1], cmd.Flags().Args()...)
		}
	case o.Profile != "": // exec --profile p COMMAND ARGS
		command, dashed = args, false
	case len(args) > 0: // exec PROFILE [COMMAND ARGS]
		words, command, dashed = args[:1], args[1:], false
	}
	switch {
	case len(words) > 1:
		return nil, dashed, &UsageError{Msg: fmt.Sprintf("exec takes one PROFILE before \"--\", not %d words (%s): put the command after \"--\"", len(words), safeText(strings.Join(words, " "))), Flags: true}
	case len(words) == 1 && o.Profile != "":
		return nil, dashed, &UsageError{Msg: fmt.Sprintf("exec: the profile is given twice (--profile %s and %s): give one", safeText(o.Profile), safeText(words[0])), Flags: true}
	case len(words) == 1:
		o.Profile, o.positionalProfile = words[0], true
	}
	return command, dashed, nil
}

// run runs the command (args; none: the shell) with o's credentials, or
// with a credentials server under --server.
func (o *execOptions) run(ctx context.Context, args []string) error {
	if o.Server {
		return o.runServer(ctx, args)
	}
	return o.runKeys(ctx, args)
}

// runServer starts a credentials server for the child and gives it
// only the endpoint and the token, and the profile's settings.
func (o *execOptions) runServer(ctx context.Context, args []string) error {
	a := o.deps
	shell := len(args) == 0
	path, args, err := a.findCommand(o.AllowNested, args)
	if err != nil {
		return err
	}
	o.Serve.Options = o.Options
	o.Serve.quiet = true
	s, plan, err := a.startServer(ctx, o.Serve)
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = s.Shutdown(sctx)
		removeTokenFile(o.Serve.TokenFile, s.Token())
	}()
	config, remove, err := a.childConfig(plan)
	if err != nil {
		return err
	}
	defer remove()
	env := childEnv(a.environ(), aws.Credentials{}, "server", plan)
	// Every SDK reads the shared files before the container endpoint: keys
	// in [default] (or a profile's credential settings) would win over the
	// server. The child gets the profile's settings alone, and no keys.
	env = childproc.Without(env, []string{"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"})
	env = append(env, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull, "AWS_CONFIG_FILE="+config)
	for _, kv := range serverVars(s, o.Serve.TokenFile) {
		env = append(env, kv[0]+"="+kv[1])
	}
	a.say.debugging(o.Debug).Debugf("exec %s with the credentials server %s", path, s.URL("/"))
	a.sayShell(shell, args)
	return a.runChild(path, args, env)
}

// childConfig writes the profile's settings, without credential settings,
// for a child of exec --server (under the cache directory when there is
// one, 0600), and returns how to remove it.
func (a *app) childConfig(plan *chain.Plan) (string, func(), error) {
	dir := plan.CacheDir
	if dir == "" {
		dir = os.TempDir()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, fmt.Errorf("the child's AWS config: %w", err)
	}
	// The safe writer's temp naming: one a SIGKILL leaves behind is swept
	// by a later write there once this process is gone.
	f, err := safefile.CreateTemp(dir, "exec-config")
	if err != nil {
		return "", nil, fmt.Errorf("the child's AWS config: %w", err)
	}
	remove := func() { _ = os.Remove(f.Name()) }
	_, err = f.Write(sharedfiles.Settings(plan.ConfigFile, plan.ConfigProfile))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		remove()
		return "", nil, fmt.Errorf("writing the child's AWS config %s: %w", f.Name(), err)
	}
	return f.Name(), remove, nil
}

// checkPositionalProfile refuses, before anything runs, a PROFILE word
// that names no profile: with no "--", the word was most likely the
// command (tempcreds exec aws s3 ls).
func (a *app) checkPositionalProfile(o execOptions, dashed bool, command []string) error {
	if !o.positionalProfile || slices.Contains(a.profileNames(""), o.Profile) {
		return nil
	}
	config, credentials := a.sharedFiles()
	msg := fmt.Sprintf("exec: no profile %q in %s or %s%s", safeText(o.Profile), config, credentials, a.didYouMean(o.Profile))
	if !dashed {
		msg = fmt.Sprintf("exec took %q as the profile, and no profile of that name is in %s or %s%s; "+
			"to run a command, give the profile first and the command after \"--\": tempcreds exec PROFILE -- %s",
			safeText(o.Profile), config, credentials, a.didYouMean(o.Profile), safeText(strings.Join(append([]string{o.Profile}, command...), " ")))
	}
	return &UsageError{Msg: msg + " (tempcreds profiles lists them)"}
}

// didYouMean names the configured profiles close to a mistyped one.
func (a *app) didYouMean(profile string) string {
	var close []string
	for _, p := range a.profileNames("") {
		if levenshtein(p, profile) <= 2 {
			close = append(close, p)
		}
	}
	if len(close) == 0 {
		return ""
	}
	return "; did you mean " + strings.Join(close, " or ") + "?"
}

// levenshtein is the edit distance of two short names (cobra's own is
// unexported).
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// findCommand refuses nesting (unless allowed) and finds the command.
// No command is the user's shell.
func (a *app) findCommand(allowNested bool, args []string) (string, []string, error) {
	if v := a.getenv(nestMarker); v != "" && !allowNested {
		return "", nil, usagef("already inside tempcreds exec (%s=%s): its credentials are in the environment; pass --allow-nested to nest anyway", nestMarker, v)
	}
	if len(args) == 0 {
		args = []string{a.shell()}
	}
	path, err := a.lookPath(args)
	return path, args, err
}

// sayShell says a shell is starting, once the credentials are there.
func (a *app) sayShell(shell bool, args []string) {
	if shell {
		a.say.Infof("starting %s with the credentials; exit it to return", safeText(args[0]))
	}
}

// shell is the user's shell: $SHELL (%COMSPEC% on Windows), else the system's.
func (a *app) shell() string {
	if runtime.GOOS == "windows" {
		return firstNonEmpty(a.getenv("COMSPEC"), "cmd.exe")
	}
	return firstNonEmpty(a.getenv("SHELL"), "/bin/sh")
}

// lookPath finds the command as a shell would.
func (a *app) lookPath(args []string) (string, error) {
	path, err := exec.LookPath(args[0])
	if err != nil {
		// As shells do: a file that exists but cannot be run is 126, a
		// name that is nowhere is 127.
		if strings.ContainsRune(args[0], filepath.Separator) {
			if st, serr := os.Stat(args[0]); serr == nil {
				why := "permission denied (not executable)"
				if st.IsDir() {
					why = "is a directory"
				}
				a.say.Errorf("%s: %s", safeText(args[0]), why)
				return "", &exitError{ExitExecFailed}
			}
		}
		a.say.Errorf("%s: command not found", safeText(args[0]))
		return "", &exitError{ExitNotFound}
	}
	if st, serr := os.Stat(path); serr == nil && st.IsDir() {
		a.say.Errorf("%s: is a directory", safeText(args[0]))
		return "", &exitError{ExitExecFailed}
	}
	return path, nil
}

// runKeys runs the child with the credentials in its environment.
func (o *execOptions) runKeys(ctx context.Context, args []string) error {
	a := o.deps
	shell := len(args) == 0
	path, args, err := a.findCommand(o.AllowNested, args)
	if err != nil {
		return err
	}
	plan, creds, err := a.retrieve(ctx, o.Options)
	if err != nil {
		return err
	}
	if err := checkCredentialValues(creds); err != nil {
		return err
	}
	env := childEnv(a.environ(), creds, plan.Hops[len(plan.Hops)-1].RoleARN, plan)
	a.say.debugging(o.Debug).Debugf("exec %s with credentials %s", path, redact.KeyID(creds.AccessKeyID))
	a.sayShell(shell, args)
	return a.runChild(path, args, env)
}

func (a *app) environ() []string {
	if a.Environ != nil {
		return a.Environ()
	}
	return os.Environ()
}

// childEnv is environ without childproc.CredentialVars, plus the
// credentials, the plan's region (AWS_REGION and AWS_DEFAULT_REGION: with
// AWS_PROFILE removed, the child would otherwise lose the profile's) and
// the profile's name.
func childEnv(environ []string, c aws.Credentials, role string, plan *chain.Plan) []string {
	env := childproc.Without(environ, append([]string{nestMarker, profileVar, "AWS_REGION", "AWS_DEFAULT_REGION"}, childproc.CredentialVars...))
	if c.AccessKeyID != "" {
		for _, kv := range envVars(c) {
			env = append(env, kv[0]+"="+kv[1])
		}
	}
	if role == "" {
		role = "session"
	}
	env = append(env, nestMarker+"="+role, "AWS_REGION="+plan.Region, "AWS_DEFAULT_REGION="+plan.Region)
	if plan.ConfigProfile != "" {
		env = append(env, profileVar+"="+plan.ConfigProfile)
	}
	return env
}

// runChild runs the command, forwards signals, and returns its exit code as
// an exitError (128+N when it died of signal N).
func (a *app) runChild(path string, args, env []string) error {
	cmd := exec.Command(path, args[1:]...)
	cmd.Args[0] = args[0]
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = a.Stdin, a.stdout, a.stderr
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwardedSignals...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		a.say.Errorf("%s: %v", args[0], err)
		return &exitError{ExitExecFailed}
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				forwardSignal(cmd, s)
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return &exitError{128 + int(ws.Signal())}
		}
		return &exitError{ee.ExitCode()}
	}
	if err != nil {
		return err
	}
	return nil
}
