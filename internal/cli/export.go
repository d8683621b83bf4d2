package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"
)

func (a *app) exportCommand() *cobra.Command {
	var o Options
	var format, out, iniProfile string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Print credentials as shell exports, JSON, credential_process output or an ini profile",
		Long: `Print credentials for the resolved source, from the cache when they have at least
--min-ttl left, else from STS (and then cached).

Formats: sh (default; POSIX-quoted export lines), fish, powershell, env (dotenv), json
(the STS Credentials object), credential-process ({"Version":1,...} for ~/.aws/config),
ini (a ~/.aws/credentials profile block).`,
		Example: `  eval "$(tempcreds export --role-arn arn:aws:iam::123456789012:role/Dev)"
  tempcreds export --format fish | source
  tempcreds export --out aws-temp-credentials.sh          # 0600, as aws-sts-helper's
  tempcreds export --format credential-process --profile prod
  tempcreds export --no-role --mfa-serial arn:aws:iam::123456789012:mfa/me --duration 12h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runExport(cmd.Context(), o, format, out, iniProfile)
		},
	}
	addCredentialFlags(cmd, &o)
	cmd.Flags().StringVarP(&format, "format", "f", "sh", "output format: "+strings.Join(Formats, ", "))
	cmd.Flags().StringVarP(&out, "out", "o", "", "write to FILE (mode 0600) instead of stdout")
	cmd.Flags().StringVar(&iniProfile, "ini-profile", "default", "profile name for --format ini")
	return cmd
}

func (a *app) runExport(ctx context.Context, o Options, format, out, iniProfile string) error {
	if err := writeCredentials(&bytes.Buffer{}, format, aws.Credentials{}, ""); err != nil {
		return err // an unknown format fails before any STS call
	}
	_, creds, err := a.retrieve(ctx, o)
	if err != nil {
		return err
	}
	if out == "" {
		return writeCredentials(a.stdout, format, creds, iniProfile)
	}
	var buf bytes.Buffer
	if err := writeCredentials(&buf, format, creds, iniProfile); err != nil {
		return err
	}
	return writeFile0600(out, buf.Bytes())
}

// writeFile0600 writes data to path atomically with mode 0600, whatever
// the umask, and refuses to write through a symlink.
func writeFile0600(path string, data []byte) error {
	if st, err := os.Lstat(path); err == nil && st.Mode()&os.ModeSymlink != 0 {
		return usagef("--out %s is a symlink: refusing to write credentials through it", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return usagef("--out %s: %v", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("--out %s: %w", path, err)
	}
	return nil
}
