package tempcreds

import (
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tempcreds/tempcreds/internal/stsresult"
)

// AdjustExpiresBy lets an aws.CredentialsCache that wraps this Cache keep
// its credentials only until this Cache's refresh point, so refresh-ahead
// keeps working behind the SDK's cache (it implements
// aws.AdjustExpiresByCredentialsCacheStrategy). The SDK consults it only when
// its ExpiryWindow is positive: see SDKCacheOptions.
func (c *Cache) AdjustExpiresBy(creds aws.Credentials, window time.Duration) (aws.Credentials, error) {
	c.sdk.adjusted.Store(true)
	if !creds.CanExpire {
		return creds, nil
	}
	if s := c.cur.Load(); s != nil && s.creds.AccessKeyID == creds.AccessKeyID && s.creds.Expires.Equal(creds.Expires) {
		// Until the refresh point; from then on the SDK asks again on
		// every call, and gets the new credentials as soon as they land.
		creds.Expires = time.Unix(0, s.softAt).UTC()
		return creds, nil
	}
	creds.Expires = creds.Expires.Add(min(window, -c.opts.Freshness.Need(0)))
	return creds, nil
}

// SDKCacheOptions configures an aws.CredentialsCache that wraps a Cache so
// that it hands the decisions back to the Cache: pass it to
// config.WithCredentialsCacheOptions next to config.WithCredentialsProvider,
// or to aws.NewCredentialsCache. Without it the SDK's cache (ExpiryWindow 0
// by default) keeps the Cache's credentials until their real expiry: past the
// expiry window and without refresh-ahead.
func SDKCacheOptions(o *aws.CredentialsCacheOptions) {
	o.ExpiryWindow = time.Nanosecond // positive, so AdjustExpiresBy is consulted
	o.ExpiryWindowJitterFrac = 0
}

// sdkWrapping notices the one wiring that defeats a Cache: an
// aws.CredentialsCache around it without SDKCacheOptions (what
// config.WithCredentialsProvider builds by default). Such a cache keeps the
// credentials until their real expiry and never consults AdjustExpiresBy.
// The SDK asks its provider again only when its copy has expired, so a
// second load asked for by an aws.CredentialsCache, with AdjustExpiresBy
// never consulted, proves the wiring: it is reported once.
type sdkWrapping struct {
	seen     atomic.Bool // an aws.CredentialsCache asked for a load
	adjusted atomic.Bool // AdjustExpiresBy was consulted
	warned   atomic.Bool
}

// sdkCacheFrame is the SDK's frame that calls the provider it caches.
const sdkCacheFrame = "github.com/aws/aws-sdk-go-v2/aws.(*CredentialsCache)."

// noticeCaller runs on Retrieve's slow path only (a load is needed): the
// stack walk never touches a cache hit.
func (w *sdkWrapping) noticeCaller(log *slog.Logger) {
	if w.adjusted.Load() || w.warned.Load() || !calledBy(sdkCacheFrame) {
		return
	}
	if !w.seen.Swap(true) || w.warned.Swap(true) {
		return // the first time, AdjustExpiresBy comes after this call returns
	}
	log.Warn("tempcreds: an aws.CredentialsCache wraps this tempcreds.Cache without tempcreds.SDKCacheOptions, so it keeps " +
		"credentials until their real expiry, past the expiry window and without refresh-ahead: " +
		"add config.WithCredentialsCacheOptions(tempcreds.SDKCacheOptions) next to config.WithCredentialsProvider")
}

// calledBy reports whether a function whose name starts with prefix is
// among the callers of the caller's caller (a few frames up).
func calledBy(prefix string) bool {
	var pcs [12]uintptr
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if strings.HasPrefix(f.Function, prefix) {
			return true
		}
		if !more {
			return false
		}
	}
}

// ProviderSources reports where the wrapped provider's credentials come
// from, for the SDK's credential feature tracking
// (aws.CredentialProviderSource): the wrapped provider's sources when it
// tells them, else none.
func (c *Cache) ProviderSources() []aws.CredentialSource {
	return stsresult.Sources(c.provider)
}
