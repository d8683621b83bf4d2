package chain

import (
	"time"

	"github.com/tempcreds/tempcreds/internal/cacheid"
	"github.com/tempcreds/tempcreds/internal/filecache"
)

func init() {
	cacheid.PlanKeys = func(plan any) []string { return cacheKeys(plan.(*Plan)) }
}

// keyInputs returns the cache key inputs of hop i; below is the key of the
// hop under it ("" for the first).
func keyInputs(p *Plan, i int, below string) filecache.KeyInputs {
	h := p.Hops[i]
	k := filecache.KeyInputs{
		Kind: h.Kind, RoleARN: h.RoleARN, SessionName: h.SessionName, DurationSeconds: int64(h.Duration / time.Second),
		ExternalID: h.ExternalID, Policy: h.Policy, PolicyARNs: sortedCopy(h.PolicyARNs), Tags: h.Tags,
		TransitiveTagKeys: h.TransitiveTags, SourceIdentityTag: h.SourceIdentity, MFASerial: h.MFASerial, MinTokenSize: h.MinTokenSize,
		Region: p.Region, Endpoint: firstNonEmpty(p.Endpoint, p.keyEndpoint),
	}
	switch {
	case below != "":
		k.SourceIdentity = "hop:" + below
	case h.Kind == HopWebIdentity:
		// The exact token's digest is mixed in on every lookup
		// (filecache.Provider.Identity); this only tells the forms apart.
		k.WebIdentity = "file:" + h.TokenFile
		if h.TokenFile == "" {
			k.WebIdentity = "command:" + h.TokenCommand + "@" + cacheid.Cwd()
		}
	case p.Source == SourceStatic:
		k.SourceIdentity = cacheid.Static(p.StaticKey, p.staticSecret, p.staticToken)
	case p.Source == SourceProcess:
		k.SourceIdentity = processIdentity(p)
	case p.Source == SourceProfileSDK:
		k.SourceIdentity = "profile:" + p.Profile + ":" + environmentIdentity(p)
	default:
		k.SourceIdentity = "default-chain:" + environmentIdentity(p)
	}
	return k
}

// cacheKeys are the file-cache keys of the plan's hops, source first (the
// final hop's last), and of its source process's output if it has one.
// A hop whose key is only known when its source is read (web identity,
// roles above a source process) has its entries found by Meta.Profile.
func cacheKeys(p *Plan) []string {
	var keys []string
	if p.Source == SourceProcess {
		keys = append(keys, processKeyInputs(p).Key())
	}
	below := ""
	for i := range p.Hops {
		below = keyInputs(p, i, below).Key()
		keys = append(keys, below)
	}
	return keys
}

// processKeyInputs are the cache key inputs of a source process's output:
// one entry whether it is the final credentials or a role's source.
func processKeyInputs(p *Plan) filecache.KeyInputs {
	return filecache.KeyInputs{Kind: "process", SourceIdentity: processIdentity(p)}
}

// processIdentity names the plan's source process for the cache.
func processIdentity(p *Plan) string {
	return cacheid.Process(p.Profile, p.ProcessCommand, environmentIdentity(p))
}

// environmentIdentity digests the credential environment Resolve read and
// the shared files the plan uses.
func environmentIdentity(p *Plan) string {
	return cacheid.Environment(p.credEnv, p.ConfigFile, p.CredentialsFile)
}
