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

// build is what the binary knows of its build: from the release's
// ldflags, else Go's build information.
type build struct{ version, commit, date, goVersion string }

func buildInfo() build {
	b := build{Version, Commit, Date, runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		b.goVersion = bi.GoVersion
		if b.version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			b.version = bi.Main.Version
		}
		dirty := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				b.commit = firstNonEmpty(b.commit, s.Value)
			case "vcs.time":
				b.date = firstNonEmpty(b.date, s.Value)
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if dirty && Commit == "" && b.commit != "" {
			b.commit += "-dirty"
		}
	}
	return b
}

// versionLine is `tempcreds version`'s answer: version, commit, build date,
// Go version and platform.
func versionLine() string {
	b := buildInfo()
	return fmt.Sprintf("tempcreds %s (commit %s, committed %s, %s %s/%s)", firstNonEmpty(b.version, "devel"),
		firstNonEmpty(b.commit, "unknown"), firstNonEmpty(b.date, "unknown"), b.goVersion, runtime.GOOS, runtime.GOARCH)
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
