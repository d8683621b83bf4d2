//go:build windows

package safefile

import (
	"errors"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// RestrictToOwner gives path a protected ACL that lets only the current
// user in (no inherited entries: not Administrators, not Everyone). A
// directory's entry is inherited by what is created in it.
func RestrictToOwner(path string) error {
	user, err := currentUser()
	if err != nil {
		return err
	}
	st, err := os.Lstat(path)
	if err != nil {
		return err
	}
	inherit := uint32(windows.NO_INHERITANCE)
	if st.IsDir() {
		inherit = windows.SUB_CONTAINERS_AND_OBJECTS_INHERIT
	}
	acl, err := windows.ACLFromEntries([]windows.EXPLICIT_ACCESS{{
		AccessPermissions: windows.GENERIC_ALL,
		AccessMode:        windows.GRANT_ACCESS,
		Inheritance:       inherit,
		Trustee: windows.TRUSTEE{TrusteeForm: windows.TRUSTEE_IS_SID, TrusteeType: windows.TRUSTEE_IS_USER,
			TrusteeValue: windows.TrusteeValueFromSID(user)},
	}}, nil)
	if err != nil {
		return err
	}
	return windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION|windows.OWNER_SECURITY_INFORMATION,
		user, nil, acl, nil)
}

// OwnerOnlyProblem says what makes path readable or writable by anyone but
// the current user ("" when nothing does): another owner, or an ACL entry
// that allows another account. SYSTEM and the Administrators group do not
// count (they can read anything, like root on Unix: outside the threat
// model). For a directory only write access by others counts (its entries
// are owner-only and named by hashes).
func OwnerOnlyProblem(path string, dir bool) string {
	user, err := currentUser()
	if err != nil {
		return "cannot be checked: " + err.Error()
	}
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return "cannot be checked: " + err.Error()
	}
	if problem := ownerProblem(sd, user); problem != "" {
		return problem
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return "cannot be checked: " + err.Error()
	}
	if dacl == nil {
		return "has no access list: everyone may read and write it"
	}
	return aclProblem(dacl, user, dir)
}

// ownerProblem says who owns sd's object, when it is not user.
func ownerProblem(sd *windows.SECURITY_DESCRIPTOR, user *windows.SID) string {
	owner, _, err := sd.Owner()
	if err == nil && owner != nil && owner.Equals(user) {
		return ""
	}
	name := "someone else"
	if owner != nil {
		name = owner.String()
	}
	return "is owned by " + name + ", not by you (" + user.String() + ")"
}

// aclProblem names the first account dacl lets read or write (write only,
// for a directory) other than user, SYSTEM and the Administrators.
func aclProblem(dacl *windows.ACL, user *windows.SID, dir bool) string {
	const write = windows.GENERIC_WRITE | windows.GENERIC_ALL | windows.FILE_WRITE_DATA | windows.FILE_APPEND_DATA | windows.WRITE_DAC | windows.WRITE_OWNER | windows.DELETE
	const read = windows.GENERIC_READ | windows.FILE_READ_DATA
	for i := uint32(0); i < uint32(dacl.AceCount); i++ {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			return "cannot be checked: " + err.Error()
		}
		if ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE {
			continue
		}
		sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
		if sid.Equals(user) || sid.IsWellKnown(windows.WinLocalSystemSid) || sid.IsWellKnown(windows.WinBuiltinAdministratorsSid) {
			continue
		}
		mask := uint32(ace.Mask)
		if mask&write != 0 || !dir && mask&read != 0 {
			return "lets " + sid.String() + " read or write it"
		}
	}
	return ""
}

func currentUser() (*windows.SID, error) {
	tu, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, err
	}
	return tu.User.Sid, nil
}

// replace renames tmp over path with POSIX semantics (Windows 10 1709 and
// later): the old file may be open (with delete sharing, as OpenForRead
// opens it), as on Unix. Where that is not supported, os.Rename
// (MoveFileEx), retried for a moment while another process holds the old
// file open.
func replace(tmp, path string) error {
	if err := posixRename(tmp, path); err == nil {
		return nil
	}
	var err error
	for i := 0; i < 50; i++ {
		if err = os.Rename(tmp, path); err == nil {
			return nil
		}
		if !errors.Is(err, windows.ERROR_ACCESS_DENIED) && !errors.Is(err, windows.ERROR_SHARING_VIOLATION) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
	return err
}

// ErrReparsePoint is OpenForRead's refusal of a symlink or junction.
var ErrReparsePoint = errors.New("a symlink or junction (reparse point)")

// OpenForRead opens path for reading without following a reparse point
// (symlink, junction), sharing delete access so that a writer can rename a
// new version over it while it is open (Windows refuses that otherwise).
func OpenForRead(path string) (*os.File, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, err
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE, nil,
		windows.OPEN_EXISTING, windows.FILE_FLAG_OPEN_REPARSE_POINT|windows.FILE_FLAG_BACKUP_SEMANTICS, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	var info windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(h, &info); err != nil {
		windows.CloseHandle(h)
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	if info.FileAttributes&windows.FILE_ATTRIBUTE_REPARSE_POINT != 0 {
		windows.CloseHandle(h)
		return nil, &os.PathError{Op: "open", Path: path, Err: ErrReparsePoint}
	}
	return os.NewFile(uintptr(h), path), nil
}

// posixRename is SetFileInformationByHandle(FileRenameInfoEx) with
// FILE_RENAME_FLAG_REPLACE_IF_EXISTS|FILE_RENAME_FLAG_POSIX_SEMANTICS.
func posixRename(tmp, path string) error {
	const replaceIfExists, posixSemantics = 0x1, 0x2
	from, err := windows.UTF16PtrFromString(tmp)
	if err != nil {
		return err
	}
	to, err := windows.UTF16FromString(path)
	if err != nil {
		return err
	}
	h, err := windows.CreateFile(from, windows.DELETE|windows.SYNCHRONIZE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE, nil, windows.OPEN_EXISTING,
		windows.FILE_FLAG_OPEN_REPARSE_POINT|windows.FILE_FLAG_BACKUP_SEMANTICS, 0)
	if err != nil {
		return err
	}
	defer windows.CloseHandle(h)
	// FILE_RENAME_INFO: Flags (ULONG, for FileRenameInfoEx), a pad to the
	// handle's alignment, RootDirectory, FileNameLength (bytes), FileName.
	type renameInfo struct {
		Flags          uint32
		RootDirectory  windows.Handle
		FileNameLength uint32
		FileName       [1]uint16
	}
	size := int(unsafe.Offsetof(renameInfo{}.FileName)) + len(to)*2
	buf := make([]byte, size+8)
	info := (*renameInfo)(unsafe.Pointer(&buf[0]))
	info.Flags = replaceIfExists | posixSemantics
	info.FileNameLength = uint32((len(to) - 1) * 2) // without the NUL
	copy(unsafe.Slice(&info.FileName[0], len(to)), to)
	return windows.SetFileInformationByHandle(h, windows.FileRenameInfoEx, &buf[0], uint32(len(buf)))
}
