//go:build windows

package safefile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/windows"
)

// tempDir is t.TempDir without its RemoveAll: under Wine 8.0 Go 1.26's
// RemoveAll fails (NtSetInformationFile's FileDispositionInformationEx is
// not implemented there), so these tests remove what they made with
// os.Remove (DeleteFile, RemoveDirectory), which Wine has.
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "safefile-windows-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		var paths []string
		_ = filepath.WalkDir(dir, func(p string, _ os.DirEntry, _ error) error { paths = append(paths, p); return nil })
		for i := len(paths) - 1; i >= 0; i-- {
			_ = os.Remove(paths[i])
		}
	})
	return dir
}

// TestWindowsWritesAreOwnerOnly: Write gives the file a protected ACL with
// one entry, the current user; a file others can read (the default ACL of
// a new file may let Everyone in) is reported, and RestrictToOwner fixes it.
func TestWindowsWritesAreOwnerOnly(t *testing.T) {
	dir := tempDir(t)
	p := filepath.Join(dir, "entry.json")
	if err := Write(p, []byte(`{"fake":"credentials"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if problem := OwnerOnlyProblem(p, false); problem != "" {
		t.Fatalf("a file Write made: %s", problem)
	}
	sd, err := windows.GetNamedSecurityInfo(p, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatal(err)
	}
	if ctl, _, _ := sd.Control(); ctl&windows.SE_DACL_PROTECTED == 0 {
		t.Error("the ACL is not protected: inherited entries could let others in")
	}
	if dacl, _, err := sd.DACL(); err != nil || dacl == nil || dacl.AceCount != 1 {
		t.Errorf("the ACL has %v entries (%v), want 1: the owner", dacl, err)
	}

	// A file with Everyone in its ACL is reported, then fixed.
	other := filepath.Join(dir, "other.json")
	if err := os.WriteFile(other, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	everyone, _ := windows.CreateWellKnownSid(windows.WinWorldSid)
	acl, err := windows.ACLFromEntries([]windows.EXPLICIT_ACCESS{{AccessPermissions: windows.GENERIC_READ, AccessMode: windows.GRANT_ACCESS,
		Trustee: windows.TRUSTEE{TrusteeForm: windows.TRUSTEE_IS_SID, TrusteeType: windows.TRUSTEE_IS_WELL_KNOWN_GROUP, TrusteeValue: windows.TrusteeValueFromSID(everyone)}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := windows.SetNamedSecurityInfo(other, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION, nil, nil, acl, nil); err != nil {
		t.Fatal(err)
	}
	if problem := OwnerOnlyProblem(other, false); !strings.Contains(problem, everyone.String()) {
		t.Errorf("a file Everyone can read: problem %q, want it named", problem)
	}
	if err := RestrictToOwner(other); err != nil {
		t.Fatal(err)
	}
	if problem := OwnerOnlyProblem(other, false); problem != "" {
		t.Errorf("after RestrictToOwner: %s", problem)
	}
}

// TestWindowsReplaceWhileTheTargetIsOpen: Write replaces a file a reader
// holds open (readers open with delete sharing, as OpenForRead does), and
// refuses a directory.
func TestWindowsReplaceWhileTheTargetIsOpen(t *testing.T) {
	dir := tempDir(t)
	p := filepath.Join(dir, "entry.json")
	if err := Write(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := OpenForRead(p)
	if err != nil {
		t.Fatal(err)
	}
	err = Write(p, []byte("new"), 0o600)
	f.Close()
	if err != nil {
		t.Fatalf("replacing an open file: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("content %q, want new", b)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Write(sub, []byte("x"), 0o600); err == nil || !strings.Contains(err.Error(), "a directory") {
		t.Errorf("writing over a directory: %v", err)
	}
}
