package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/tempcreds/tempcreds/internal/safefile"
)

// exportOptions are export's flags.
type exportOptions struct {
	deps *app // what the run needs: streams, environment, clock, terminal, messages
	Options
	Format     string // sh, fish, powershell, env, json, credential-process, ini
	Out        string // a file instead of stdout
	INIProfile string // the section name of --format ini
}

func (a *app) exportCommand() *cobra.Command {
	o := &exportOptions{deps: a}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Print credentials as shell exports, JSON, credential_process output or an ini profile",
		Long: `Print credentials for the resolved source, from the cache when they have at least
--min-ttl left, else from STS (and then cached).

Formats: sh (default; POSIX-quoted export lines), fish, powershell, env (dotenv), json
(the STS Credentials object), credential-process ({"Version":1,...} for ~/.aws/config),
ini (a ~/.aws/credentials profile block), sts ({"Credentials":{...}}, as aws sts assume-role
prints it), cmd (set "NAME=value" lines for cmd.exe). The default is sh (powershell on
Windows).`,
		Example: `  eval "$(tempcreds export --role-arn arn:aws:iam::123456789012:role/Dev)"
  tempcreds export --format fish | source
  tempcreds export --out aws-temp-credentials.sh          # 0600, as aws-sts-helper's
  tempcreds export --format credential-process --profile prod
  tempcreds export --no-role --mfa-serial arn:aws:iam::123456789012:mfa/me --duration 12h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd.Context())
		},
	}
	addCredentialFlags(cmd, &o.Options)
	cmd.Flags().VarP(newChoiceFlag(&o.Format, defaultFormat(), Formats, func(v string) string {
		return fmt.Sprintf("--format %q is not one of %s", v, strings.Join(Formats, ", "))
	}), "format", "f", "output format: "+strings.Join(Formats, ", "))
	cmd.Flags().StringVarP(&o.Out, "out", "o", "", "write to FILE (mode 0600) instead of stdout")
	cmd.Flags().StringVar(&o.INIProfile, "ini-profile", "default", "profile name for --format ini")
	return cmd
}

// run prints (or writes) the credentials o describes.
func (o *exportOptions) run(ctx context.Context) error {
	a := o.deps
	_, creds, err := a.retrieve(ctx, o.Options)
	if err != nil {
		return err
	}
	if o.Out == "" {
		return writeCredentials(a.stdout, o.Format, creds, o.INIProfile)
	}
	var buf bytes.Buffer
	if err := writeCredentials(&buf, o.Format, creds, o.INIProfile); err != nil {
		return err
	}
	return writeFile0600("--out", o.Out, buf.Bytes())
}

// writeFile0600 writes data to path through the one safe writer: atomic,
// 0600 whatever the umask, never through a symlink, never over anything
// but a regular file (/dev/null, a FIFO). flag names the option in errors.
func writeFile0600(flag, path string, data []byte) error {
	return writeError(flag, path, safefile.Write(path, data, 0o600))
}

// writeError names a failed write of flag's file: the file system's
// failure is exit 1, a path that cannot be written is exit 2.
func writeError(flag, path string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EIO) || errors.Is(err, syscall.EROFS) || isQuota(err):
		// The file system failed (full, read-only, broken), not the path
		// given: exit 1, as any failure to deliver the credentials.
		return fmt.Errorf("%s %s: %s", flag, path, stripPathPrefix(err, path))
	}
	// The path given cannot be written (unsafe, missing directory): exit 2.
	return usagef("%s %s: %v", flag, path, stripPathPrefix(err, path))
}

// stripPathPrefix drops a leading "refusing PATH: " or "open PATH: " that
// would repeat the path the message already names.
func stripPathPrefix(err error, path string) string {
	msg := err.Error()
	for _, p := range []string{"refusing " + path + ": ", "open " + path + ": "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return msg
}
