package chain

import (
	"os"
	"sort"
	"time"

	"github.com/tempcreds/tempcreds"
	"github.com/tempcreds/tempcreds/internal/stsrules"
)

// SourceKind says where the first (long-term or outside) credentials of a
// chain come from.
type SourceKind int

// The sources, in the order Resolve considers them.
const (
	SourceDefaultChain SourceKind = iota // aws-sdk-go-v2's default credential chain
	SourceStatic                         // keys: AWS_STS_ACCESS_KEY/SECRET or a profile's
	SourceProfileSDK                     // a profile the SDK resolves (SSO, credential_source...)
	SourceProcess                        // a command printing credential_process JSON (a profile's or Request.SourceProcess), run by tempcreds (bounded)
	SourceWebIdentity                    // the first hop itself is web identity
)

// OriginDefault is the Hop.DurationOrigin of a default duration.
const OriginDefault = "default"

// Hop kinds: one STS call of the chain, or the source used as it is.
const (
	HopSessionToken = string(stsrules.GetSessionToken) // GetSessionToken
	HopAssumeRole   = string(stsrules.AssumeRole)      // AssumeRole
	HopWebIdentity  = string(stsrules.WebIdentity)     // AssumeRoleWithWebIdentity
	HopSource       = "source"                         // the source's own credentials, no STS call
)

// Hop is one step of the chain, from the source upwards.
type Hop struct {
	Kind        string // HopSessionToken, HopAssumeRole, HopWebIdentity or HopSource
	RoleARN     string
	SessionName string
	// sessionNameTimestamp: the default name (tempcreds-USER) gets
	// "-UNIXTIME" appended when the chain is built; the cache key does not
	// change with the time.
	sessionNameTimestamp bool
	Duration             time.Duration // 0: STS's default
	// DurationOrigin is where Duration was given when not in the Request:
	// an environment variable, a profile key, or OriginDefault when no one
	// asked for it (the role's session then falls back to 1h if the role
	// refuses the default 12h).
	DurationOrigin string
	ExternalID     string
	Policy         string
	PolicyARNs     []string
	Tags           map[string]string
	TransitiveTags []string
	SourceIdentity string
	MFASerial      string
	MFAProcess     string // a command printing the MFA code (a profile's mfa_process)
	mfaProcessName string // how errors name it
	MinTokenSize   int
	TokenFile      string
	TokenCommand   string
}

// Plan is everything needed to get the credentials, resolved from the
// request, the environment and the profile. Making it costs no network
// call and runs no command.
type Plan struct {
	Source SourceKind
	// StaticKey is the access key ID of SourceStatic (for the cache key
	// and debug lines); the secret is kept unexported.
	StaticKey string
	// Profile names the profile chain ("a>b") or the profile the SDK or
	// the credential_process resolves.
	Profile string
	// ProcessCommand is the source process (the leaf profile's
	// credential_process or Request.SourceProcess), ProcessTTL how long its
	// output without an Expiration is cached.
	ProcessCommand string
	ProcessTTL     time.Duration
	// ConfigProfile is the profile whose settings configure the STS client
	// (ca_bundle, endpoint_url, retry_mode...); "" for none.
	ConfigProfile string
	// ConfigFile and CredentialsFile are the shared files in use.
	ConfigFile, CredentialsFile string
	// configFromEnv, credentialsFromEnv: set by AWS_CONFIG_FILE,
	// AWS_SHARED_CREDENTIALS_FILE (else the defaults under HOME).
	configFromEnv, credentialsFromEnv bool
	// Hops are the STS calls, source first.
	Hops []Hop
	// Region and Endpoint of STS (Endpoint "" leaves it to the SDK).
	Region   string
	Endpoint string
	// keyEndpoint is an endpoint the SDK's loader applies by itself (a
	// profile's endpoint_url), recorded in the cache key.
	keyEndpoint string
	// Cache settings: a single file for the final hop, or a directory; mode
	// of the single file; whether the final hop stays in memory only.
	CacheFile     string
	CacheMode     os.FileMode
	CacheDir      string
	NoCache       bool
	FinalInMemory bool
	// Freshness of the final hop's cache entry.
	Freshness tempcreds.Freshness
	MFAMode   MFAMode

	// humanSession names the SSO session or `aws login` session the source
	// refreshes ("sso:NAME", "login:ARN"): its refreshes are serialised
	// across processes, and loginCommand is what to run when it expired.
	humanSession, loginCommand string
	// Warnings are said once when the plan is built (keys of the profiles
	// in use that nothing reads).
	Warnings []string

	// loginSources: the chain has an `aws login` source_profile, which
	// aws-sdk-go-v2's loader only reads through sharedfiles.WithLoginSources.
	loginSources map[string]map[string]string

	staticSecret, staticToken string
	// helperKeys: the static keys are aws-sts-helper's AWS_STS_* variables;
	// helperDefaults: Request.HelperDefaults. Either gives that
	// interface's defaults (applyDefaults).
	helperKeys, helperDefaults bool
	// user runs tempcreds: the default session name is theirs.
	user string
	// profileHops is how many hops the profile chain made (before the
	// request's): their default session names follow the AWS CLI.
	profileHops int
	// credEnv is the credential environment the SDK's chain would read
	// (name, value pairs): part of the first hop's identity.
	credEnv []string
}

// lastHop is the last hop: the credentials the chain gives.
func lastHop(p *Plan) Hop { return p.Hops[len(p.Hops)-1] }

// applyMFAMode: in session mode (the default), MFA on the first role hop
// signed with long-term keys becomes an MFA GetSessionToken below it,
// cached on its own, so roles are assumed from it without prompting again
// (AWS then caps those role sessions at 1 hour). In role mode, MFA stays on
// AssumeRole: longer sessions, one prompt per role refresh.
func applyMFAMode(p *Plan) {
	if p.MFAMode != MFASession || p.Source == SourceWebIdentity || len(p.Hops) == 0 {
		return
	}
	first := &p.Hops[0]
	if first.Kind != HopAssumeRole || first.MFASerial == "" {
		return
	}
	serial, process, name := first.MFASerial, first.MFAProcess, first.mfaProcessName
	first.MFASerial, first.MFAProcess, first.mfaProcessName = "", "", ""
	p.Hops = append([]Hop{{Kind: HopSessionToken, MFASerial: serial, MFAProcess: process, mfaProcessName: name}}, p.Hops...)
}

// profileMFA returns the mfa_serial of the profile's first role hop.
func profileMFA(p *Plan) string {
	for _, h := range p.Hops {
		if h.MFASerial != "" {
			return h.MFASerial
		}
	}
	return ""
}

// checkDurations refuses a duration STS would refuse, naming where it was
// given.
func checkDurations(p *Plan) error {
	for _, h := range p.Hops {
		if h.Duration < 0 {
			return bad("Duration", h.DurationOrigin, "", "{{Duration}} is not a whole number of seconds")
		}
		if err := ruled(stsrules.Duration("Duration", stsrules.Op(h.Kind), h.Duration), h.DurationOrigin); err != nil {
			return err
		}
	}
	return nil
}

func dropRoleHops(hops []Hop) []Hop {
	var out []Hop
	for _, h := range hops {
		if h.Kind != HopAssumeRole {
			out = append(out, h)
		}
	}
	return out
}

func sortedCopy(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
