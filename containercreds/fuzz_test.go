package containercreds

import "testing"

// FuzzAnswer: any answer of a container endpoint gives valid,
// expiring credentials or an *Error; never a panic.
func FuzzAnswer(f *testing.F) {
	f.Add(200, []byte(`{"AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"2026-11-22T10:00:00Z"}`))
	f.Add(200, []byte(`{"AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"soon"}`))
	f.Add(403, []byte(`{"Code":"AccessDenied","Message":"no"}`))
	f.Add(500, []byte(`<html>`))
	f.Add(200, []byte(`null`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		creds, _, err := parseAnswer("http://127.0.0.1/", status, body)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			if len(err.Error()) > 1000 {
				t.Fatalf("an error message of %d bytes", len(err.Error()))
			}
			return
		}
		if status != 200 || creds.AccessKeyID == "" || creds.SessionToken == "" || !creds.CanExpire || creds.Expires.IsZero() {
			t.Fatalf("accepted %+v from status %d", creds, status)
		}
	})
}
