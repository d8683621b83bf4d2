package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"
	"github.com/tempcreds/tempcreds/internal/childproc"
)

// nestMarker is set in the child's environment by exec.
const nestMarker = "TEMPCREDS_EXEC"

// execOptions are exec's flags.
type execOptions struct {
	Options
	AllowNested bool         // run inside another tempcreds exec
	Server      bool         // serve credentials to the child instead of keys
	Serve       serveOptions // the server's flags, with Server
}

func (a *app) execCommand() *cobra.Command {
	var o execOptions
	cmd := &cobra.Command{
		Use:   "exec [flags] -- COMMAND [ARGS...]",
		Short: "Run a command with the credentials in its environment",
		Long: `Run COMMAND with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and
AWS_CREDENTIAL_EXPIRATION set, after removing variables that would override them
(AWS_PROFILE, old keys, container-credential and web-identity settings). Signals are
forwarded; tempcreds exits with the command's exit code. Nesting inside another
tempcreds exec is refused unless --allow-nested.

With --server, the command gets no keys at all: tempcreds serves refreshing credentials
on loopback and gives the command AWS_CONTAINER_CREDENTIALS_FULL_URI and
AWS_CONTAINER_AUTHORIZATION_TOKEN, so a command that runs for hours keeps working.`,
		Example: `  tempcreds exec --role-arn arn:aws:iam::123456789012:role/Dev -- aws s3 ls
  tempcreds exec --profile prod -- terraform plan
  tempcreds exec --server --profile prod -- ./long-running-job`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Server {
				return a.runExecServer(cmd.Context(), o, args)
			}
			return a.runExec(cmd.Context(), o, args)
		},
	}
	cmd.Flags().SetInterspersed(false)
	addCredentialFlags(cmd, &o.Options)
	cmd.Flags().BoolVar(&o.AllowNested, "allow-nested", false, "allow running inside another tempcreds exec")
	cmd.Flags().BoolVar(&o.Server, "server", false, "serve refreshing credentials to the command instead of giving it keys")
	o.Serve.addServerFlags(cmd)
	return cmd
}

// runExecServer starts a credentials server for the child and gives it
// only the endpoint and the token.
func (a *app) runExecServer(ctx context.Context, o execOptions, args []string) error {
	path, err := a.findCommand(o.AllowNested, args)
	if err != nil {
		return err
	}
	o.Serve.Options = o.Options
	s, _, err := a.startServer(ctx, o.Serve)
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = s.Shutdown(sctx)
	}()
	env := childEnv(a.environ(), aws.Credentials{}, "server")
	// Every SDK reads the shared files before the container endpoint: keys
	// in [default] (or a profile's credential settings) would win over the
	// server. The child gets empty files, and our region.
	env = childproc.Without(env, []string{"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"})
	env = append(env, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull, "AWS_CONFIG_FILE="+os.DevNull)
	if a.getenv("AWS_REGION") == "" {
		env = append(env, "AWS_REGION="+a.region)
	}
	for _, kv := range serverVars(s, o.Serve.TokenFile) {
		env = append(env, kv[0]+"="+kv[1])
	}
	a.debugf("exec %s with the credentials server %s", path, s.URL("/"))
	return a.runChild(path, args, env)
}

// findCommand refuses nesting (unless allowed) and finds the command.
func (a *app) findCommand(allowNested bool, args []string) (string, error) {
	if v := a.getenv(nestMarker); v != "" && !allowNested {
		return "", usagef("already inside tempcreds exec (%s=%s): its credentials are in the environment; pass --allow-nested to nest anyway", nestMarker, v)
	}
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
				fmt.Fprintf(a.stderr, "tempcreds: %s: %s\n", safeText(args[0]), why)
				return "", &exitError{ExitExecFailed}
			}
		}
		fmt.Fprintf(a.stderr, "tempcreds: %s: command not found\n", safeText(args[0]))
		return "", &exitError{ExitNotFound}
	}
	if st, serr := os.Stat(path); serr == nil && st.IsDir() {
		fmt.Fprintf(a.stderr, "tempcreds: %s: is a directory\n", safeText(args[0]))
		return "", &exitError{ExitExecFailed}
	}
	return path, nil
}

func (a *app) runExec(ctx context.Context, o execOptions, args []string) error {
	path, err := a.findCommand(o.AllowNested, args)
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
	env := childEnv(a.environ(), creds, plan.Final().RoleARN)
	a.debugf("exec %s with credentials %s", path, redact(creds.AccessKeyID))
	return a.runChild(path, args, env)
}

func (a *app) environ() []string {
	if a.Environ != nil {
		return a.Environ()
	}
	return os.Environ()
}

// childEnv is environ without childproc.CredentialVars, plus the credentials.
func childEnv(environ []string, c aws.Credentials, role string) []string {
	env := childproc.Without(environ, append([]string{nestMarker}, childproc.CredentialVars...))
	if c.AccessKeyID != "" {
		for _, kv := range envVars(c) {
			env = append(env, kv[0]+"="+kv[1])
		}
	}
	if role == "" {
		role = "session"
	}
	return append(env, nestMarker+"="+role)
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
		fmt.Fprintf(a.stderr, "tempcreds: %s: %v\n", args[0], err)
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
