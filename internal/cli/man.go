package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// manOptions are the man command's flags.
type manOptions struct {
	Dir string // write one page per command into Dir
}

func (a *app) manCommand() *cobra.Command {
	var o manOptions
	cmd := &cobra.Command{
		Use:   "man",
		Short: "Print the tempcreds(1) man page, or write one page per command with --dir",
		Example: `  tempcreds man | man -l -
  tempcreds man --dir ~/.local/share/man/man1   # then: man tempcreds-exec`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runMan(cmd.Root(), o) },
	}
	cmd.Flags().StringVar(&o.Dir, "dir", "", "write tempcreds.1, tempcreds-export.1, ... into this directory")
	return cmd
}

// runMan renders the command tree with cobra's doc package. The date is
// the build's commit date when known, so pages are reproducible.
func (a *app) runMan(root *cobra.Command, o manOptions) error {
	root.DisableAutoGenTag = true
	date := commitTime()
	h := &doc.GenManHeader{Title: "TEMPCREDS", Section: "1", Source: "tempcreds " + versionString(), Manual: "tempcreds manual", Date: &date}
	if o.Dir == "" {
		var b bytes.Buffer
		if err := doc.GenMan(root, h, &b); err != nil {
			return err
		}
		_, err := a.stdout.Write(b.Bytes())
		return err
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return usagef("--dir %s: %v", o.Dir, err)
	}
	if err := doc.GenManTree(root, h, o.Dir); err != nil {
		return fmt.Errorf("tempcreds: writing man pages to %s: %w", o.Dir, err)
	}
	fmt.Fprintf(a.stderr, "tempcreds: man pages written to %s (man -M %s tempcreds)\n", o.Dir, filepath.Dir(o.Dir))
	return nil
}

// commitTime is the build's commit date, else the Unix epoch.
func commitTime() time.Time {
	if t, err := time.Parse(time.RFC3339, buildInfo().date); err == nil {
		return t
	}
	return time.Unix(0, 0).UTC()
}
