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
// that allows another account. For a directory only write access by others
// counts (its entries are owner-only and named by hashes).
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
	owner, _, err := sd.Owner()
	if err != nil || owner == nil || !owner.Equals(user) {
		name := "someone else"
		if owner != nil {
			name = owner.String()
		}
		return "is owned by " + name + ", not by you (" + user.String() + ")"
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return "cannot be checked: " + err.Error()
	}
	if dacl == nil {
		return "has no access list: everyone may read and write it"
	}
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
		if sid.Equals(user) || sid.IsWellKnown(windows.WinLocalSystemSid) {
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

// replace renames tmp over path. Windows refuses while another process has
// path open without FILE_SHARE_DELETE (an antivirus, a reader): retry for
// a moment, bounded.
func replace(tmp, path string) error {
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
