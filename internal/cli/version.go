package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version, Commit and Date may be set at build time with -ldflags "-X
// github.com/tempcreds/tempcreds/internal/cli.Version=v1.2.3" (GoReleaser
// does); otherwise they come from the build information Go records: the
// module version of `go install …@v1.2.3`, and the VCS revision and time
// of a build from a checkout.
var Version, Commit, Date = "", "", ""

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(a.stdout, versionLine())
			return nil
		},
	}
}

// versionLine is `tempcreds version`'s answer: version, commit, build date,
// Go version and platform.
func versionLine() string {
	version, commit, date := Version, Commit, Date
	goVersion := runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		if version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version = bi.Main.Version
		}
		dirty := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = firstNonEmpty(commit, s.Value)
			case "vcs.time":
				date = firstNonEmpty(date, s.Value)
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if dirty && Commit == "" && commit != "" {
			commit += "-dirty"
		}
	}
	return fmt.Sprintf("tempcreds %s (commit %s, committed %s, %s %s/%s)", firstNonEmpty(version, "devel"),
		firstNonEmpty(commit, "unknown"), firstNonEmpty(date, "unknown"), goVersion, runtime.GOOS, runtime.GOARCH)
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
