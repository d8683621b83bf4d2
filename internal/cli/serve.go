package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/chain"
	"github.com/tempcreds/tempcreds/containercreds"
	"github.com/tempcreds/tempcreds/internal/bounded"
	"github.com/tempcreds/tempcreds/server"
)

// serveOptions are serve's flags (the server's own are exec --server's too).
type serveOptions struct {
	deps *app // what the run needs: streams, environment, clock, terminal, messages
	Options
	Listen       string
	AllowRemote  bool
	TokenFile    string
	MinRemaining string
	Paths        []string // NAME=PROFILE: also serve PROFILE at /profiles/NAME
	Detach       bool
	LogFile      string
	Format       string // of the client settings

	// log receives the server's log lines (default the app's stderr; the
	// --log-file of a detached server, from its first line on).
	log io.Writer
	// quiet logs warnings only (exec --server: the command's own output
	// is what the user watches), unless --debug.
	quiet bool
}

// addServerFlags registers the server's own flags.
func (f *serveOptions) addServerFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.Listen, "listen", "127.0.0.1:0", "address to listen on (loopback unless --allow-remote)")
	cmd.Flags().BoolVar(&f.AllowRemote, "allow-remote", false, "allow a non-loopback --listen address (exposes credentials to the network: the token is the only protection)")
	cmd.Flags().StringVar(&f.TokenFile, "token-file", "", "write the authorization token to FILE (mode 0600) for AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
	cmd.Flags().StringVar(&f.MinRemaining, "min-remaining", "15m", "serve only credentials with this much life left, when the session allows (botocore needs 10m+)")
	cmd.Flags().StringArrayVar(&f.Paths, "path", nil, "also serve profile PROFILE at /profiles/NAME, same token (NAME=PROFILE, repeatable)")
}

func (a *app) serveCommand() *cobra.Command {
	o := &serveOptions{deps: a}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve refreshing credentials on the container credentials endpoint protocol",
		Long: `Serve the resolved credentials to other processes, SDKs and containers as a container
credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI). Credentials refresh ahead in
memory: once warm, no request waits on STS. Listens on 127.0.0.1 at a random port; every
request needs the random 256-bit token printed at start (or written to --token-file).
Prints the client settings in the --format of export, logs each refresh to stderr, and
runs until SIGINT or SIGTERM.`,
		Example: `  eval "$(tempcreds serve --detach --role-arn arn:aws:iam::123456789012:role/Dev)"   # returns once ready
  kill "$TEMPCREDS_SERVE_PID"                                                          # stops it
  tempcreds serve --profile prod --token-file /run/creds/token --format env > client.env`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Detach && !a.isDetachedChild() {
				return a.runDetached(cmd.Context(), withoutDetach(a.args))
			}
			return o.run(cmd.Context())
		},
	}
	addCredentialFlags(cmd, &o.Options)
	o.addServerFlags(cmd)
	cmd.Flags().BoolVar(&o.Detach, "detach", false, "run in the background: print the client settings once ready and return (eval \"$(tempcreds serve --detach)\"); stop it with kill $TEMPCREDS_SERVE_PID")
	cmd.Flags().StringVar(&o.LogFile, "log-file", "", "with --detach: append the server's log to FILE (default: discarded)")
	cmd.Flags().VarP(newChoiceFlag(&o.Format, "sh", serveFormats, func(v string) string {
		return fmt.Sprintf("--format %q: serve prints sh, fish, powershell, cmd, env or json", v)
	}), "format", "f", "format of the client settings: sh, fish, powershell, env, json")
	return cmd
}

// startServer resolves the credentials, warms them and starts a server.
// It returns the plan of the main path (its region and profile are the
// child's under exec --server).
func (a *app) startServer(ctx context.Context, f serveOptions) (*server.Server, *chain.Plan, error) {
	minRemaining, err := parseDuration("--min-remaining", f.MinRemaining)
	if err != nil {
		return nil, nil, err
	}
	f.serveMinTTL = server.Keeping(minRemaining).Ahead + time.Minute
	if err := checkPaths(f.Paths); err != nil {
		return nil, nil, err
	}
	// Listen first: a refused --listen must fail before any STS call.
	ln, err := listen(f)
	if err != nil {
		return nil, nil, err
	}
	s, plan, err := a.readyServer(ctx, f, minRemaining, ln)
	if err != nil {
		ln.Close()
		return nil, nil, err
	}
	done := s.Start(ln)
	go func() {
		if err := <-done; err != nil {
			a.say.Errorf("server stopped: %v", err)
		}
	}()
	return s, plan, nil
}

// listen binds --listen, in the CLI's words.
func listen(f serveOptions) (net.Listener, error) {
	ln, err := server.Listen(f.Listen, f.AllowRemote)
	var ce *tempcreds.ConfigError
	if err != nil && !errors.As(err, &ce) { // a ConfigError is named in the CLI's words by errorMessage
		return nil, usagef("--listen %s: %v", f.Listen, err)
	}
	return ln, err
}

// readyServer builds the server of every path, warmed, and writes its
// token file: everything short of serving on ln.
func (a *app) readyServer(ctx context.Context, f serveOptions, minRemaining time.Duration, ln net.Listener) (*server.Server, *chain.Plan, error) {
	main, err := a.credentials(ctx, f.Options)
	if err != nil {
		return nil, nil, err
	}
	s := server.New(main.provider, func(so *server.Options) {
		so.Freshness = server.Keeping(minRemaining)
		so.Logger = a.serverLogger(f)
		so.Clock = a.clock
	})
	routes := map[string]*resolved{"/": main}
	for _, spec := range f.Paths {
		name, profile, _ := strings.Cut(spec, "=")
		r, err := a.credentials(ctx, f.pathOptions(profile))
		if err != nil {
			return nil, nil, &pathError{spec: spec, err: err}
		}
		s.Add("/profiles/"+name, r.provider)
		routes["/profiles/"+name] = r
	}
	if err := warmPaths(ctx, s, routes); err != nil {
		return nil, nil, err
	}
	if err := refuseLongTermKeys(ctx, main.provider); err != nil {
		return nil, nil, err
	}
	a.warnRemote(f, ln)
	if f.TokenFile != "" {
		// The bare token: every SDK sends the file's bytes as a header
		// value, and a trailing newline makes them all refuse it.
		if err := writeFile0600("--token-file", f.TokenFile, []byte(s.Token())); err != nil {
			return nil, nil, err
		}
	}
	return s, main.plan, nil
}

// pathOptions are the flags of a --path profile: the profile's own
// credentials, with the main path's cache, endpoint and MFA settings.
func (f serveOptions) pathOptions(profile string) Options {
	o := f.Options
	return Options{Profile: profile, Region: o.Region, EndpointURL: o.EndpointURL, CacheDir: o.CacheDir, NoCache: o.NoCache,
		MFACommand: o.MFACommand, MFAMode: o.MFAMode, Debug: o.Debug, serveMinTTL: f.serveMinTTL, profileOnly: true}
}

// pathError is a --path profile's failure to resolve.
type pathError struct {
	spec string
	err  error
}

// Error names the --path; the cause's own prefix is not repeated.
func (e *pathError) Error() string { return "--path " + e.spec + ": " + withoutPrefix(e.err.Error()) }

// Unwrap returns the cause.
func (e *pathError) Unwrap() error { return e.err }

// warmPaths gets every path's credentials; a path's refused duration is blamed
// on what set that path's duration.
func warmPaths(ctx context.Context, s *server.Server, routes map[string]*resolved) error {
	err := s.Warm(ctx)
	var we *server.WarmError
	if errors.As(err, &we) && routes[we.Path] != nil {
		return routes[we.Path].blame(err)
	}
	return err
}

// serverLogger logs the server's refreshes to --log-file or stderr; under
// exec --server warnings only, unless --debug.
func (a *app) serverLogger(f serveOptions) *slog.Logger {
	logTo := f.log
	if logTo == nil {
		logTo = a.stderr
	}
	level := slog.LevelInfo
	if f.quiet && !f.Debug {
		level = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: level}))
}

// refuseLongTermKeys refuses a source of long-term keys: the container
// protocol serves temporary credentials (a Token and an Expiration), and
// long-term keys are not served with an invented expiry.
func refuseLongTermKeys(ctx context.Context, provider *tempcreds.Cache) error {
	if c, err := provider.Retrieve(ctx); err == nil && (c.SessionToken == "" || !c.CanExpire) {
		return usagef("serve hands out temporary credentials only, and the source gives long-term keys (no session token or expiry): add --role-arn, or use exec")
	}
	return nil
}

// warnRemote warns of a listener reachable from the network.
func (a *app) warnRemote(f serveOptions, ln net.Listener) {
	if !f.AllowRemote {
		return
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		a.say.Infof("WARNING: serving credentials on %s, reachable from the network: anyone who learns the token gets them", ln.Addr())
	}
}

// checkPaths refuses a --path that is not NAME=PROFILE, or a NAME given
// twice, before any profile is resolved.
func checkPaths(paths []string) error {
	seen := map[string]bool{}
	for _, spec := range paths {
		name, profile, ok := strings.Cut(spec, "=")
		if !ok || name == "" || profile == "" || strings.ContainsAny(name, "/?#% ") {
			return usagef("--path %q must be NAME=PROFILE (NAME without / ? # %% or spaces)", spec)
		}
		if seen[name] {
			return usagef("--path %q: the path /profiles/%s is given twice", spec, name)
		}
		seen[name] = true
	}
	return nil
}

// run serves the credentials f describes until a signal.
func (f *serveOptions) run(ctx context.Context) error {
	a := f.deps
	var logFile *os.File
	if a.isDetachedChild() {
		lf, err := openLog(f.LogFile)
		if err != nil {
			return usagef("--log-file %s: %v", f.LogFile, err)
		}
		logFile = lf
		f.log = lf // every log line, the first refresh's included
	}
	s, _, err := a.startServer(ctx, *f)
	if err != nil {
		return err
	}
	if err := a.printSettings(s, *f); err != nil {
		// Nobody can use a server whose settings were lost.
		_ = s.Shutdown(context.Background())
		return err
	}
	if a.isDetachedChild() {
		// Ready: let go of the pipes `serve --detach` reads, so it returns.
		if err := releaseOutputs(logFile); err != nil {
			return fmt.Errorf("--log-file %s: %w", f.LogFile, err)
		}
	}
	a.say.Infof("serving credentials at %s (Ctrl-C to stop)", s.URL("/"))
	for _, spec := range f.Paths {
		name, profile, _ := strings.Cut(spec, "=")
		a.say.Infof("serving profile %s at %s", profile, s.URL("/profiles/"+name))
	}
	return a.serveUntilSignal(ctx, s, f.TokenFile)
}

// printSettings prints the client settings in --format, all at once.
func (a *app) printSettings(s *server.Server, f serveOptions) error {
	vars := serverVars(s, f.TokenFile)
	if a.isDetachedChild() {
		vars = append(vars, [2]string{"TEMPCREDS_SERVE_PID", strconv.Itoa(os.Getpid())})
	}
	var b strings.Builder
	if err := writeSettings(&b, f.Format, vars); err != nil {
		return err
	}
	if _, err := fmt.Fprint(a.stdout, b.String()); err != nil {
		return fmt.Errorf("writing the client settings to standard output: %w (the server was stopped)", err)
	}
	if fl, ok := a.stdout.(interface{ Sync() error }); ok {
		_ = fl.Sync()
	}
	return nil
}

// writeSettings writes variables in a shell format, or as a JSON object.
func writeSettings(b *strings.Builder, format string, vars [][2]string) error {
	if format != "json" {
		return writeVars(b, format, vars)
	}
	m := map[string]string{}
	for _, kv := range vars {
		m[kv[0]] = kv[1]
	}
	return writeJSON(b, m)
}

// serveUntilSignal serves until SIGINT or SIGTERM (or ctx ends), then shuts
// the server down and removes its token file.
func (a *app) serveUntilSignal(ctx context.Context, s *server.Server, tokenFile string) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	a.say.Infof("shutting down after %d answers", s.Served())
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.Shutdown(sctx)
	removeTokenFile(tokenFile, s.Token())
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// removeTokenFile removes serve --token-file when the server stops, if it
// still holds this server's token (a file another server rewrote is left).
func removeTokenFile(path, token string) {
	if path == "" {
		return
	}
	if b, err := bounded.ReadFile(path, 4<<10); err == nil && string(b) == token {
		_ = os.Remove(path)
	}
}

// serverVars are what a client needs.
func serverVars(s *server.Server, tokenFile string) [][2]string {
	vars := [][2]string{{containercreds.EnvFullURI, s.URL("/")}}
	if tokenFile != "" {
		return append(vars, [2]string{containercreds.EnvTokenFile, tokenFile})
	}
	return append(vars, [2]string{containercreds.EnvToken, s.Token()})
}
