// Package devcache is where the development tools tempcreds' tests and
// demo build or download (the pinned MinIO server, the JavaScript SDKs)
// are kept: once per user and machine, outside every checkout, so clones
// and CI runs on one machine share one build and no checkout is dirtied.
package devcache

import (
	"errors"
	"os"
	"path/filepath"
)

// Env overrides the directory (for a CI runner that keeps a cache of its own).
const Env = "TEMPCREDS_DEV_CACHE"

// home is read once, before any test can change HOME or XDG_CACHE_HOME
// (a test that points HOME at a temporary directory must not trigger a
// second MinIO build).
var home, homeErr = root()

func root() (string, error) {
	if d := os.Getenv(Env); d != "" {
		if !filepath.IsAbs(d) {
			return "", errors.New("devcache: " + Env + " must be an absolute path")
		}
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", errors.New("devcache: no user cache directory (set XDG_CACHE_HOME, HOME or " + Env + "): " + err.Error())
	}
	return filepath.Join(d, "tempcreds-dev"), nil
}

// Dir returns the directory for one tool at one pinned version, creating it.
func Dir(tool, version string) (string, error) {
	if homeErr != nil {
		return "", homeErr
	}
	d := filepath.Join(home, tool, version)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return "", err
	}
	return d, nil
}
