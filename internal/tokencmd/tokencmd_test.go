//go:build unix

package tokencmd

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestATokenCommandIsKilledAsAGroupAtItsTimeout: `sleep 100; echo tok`
// under a short timeout ends at the timeout, and the grandchildren it
// started are killed with it (no orphan keeps running). It also never sees
// the secret credential variables.
func TestATokenCommandIsKilledAsAGroupAtItsTimeout(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	t.Setenv("AWS_STS_ACCESS_SECRET", "fakeSecretForTheHelperTest")
	t.Setenv("AMAZON_ACCESS_KEY_ID", "AKIAFAKEAMAZONHELPER")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAFAKEAWSHELPER")
	script := `sleep 100 & echo $! > ` + pidFile + `; env > ` + filepath.Join(dir, "env") + `; wait; echo tok`
	start := time.Now()
	_, err := Command{Argv: []string{"sh", "-c", script}, Timeout: 500 * time.Millisecond}.Token(context.Background())
	if err == nil || !strings.Contains(err.Error(), "timed out after 500ms") {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %s for a 500 ms timeout", took)
	}
	b, _ := os.ReadFile(pidFile)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("the command never started its grandchild: %q", b)
	}
	for i := 0; syscall.Kill(pid, 0) == nil; i++ { // bounded: 2 s
		if i > 200 {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatal("the grandchild `sleep 100` outlived the timeout (an orphan)")
		}
		time.Sleep(10 * time.Millisecond)
	}
	env, _ := os.ReadFile(filepath.Join(dir, "env"))
	for _, v := range []string{"fakeSecretForTheHelperTest", "AKIAFAKEAMAZONHELPER", "AKIAFAKEAWSHELPER"} {
		if strings.Contains(string(env), v) {
			t.Errorf("the token command inherited a credential variable (%s)", v)
		}
	}
}
